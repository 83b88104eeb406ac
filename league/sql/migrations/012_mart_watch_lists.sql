-- The rows the on-site lists name, kept per ledger submission as the other
-- marts are (league.marts): the gaps (enough league members, no league
-- organisation) and the above-scale enterprises without a league organisation.
-- A province's lists read these few rows instead of every organisation's.
create table mart_ledger_watch (
    submission_id         integer not null,
    is_gap                boolean not null,
    must_build_now        boolean not null,
    above_scale_uncovered boolean not null,
    org_name              varchar not null,
    uscc                  varchar not null,
    district              varchar not null,
    industry              varchar,
    org_type              varchar,
    above_scale           boolean,
    park                  varchar,
    league_society_member boolean,
    employees             integer,
    youth_employees       integer,
    league_members        integer,
    has_party_org         boolean
);

-- Forget what the marts were built with, so this start counts every submission into the new one too
-- (and into the coverage cells' new segment, the above-scale enterprises).
delete from mart_state;
