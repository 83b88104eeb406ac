-- The gaps (空白点) at the as-of month: organisations with enough league
-- members but no league organisation, those with a party organisation
-- (must build now) first. The inspector's list to check on site.
with standing as (
    select l.*
    from ledger_in_scope($scope, $as_of_month::date, signed_off_only := $signed_off_only::boolean) l
    where in_segment($segment, l.above_scale, l.park, l.league_society_member)
      and ($districts::varchar[] is null or list_contains($districts::varchar[], l.district))
),
final as (
    select
        must_build_now(league_members, has_league_org, has_party_org) as must_build_now,
        unit, district, org_name, uscc, industry, org_type,
        employees, youth_employees, league_members, has_party_org,
        report_month as ledger_month, carried_forward, signed_off
    from standing
    where is_gap(league_members, has_league_org)
)
select * from final order by must_build_now desc, league_members desc, district, unit, org_name;
