-- All the rules of flags.sql and flags_unit_month.sql together, and the view
-- `flags` that pages, spot-check packs and the bulletin read.

-- The flags a rule raises from one unit's own ledgers alone, for some units
-- (null: every unit): a load recomputes only its own unit's (league.flags).
create or replace macro raised_unit_flags(months, units) as table
    select * from flag_count_jump(months, units)
    union all by name select * from flag_disappeared(months, units)
    union all by name select * from flag_reappeared(months, units)
    union all by name select * from flag_founding_date_moved(months, units)
    union all by name select * from flag_founded_after_built(months, units)
    union all by name select * from flag_copied_ledger(months, units)
    union all by name select * from flag_milestone_bunching(months, units)
    union all by name select * from flag_round_heaping(months, units);

-- The flags that weigh a month's units' ledgers against each other (the
-- correction over every unit's last-digit test): a ledger load recomputes them
-- for every unit of the month. league.flags.MONTH_WIDE_CODES names their codes.
create or replace macro raised_month_flags(months) as table
    select * from flag_last_digit(months);

-- The flags Youth Voice sheets raise: recomputed when one loads, never by a ledger.
-- league.flags.YOUTH_VOICE_CODES names their codes.
create or replace macro raised_youth_voice_flags(months) as table
    select * from flag_youth_voice_outlier(months)
    union all by name select * from flag_question_totals(months);

-- Every flag of the months asked.
create or replace macro raised_flags(months) as table
    select * from raised_unit_flags(months, null)
    union all by name select * from flag_duplicate_uscc(months, null)
    union all by name select * from raised_month_flags(months)
    union all by name select * from raised_youth_voice_flags(months);

-- The flags of some units (null: every unit's), each organisation named as
-- the flagged unit's newest ledger row names it: the row an inspector checks
-- (a code on two units' ledgers may be named differently on each). Only those
-- units' ledger rows are read, so a page about one unit reads its rows alone.
create or replace macro flags_of(units) as table
with names as (
    select s.unit_id, r.uscc, arg_max(r.org_name, (s.report_month, s.submission_id)) as org_name
    from ledger_submissions s
    join ledger_rows r using (submission_id)
    where (units is null or list_contains(units, s.unit_id))
      and r.uscc in (select uscc from quality_flags where units is null or list_contains(units, unit_id))
    group by s.unit_id, r.uscc
),
final as (
    select
        u.district, u.name as unit, q.report_month, q.uscc, o.org_name, q.code, q.severity,
        q.message, q.evidence, q.computed_at
    from quality_flags q
    join units u using (unit_id)
    left join names o on o.unit_id = q.unit_id and o.uscc = q.uscc
    where units is null or list_contains(units, q.unit_id)
)
select * from final;

-- The view pages, spot-check packs and the bulletin read (interfaces.md): one
-- row per raised flag. Unscoped like the other views: the named queries keep
-- to units_in_scope.
create or replace view flags as select * from flags_of(null);
