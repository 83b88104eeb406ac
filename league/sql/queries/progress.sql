-- Progress toward the year's targets of new league organisations at the as-of
-- month: one row per reporting unit (level 'unit') and one for all of them
-- together (level 'total'). `done` and `target` follow the organisation-type
-- filter; the *_enterprise, *_social and *_direct columns do not.
with scoped_units as (
    select name as unit, district
    from units_in_scope($scope)
    where $districts::varchar[] is null or list_contains($districts::varchar[], district)
),
standing as (
    -- each unit's own ledger for the month, or its latest earlier one
    select l.*
    from ledger_as_of($as_of_month::date) l
    join scoped_units using (unit)
),
flagged as (
    select
        unit, report_month, carried_forward, org_type, directly_managed,
        coalesce(
            is_new_this_year(has_league_org, league_org_date, year($as_of_month::date), $as_of_month::date),
            false
        ) as is_new
    from standing
),
counts as (
    select
        unit,
        any_value(report_month) as ledger_month,
        any_value(carried_forward) as carried_forward,
        count_if(is_new and counts_toward_target($org_type::varchar, org_type)) as done,
        count_if(is_new and org_type = '非公有制企业') as done_enterprise,
        count_if(is_new and org_type = '社会组织') as done_social,
        count_if(is_new and coalesce(directly_managed, false)) as done_direct
    from flagged
    group by unit
),
year_targets as (
    select unit, target_enterprise, target_social, target_direct
    from targets
    where year = year($as_of_month::date)
),
per_unit as (
    select
        'unit' as level,
        s.unit,
        s.district,
        c.ledger_month,
        c.carried_forward,
        coalesce(c.done, 0) as done,
        progress_target($org_type::varchar, t.target_enterprise, t.target_social) as target,
        coalesce(c.done_enterprise, 0) as done_enterprise,
        t.target_enterprise,
        coalesce(c.done_social, 0) as done_social,
        t.target_social,
        coalesce(c.done_direct, 0) as done_direct,
        t.target_direct
    from scoped_units s
    left join counts c using (unit)
    left join year_targets t using (unit)
),
overall as (
    select
        'total' as level,
        null::varchar as unit,
        null::varchar as district,
        max(ledger_month) as ledger_month,
        bool_or(carried_forward) as carried_forward,
        coalesce(sum(done), 0) as done,
        sum(target) as target,
        coalesce(sum(done_enterprise), 0) as done_enterprise,
        sum(target_enterprise) as target_enterprise,
        coalesce(sum(done_social), 0) as done_social,
        sum(target_social) as target_social,
        coalesce(sum(done_direct), 0) as done_direct,
        sum(target_direct) as target_direct
    from per_unit
),
measured as (
    select
        * replace (
            done::integer as done, target::integer as target,
            done_enterprise::integer as done_enterprise, target_enterprise::integer as target_enterprise,
            done_social::integer as done_social, target_social::integer as target_social,
            done_direct::integer as done_direct, target_direct::integer as target_direct
        ),
        done / nullif(target, 0) as completion
    from (select * from per_unit union all by name select * from overall)
),
final as (
    select
        m.level, m.unit, m.district, m.ledger_month, m.carried_forward,
        m.done, m.target, m.completion, e.expected,
        progress_status(m.completion, e.expected) as status,
        m.done_enterprise, m.target_enterprise,
        m.done_social, m.target_social,
        m.done_direct, m.target_direct
    from measured m
    cross join (select expected_share_at($as_of_month::date) as expected) e
)
select * from final order by level desc, completion desc nulls last, district, unit;
