-- Staging views: the latest accepted state of each source, with the data
-- contract's field names. Replaced on every start; they hold no data.

-- The accepted ledger submission that counts for each (unit, month): the last one loaded.
create or replace view ledger_submissions as
with accepted as (
    select
        submission_id, unit_id, report_month, received_at, file_name,
        row_number() over (partition by unit_id, report_month order by submission_id desc) as recency
    from submissions
    where kind = 'ledger' and status = 'accepted'
),
final as (
    select submission_id, unit_id, report_month, received_at, file_name
    from accepted
    where recency = 1
)
select * from final;

create or replace view ledger as
with final as (
    select
        s.report_month,
        u.name as unit,
        r.org_name, r.uscc, r.district, r.street, r.industry, r.org_type,
        r.above_scale, r.park, r.league_society_member,
        r.employees, r.youth_employees, r.league_members,
        r.has_party_org, r.has_league_org, r.league_org_kind,
        r.build_mode, r.build_path, r.league_org_date, r.directly_managed,
        r.leader_name, r.leader_phone, r.note,
        s.submission_id
    from ledger_rows r
    join ledger_submissions s using (submission_id)
    join units u on u.unit_id = s.unit_id
)
select * from final;

-- For each (unit, year) the row of the last accepted target sheet that named it.
create or replace view targets as
with ranked as (
    select
        r.*,
        row_number() over (partition by r.unit_id, r.year order by r.submission_id desc) as recency
    from target_rows r
    join submissions s using (submission_id)
    where s.status = 'accepted'
),
final as (
    select u.name as unit, u.district, r.year, r.target_enterprise, r.target_social, r.target_direct
    from ranked r
    join units u using (unit_id)
    where r.recency = 1
)
select * from final;

create or replace view youth_voice as
with ranked as (
    select
        r.*,
        row_number() over (partition by r.unit_id, r.month order by r.submission_id desc) as recency
    from youth_voice_rows r
    join submissions s using (submission_id)
    where s.status = 'accepted'
),
final as (
    select
        u.name as unit, u.district, r.month,
        r.terminals, r.visits, r.questions, r.effective_replies, r.alliances,
        r.experts, r.activities, r.youth_reached, r.weibo_accounts, r.wechat_accounts
    from ranked r
    join units u using (unit_id)
    where r.recency = 1
)
select * from final;

-- Organisations keyed by credit code: what the newest ledger says about each.
create or replace view organisations as
with ranked as (
    select
        *,
        row_number() over (partition by uscc order by report_month desc, submission_id desc) as recency
    from ledger
),
final as (
    select * exclude (recency) from ranked where recency = 1
)
select * from final;

create or replace view reporting_units as
select * from units where level in ('street', 'industry');

-- Where each unit-month with an accepted ledger stands in the district's review:
-- the latest step decides, if it was taken on the latest accepted submission.
-- A submission newer than the one the latest step was taken on (sent after a
-- send-back or a reopening) waits for review again; only a sign-off of the
-- latest submission locks the month. Steps are ordered by review_id and
-- submissions by submission_id, never by clocks.
-- ledger_review_rows(unit_ids) is the rule, for the given units (null: every unit); league.marts keeps its rows
-- in mart_ledger_review, which the view reads.
create or replace macro ledger_review_rows(unit_ids) as table
with accepted as (
    select unit_id, report_month, count(*)::integer as accepted_submissions, min(received_at) as first_received_at
    from submissions
    where kind = 'ledger' and status = 'accepted'
      and (unit_ids is null or list_contains(unit_ids, unit_id))
    group by unit_id, report_month
),
last_step as (
    select * exclude (recency)
    from (
        select *, row_number() over (partition by unit_id, report_month order by review_id desc) as recency
        from review_actions
        where kind = 'ledger' and (unit_ids is null or list_contains(unit_ids, unit_id))
    )
    where recency = 1
),
last_sign_off as (
    select unit_id, report_month,
           max_by(submission_id, review_id) as signed_off_submission_id,
           max(acted_at) as signed_off_at
    from review_actions
    where kind = 'ledger' and action = 'sign_off' and (unit_ids is null or list_contains(unit_ids, unit_id))
    group by unit_id, report_month
),
judged as (
    select
        s.unit_id, s.report_month, s.submission_id, s.received_at, s.file_name,
        a.accepted_submissions, a.first_received_at,
        case
            when r.review_id is null then 'submitted'
            when s.submission_id > r.submission_id then 'resubmitted'
            when r.action = 'sign_off' then 'signed_off'
            when r.action = 'send_back' then 'sent_back'
            else 'reopened'
        end as state,
        r.action as last_action, r.actor as last_actor, r.acted_at as last_acted_at, r.reason as last_reason,
        o.signed_off_submission_id, o.signed_off_at
    from ledger_submissions s
    join accepted a on a.unit_id = s.unit_id and a.report_month = s.report_month
    left join last_step r on r.unit_id = s.unit_id and r.report_month = s.report_month
    left join last_sign_off o on o.unit_id = s.unit_id and o.report_month = s.report_month
),
final as (
    select *, state = 'signed_off' as locked from judged
)
select * from final;

create or replace view ledger_review as
select * from mart_ledger_review;

-- Spot-check findings that count: for each pack, the rows of its latest accepted
-- findings submission (a pack loaded again replaces its earlier findings whole),
-- beside what the ledger claimed when the pack was drawn.
create or replace view spot_check_results as
with loads as (
    select f.pack_id, max(f.submission_id) as submission_id
    from spot_check_findings f
    join submissions s using (submission_id)
    where s.status = 'accepted'
    group by f.pack_id
),
final as (
    select
        p.pack_id, p.unit_id, u.name as unit, u.district, p.report_month,
        i.uscc, i.org_name, i.stratum, i.has_league_org as claimed_league_org, i.league_members as members_claimed,
        f.submission_id, f.excel_row, f.org_exists, f.league_org_confirmed, f.members_counted, f.remarks
    from spot_check_findings f
    join loads using (pack_id, submission_id)
    join spot_check_items i using (pack_id, uscc)
    join spot_check_packs p using (pack_id)
    join units u on u.unit_id = p.unit_id
)
select * from final;
