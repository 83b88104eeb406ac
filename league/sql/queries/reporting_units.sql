-- The reporting units (street/town and industry committees) in scope.
with final as (
    select name as unit, district, level
    from units_in_scope($scope)
)
select * from final order by district, unit;
