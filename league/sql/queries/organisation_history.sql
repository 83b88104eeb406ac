-- One organisation month by month up to the as-of month, as its units reported it,
-- with the submission and file each month's values came from. Its units are found
-- in mart_org_units (league.marts), so that only their ledgers' rows are read.
with candidates as (
    select s.submission_id, s.report_month, u.name as unit
    from mart_org_units o
    join units_in_scope($scope) u using (unit_id)
    join ledger_submissions s using (unit_id)
    where o.uscc = $uscc and s.report_month <= $as_of_month::date
      and (not $signed_off_only::boolean
           or s.submission_id in (select submission_id from ledger_review where locked))
),
final as (
    select
        c.report_month, c.unit, l.org_name, l.employees, l.youth_employees, l.league_members,
        l.has_party_org, l.has_league_org, l.league_org_kind, l.build_mode, l.build_path,
        l.league_org_date, l.directly_managed, l.leader_name, l.leader_phone, l.note,
        coalesce(r.locked, false) as signed_off,
        l.submission_id, s.file_name, s.received_at, s.submitted_by
    from ledger_rows l
    join candidates c using (submission_id)
    join submissions s using (submission_id)
    left join ledger_review r using (submission_id)
    where l.uscc = $uscc
)
select * from final order by report_month;
