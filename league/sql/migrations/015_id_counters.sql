-- Ids the write path hands out itself (league.db.next_ids) instead of from
-- sequences, which a DuckLake store does not have: one row per kind of id,
-- holding the last one given. Raising it inside the writing transaction makes
-- two writers that take ids at once conflict on a DuckLake store, so ids never
-- repeat and follow the order of the commits. The counters start past every
-- id the sequences have given; the sequences are no longer read.
create table id_counters (
    name varchar primary key,
    last bigint not null
);
insert into id_counters
select ids.name, greatest(coalesce(ids.last_id, 0), coalesce(s.last_value, 0))
from (values
    ('submission', (select max(submission_id) from submissions), 'submission_id_seq'),
    ('review', (select max(review_id) from review_actions), 'review_id_seq'),
    ('spot_check_pack', (select max(pack_id) from spot_check_packs), 'spot_check_pack_id_seq'),
    ('audit', (select max(audit_id) from audit_log), 'audit_id_seq')
) ids(name, last_id, sequence_name)
left join duckdb_sequences() s
    on s.sequence_name = ids.sequence_name and s.database_name = current_database();
