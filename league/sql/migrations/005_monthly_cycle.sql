-- The monthly cycle (issue 10): when each unit is expected to report, whom to
-- chase, per-month deadlines a plan may move, and the district's review of
-- each unit-month (sign off, send back, reopen), kept as history.

-- The months a reporting unit is expected to report: from its first month (a
-- unit created mid-year) to its last (a merged or closed unit). No row, or a
-- null bound, means no limit on that side.
create table unit_periods (
    unit_id     integer primary key references units (unit_id),
    first_month date,
    last_month  date,
    check (first_month is null or last_month is null or first_month <= last_month)
);

-- Whom to call about a unit's report; personal data, shown only to roles that may see it.
create table unit_contacts (
    unit_id       integer primary key references units (unit_id),
    contact_name  varchar,
    contact_phone varchar,
    updated_at    timestamp not null,
    updated_by    varchar not null
);

-- A plan's own deadline for one month of one kind of sheet (e.g. moved for a
-- holiday); without one, the kind's due day in plan_settings applies.
create table plan_due_dates (
    kind         varchar not null,
    report_month date not null,   -- first day of the month
    due_date     date not null,
    primary key (kind, report_month)
);

insert into plan_settings values
    ('youth_voice_due_day', 26, '每月“青年之声”运行月报报送截止日');

-- Append-only: one row per review step a district or city user takes on a
-- unit-month. Submissions themselves are the submit and resubmit steps.
create sequence review_id_seq start 1;
create table review_actions (
    review_id     bigint primary key default nextval('review_id_seq'),
    unit_id       integer not null references units (unit_id),
    kind          varchar not null default 'ledger',
    report_month  date not null,
    submission_id integer references submissions (submission_id),  -- the submission acted on
    action        varchar not null check (action in ('sign_off', 'send_back', 'reopen')),
    actor         varchar not null,
    acted_at      timestamp not null,
    reason        varchar            -- the comment of a send-back, the reason of a reopening
);
