-- One organisation month by month up to the as-of month, as its units reported it,
-- with the submission and file each month's values came from.
with scoped_units as (
    select name as unit
    from units_in_scope($scope)
),
final as (
    select
        l.report_month, l.unit, l.org_name, l.employees, l.youth_employees, l.league_members,
        l.has_party_org, l.has_league_org, l.league_org_kind, l.build_mode, l.build_path,
        l.league_org_date, l.directly_managed, l.leader_name, l.leader_phone, l.note,
        coalesce(r.locked, false) as signed_off,
        l.submission_id, s.file_name, s.received_at, s.submitted_by
    from ledger_basis($signed_off_only::boolean) l
    join scoped_units using (unit)
    join submissions s using (submission_id)
    left join ledger_review r using (submission_id)
    where l.uscc = $uscc and l.report_month <= $as_of_month::date
)
select * from final order by report_month;
