-- Coverage and new organisations at the as-of month by a grouping of the
-- organisations: `priority` (the plan's priority sectors against the rest,
-- each industry its own row), `park` (each park, and those in none) or
-- `size_band` (by employees, largest first), per district.
with standing as (
    select l.*
    from ledger_in_scope($scope, $as_of_month::date, signed_off_only := $signed_off_only::boolean) l
),
by_member as (
    -- counted first by what decides the group (an industry, a park, a headcount): the rules naming the
    -- group then read a few thousand rows rather than a province's million
    select
        district,
        case $grouping when 'priority' then industry when 'park' then nullif(trim(park), '') end as member,
        case $grouping when 'size_band' then coalesce(employees, 0) end as employees,
        count(*) as organisations,
        count_if(coalesce(has_league_org, false)) as with_league_org,
        count_if(is_new_this_year(has_league_org, league_org_date, year($as_of_month::date), $as_of_month::date))
            as new_orgs,
        count_if(is_gap(league_members, has_league_org)) as gaps
    from standing
    group by all
),
grouped as (
    select
        district,
        case $grouping
            when 'priority' then case when is_priority_sector(member) then '重点领域' else '其他领域' end
            when 'park' then case when member is not null then '园区内' else '不在园区' end
            when 'size_band' then size_band(employees)
        end as group_name,
        member, organisations, with_league_org, new_orgs, gaps
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
