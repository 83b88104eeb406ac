-- Each reporting unit in scope x each month of the as-of month's year up to
-- it: when its first accepted ledger for the month arrived, and whether that
-- was on time, late or never.
with scoped_units as (
    select unit_id, name as unit, district
    from units_in_scope($scope)
),
months as (
    select make_date(year($as_of_month::date), m::integer, 1) as report_month
    from range(1, month($as_of_month::date) + 1) as t(m)
),
first_received as (
    select unit_id, report_month, min(received_at) as first_received_at
    from submissions
    where kind = 'ledger' and status = 'accepted'
    group by unit_id, report_month
),
final as (
    select
        u.unit,
        u.district,
        m.report_month,
        f.first_received_at,
        ledger_due_date(m.report_month) as due_date,
        submission_timeliness(f.first_received_at, m.report_month) as timeliness
    from scoped_units u
    cross join months m
    left join first_received f on f.unit_id = u.unit_id and f.report_month = m.report_month
)
select * from final order by district, unit, report_month;
