-- Progress toward the year's targets of new league organisations at the as-of
-- month: one row per reporting unit (level 'unit'), per district (level
-- 'district') and for all of them together (level 'total'). `done` and
-- `target` follow the organisation-type filter; the *_enterprise, *_social and
-- *_direct columns do not. Each row says how many organisations it is short of
-- the planned share now (short_of_expected) and of the milestone the month
-- works toward (short_of_milestone), and of the latest milestone the month has
-- passed (short_of_passed_milestone; null before the year's first milestone);
-- laggards come first.
with scoped_units as (
    select unit_id, name as unit, district
    from units_in_scope($scope)
    where $districts::varchar[] is null or list_contains($districts::varchar[], district)
),
standing as (
    -- each unit's own ledger for the month, or its latest earlier one, as counted in the marts
    select u.unit, n.*
    from standing_new($as_of_month::date, signed_off_only := $signed_off_only::boolean) n
    join scoped_units u using (unit_id)
),
flagged as (
    select
        unit, report_month, carried_forward, org_type, directly_managed, organisations,
        coalesce(is_new_this_year(true, founded_month, year($as_of_month::date), $as_of_month::date), false) as is_new
    from standing
),
counts as (
    select
        unit,
        any_value(report_month) as ledger_month,
        any_value(carried_forward) as carried_forward,
        sum(organisations) filter (where is_new and counts_toward_target($org_type::varchar, org_type)) as done,
        sum(organisations) filter (where is_new and org_type = '非公有制企业') as done_enterprise,
        sum(organisations) filter (where is_new and org_type = '社会组织') as done_social,
        sum(organisations) filter (where is_new and directly_managed) as done_direct
    from flagged
    group by unit
),
year_targets as (
    select unit, target_enterprise, target_social, target_direct
    from targets
    where year = year($as_of_month::date)
),
plan as (
    select
        expected_share_at($as_of_month::date) as expected, m.due_date as milestone_date, m.share as milestone_share,
        passed.due_date as passed_milestone_date, passed.share as passed_milestone_share
    from current_milestone($as_of_month::date) m
    left join passed_milestone($as_of_month::date) passed on true
),
per_unit as (
    select
        'unit' as level,
        s.unit,
        s.district,
        c.ledger_month,
        c.carried_forward,
        coalesce(c.done, 0)::integer as done,
        progress_target($org_type::varchar, t.target_enterprise, t.target_social)::integer as target,
        coalesce(c.done_enterprise, 0)::integer as done_enterprise,
        t.target_enterprise::integer as target_enterprise,
        coalesce(c.done_social, 0)::integer as done_social,
        t.target_social::integer as target_social,
        coalesce(c.done_direct, 0)::integer as done_direct,
        t.target_direct::integer as target_direct
    from scoped_units s
    left join counts c using (unit)
    left join year_targets t using (unit)
),
judged_units as (
    select u.*, progress_status(u.done / nullif(u.target, 0), p.expected) as status
    from per_unit u
    cross join plan p
),
areas as (
    -- districts and the total, with how many of their units are behind
    select
        case when grouping(district) = 1 then 'total' else 'district' end as level,
        null::varchar as unit,
        district,
        max(ledger_month) as ledger_month,
        bool_or(carried_forward) as carried_forward,
        sum(done)::integer as done,
        sum(target)::integer as target,
        sum(done_enterprise)::integer as done_enterprise,
        sum(target_enterprise)::integer as target_enterprise,
        sum(done_social)::integer as done_social,
        sum(target_social)::integer as target_social,
        sum(done_direct)::integer as done_direct,
        sum(target_direct)::integer as target_direct,
        count(*)::integer as units,
        count_if(is_behind(status))::integer as units_behind
    from judged_units
    group by grouping sets ((district), ())
),
final as (
    select
        r.level, r.unit, r.district, r.ledger_month, r.carried_forward,
        r.done, r.target, r.done / nullif(r.target, 0) as completion, p.expected,
        progress_status(r.done / nullif(r.target, 0), p.expected) as status,
        organisations_short(r.done, r.target, p.expected) as short_of_expected,
        p.milestone_date, p.milestone_share,
        organisations_short(r.done, r.target, p.milestone_share) as short_of_milestone,
        r.units, r.units_behind,
        r.done_enterprise, r.target_enterprise,
        r.done_social, r.target_social,
        r.done_direct, r.target_direct,
        p.passed_milestone_date, p.passed_milestone_share,
        case when p.passed_milestone_share is not null
             then organisations_short(r.done, r.target, p.passed_milestone_share) end as short_of_passed_milestone
    from (select * exclude (status) from judged_units union all by name select * from areas) r
    cross join plan p
)
select * from final
order by
    case level when 'total' then 0 when 'district' then 1 else 2 end,
    case status when '滞后' then 0 when '略有滞后' then 1 when '无目标' then 2 else 3 end,
    short_of_expected desc nulls last, completion, district, unit;
