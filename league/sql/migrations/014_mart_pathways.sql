-- New league organisations of a ledger submission by the organisation's
-- district, founding month, pathway (建团路径) and build mode (建团方式), kept
-- as the other marts are (league.marts): 专项目标's pathway section reads these
-- instead of every standing ledger row. Forget what the marts were built with,
-- so this start counts every submission into it.
create table mart_ledger_pathways (
    submission_id integer not null,
    district      varchar,
    founded_month date not null,
    build_path    integer,
    build_mode    varchar,
    organisations integer not null
);

delete from mart_state;
