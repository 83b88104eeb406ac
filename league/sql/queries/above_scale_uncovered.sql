-- The above-scale enterprises still without a league organisation at the
-- as-of month: the list to close the gap with, the largest first. Read from
-- the rows kept per submission (league.marts), a page at a time when $limit is set.
with final as (
    select w.district, u.name as unit, w.org_name, w.uscc, w.industry, w.park, w.employees, w.youth_employees,
           w.league_members, w.has_party_org, s.report_month as ledger_month
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
    join mart_ledger_watch w using (submission_id)
    where w.above_scale_uncovered
)
select * from final order by employees desc nulls last, district, unit, org_name, uscc
limit $limit offset $offset;
