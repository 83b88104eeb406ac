-- Youth Voice at question level (issue 15): the platform's export of individual
-- questions, one row per question of a submission; the view youth_voice_questions
-- reads each question's latest accepted row.

insert into sheet_kinds values ('youth_voice_questions', '青年之声问题明细');

create table question_rows (
    submission_id            integer not null references submissions (submission_id),
    excel_row                integer,
    question_id              varchar not null,
    unit_id                  integer not null references units (unit_id),
    asked_at                 timestamp not null,
    category                 varchar,
    effectively_answered     boolean not null,
    first_effective_reply_at timestamp,
    replier_kind             varchar,
    satisfaction             integer,
    extra                    json,
    primary key (submission_id, question_id)
);

insert into plan_settings values
    ('reply_fast_hours', 24, '青年之声问题在该小时数内得到有效回复的，计为“24 小时内回复”'),
    ('reply_week_days', 7, '青年之声问题在该天数内得到有效回复的，计为“7 天内回复”'),
    ('question_totals_tolerance', 0.05, '问题明细与月报合计的咨询数或有效回复数相差超过月报数的该比例，提示数据不一致'),
    ('question_totals_min_gap', 3, '问题明细与月报合计相差至少该件数才提示（小单位不因一两件提示）');
