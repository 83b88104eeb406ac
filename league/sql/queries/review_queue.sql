-- The district's desk for a month: each reporting unit in scope expected to
-- report that month, with its latest accepted ledger (file, rows, warnings),
-- its timeliness and where its review stands, the ones waiting for review first.
with final as (
    select
        u.unit,
        u.district,
        $as_of_month::date as report_month,
        coalesce(r.state, 'missing') as review_state,
        submission_timeliness(r.first_received_at, $as_of_month::date) as timeliness,
        days_late(r.first_received_at, ledger_due_date($as_of_month::date)) as days_late,
        r.first_received_at,
        r.received_at as latest_received_at,
        coalesce(r.accepted_submissions, 0) as accepted_submissions,
        s.submitted_by,
        s.file_name,
        s.rows,
        coalesce(json_array_length(s.warnings), 0)::integer as warning_count,
        s.warnings,
        r.last_action, r.last_actor, r.last_acted_at, r.last_reason,
        r.submission_id,
        r.signed_off_submission_id
    from expected_units($scope, $as_of_month::date) u
    left join ledger_review r on r.unit_id = u.unit_id and r.report_month = $as_of_month::date
    left join submissions s on s.submission_id = r.submission_id
)
select * from final
order by
    case review_state when 'submitted' then 0 when 'resubmitted' then 1 when 'sent_back' then 2
                      when 'reopened' then 3 when 'missing' then 4 else 5 end,
    district, unit;
