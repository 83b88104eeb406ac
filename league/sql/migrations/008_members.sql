-- New-member entry (issue 12): rosters of newly admitted members, the member-number
-- ranges issued to units, the register of issued numbers left unused, and the
-- schools' member counts. Each is a kind of sheet like any other: submissions
-- keep every version, the staging views (members.sql) read the latest.

insert into sheet_kinds values
    ('roster', '新发展团员基本信息表'),
    ('ranges', '团员编号号段'),
    ('unused_numbers', '未使用团员编号登记表'),
    ('schools', '学校团员数量情况表');

-- A roster belongs to the unit of its submission. An ID number is never stored:
-- id_hash (keyed, to match a person), id_masked (as anyone may see it) and
-- id_sealed (encrypted, for a role allowed to see it) stand for it (league/personal_ids.py).
create table roster_rows (
    submission_id     integer not null references submissions (submission_id),
    excel_row         integer,
    name              varchar not null,
    gender            varchar,
    id_hash           varchar not null,
    id_masked         varchar not null,
    id_sealed         varchar not null,
    birth_date        date,
    joined_on         date not null,
    member_no         varchar not null,
    developing_org    varchar,
    entered_in_system boolean not null,
    entered_on        date,
    note              varchar,
    extra             json,
    primary key (submission_id, id_hash)
);

-- Member numbers are digit strings (up to 18 digits); ranges are inclusive.
create table range_rows (
    submission_id integer not null references submissions (submission_id),
    excel_row     integer,
    unit_id       integer not null references units (unit_id),
    first_no      varchar not null,
    last_no       varchar not null,
    issued_on     date,
    note          varchar,
    extra         json,
    primary key (submission_id, unit_id, first_no)
);

create table unused_number_rows (
    submission_id integer not null references submissions (submission_id),
    excel_row     integer,
    unit_id       integer not null references units (unit_id),
    member_no     varchar not null,
    reason        varchar not null,
    registered_on date,
    extra         json,
    primary key (submission_id, unit_id, member_no)
);

create table school_rows (
    submission_id integer not null references submissions (submission_id),
    excel_row     integer,
    school        varchar not null,
    district      varchar not null,
    edu_count     integer not null,
    league_count  integer not null,
    explanation   varchar,
    extra         json,
    primary key (submission_id, school)
);

insert into plan_settings values
    ('member_age_min', 14, '新发展团员入团时的最小年龄（周岁）'),
    ('member_age_max', 28, '新发展团员入团时的最大年龄（周岁）'),
    ('entry_deadline_months', 1, '入团后须在该月数内录入智慧团建'),
    ('range_max_numbers', 100000, '一个团员编号号段最多包含的编号数，超过视为起止编号填错'),
    ('school_gap_max_share', 0.05, '学校团内统计与教育统计团员数相差超过该比例的，须书面说明');
