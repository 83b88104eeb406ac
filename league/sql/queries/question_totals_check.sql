-- The question export against the monthly totals, per unit and month of the
-- as-of month's year up to it, where either was sent: questions and effective
-- replies reported and counted, and whether they disagree beyond the
-- tolerance (the same rule as the data-quality flag question_totals_mismatch).
with months as (
    select list(report_month) as months
    from plan_curve(year($as_of_month::date))
    where report_month <= $as_of_month::date
),
final as (
    select
        t.month, u.district, u.name as unit,
        t.questions_reported, t.questions_counted, t.replies_reported, t.replies_counted,
        t.questions_reported is not null and t.questions_counted > 0
            and (totals_disagree(t.questions_reported, t.questions_counted)
                 or totals_disagree(t.replies_reported, t.replies_counted)) as disagrees
    from question_totals((select months from months)) t
    join units u using (unit_id)
    where t.unit_id in (select unit_id from units_in_scope($scope))
)
select * from final order by disagrees desc, month desc, district, unit;
