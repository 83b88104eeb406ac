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
select 'submission', greatest((select coalesce(max(submission_id), 0) from submissions),
                              (select coalesce(max(last_value), 0) from duckdb_sequences()
                               where database_name = current_database() and sequence_name = 'submission_id_seq'))
union all
select 'review', greatest((select coalesce(max(review_id), 0) from review_actions),
                          (select coalesce(max(last_value), 0) from duckdb_sequences()
                           where database_name = current_database() and sequence_name = 'review_id_seq'))
union all
select 'spot_check_pack', greatest((select coalesce(max(pack_id), 0) from spot_check_packs),
                                   (select coalesce(max(last_value), 0) from duckdb_sequences()
                                    where database_name = current_database() and sequence_name = 'spot_check_pack_id_seq'))
union all
select 'audit', greatest((select coalesce(max(audit_id), 0) from audit_log),
                         (select coalesce(max(last_value), 0) from duckdb_sequences()
                          where database_name = current_database() and sequence_name = 'audit_id_seq'));
