-- Two marts of unit-months, kept by league.marts in the transaction that
-- accepts a ledger or takes a review step, so that pages read them instead of
-- working them out from every submission and review step on each query (a
-- few milliseconds each at a province, asked by nearly every page):
--
-- mart_ledger_review: where each unit-month with an accepted ledger stands in
-- the district's review (the view ledger_review reads it; its rule is
-- ledger_review_rows in staging.sql).
--
-- mart_standing: which ledger each unit stands on at each month (its own, or
-- its latest earlier one carried forward), for every month from the first
-- ledger's to the latest's, on every accepted ledger and on the signed-off
-- ones alone (standing_submissions reads it; its rule is mart_standing_rows).
--
-- This start builds both (mart_state forgotten).
create table mart_ledger_review (
    unit_id                  integer not null,
    report_month             date not null,
    submission_id            integer not null,
    received_at              timestamp,
    file_name                varchar,
    accepted_submissions     integer,
    first_received_at        timestamp,
    state                    varchar not null,
    last_action              varchar,
    last_actor               varchar,
    last_acted_at            timestamp,
    last_reason              varchar,
    signed_off_submission_id integer,
    signed_off_at            timestamp,
    locked                   boolean not null
);

create table mart_standing (
    month           date not null,
    signed_off_only boolean not null,
    unit_id         integer not null,
    submission_id   integer not null,
    ledger_month    date not null,
    signed_off      boolean not null
);

delete from mart_state;
