-- The rules of the league's work, each defined once. Pages, the bulletin and
-- the tests all read these; change a rule here and everything follows.

create or replace macro plan_setting(setting_name) as
    (select value from plan_settings where name = setting_name);

-- A sheet of a kind (ledger, youth_voice) is due on its kind's due day of the
-- report month (plan_settings '<kind>_due_day'; a due day past the month's end
-- falls on its last day), unless the plan set that month its own date.
create or replace macro due_date(sheet_kind, for_month) as
    coalesce(
        (select d.due_date from plan_due_dates d
         where d.kind = sheet_kind and d.report_month = date_trunc('month', for_month)::date),
        least(date_trunc('month', for_month)::date + (plan_setting(sheet_kind || '_due_day')::integer - 1),
              last_day(for_month)));

create or replace macro ledger_due_date(report_month) as due_date('ledger', report_month);

-- Days after the due date a first accepted submission arrived (0 when on time, null when none).
create or replace macro days_late(first_received_at, due) as
    case when first_received_at is not null then greatest(datediff('day', due, first_received_at::date), 0) end;

-- Whether a reporting unit is expected to report for a month: within its period (unit_periods).
create or replace macro is_expected(unit_id_, for_month) as
    coalesce((select (p.first_month is null or date_trunc('month', for_month) >= date_trunc('month', p.first_month))
                 and (p.last_month is null or date_trunc('month', for_month) <= date_trunc('month', p.last_month))
              from unit_periods p where p.unit_id = unit_id_), true);

-- "New this year": a league organisation whose founding date falls in the
-- target year, no later than the end of the month we look from.
create or replace macro is_new_this_year(has_league_org, league_org_date, target_year, as_of_month) as
    coalesce(has_league_org, false)
    and year(league_org_date) = target_year
    and league_org_date <= last_day(as_of_month);

-- A gap (空白点): enough league members to build, but no league organisation.
create or replace macro is_gap(league_members, has_league_org) as
    coalesce(league_members, 0) >= plan_setting('gap_min_members')
    and not coalesce(has_league_org, false);

-- An above-scale non-public enterprise (规模以上非公有制企业): the circulars ask
-- every one to have a league organisation by the deadline.
create or replace macro is_above_scale_enterprise(org_type, above_scale) as
    org_type = '非公有制企业' and coalesce(above_scale, false);

-- Party-led building (党建带团建): an organisation with a party organisation and
-- at least gap_min_members league members must build its league organisation at
-- the same time; it has synchronised when it has one.
create or replace macro party_led_due(has_party_org, league_members) as
    coalesce(has_party_org, false) and coalesce(league_members, 0) >= plan_setting('gap_min_members');

-- The size band of an organisation by its employees (抓大带小).
create or replace macro size_band(employees) as
    (select b.band from plan_size_bands b where b.min_employees <= coalesce(employees, 0)
     order by b.min_employees desc limit 1);

-- Must build now: a gap where a party organisation already exists.
create or replace macro must_build_now(league_members, has_league_org, has_party_org) as
    is_gap(league_members, has_league_org) and coalesce(has_party_org, false);

-- The ledger each unit stands on at a month: its own ledger of that month, or
-- its latest earlier one when that month's is missing (carried forward).
-- signed_off_only: only unit-months their district has signed off (locked) count,
-- so a unit stands on its latest signed-off ledger.
create or replace macro ledger_basis(signed_off_only) as table
    select l.*
    from ledger l
    where not signed_off_only
       or l.submission_id in (select submission_id from ledger_review where locked);

-- Which submission each unit stands on at a month: its own ledger of that
-- month, or its latest earlier one (see ledger_basis), read from the standing
-- mart (league.marts; built by mart_standing_rows). A month after the latest
-- ledger's stands where the latest month does, all carried forward.
create or replace macro standing_submissions(as_of_month, signed_off_only := false) as table
    select m.submission_id, m.unit_id, m.ledger_month as report_month, m.ledger_month < as_of_month as carried_forward,
           m.signed_off
    from mart_standing m
    where m.signed_off_only = signed_off_only
      and m.month = least(date_trunc('month', as_of_month)::date, (select max(month) from mart_standing));

create or replace macro ledger_as_of(as_of_month, signed_off_only := false) as table
    select l.*, s.carried_forward, s.signed_off
    from ledger l
    join standing_submissions(as_of_month, signed_off_only := signed_off_only) s using (submission_id);

-- ledger_as_of for one unit: its standing submission is picked before the
-- join, so only that submission's rows are read (filtered after the join, a
-- province's every standing row is: 54 ms against 11 ms at a million).
create or replace macro unit_ledger_as_of(unit_name, as_of_month, signed_off_only := false) as table
    select l.*, s.carried_forward, s.signed_off
    from ledger l
    join (select * from standing_submissions(as_of_month, signed_off_only := signed_off_only)
          where unit_id = (select unit_id from units where name = unit_name)) s using (submission_id);

create or replace macro milestones_for(target_year) as table
    select due_date, share from plan_milestones where year = target_year
    union all
    select make_date(target_year, due_month, due_day) as due_date, share
    from default_milestones
    where not exists (select 1 from plan_milestones where year = target_year);

