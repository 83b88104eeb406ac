-- Marts: what the pages count, kept per ledger submission so that a page reads
-- a few rows per reporting unit instead of every organisation's row. A
-- submission's figures never change once it is written (only which submission
-- a unit stands on does, and that is read from the submissions alone), so a
-- load adds its own rows in its own transaction (league.marts). They depend on
-- the plan's settings (the gap threshold): a change of those rebuilds them.

-- New league organisations of a submission by the month they were founded.
create table mart_ledger_new (
    submission_id    integer not null,
    org_type         varchar,
    directly_managed boolean not null,
    founded_month    date not null,
    organisations    integer not null
);

-- Coverage cells of a submission: per segment, the organisation's district and industry.
create table mart_ledger_cells (
    submission_id   integer not null,
    segment         varchar not null,
    district        varchar,
    industry        varchar not null,
    organisations   integer not null,
    with_league_org integer not null,
    gaps            integer not null,
    must_build      integer not null
);

-- The plan settings the marts were built with (a change rebuilds them and changes the data version).
create table mart_state (
    settings varchar not null,
    built_at timestamp not null default current_timestamp
);
