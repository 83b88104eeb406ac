-- The months for which any unit in scope has an accepted ledger, newest first:
-- the choices of the "as of" month.
with scoped_units as (
    select name as unit
    from units_in_scope($scope)
),
final as (
    select distinct l.report_month
    from ledger l
    join scoped_units using (unit)
)
select * from final order by report_month desc;
