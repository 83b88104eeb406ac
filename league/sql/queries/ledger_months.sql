-- The months for which any unit in scope has an accepted ledger, newest first
-- (the choices of the "as of" month), with how many of the scope's reporting
-- units sent one: a month is mostly reported once at least default_month_min_share
-- of them have.
with scoped_units as (
    select unit_id
    from units_in_scope($scope)
),
reported as (
    -- the accepted ledgers themselves: every page asks this, and a million organisations' rows say no more
    select s.report_month, count(distinct s.unit_id)::integer as units_reporting
    from ledger_submissions s
    join scoped_units using (unit_id)
    group by s.report_month
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
