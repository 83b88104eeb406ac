-- Verification factors of the spot checks (the WHO data-quality review's
-- "verification factor": what was found on site divided by what was reported),
-- per reporting unit (level 'unit'), per district ('district') and for all of
-- them together ('total'), for the as-of month ('month') and for the year up to
-- it ('year_to_date'). For each unit-month the latest pack with findings counts.
--   org_factor     league organisations confirmed on site / claimed in the
--                  ledger, among the checked organisations claimed to have one
--   member_factor  league members counted on site / claimed, over the checked
--                  organisations (an organisation not found counts 0 members)
-- A factor outside plan_settings' verification band (0.90-1.10) is flagged.
with scoped as (
    select r.*
    from spot_check_results r
    join units_in_scope($scope) u using (unit_id)
    where year(r.report_month) = year($as_of_month::date) and r.report_month <= $as_of_month::date
),
latest_packs as (
    select unit, report_month, max(pack_id) as pack_id
    from scoped
    group by unit, report_month
),
checked as (
    select
        s.*,
        coalesce(s.claimed_league_org, false) as claimed,
        coalesce(s.claimed_league_org, false) and s.org_exists and coalesce(s.league_org_confirmed, false) as confirmed,
        case when s.org_exists then s.members_counted else 0 end as counted
    from scoped s
    join latest_packs using (unit, report_month, pack_id)
),
periods as (
    select *, 'month' as period from checked where report_month = $as_of_month::date
    union all
    select *, 'year_to_date' as period from checked
),
counted as (
    select
        case when grouping(unit) = 0 then 'unit' when grouping(district) = 0 then 'district' else 'total' end
            as level,
        unit, district, period,
        count(distinct unit)::integer as units_checked,
        count(distinct pack_id)::integer as packs,
        count(*)::integer as organisations_checked,
        count_if(claimed)::integer as league_orgs_claimed,
        count_if(confirmed)::integer as league_orgs_confirmed,
        coalesce(sum(members_claimed), 0)::integer as members_claimed,
        coalesce(sum(counted), 0)::integer as members_counted
    from periods
    group by grouping sets ((period, district, unit), (period, district), (period))
),
factors as (
    select
        *,
        verification_factor(league_orgs_confirmed, league_orgs_claimed) as org_factor,
        verification_factor(members_counted, members_claimed) as member_factor
    from counted
),
judged as (
    select
        *,
        outside_verification_band(org_factor) or outside_verification_band(member_factor) as outside_band
    from factors
),
units_outside as (
    select
        case when grouping(district) = 0 then 'district' else 'total' end as level,
        period, district, count_if(outside_band)::integer as units_outside_band
    from judged
    where level = 'unit'
    group by grouping sets ((period, district), (period))
),
final as (
    select
        j.level, j.unit, j.district, j.period, j.units_checked, o.units_outside_band, j.packs,
        j.organisations_checked, j.league_orgs_claimed, j.league_orgs_confirmed, j.org_factor,
        j.members_claimed, j.members_counted, j.member_factor,
        plan_setting('verification_band_low') as band_low, plan_setting('verification_band_high') as band_high,
        j.outside_band
    from judged j
    left join units_outside o
      on o.level = j.level and o.period = j.period and o.district is not distinct from j.district
)
select * from final
order by case level when 'total' then 0 when 'district' then 1 else 2 end, outside_band desc, district, unit, period;
