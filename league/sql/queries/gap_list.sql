-- The gaps (空白点) at the as-of month: organisations with enough league
-- members but no league organisation, those with a party organisation
-- (must build now) first. The inspector's list to check on site. Read from the
-- gap rows kept per submission (league.marts), a page at a time when $limit is
-- set (a province has over a hundred thousand).
with standing as (
    select u.name as unit, w.*, s.report_month, s.carried_forward, s.signed_off
    from standing_submissions($as_of_month::date, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
    join mart_ledger_watch w using (submission_id)
    where w.is_gap
      and in_segment($segment, w.above_scale, w.park, w.league_society_member)
      and ($districts::varchar[] is null or list_contains($districts::varchar[], w.district))
),
final as (
    select
        must_build_now,
        unit, district, org_name, uscc, industry, org_type,
        employees, youth_employees, league_members, has_party_org,
        report_month as ledger_month, carried_forward, signed_off
    from standing
)
select * from final
order by must_build_now desc, league_members desc, district, unit, org_name, uscc
limit $limit offset $offset;
