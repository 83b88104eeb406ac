-- Coverage of league organisations at the as-of month, by the organisation's
-- district and industry, for one segment of organisations. Rows with industry
-- null are a district's total; the row with district null is the grand total.
with standing as (
    -- the coverage cells of the ledger each unit in scope stands on (league.marts)
    select c.*
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
    join mart_ledger_cells c using (submission_id)
    where c.segment = $segment
      and ($districts::varchar[] is null or list_contains($districts::varchar[], c.district))
),
cells as (
    select
        district,
        industry,
        sum(organisations)::integer as organisations,
        sum(with_league_org)::integer as with_league_org,
        sum(gaps)::integer as gaps,
        sum(must_build)::integer as must_build
    from standing
    group by grouping sets ((district, industry), (district), ())
),
final as (
    select
        district,
        industry,
        organisations,
        with_league_org,
        with_league_org / nullif(organisations, 0) as coverage,
        gaps,
        must_build
    from cells
    where organisations > 0  -- the grand total of nothing is no row at all
)
select * from final order by district nulls last, industry nulls last;
