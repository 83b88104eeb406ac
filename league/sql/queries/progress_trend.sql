-- Month by month through the as-of month's year: new league organisations so
-- far (each month read from the ledgers standing at its end; null after the
-- as-of month) against the plan (target x expected share), with the plan's
-- milestones on the months they fall in.
with scoped_units as (
    select name as unit, district
    from units_in_scope($scope)
    where $districts::varchar[] is null or list_contains($districts::varchar[], district)
),
curve as (
    select report_month, month_end, expected_share
    from plan_curve(year($as_of_month::date))
),
done_by_month as (
    select b.report_month, sum(b.done) as done
    from built_by_month(year($as_of_month::date), $as_of_month::date, $org_type::varchar,
                        $signed_off_only::boolean) b
    join scoped_units using (unit)
    group by b.report_month
),
year_target as (
    select sum(progress_target($org_type::varchar, t.target_enterprise, t.target_social))::integer as target
    from targets t
    join scoped_units using (unit)
    where t.year = year($as_of_month::date)
),
milestones as (
    select date_trunc('month', due_date)::date as report_month, due_date, share
    from milestones_for(year($as_of_month::date))
),
final as (
    select
        c.report_month,
        c.month_end,
        case when c.report_month <= $as_of_month::date then coalesce(d.done, 0)::integer end as done,
        y.target,
        c.expected_share,
        y.target * c.expected_share as planned,
        m.due_date as milestone_date,
        m.share as milestone_share,
        y.target * m.share as milestone_planned
    from curve c
    cross join year_target y
    left join done_by_month d using (report_month)
    left join milestones m using (report_month)
)
select * from final order by report_month, milestone_date;
