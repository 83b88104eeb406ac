-- The initial schema. Never edit a migration that has shipped: add the next one.

-- Reporting units as a tree: city -> district -> street/town or industry league committee.
create table units (
    unit_id   integer primary key,
    name      varchar not null unique,
    level     varchar not null check (level in ('city', 'district', 'street', 'industry')),
    parent_id integer references units (unit_id),
    district  varchar,               -- own district name; null for the city
    path      varchar not null       -- '/city/district/unit/', so a scope is a prefix
);

-- Every file ever received, once per content hash, accepted or not.
create table raw_files (
    sha256            varchar primary key,
    size_bytes        bigint not null,
    first_file_name   varchar not null,
    stored_path       varchar not null,
    first_received_at timestamp not null,
    first_submitted_by varchar not null
);

create sequence submission_id_seq;

-- One row per attempt to load a file, accepted or rejected: the history the
-- dashboard is built from. A rejected attempt has no rows but keeps its errors.
create table submissions (
    submission_id integer primary key default nextval('submission_id_seq'),
    kind          varchar check (kind in ('ledger', 'targets', 'youth_voice')),  -- null: not recognised
    unit_id       integer references units (unit_id),
    report_month  date,
    file_name     varchar not null,
    sheet         varchar,
    sha256        varchar not null,
    received_at   timestamp not null,
    submitted_by  varchar not null,
    rows          integer not null,
    status        varchar not null check (status in ('accepted', 'rejected')),
    errors        json,
    warnings      json
);

create table ledger_rows (
    submission_id         integer not null references submissions (submission_id),
    excel_row             integer,
    org_name              varchar not null,
    uscc                  varchar not null,
    district              varchar not null,
    street                varchar,
    industry              varchar,
    org_type              varchar,
    above_scale           boolean,
    park                  varchar,
    league_society_member boolean,
    employees             integer,
    youth_employees       integer,
    league_members        integer,
    has_party_org         boolean,
    has_league_org        boolean,
    league_org_kind       varchar,
    build_mode            varchar,
    build_path            integer,
    league_org_date       date,
    directly_managed      boolean,
    leader_name           varchar,
    leader_phone          varchar,
    note                  varchar,
    extra                 json,      -- columns the template does not know, kept aside
    primary key (submission_id, uscc)
);

create table target_rows (
    submission_id     integer not null references submissions (submission_id),
    excel_row         integer,
    unit_id           integer not null references units (unit_id),
    year              integer not null,
    target_enterprise integer not null,
    target_social     integer not null,
    target_direct     integer not null,
    primary key (submission_id, unit_id, year)
);

create table youth_voice_rows (
    submission_id     integer not null references submissions (submission_id),
    excel_row         integer,
    unit_id           integer not null references units (unit_id),
    month             date not null,
    terminals         bigint,
    visits            bigint,
    questions         bigint,
    effective_replies bigint,
    alliances         bigint,
    experts           bigint,
    activities        bigint,
    youth_reached     bigint,
    weibo_accounts    bigint,
    wechat_accounts   bigint,
    primary key (submission_id, unit_id, month)
);

-- The year's plan. Milestones default to the circular's 20/50/80/100%;
-- a year's own rows in plan_milestones replace the defaults for that year.
create table default_milestones (
    due_month integer not null,
    due_day   integer not null,
    share     double not null
);
insert into default_milestones values (5, 31, 0.2), (6, 30, 0.5), (7, 31, 0.8), (9, 30, 1.0);

create table plan_milestones (
    year     integer not null,
    due_date date not null,
    share    double not null,
    primary key (year, due_date)
);

-- Numbers the rules are made of, so that a plan can change them without a release.
create table plan_settings (
    name        varchar primary key,
    value       double not null,
    description varchar not null
);
insert into plan_settings values
    ('ledger_due_day', 26, '每月台账报送截止日'),
    ('gap_min_members', 3, '团员数达到此数而未建团组织即为空白点'),
    ('slightly_behind_ratio', 0.8, '完成率不低于序时进度的该比例视为“略有滞后”，低于则为“滞后”');
