-- Every step of one unit-month, oldest first: each file sent for it (accepted
-- or not; an accepted one after the first is a resubmission) and each review
-- step (sign off, send back, reopen), with who, when and why.
with scoped_unit as (
    select unit_id, name as unit
    from units_in_scope($scope)
    where name = $unit
),
sent as (
    select
        s.received_at as happened_at,
        case
            when s.status = 'rejected' then 'rejected'
            when row_number() over (partition by s.status order by s.submission_id) = 1 then 'submit'
            else 'resubmit'
        end as step,
        s.submitted_by as actor,
        s.file_name as detail,
        s.submission_id
    from submissions s
    join scoped_unit u using (unit_id)
    where s.kind = 'ledger' and s.report_month = $as_of_month::date
),
reviewed as (
    select r.acted_at as happened_at, r.action as step, r.actor, r.reason as detail, r.submission_id
    from review_actions r
    join scoped_unit u using (unit_id)
    where r.kind = 'ledger' and r.report_month = $as_of_month::date
),
final as (
    select * from sent
    union all
    select * from reviewed
)
select * from final order by happened_at, submission_id;
