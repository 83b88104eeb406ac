-- New-member entry (data contract §4, §5): the latest accepted state of rosters,
-- number ranges, the unused-number register and school counts, and the rules
-- that reconcile them ("号号有下落，人人进系统"). Replaced on every start.

-- Each unit's newly admitted members: for each person (by keyed ID hash) the row
-- of the unit's latest accepted roster that lists them, so a roster may be sent
-- whole or month by month. id_number is the masked number; the gateway shows
-- the full one (id_sealed) only to a role allowed to see it.
create or replace view roster as
with ranked as (
    select
        r.*, s.unit_id,
        row_number() over (partition by s.unit_id, r.id_hash order by r.submission_id desc) as recency
    from roster_rows r
    join submissions s using (submission_id)
    where s.kind = 'roster' and s.status = 'accepted'
),
final as (
    select
        u.name as unit, u.district, r.unit_id, r.name, r.gender, r.id_masked as id_number, r.id_sealed,
        r.id_hash, r.birth_date, r.joined_on, r.member_no, r.developing_org, r.entered_in_system,
        r.entered_on, r.note, r.submission_id
    from ranked r
    join units u using (unit_id)
    where r.recency = 1
)
select * from final;

-- The ranges issued to each unit: those of the latest accepted range sheet that
-- names the unit, so a corrected sheet replaces a unit's ranges whole.
create or replace view number_ranges as
with naming as (
    select r.unit_id, max(r.submission_id) as submission_id
    from range_rows r
    join submissions s using (submission_id)
    where s.kind = 'ranges' and s.status = 'accepted'
    group by r.unit_id
),
final as (
    select u.name as unit, u.district, r.unit_id, r.first_no, r.last_no,
           r.last_no::bigint - r.first_no::bigint + 1 as numbers, r.issued_on, r.note
    from range_rows r
    join naming n using (unit_id, submission_id)
    join units u using (unit_id)
)
select * from final;

-- Numbers registered as issued but not used, with the reason; registers add up.
create or replace view unused_numbers as
with ranked as (
    select
        r.*,
        row_number() over (partition by r.unit_id, r.member_no::bigint order by r.submission_id desc) as recency
    from unused_number_rows r
    join submissions s using (submission_id)
    where s.kind = 'unused_numbers' and s.status = 'accepted'
),
final as (
    select u.name as unit, u.district, r.unit_id, r.member_no, r.reason, r.registered_on
    from ranked r
    join units u using (unit_id)
    where r.recency = 1
)
select * from final;

-- Every number issued in a range or used on a roster, one row per (unit, number),
-- and where it went (号号有下落):
--   duplicate      on two or more roster rows (of this unit or any other);
--   outside_range  on the unit's roster but in none of the ranges issued to it;
--   used           in a range, on exactly one roster row;
--   unused         in a range, registered as unused with a reason;
--   untraced       in a range, neither used nor registered: the ones to chase.
-- Numbers compare as numbers; each is written as wide as its range or roster entry.
create or replace view member_numbers as
with issued as (
    select distinct unit_id, unnest(range(first_no::bigint, last_no::bigint + 1)) as number,
           length(first_no) as width
    from number_ranges
),
used as (
    select unit_id, member_no::bigint as number, max(length(member_no)) as width, count(*) as roster_uses
    from roster
    group by all
),
used_anywhere as (
    select member_no::bigint as number, count(*) as uses_anywhere from roster group by all
),
registered as (
    select unit_id, member_no::bigint as number, string_agg(reason, '；') as unused_reason
    from unused_numbers
    group by all
),
numbers as (
    select unit_id, number, max(width) as width, bool_or(in_range) as in_range
    from (select unit_id, number, width, true as in_range from issued
          union all
          select unit_id, number, width, false from used)
    group by all
),
final as (
    select
        u.name as unit, u.district, n.unit_id,
        lpad(n.number::varchar, n.width::integer, '0') as member_no,
        case
            when coalesce(a.uses_anywhere, 0) > 1 then 'duplicate'
            when not n.in_range then 'outside_range'
            when coalesce(d.roster_uses, 0) = 1 then 'used'
            when r.unused_reason is not null then 'unused'
            else 'untraced'
        end as trace,
        n.in_range, coalesce(d.roster_uses, 0) as roster_uses, coalesce(a.uses_anywhere, 0) as uses_anywhere,
        r.unused_reason
    from numbers n
    join units u using (unit_id)
    left join used d using (unit_id, number)
    left join used_anywhere a using (number)
    left join registered r using (unit_id, number)
)
select * from final;

-- Whether a member was entered in the league's system in time: by the deadline
-- (entry_deadline_months after the branch meeting) and as things stood on
-- as_of_date (an entry dated later had not happened yet). entry_state is
-- on_time, late (entered after the deadline), overdue (not entered, deadline
-- passed) or pending (not entered, still in time); days_overdue counts past the
-- deadline to the entry or to as_of_date.
create or replace macro member_entry(as_of_date) as table
with members as (
    select
        r.*,
        (r.joined_on + to_months(plan_setting('entry_deadline_months')::integer))::date as entry_deadline,
        r.entered_in_system and r.entered_on <= as_of_date as entered_by_then
    from roster r
    where r.joined_on <= as_of_date
),
final as (
    select
        *,
        case
            when entered_by_then and entered_on <= entry_deadline then 'on_time'
            when entered_by_then then 'late'
            when entry_deadline < as_of_date then 'overdue'
            else 'pending'
        end as entry_state,
        case
            when entered_by_then and entered_on > entry_deadline then datediff('day', entry_deadline, entered_on)
            when not entered_by_then and entry_deadline < as_of_date then datediff('day', entry_deadline, as_of_date)
        end as days_overdue
    from members
)
select * from final;

-- Schools: the league system's member count against the education statistics,
-- from the latest accepted sheet naming each school. A gap over
-- school_gap_max_share (5%) of the education count needs a written explanation.
create or replace view school_gaps as
with ranked as (
    select
        r.*,
        row_number() over (partition by r.school order by r.submission_id desc) as recency
    from school_rows r
    join submissions s using (submission_id)
    where s.kind = 'schools' and s.status = 'accepted'
),
measured as (
    select
        school, district, edu_count, league_count, league_count - edu_count as gap,
        abs(league_count - edu_count) * 100.0 / nullif(edu_count, 0) as gap_percent,
        nullif(trim(explanation), '') as explanation
    from ranked
    where recency = 1
),
final as (
    select
        *,
        explanation is not null as explained,
        coalesce(gap_percent > plan_setting('school_gap_max_share') * 100, league_count > 0) as over_threshold,
        coalesce(gap_percent > plan_setting('school_gap_max_share') * 100, league_count > 0)
            and explanation is null as needs_explanation
    from measured
)
select * from final;

-- The district units inside a scope (a unit's scope holds none): what school counts keep to.
create or replace macro districts_in_scope(scope_unit) as table
    select d.name as district
    from units d
    where d.level = 'district'
      and starts_with(d.path, (select path from units where name = scope_unit));
