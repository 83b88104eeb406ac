-- The rows each mart holds for the ledger submissions numbered first_id to
-- last_id, counted with the rules' own macros. league.marts inserts these in
-- the transaction that writes the submission. (A range, not a list: the
-- ledger's row groups are skipped by their submission numbers' range.)

-- The ledger rows of those submissions whose league organisation can count as
-- new: a submission stands only for its own month and later ones, whose year's
-- new organisations (is_new_this_year) were founded in its report year or later.
create or replace macro mart_founded_rows(first_id, last_id) as table
    select r.*, date_trunc('month', r.league_org_date)::date as founded_month
    from ledger_rows r
    join submissions s using (submission_id)
    where r.submission_id between first_id and last_id
      and coalesce(r.has_league_org, false) and r.league_org_date is not null
      and year(r.league_org_date) >= year(s.report_month);

create or replace macro mart_new_rows(first_id, last_id) as table
    select submission_id, org_type, coalesce(directly_managed, false) as directly_managed, founded_month,
           count(*)::integer as organisations
    from mart_founded_rows(first_id, last_id)
    group by all;

create or replace macro mart_pathway_rows(first_id, last_id) as table
    select submission_id, district, founded_month, build_path, build_mode, count(*)::integer as organisations
    from mart_founded_rows(first_id, last_id)
    group by all;

create or replace macro mart_cell_rows(first_id, last_id) as table
    select
        r.submission_id, s.segment, r.district, coalesce(r.industry, '未填行业') as industry,
        count(*)::integer as organisations,
        count_if(coalesce(r.has_league_org, false))::integer as with_league_org,
        count_if(is_gap(r.league_members, r.has_league_org))::integer as gaps,
        count_if(must_build_now(r.league_members, r.has_league_org, r.has_party_org))::integer as must_build
    from ledger_rows r
    cross join (values ('all'), ('above_scale'), ('park'), ('league_society_member'),
                       ('above_scale_enterprise'), ('party_led_due')) s(segment)
    where r.submission_id between first_id and last_id
      and (in_segment(s.segment, r.above_scale, r.park, r.league_society_member)
           -- the circulars' targets (专项目标): above-scale coverage counts enterprises only, and
           -- party-led building those due to build with their party organisation
           or s.segment = 'above_scale_enterprise' and is_above_scale_enterprise(r.org_type, r.above_scale)
           or s.segment = 'party_led_due' and party_led_due(r.has_party_org, r.league_members))
    group by all;

create or replace macro mart_watch_rows(first_id, last_id) as table
    select * exclude (has_league_org)
    from (
        select
            r.submission_id,
            is_gap(r.league_members, r.has_league_org) as is_gap,
            must_build_now(r.league_members, r.has_league_org, r.has_party_org) as must_build_now,
            is_above_scale_enterprise(r.org_type, r.above_scale) and not coalesce(r.has_league_org, false)
                as above_scale_uncovered,
            r.org_name, r.uscc, r.district, r.industry, r.org_type, r.above_scale, r.park, r.league_society_member,
            r.employees, r.youth_employees, r.league_members, r.has_party_org, r.has_league_org
        from ledger_rows r
        where r.submission_id between first_id and last_id
    )
    where is_gap or above_scale_uncovered;

