-- Every file received, newest first: what was sent, by whom and when, and what
-- became of it. Files not tied to one unit (targets, Youth Voice, unrecognised)
-- are visible only to a viewer whose scope is the whole tree.
with scoped_units as (
    select unit_id, name as unit
    from units_in_scope($scope)
),
final as (
    select
        s.submission_id, s.received_at, s.submitted_by, s.file_name, s.kind, u.unit, s.report_month,
        s.status as outcome, s.rows, json_array_length(s.errors) as error_count, s.sha256
    from submissions s
    left join scoped_units u using (unit_id)
    where u.unit is not null or (is_whole_tree($scope) and s.unit_id is null)
)
select * from final order by submission_id desc limit $limit;
