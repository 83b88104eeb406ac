-- Who may see and change what (issue 9): accounts with a role and two scopes
-- on the unit tree, sign-in sessions, and an append-only audit log.

create table users (
    name            varchar primary key,
    password_hash   varchar not null,           -- argon2id; the password itself is never stored
    role            varchar not null check (role in ('leadership', 'inspector', 'district', 'unit', 'admin')),
    view_scope      integer references units (unit_id),    -- the subtree the user may read (null: nothing)
    submit_scope    integer references units (unit_id),    -- the subtree the user may upload for (null: nothing)
    disabled        boolean not null default false,
    must_change     boolean not null default false,        -- set by a reset: change the password at next sign-in
    created_at      timestamp not null default current_timestamp,
    password_set_at timestamp not null default current_timestamp
);

-- Failed sign-ins, for slowing down guessing one name's password.
create table sign_in_failures (
    name      varchar not null,
    failed_at timestamp not null,
    address   varchar
);

-- A signed-in browser: the cookie holds a random token; only its hash is kept.
create table sessions (
    token_sha256 varchar primary key,
    name         varchar not null,
    started_at   timestamp not null,
    last_seen    timestamp not null,
    ended_at     timestamp,
    address      varchar
);

-- Append-only: the application inserts and never updates or deletes a row.
create sequence audit_id_seq start 1;
create table audit_log (
    audit_id  bigint primary key default nextval('audit_id_seq'),
    logged_at timestamp not null default current_timestamp,
    actor     varchar,          -- the user name (null for a sign-in under an unknown name)
    action    varchar not null, -- sign_in, sign_in_failed, sign_out, upload_checked, upload_confirmed, ...
    unit      varchar,          -- the unit concerned, if one
    detail    json,             -- what: file, month, rows, query, target user ...
    address   varchar           -- where the request came from
);

insert into plan_settings values
    ('session_idle_minutes', 30, '登录后无操作多少分钟自动退出'),
    ('uploads_per_hour', 30, '每个登录会话每小时最多上传检查的文件数'),
    ('sign_in_free_failures', 3, '同一用户名连续登录失败多少次后开始延时');
