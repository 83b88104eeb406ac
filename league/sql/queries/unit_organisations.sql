-- The organisations a reporting unit stands on at the as-of month: the list an
-- inspector takes on a visit, with the flags that say what to check and whom to call
-- (the gateway masks the contacts for roles that may not see them).
with standing as (
    select l.*
    from unit_ledger_as_of($unit, $as_of_month::date, signed_off_only := $signed_off_only::boolean) l
    where l.unit in (select name from units_in_scope($scope))
),
final as (
    select
        must_build_now(league_members, has_league_org, has_party_org) as must_build_now,
        is_gap(league_members, has_league_org) as is_gap,
        coalesce(is_new_this_year(has_league_org, league_org_date, year($as_of_month::date),
                                  $as_of_month::date), false) as is_new,
        org_name, uscc, industry, org_type, street, park, employees, youth_employees, league_members,
        has_party_org, has_league_org, league_org_kind, league_org_date, directly_managed,
        leader_name, leader_phone, report_month as ledger_month, signed_off
    from standing
)
select * from final order by must_build_now desc, is_gap desc, is_new desc, org_name;
