-- Where each unit's member numbers went (号号有下落): issued in its ranges, and
-- how many were used, registered as unused, untraced, used outside its ranges
-- or used twice; every reporting unit with a range or a roster.
with numbers as (
    select m.*
    from member_numbers m
    where m.unit_id in (select unit_id from units_in_scope($scope))
),
final as (
    select
        district, unit,
        count_if(in_range)::integer as issued,
        count_if(trace = 'used')::integer as used,
        count_if(trace = 'unused')::integer as unused,
        count_if(trace = 'untraced')::integer as untraced,
        count_if(trace = 'outside_range')::integer as outside_range,
        count_if(trace = 'duplicate')::integer as duplicate,
        count_if(in_range and trace in ('used', 'unused')) / nullif(count_if(in_range), 0) as traced_share
    from numbers
    group by all
)
select * from final order by untraced + outside_range + duplicate desc, district, unit;
