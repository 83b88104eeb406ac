-- New league organisations of the as-of month's year up to its end, by
-- district, month founded, pathway (建团路径 1–11) and build mode (建团方式),
-- read from the ledgers standing at the as-of month. A pathway outside the
-- plan's 1–11 never loads (the loader refuses it).
with standing as (
    select l.*
    from ledger_in_scope($scope, $as_of_month::date, signed_off_only := $signed_off_only::boolean) l
    where is_new_this_year(l.has_league_org, l.league_org_date, year($as_of_month::date), $as_of_month::date)
),
final as (
    select district, date_trunc('month', league_org_date)::date as month, build_path, build_mode,
           count(*)::integer as new_orgs
    from standing
    group by all
)
select * from final order by district, month, build_path, build_mode;
