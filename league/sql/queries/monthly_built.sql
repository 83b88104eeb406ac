-- The pace of each reporting unit in scope, month by month through the as-of
-- month's year: its district, level and year target, the plan's expected share
-- at each month end and whether a milestone falls due in the month, and the
-- new league organisations it had built by that month end as the progress
-- page counts them (each month read from the ledgers standing at its end)
-- with the month's increment, and whether it had any ledger standing then
-- (reported); done, built and reported are null after the as-of month.
-- league.forecast reads its pace from these rows.
with scoped_units as (
    select name as unit, district, level
    from units_in_scope($scope)
    where $districts::varchar[] is null or list_contains($districts::varchar[], district)
),
curve as (
    select report_month, month_end, expected_share
    from plan_curve(year($as_of_month::date))
),
milestone_months as (
    select distinct date_trunc('month', due_date)::date as report_month
    from milestones_for(year($as_of_month::date))
),
done_by_month as (
    select b.report_month, b.unit, b.done
    from built_by_month(year($as_of_month::date), $as_of_month::date, $org_type::varchar,
                        $signed_off_only::boolean) b
    join scoped_units using (unit)
),
year_targets as (
    select unit, progress_target($org_type::varchar, target_enterprise, target_social)::integer as target
    from targets
    where year = year($as_of_month::date)
),
cumulative as (
    select
        u.unit, u.district, u.level, t.target, c.report_month, c.month_end, c.expected_share,
        c.report_month in (select report_month from milestone_months) as milestone_due,
        -- a unit with no ledger yet has built nothing, as on the progress page
        case when c.report_month <= $as_of_month::date then coalesce(d.done, 0)::integer end as done,
        case when c.report_month <= $as_of_month::date then d.unit is not null end as reported
    from scoped_units u
    cross join curve c
    left join done_by_month d using (unit, report_month)
    left join year_targets t using (unit)
),
final as (
    select
        *,
        (done - coalesce(lag(done) over (partition by unit order by report_month), 0))::integer as built
    from cumulative
)
select * from final order by district, unit, report_month;
