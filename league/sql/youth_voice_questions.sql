-- Youth Voice questions (data contract §3b): the latest accepted state of each
-- question, how each stood at a moment, and the agreement of the questions with
-- the monthly totals (a data-quality flag). Replaced on every start.

-- One row per question_id: the row of the latest accepted export that holds it.
create or replace view youth_voice_questions as
with ranked as (
    select
        r.*,
        row_number() over (partition by r.question_id order by r.submission_id desc) as recency
    from question_rows r
    join submissions s using (submission_id)
    where s.kind = 'youth_voice_questions' and s.status = 'accepted'
),
final as (
    select
        r.question_id, u.name as unit, u.district, r.unit_id, r.asked_at, r.category, r.effectively_answered,
        r.first_effective_reply_at, r.replier_kind, r.satisfaction, r.submission_id
    from ranked r
    join units u using (unit_id)
    where r.recency = 1
)
select * from final;

-- Every question asked by a moment, as it stood then: answered by then (an
-- effective reply at or before it), the hours to that reply, and the age in
-- hours of one still waiting.
create or replace macro questions_as_of(moment) as table
with asked as (
    select q.*,
           q.effectively_answered and q.first_effective_reply_at <= moment as answered
    from youth_voice_questions q
    where q.asked_at <= moment
),
final as (
    select *,
           date_trunc('month', asked_at)::date as month,
           case when answered then date_diff('second', asked_at, first_effective_reply_at) / 3600.0 end
               as reply_hours,
           case when not answered then date_diff('second', asked_at, moment) / 3600.0 end as waiting_hours
    from asked
)
select * from final;

-- The moment a month is looked at from: its last second, or now if that is sooner.
create or replace macro month_end_moment(as_of_month) as
    least(last_day(as_of_month)::timestamp + interval 1 day - interval 1 second, current_localtimestamp());

-- The waiting question's age band: under a day, 1-7 days, 7-30 days, over 30 days.
create or replace macro waiting_band(waiting_hours) as
    case
        when waiting_hours < 24 then '不足1天'
        when waiting_hours < 7 * 24 then '1–7天'
        when waiting_hours < 30 * 24 then '7–30天'
        else '30天以上'
    end;

-- Per unit and month: the monthly totals sheet against the questions of the
-- export asked that month (and of those, the ones effectively answered, ever).
create or replace macro question_totals(months) as table
with counted as (
    select unit_id, date_trunc('month', asked_at)::date as month, count(*)::bigint as questions_counted,
           count_if(effectively_answered)::bigint as replies_counted
    from youth_voice_questions
    where list_contains(months, date_trunc('month', asked_at)::date)
    group by all
),
reported as (
    select u.unit_id, v.month, v.questions, v.effective_replies
    from youth_voice v
    join units u on u.name = v.unit
    where list_contains(months, v.month)
),
final as (
    select
        coalesce(r.unit_id, c.unit_id) as unit_id, coalesce(r.month, c.month) as month,
        r.questions::bigint as questions_reported, coalesce(c.questions_counted, 0) as questions_counted,
        r.effective_replies::bigint as replies_reported, coalesce(c.replies_counted, 0) as replies_counted
    from reported r
    full join counted c on c.unit_id = r.unit_id and c.month = r.month
)
select * from final;

-- Whether a count from the export disagrees with the totals: by more than
-- question_totals_tolerance of the reported figure and at least question_totals_min_gap.
create or replace macro totals_disagree(reported, counted) as
    reported is not null
    and abs(counted - reported) >= plan_setting('question_totals_min_gap')
    and abs(counted - reported) > plan_setting('question_totals_tolerance') * reported;

-- The flag: a unit-month whose monthly totals and question export disagree. Only
-- where both were sent: a unit that sent no export is not compared.
create or replace macro flag_question_totals(months) as table
with compared as (
    select * from question_totals(months)
    where questions_reported is not null and questions_counted > 0
      and (totals_disagree(questions_reported, questions_counted)
           or totals_disagree(replies_reported, replies_counted))
),
final as (
    select
        unit_id, month as report_month, null::varchar as uscc, 'question_totals_mismatch' as code, '警示' as severity,
        format('“青年之声”月报填报咨询求助 {} 件、有效回复 {} 件，问题明细中本月提问 {} 件、其中有效回复 {} 件，'
               || '相差超过 {}%；请核对月报是否按平台数据填写。',
               format('{:,}', questions_reported), format('{:,}', replies_reported),
               format('{:,}', questions_counted), format('{:,}', replies_counted),
               (plan_setting('question_totals_tolerance') * 100)::integer) as message,
        to_json({'questions_reported': questions_reported, 'questions_counted': questions_counted,
                 'replies_reported': replies_reported, 'replies_counted': replies_counted,
                 'tolerance': plan_setting('question_totals_tolerance'),
                 'min_gap': plan_setting('question_totals_min_gap')}) as evidence
    from compared
)
select * from final;
