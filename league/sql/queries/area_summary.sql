-- The inspector's drill-down: one row per district of the scope (when
-- $district is null) or per reporting unit of one district, at the as-of
-- month: organisations, league-organisation coverage, gaps, and progress
-- toward the year's targets of new league organisations.
with scoped_units as (
    select name as unit, district
    from units_in_scope($scope)
    where $district::varchar is null or district = $district
),
standing as (
    select l.*, s.district as unit_district
    from ledger_as_of($as_of_month::date, signed_off_only := $signed_off_only::boolean) l
    join scoped_units s using (unit)
),
org_counts as (
    select
        case when $district::varchar is null then unit_district else unit end as area,
        count(*)::integer as organisations,
        count_if(coalesce(has_league_org, false))::integer as with_league_org,
        count_if(is_gap(league_members, has_league_org))::integer as gaps,
        count_if(must_build_now(league_members, has_league_org, has_party_org))::integer as must_build,
        count_if(is_new_this_year(has_league_org, league_org_date, year($as_of_month::date),
                                  $as_of_month::date))::integer as done
    from standing
    group by all
),
area_targets as (
    select
        case when $district::varchar is null then s.district else s.unit end as area,
        sum(t.target_enterprise + t.target_social)::integer as target
    from scoped_units s
    join targets t on t.unit = s.unit and t.year = year($as_of_month::date)
    group by all
),
areas as (
    select distinct case when $district::varchar is null then district else unit end as area
    from scoped_units
),
final as (
    select
        a.area,
        coalesce(c.organisations, 0) as organisations,
        coalesce(c.with_league_org, 0) as with_league_org,
        c.with_league_org / nullif(c.organisations, 0) as coverage,
        coalesce(c.gaps, 0) as gaps,
        coalesce(c.must_build, 0) as must_build,
        coalesce(c.done, 0) as done,
        t.target,
        c.done / nullif(t.target, 0) as completion,
        e.expected,
        progress_status(c.done / nullif(t.target, 0), e.expected) as status
    from areas a
    left join org_counts c using (area)
    left join area_targets t using (area)
    cross join (select expected_share_at($as_of_month::date) as expected) e
)
select * from final order by area;
