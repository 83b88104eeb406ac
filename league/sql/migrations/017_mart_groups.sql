-- The organisations of a ledger submission counted by what 专项目标's groupings
-- read: each industry (重点领域, the plan's sectors named at query time), each
-- park (园区) and each size band (抓大带小), per the organisation's district and
-- the month its league organisation was founded (null unless it can count as
-- new, as in the other marts). Kept as the other marts are (league.marts), so
-- those sections read a few rows per unit instead of every standing ledger row.
-- Forget what the marts were built with, so this start counts every submission.
create table mart_ledger_groups (
    submission_id   integer not null,
    grouping        varchar not null,
    district        varchar,
    member          varchar,
    founded_month   date,
    organisations   integer not null,
    with_league_org integer not null,
    gaps            integer not null
);

delete from mart_state;
