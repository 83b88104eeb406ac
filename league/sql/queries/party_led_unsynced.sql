-- The must-build-now list of party-led building: organisations that at the
-- as-of month have a party organisation and enough league members but no
-- league organisation, oldest first by how long they have been so: since the
-- first month of the unbroken run of their unit's ledgers that showed them so
-- (a ledger of the unit that did not list them so, whether it listed them
-- otherwise or not at all, ends the run; league.marts keeps it per ledger).
with standing as (
    select w.*, s.submission_id, u.name as unit, s.report_month
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
    join mart_ledger_watch w using (submission_id)
    where w.must_build_now
),
final as (
    select
        s.district, s.unit, s.org_name, s.uscc, s.industry, s.org_type, s.employees, s.league_members,
        n.since_month, datediff('month', n.since_month, $as_of_month::date)::integer + 1 as months_unsynced,
        s.report_month as ledger_month
    from standing s
    join mart_unsynced_since n
      on n.submission_id = s.submission_id and n.uscc = s.uscc and n.signed_off_only = $signed_off_only::boolean
)
select * from final order by since_month, district, unit, org_name;
