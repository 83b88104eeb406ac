-- The months for which any unit in scope has an accepted ledger, newest first
-- (the choices of the "as of" month), with how many of the scope's reporting
-- units sent one: a month is mostly reported once at least default_month_min_share
-- of them have.
with scoped_units as (
    select name as unit
    from units_in_scope($scope)
),
reported as (
    select l.report_month, count(distinct l.unit)::integer as units_reporting
    from ledger l
    join scoped_units using (unit)
    group by l.report_month
),
expected as (
    select count(*)::integer as units_expected from scoped_units
),
final as (
    select
        r.report_month,
        r.units_reporting,
        e.units_expected,
        plan_setting('default_month_min_share') as min_share,
        r.units_reporting >= e.units_expected * plan_setting('default_month_min_share') as mostly_reported
    from reported r
    cross join expected e
)
select * from final order by report_month desc;
