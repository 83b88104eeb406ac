-- Above-scale full coverage (规模以上非公有制企业团的组织全覆盖) at the as-of
-- month, per unit, per district (unit null) and for the scope (both null):
-- above-scale enterprises, those with a league organisation, the share, how
-- many remain, the months left to the deadline and the pace needed a month.
with standing as (
    -- the above-scale enterprises' coverage cells of the ledger each unit in scope stands on (league.marts)
    select c.district, u.name as unit, c.organisations, c.with_league_org
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
    join mart_ledger_cells c using (submission_id)
    where c.segment = 'above_scale_enterprise'
),
counted as (
    select
        district, unit,
        coalesce(sum(organisations), 0)::integer as above_scale_enterprises,
        coalesce(sum(with_league_org), 0)::integer as with_league_org
    from standing
    group by grouping sets ((district, unit), (district), ())
),
final as (
    select
        district, unit, above_scale_enterprises, with_league_org,
        with_league_org / nullif(above_scale_enterprises, 0) as coverage,
        plan_setting('above_scale_target_share') as target_share,
        greatest(ceil(above_scale_enterprises * plan_setting('above_scale_target_share'))::integer
                 - with_league_org, 0) as remaining,
        above_scale_months_left($as_of_month::date) as months_left,
        greatest(ceil(above_scale_enterprises * plan_setting('above_scale_target_share'))::integer
                 - with_league_org, 0) / greatest(above_scale_months_left($as_of_month::date), 1) as needed_per_month
    from counted
)
select * from final order by district nulls first, unit nulls first, coverage;
