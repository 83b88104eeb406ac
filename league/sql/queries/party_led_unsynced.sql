-- The must-build-now list of party-led building: organisations that at the
-- as-of month have a party organisation and enough league members but no
-- league organisation, oldest first by how long they have been so: since the
-- first month of the unbroken run of their unit's ledgers that showed them so
-- (a ledger of the unit that did not list them so, whether it listed them
-- otherwise or not at all, ends the run). Read from the watch mart
-- (league.marts), which holds every such row, not from the ledger's rows.
with basis as (
    select s.submission_id, s.unit_id, s.report_month
    from ledger_submissions s
    where not $signed_off_only::boolean
       or s.submission_id in (select submission_id from ledger_review where locked)
),
standing as (
    select w.*, s.unit_id, u.name as unit, s.report_month
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
    join mart_ledger_watch w using (submission_id)
    where w.must_build_now
),
unit_ledgers as (
    -- the ledgers of the units with such organisations, up to each organisation's standing one
    select s.uscc, s.unit_id, b.submission_id, b.report_month
    from standing s
    join basis b on b.unit_id = s.unit_id and b.report_month <= s.report_month
),
shown as (
    select distinct l.uscc, l.unit_id, l.report_month
    from unit_ledgers l
    join mart_ledger_watch w on w.submission_id = l.submission_id and w.uscc = l.uscc
    where w.must_build_now
),
last_not_shown as (
    select l.uscc, l.unit_id, max(l.report_month) as last_month
    from unit_ledgers l
    anti join shown h using (uscc, unit_id, report_month)
    group by all
),
since as (
    select h.uscc, h.unit_id, min(h.report_month) as since_month
    from shown h
    left join last_not_shown n using (uscc, unit_id)
    where n.last_month is null or h.report_month > n.last_month
    group by all
),
final as (
    select
        s.district, s.unit, s.org_name, s.uscc, s.industry, s.org_type, s.employees, s.league_members,
        n.since_month, datediff('month', n.since_month, $as_of_month::date)::integer + 1 as months_unsynced,
        s.report_month as ledger_month
    from standing s
    join since n using (uscc, unit_id)
)
select * from final order by since_month, district, unit, org_name;
