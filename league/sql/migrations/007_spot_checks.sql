-- Spot checks (issue 11): reproducible random packs of a unit's organisations,
-- the findings an inspector brings back, and the kinds of sheet as a table.

-- 1. The kinds of sheet a submission may be. 001 wrote them into a CHECK on
-- submissions.kind; a filled spot-check pack must be a submission like any
-- other (raw file kept, errors recorded, audit), and DuckDB 1.5 can neither
-- drop a CHECK nor rename a table that others reference. So submissions is
-- rebuilt once with the kind checked by a foreign key to sheet_kinds: a later
-- kind of sheet is an insert here, not another rebuild.
create table sheet_kinds (
    kind  varchar primary key,
    label varchar not null
);
insert into sheet_kinds values
    ('ledger', '两新组织团建工作台账'),
    ('targets', '任务分解表'),
    ('youth_voice', '青年之声运行情况月报'),
    ('spot_check', '随机抽查结果');

-- Every table that references submissions (001: ledger_rows, target_rows,
-- youth_voice_rows; 005: review_actions) is copied aside, dropped children
-- first, and recreated with its definition unchanged. submission_id_seq is
-- kept, so new loads go on getting fresh ids after the copied ones.
create temp table kept_submissions as select * from submissions;
create temp table kept_ledger_rows as select * from ledger_rows;
create temp table kept_target_rows as select * from target_rows;
create temp table kept_youth_voice_rows as select * from youth_voice_rows;
create temp table kept_review_actions as select * from review_actions;

drop table review_actions;
drop table youth_voice_rows;
drop table target_rows;
drop table ledger_rows;
drop table submissions;

create table submissions (
    submission_id integer primary key default nextval('submission_id_seq'),
    kind          varchar references sheet_kinds (kind),  -- null: not recognised
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

insert into submissions select * from kept_submissions;
insert into ledger_rows select * from kept_ledger_rows;
insert into target_rows select * from kept_target_rows;
insert into youth_voice_rows select * from kept_youth_voice_rows;
insert into review_actions select * from kept_review_actions;

drop table kept_review_actions;
drop table kept_youth_voice_rows;
drop table kept_target_rows;
drop table kept_ledger_rows;
drop table kept_submissions;

-- 2. Spot-check packs. A pack is drawn for a reporting unit and month with a
-- seed the inspector chose or was shown; drawing it again with the same seed
-- and size from the same ledger gives the same organisations.
create sequence spot_check_pack_id_seq start 1;
create table spot_check_packs (
    pack_id      integer primary key default nextval('spot_check_pack_id_seq'),
    unit_id      integer not null references units (unit_id),
    report_month date not null,               -- first day of the month checked
    seed         bigint not null check (seed >= 0),
    size         integer not null check (size > 0),  -- as asked for; a smaller ledger gives fewer items
    created_by   varchar not null,
    created_at   timestamp not null
);

-- The organisations of a pack, with the ledger values they were drawn with
-- (what the inspector compares on site) and the ledger submission they came from.
create table spot_check_items (
    pack_id          integer not null references spot_check_packs (pack_id),
    uscc             varchar not null,
    position         integer not null,         -- its row on the pack, from 1
    stratum          varchar not null check (stratum in ('new_this_year', 'flagged', 'directly_managed', 'other')),
    draw             double not null,          -- its permanent random number under the pack's seed
    submission_id    integer not null references submissions (submission_id),
    ledger_month     date not null,
    org_name         varchar not null,
    district         varchar,
    street           varchar,
    industry         varchar,
    org_type         varchar,
    employees        integer,
    youth_employees  integer,
    league_members   integer,
    has_league_org   boolean,
    league_org_kind  varchar,
    league_org_date  date,
    directly_managed boolean,
    leader_name      varchar,
    leader_phone     varchar,
    primary key (pack_id, uscc)
);

-- What the inspector found, one row per pack item of an accepted or rejected
-- spot_check submission's file (rows are stored for accepted ones only).
create table spot_check_findings (
    submission_id        integer not null references submissions (submission_id),
    excel_row            integer,
    pack_id              integer not null,
    uscc                 varchar not null,
    org_exists           boolean not null,
    league_org_confirmed boolean,
    members_counted      integer check (members_counted >= 0),
    remarks              varchar,
    primary key (submission_id, pack_id, uscc),
    foreign key (pack_id, uscc) references spot_check_items (pack_id, uscc)
);

-- WHO's data-quality review calls a verification factor between 0.90 and 1.10 acceptable.
insert into plan_settings values
    ('verification_band_low', 0.9, '核实系数（现场核实数 ÷ 台账填报数）的可接受下限'),
    ('verification_band_high', 1.1, '核实系数（现场核实数 ÷ 台账填报数）的可接受上限');
