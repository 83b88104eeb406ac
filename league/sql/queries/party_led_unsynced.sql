-- The must-build-now list of party-led building: organisations that at the
-- as-of month have a party organisation and enough league members but no
-- league organisation, oldest first by how long they have been so: since the
-- first month of the unbroken run of their unit's ledgers that showed them so.
with standing as (
    select l.*
    from ledger_in_scope($scope, $as_of_month::date, signed_off_only := $signed_off_only::boolean) l
    where party_led_due(l.has_party_org, l.league_members) and not coalesce(l.has_league_org, false)
),
history as (
    select h.uscc, h.report_month,
           party_led_due(h.has_party_org, h.league_members) and not coalesce(h.has_league_org, false) as unsynced
    from ledger_basis($signed_off_only::boolean) h
    join standing s on s.uscc = h.uscc and s.unit = h.unit
    where h.report_month <= $as_of_month::date
),
last_synced as (
    select uscc, max(report_month) filter (where not unsynced) as last_fine
    from history
    group by uscc
),
since as (
    select h.uscc, min(h.report_month) as since_month
    from history h
    join last_synced f using (uscc)
    where h.unsynced and (f.last_fine is null or h.report_month > f.last_fine)
    group by h.uscc
),
final as (
    select
        s.district, s.unit, s.org_name, s.uscc, s.industry, s.org_type, s.employees, s.league_members,
        n.since_month, datediff('month', n.since_month, $as_of_month::date)::integer + 1 as months_unsynced,
        s.report_month as ledger_month
    from standing s
    join since n using (uscc)
)
select * from final order by since_month, district, unit, org_name;
