-- The spot-check packs of the units in scope drawn for months up to the as-of
-- month, newest first, each with how many organisations it holds and its state:
-- awaiting_findings until a filled pack has loaded, then findings_loaded with
-- how many organisations were checked, when and by whom (the latest load counts).
with packs as (
    select p.*, u.name as unit, u.district
    from spot_check_packs p
    join units_in_scope($scope) u using (unit_id)
    where p.report_month <= $as_of_month::date
),
drawn as (
    select pack_id, count(*)::integer as organisations
    from spot_check_items
    group by pack_id
),
found as (
    select pack_id, any_value(submission_id) as findings_submission_id, count(*)::integer as organisations_checked
    from spot_check_results
    group by pack_id
),
final as (
    select
        p.pack_id, p.unit, p.district, p.report_month, p.seed, p.size, d.organisations,
        case when f.pack_id is null then 'awaiting_findings' else 'findings_loaded' end as pack_state,
        f.organisations_checked, p.created_by, p.created_at,
        s.received_at as findings_received_at, s.submitted_by as findings_submitted_by
    from packs p
    join drawn d using (pack_id)
    left join found f using (pack_id)
    left join submissions s on s.submission_id = f.findings_submission_id
)
select * from final order by report_month desc, pack_id desc;
