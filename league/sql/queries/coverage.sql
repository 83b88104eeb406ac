-- Coverage of league organisations at the as-of month, by the organisation's
-- district and industry, for one segment of organisations. Rows with industry
-- null are a district's total; the row with district null is the grand total.
with standing as (
    select l.*
    from ledger_in_scope($scope, $as_of_month::date, signed_off_only := $signed_off_only::boolean) l
    where in_segment($segment, l.above_scale, l.park, l.league_society_member)
      and ($districts::varchar[] is null or list_contains($districts::varchar[], l.district))
),
cells as (
    select
        district,
        coalesce(industry, '未填行业') as industry,
        count(*)::integer as organisations,
        count_if(coalesce(has_league_org, false))::integer as with_league_org,
        count_if(is_gap(league_members, has_league_org))::integer as gaps
    from standing
    group by grouping sets ((district, coalesce(industry, '未填行业')), (district), ())
),
final as (
    select
        district,
        industry,
        organisations,
        with_league_org,
        with_league_org / nullif(organisations, 0) as coverage,
        gaps
    from cells
    where organisations > 0  -- the grand total of nothing is no row at all
)
select * from final order by district nulls last, industry nulls last;
