-- New league organisations of the as-of month's year up to its end, by
-- district, month founded, pathway (建团路径 1–11) and build mode (建团方式),
-- read from the ledgers standing at the as-of month (their counts in the
-- marts). A pathway outside the plan's 1–11 never loads (the loader refuses it).
with standing as (
    select n.*
    from standing_new_by_pathway($as_of_month::date, signed_off_only := $signed_off_only::boolean) n
    join units_in_scope($scope) u using (unit_id)
),
final as (
    select district, founded_month as month, build_path, build_mode, sum(organisations)::integer as new_orgs
    from standing
    group by all
)
select * from final order by district, month, build_path, build_mode;
