-- Coverage and new organisations at the as-of month by a grouping of the
-- organisations: `priority` (the plan's priority sectors against the rest,
-- each industry its own row), `park` (each park, and those in none) or
-- `size_band` (by employees, largest first), per district.
with scoped as (
    select s.submission_id
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
),
by_member as (
    -- the counts the marts keep per submission (league.marts) by what decides the group: an industry, a park or
    -- a size band; the rules naming the group then read a few thousand rows rather than a province's million
    select
        g.district,
        g.member,
        sum(g.organisations) as organisations,
        sum(g.with_league_org) as with_league_org,
        coalesce(sum(g.organisations) filter (
            where is_new_this_year(true, g.founded_month, year($as_of_month::date), $as_of_month::date)), 0)
            as new_orgs,
        sum(g.gaps) as gaps
    from mart_ledger_groups g
    join scoped using (submission_id)
    where g.grouping = $grouping
    group by all
),
grouped as (
    select
        district,
        case $grouping
            when 'priority' then case when is_priority_sector(member) then '重点领域' else '其他领域' end
            when 'park' then case when member is not null then '园区内' else '不在园区' end
            when 'size_band' then member
        end as group_name,
        -- a size band has no members of its own
        case when $grouping <> 'size_band' then member end as member, organisations, with_league_org, new_orgs, gaps
    from by_member
),
counted as (
    select
        district, group_name, member, grouping(member) as all_members,
        sum(organisations)::integer as organisations,
        sum(with_league_org)::integer as with_league_org,
        sum(with_league_org) / sum(organisations) as coverage,
        sum(new_orgs)::integer as new_orgs,
        sum(gaps)::integer as gaps
    from grouped
    group by grouping sets ((district, group_name, member), (district, group_name), (group_name))
),
final as (
    -- A group's own rows (a sector, a park) where it has members; sizes and "not in a park" have none.
    select c.* exclude (all_members), b.min_employees
    from counted c
    left join plan_size_bands b on b.band = c.group_name
    where c.member is not null or c.all_members = 1
)
select * exclude (min_employees) from final
order by district nulls first, min_employees desc nulls last, group_name, member nulls first;
