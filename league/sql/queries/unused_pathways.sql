-- For each district in scope, the pathways (1–11) by which no league
-- organisation was built this year up to the as-of month.
with districts as (
    select distinct district from units_in_scope($scope)
),
used as (
    select distinct n.district, n.build_path
    from standing_new_by_pathway($as_of_month::date, signed_off_only := $signed_off_only::boolean) n
    join units_in_scope($scope) u using (unit_id)
),
final as (
    select d.district, p.build_path
    from districts d
    cross join (select unnest(range(1, 12))::integer as build_path) p
    anti join used u on u.district = d.district and u.build_path = p.build_path
)
select * from final order by district, build_path;
