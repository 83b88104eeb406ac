-- Each reporting unit in scope x each month of the as-of month's year up to
-- it in which the unit is expected to report (its period in the unit tree):
-- when its first accepted ledger for the month arrived, whether that was on
-- time, late (and by how many days) or never, how many accepted ledgers it
-- sent (a resubmission keeps the first one's timeliness), and where the
-- district's review of it stands.
with scoped_units as (
    select unit_id, name as unit, district
    from units_in_scope($scope)
),
months as (
    select make_date(year($as_of_month::date), m::integer, 1) as report_month
    from range(1, month($as_of_month::date) + 1) as t(m)
),
expected as (
    select u.*, m.report_month
    from scoped_units u
    cross join months m
    where is_expected(u.unit_id, m.report_month)
),
final as (
    select
        e.unit,
        e.district,
        e.report_month,
        r.first_received_at,
        ledger_due_date(e.report_month) as due_date,
        submission_timeliness(r.first_received_at, e.report_month) as timeliness,
        days_late(r.first_received_at, ledger_due_date(e.report_month)) as days_late,
        coalesce(r.accepted_submissions, 0) as accepted_submissions,
        coalesce(r.state, 'missing') as review_state,
        r.last_reason as review_reason,
        r.submission_id
    from expected e
    left join ledger_review r on r.unit_id = e.unit_id and r.report_month = e.report_month
)
select * from final order by district, unit, report_month;
