-- The above-scale enterprises still without a league organisation at the
-- as-of month: the list to close the gap with, the largest first.
with final as (
    select l.district, l.unit, l.org_name, l.uscc, l.industry, l.park, l.employees, l.youth_employees,
           l.league_members, l.has_party_org, l.report_month as ledger_month
    from ledger_in_scope($scope, $as_of_month::date, signed_off_only := $signed_off_only::boolean) l
    where is_above_scale_enterprise(l.org_type, l.above_scale) and not coalesce(l.has_league_org, false)
)
select * from final order by employees desc nulls last, district, unit, org_name;