-- The planned share of the yearly target due by the end of each month:
-- straight lines from 0 on 1 January through each milestone, flat after the last.
create or replace macro plan_curve(target_year) as table
with points as (
    select make_date(target_year, 1, 1) as due_date, 0.0 as share
    union all
    select due_date, share from milestones_for(target_year)
),
segments as (
    select
        due_date as start_date,
        share as start_share,
        lead(due_date) over (order by due_date) as end_date,
        lead(share) over (order by due_date) as end_share
    from points
),
months as (
    select make_date(target_year, m::integer, 1) as report_month,
           last_day(make_date(target_year, m::integer, 1)) as month_end
    from range(1, 13) as t(m)
),
final as (
    select
        months.report_month,
        months.month_end,
        case
            when s.end_date is null then s.start_share
            else s.start_share + (s.end_share - s.start_share)
                 * datediff('day', s.start_date, months.month_end)
                 / datediff('day', s.start_date, s.end_date)
        end as expected_share
    from months
    join segments s
      on months.month_end >= s.start_date
     and (s.end_date is null or months.month_end < s.end_date)
)
select * from final order by report_month;

-- The planned share due by the end of a month, from its year's plan curve.
create or replace macro expected_share_at(as_of_month) as
    (select expected_share from plan_curve(year(as_of_month))
     where report_month = date_trunc('month', as_of_month)::date);

-- The milestone a month works toward: the first one due on or after its
-- month end; after the year's last milestone, that last one.
create or replace macro current_milestone(as_of_month) as table
    select due_date, share
    from (
        select due_date, share, due_date >= last_day(as_of_month) as ahead
        from milestones_for(year(as_of_month))
    )
    order by ahead desc, case when ahead then due_date end, due_date desc
    limit 1;

-- How many more organisations a unit must build to reach a share of its
-- target (never below zero; unknown without a target: greatest() skips a null).
create or replace macro organisations_short(done, target, share) as
    case when target is not null then greatest(ceil(target * share)::integer - done, 0) end;

-- Behind: the statuses a page lists first and a bulletin names.
create or replace macro is_behind(status) as status in ('略有滞后', '滞后');

-- On track: completion at least the planned share; slightly behind: at least
-- slightly_behind_ratio of it; otherwise behind. No target means nothing to judge.
create or replace macro progress_status(completion, expected) as
    case
        when completion is null then '无目标'
        when completion >= expected then '达到序时进度'
        when completion >= expected * plan_setting('slightly_behind_ratio') then '略有滞后'
        else '滞后'
    end;

-- Submission timeliness of a unit's ledger for a month.
create or replace macro submission_timeliness(first_received_at, report_month) as
    case
        when first_received_at is null then '未报送'
        when first_received_at::date <= ledger_due_date(report_month) then '按时'
        else '逾期'
    end;

-- The reporting units inside a scope: the subtree under a unit. A missing or
-- unknown scope covers nothing (deny by default); the whole tree is its root's name.
create or replace macro units_in_scope(scope_unit) as table
    select r.*
    from reporting_units r
    where starts_with(r.path, (select path from units where name = scope_unit));

-- The reporting units in a scope expected to report for a month (within their period).
create or replace macro expected_units(scope_unit, for_month) as table
    select unit_id, name as unit, district
    from units_in_scope(scope_unit)
    where is_expected(unit_id, for_month);

-- Whether a scope is the whole tree (the root unit), which alone sees what is
-- tied to no one unit: the city's plan files, files that named no unit.
create or replace macro is_whole_tree(scope_unit) as
    coalesce((select parent_id is null from units where name = scope_unit), false);

-- The yearly target a count of new organisations is measured against: one
-- organisation type's target when the view is narrowed to that type (org_type_filter
-- is '非公有制企业' or '社会组织'), else enterprises and social organisations together.
create or replace macro progress_target(org_type_filter, target_enterprise, target_social) as
    case org_type_filter
        when '非公有制企业' then target_enterprise
        when '社会组织' then target_social
        else target_enterprise + target_social
    end;

-- Whether an organisation of org_type counts toward that same target.
create or replace macro counts_toward_target(org_type_filter, org_type) as
    case
        when org_type_filter is null then org_type in ('非公有制企业', '社会组织')
        else org_type = org_type_filter
    end;

-- The segments coverage is read for: all organisations, enterprises above
-- designated scale, organisations in a park (a non-blank park name), and member
-- units of league-affiliated societies.
create or replace macro in_segment(segment, above_scale, park, league_society_member) as
    case segment
        when 'all' then true
        when 'above_scale' then coalesce(above_scale, false)
        when 'park' then coalesce(trim(park), '') <> ''
        when 'league_society_member' then coalesce(league_society_member, false)
        else false
    end;

-- Youth Voice reply rate: effective replies per question asked (null when none were asked).
create or replace macro reply_rate(effective_replies, questions) as
    effective_replies / nullif(questions, 0);

-- The ledger each reporting unit of a scope stands on at a month (see ledger_as_of).
create or replace macro ledger_in_scope(scope_unit, as_of_month, signed_off_only := false) as table
    select l.*
    from ledger_as_of(as_of_month, signed_off_only := signed_off_only) l
    where l.unit in (select name from units_in_scope(scope_unit));

-- The milestone a month has already passed: the latest one due on or before
-- its month end (no row before the year's first milestone).
create or replace macro passed_milestone(as_of_month) as table
    select due_date, share
    from milestones_for(year(as_of_month))
    where due_date <= last_day(as_of_month)
    order by due_date desc
    limit 1;

-- A spot check's verification factor (WHO data-quality review): what was found
-- on site divided by what the ledger reported (null when nothing was reported).
create or replace macro verification_factor(found_on_site, reported) as
    found_on_site / nullif(reported, 0);

-- Outside the acceptable band of plan_settings (0.90-1.10): the ledger over- or
-- under-reports. A factor that cannot be computed is not outside.
create or replace macro outside_verification_band(factor) as
    coalesce(factor < plan_setting('verification_band_low') or factor > plan_setting('verification_band_high'),
             false);
