-- How many flags of each severity each reporting unit in scope has for the
-- as-of month (zero for a unit with none), most severe flags first.
with month_flags as (
    -- the stored flags themselves: counting needs no organisation's name (the flags view looks those up)
    select unit_id, severity
    from quality_flags
    where report_month = $as_of_month::date
),
final as (
    select u.district, u.name as unit,
           count(*) filter (where f.severity = '严重') as severe,
           count(*) filter (where f.severity = '警示') as warning,
           count(*) filter (where f.severity = '提示') as hint
    from units_in_scope($scope) u
    left join month_flags f using (unit_id)
    group by u.district, u.name
)
select * from final order by severe desc, warning desc, hint desc, district, unit;