-- The organisations counted per grouping of 专项目标 (priority: each industry; park: each park or none;
-- size_band: each band of the plan's), district and founding month as mart_founded_rows reads it.
create or replace macro mart_group_rows(first_id, last_id) as table
    select
        r.submission_id, g.grouping, r.district,
        case g.grouping
            when 'priority' then r.industry
            when 'park' then nullif(trim(r.park), '')
            else size_band(r.employees)
        end as member,
        case when coalesce(r.has_league_org, false) and year(r.league_org_date) >= year(s.report_month)
             then date_trunc('month', r.league_org_date)::date end as founded_month,
        count(*)::integer as organisations,
        count_if(coalesce(r.has_league_org, false))::integer as with_league_org,
        count_if(is_gap(r.league_members, r.has_league_org))::integer as gaps
    from ledger_rows r
    join submissions s using (submission_id)
    cross join (values ('priority'), ('park'), ('size_band')) g(grouping)
    where r.submission_id between first_id and last_id
    group by all;

-- mart_standing's rows for the given units (null: every unit): for each month from the first ledger's
-- to the latest's, the ledger each stands on then, on every accepted ledger and on the signed-off ones alone.
create or replace macro mart_standing_rows(unit_ids) as table
with locked as (
    select submission_id from ledger_review where locked
),
basis as (
    -- each variant's ledgers: every accepted one, or the signed-off ones alone
    select s.submission_id, s.unit_id, s.report_month, v.signed_off_only,
           s.submission_id in (select submission_id from locked) as signed_off
    from ledger_submissions s
    cross join (values (false), (true)) v(signed_off_only)
    where (unit_ids is null or list_contains(unit_ids, s.unit_id))
      and (not v.signed_off_only or s.submission_id in (select submission_id from locked))
),
months as (
    select unnest(generate_series(min(report_month), max(report_month), interval 1 month))::date as month
    from ledger_submissions
),
units_months as (
    select distinct b.unit_id, b.signed_off_only, m.month from basis b cross join months m
)
select u.month, u.signed_off_only, b.unit_id, b.submission_id, b.report_month as ledger_month, b.signed_off
from units_months u
asof join basis b
  on b.unit_id = u.unit_id and b.signed_off_only = u.signed_off_only and b.report_month <= u.month;

-- mart_org_units' rows for the given units (null: every unit): each credit code any of their ledgers listed,
-- replaced or not (a unit's history shows only its standing ledgers; this only says where to look).
create or replace macro mart_org_unit_rows(unit_ids) as table
    select distinct s.unit_id, r.uscc
    from submissions s
    join ledger_rows r using (submission_id)
    where s.kind = 'ledger' and (unit_ids is null or list_contains(unit_ids, s.unit_id));

-- mart_unsynced_since's rows for the given units (null: every unit): for each ledger a unit stands on (every
-- accepted one, and the signed-off ones alone) and each organisation it lists as must build now (the watch
-- mart), the first month of the unbroken run of the unit's ledgers ending there that listed it so. A run of
-- consecutive ledger numbers is an unbroken run: a ledger that listed it otherwise, or not at all, ends it.
create or replace macro mart_unsynced_rows(unit_ids) as table
with basis as (
    select s.submission_id, s.unit_id, s.report_month, v.signed_off_only,
           row_number() over (partition by s.unit_id, v.signed_off_only order by s.report_month) as ledger_number
    from ledger_submissions s
    cross join (values (false), (true)) v(signed_off_only)
    where (unit_ids is null or list_contains(unit_ids, s.unit_id))
      and (not v.signed_off_only or s.submission_id in (select submission_id from ledger_review where locked))
),
listed as (
    select distinct b.unit_id, b.signed_off_only, b.submission_id, b.report_month, b.ledger_number, w.uscc
    from basis b
    join mart_ledger_watch w using (submission_id)
    where w.must_build_now
),
runs as (
    select *, ledger_number - row_number() over (
        partition by unit_id, signed_off_only, uscc order by ledger_number) as run
    from listed
)
select unit_id, signed_off_only, submission_id, uscc,
       min(report_month) over (partition by unit_id, signed_off_only, uscc, run) as since_month
from runs;

-- The settings the marts' rules read, as one text: stored with the marts, compared on every start.
create or replace macro mart_settings() as
    (select string_agg(name || '=' || value, ';' order by name) from plan_settings where name = 'gap_min_members')
    || ';size_bands=' || (select coalesce(string_agg(band || '>=' || min_employees, ',' order by min_employees), '')
                         from plan_size_bands);

-- What a unit stands on at a month with each standing submission's new
-- organisations: the progress pages' counts without reading a ledger row.
create or replace macro standing_new(as_of_month, signed_off_only := false) as table
    select s.unit_id, s.report_month, s.carried_forward, n.org_type, n.directly_managed, n.founded_month,
           n.organisations
    from standing_submissions(as_of_month, signed_off_only := signed_off_only) s
    left join mart_ledger_new n using (submission_id);

-- The new league organisations of the year up to the as-of month on the ledgers
-- units stand on, by the organisation's district, founding month, pathway and
-- build mode (read from the marts' counts, not the ledger's rows).
create or replace macro standing_new_by_pathway(as_of_month, signed_off_only := false) as table
    select s.unit_id, p.district, p.founded_month, p.build_path, p.build_mode, p.organisations
    from standing_submissions(as_of_month, signed_off_only := signed_off_only) s
    join mart_ledger_pathways p using (submission_id)
    where coalesce(is_new_this_year(true, p.founded_month, year(as_of_month), as_of_month), false);

-- New league organisations each unit had built by each month end of a year,
-- through up_to_month, counted as the progress page counts them: each month
-- read from the ledgers standing at its end, new this year, of the types the
-- target counts. One row per month and unit with a ledger standing then.
-- (Read from the marts' counts by founding month, not the ledger's rows.)
create or replace macro built_by_month(target_year, up_to_month, org_type_filter, signed_off_only) as table
    select c.report_month, u.name as unit,
           coalesce(sum(n.organisations) filter (
               where coalesce(is_new_this_year(true, n.founded_month, target_year, c.report_month), false)
                 and counts_toward_target(org_type_filter, n.org_type)), 0)::bigint as done
    from plan_curve(target_year) c
    -- what each unit stands on at the month (standing_submissions, as a join over the months)
    join mart_standing s
      on s.month = least(c.report_month, (select max(month) from mart_standing)) and s.signed_off_only = signed_off_only
    left join mart_ledger_new n using (submission_id)
    join units u using (unit_id)
    where c.report_month <= up_to_month
    group by c.report_month, u.name;
