-- The inspector's drill-down: one row per district of the scope (when
-- $district is null) or per reporting unit of one district, at the as-of
-- month: organisations, league-organisation coverage, gaps, and progress
-- toward the year's targets of new league organisations.
with scoped_units as (
    select unit_id, name as unit, district
    from units_in_scope($scope)
    where $district::varchar is null or district = $district
),
standing as (
    -- the ledger each unit stands on, by the area it is counted in (league.marts hold its counts)
    select s.submission_id, case when $district::varchar is null then u.district else u.unit end as area
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join scoped_units u using (unit_id)
),
cell_counts as (
    select
        s.area,
        sum(c.organisations)::integer as organisations,
        sum(c.with_league_org)::integer as with_league_org,
        sum(c.gaps)::integer as gaps,
        sum(c.must_build)::integer as must_build
    from standing s
    join mart_ledger_cells c using (submission_id)
    where c.segment = 'all'
    group by all
),
new_counts as (
    select
        s.area,
        sum(n.organisations) filter (
            where is_new_this_year(true, n.founded_month, year($as_of_month::date), $as_of_month::date))::integer
            as done
    from standing s
    join mart_ledger_new n using (submission_id)
    group by all
),
org_counts as (
    select c.*, coalesce(n.done, 0) as done
    from cell_counts c
    left join new_counts n using (area)
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
