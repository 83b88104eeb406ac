-- The data-quality flags of the units in scope for the months of the as-of
-- year up to the as-of month (optionally one district, unit or organisation):
-- most severe first, then newest, then by unit and organisation.
with in_scope as (
    select name as unit
    from units_in_scope($scope)
    where $district::varchar is null or district = $district::varchar
),
final as (
    select f.district, f.unit, f.report_month, f.uscc, f.org_name, f.code, f.severity, f.message, f.evidence
    from flags f
    join in_scope using (unit)
    where f.report_month between date_trunc('year', $as_of_month::date) and $as_of_month::date
      and ($unit::varchar is null or f.unit = $unit::varchar)
      and ($uscc::varchar is null or f.uscc = $uscc::varchar)
)
select * from final order by flag_severity_rank(severity), report_month desc, district, unit, code, uscc;
