-- Units in scope still owing the as-of month's ledger (expected, nothing
-- accepted yet), with whom to call: the list to chase before the due day.
with final as (
    select
        u.unit,
        u.district,
        ledger_due_date($as_of_month::date) as due_date,
        c.contact_name,
        c.contact_phone
    from expected_units($scope, $as_of_month::date) u
    left join unit_contacts c using (unit_id)
    where not exists (
        select 1 from ledger_submissions s
        where s.unit_id = u.unit_id and s.report_month = $as_of_month::date
    )
)
select * from final order by district, unit;
