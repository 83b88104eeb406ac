-- Uploads a clerk cannot get wrong and a stranger cannot abuse.

-- How a unit's headers are read, as the person corrected it: applied to its next uploads.
create table header_mappings (
    unit_id    integer not null references units (unit_id),
    kind       varchar not null,
    header_key varchar not null,  -- the header normalised as etl.contract.header_key does
    header     varchar not null,  -- as the person saw it
    field      varchar not null,  -- the field it names; '' for a column not to be read
    saved_at   timestamp not null,
    saved_by   varchar not null,
    primary key (unit_id, kind, header_key)
);

-- Received files are stored by content hash alone, at a path relative to the data folder, so no
-- name a user sends becomes part of a path and the folder can move. A file over the size limit is
-- recorded by its hash and size without its bytes.
alter table raw_files alter column stored_path drop not null;
update raw_files set stored_path = regexp_extract(stored_path, '(raw/[0-9a-f]{2}/[^/]+)$')
where stored_path like '/%';

insert into plan_settings values
    ('report_months_ahead', 0, '报送月份最多可晚于当前月份的月数（0 或 1）'),
    ('drop_confirm_share', 0.5, '本次台账的组织数少于所比较台账的该比例时，须确认后才能载入');
