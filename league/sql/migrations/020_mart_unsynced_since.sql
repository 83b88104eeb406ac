-- Since when each organisation that must build now (党建带团建: a party
-- organisation, enough league members, no league organisation) has been listed
-- so, for each of its unit's ledgers that lists it so: the first month of the
-- unbroken run of the unit's ledgers ending there that listed it so, on every
-- ledger and on the signed-off ones alone. Kept per unit by league.marts, so
-- the must-build list reads it instead of each organisation's history (90 ms
-- at a million organisations). This start builds it.
create table mart_unsynced_since (
    unit_id         integer not null,
    signed_off_only boolean not null,
    submission_id   integer not null,
    uscc            varchar not null,
    since_month     date not null
);

delete from mart_state;
