-- Data-quality and integrity flags: each rule defined once, as a table macro
-- over the report months being recomputed (this file: the helpers and the
-- rules on one organisation; flags_unit_month.sql: the rules on a whole
-- unit-month; flags_raised.sql: all of them, and the view), returning
--     unit_id, report_month, uscc (null: the whole unit-month), code, severity, message, evidence
-- league/flags.py refresh replaces those months' rows of quality_flags with
-- `raised_flags(months)`; pages, spot-check packs and the bulletin read them
-- through the view `flags`. The numbers each rule uses are plan_settings rows
-- (flag_*), quoted in the message, so an inspector sees why a flag was raised.
--
-- Severity: 严重 (the figures are probably wrong: check before counting them),
-- 警示 (something changed or clashes: ask about it on the visit), 提示 (a
-- statistical hint: look at it if there is time).
--
-- p-values come from scipy through two functions league/flags.py registers on
-- the connection (binomial_upper_tail, chi_square_upper_tail), so these macros
-- are created only on a connection that has them.

create or replace macro flag_severity_rank(severity) as
    case severity when '严重' then 0 when '警示' then 1 when '提示' then 2 end;

create or replace macro flag_month_text(m) as strftime(m, '%Y年%-m月');

-- Every accepted ledger row with its unit and month, and the row's contract
-- fields as one value (all but the bookkeeping columns), so that two months'
-- rows can be compared field for field.
create or replace macro flag_ledger(units) as table
    select s.unit_id, s.report_month, r.*,
           struct_pack(*columns(r.* exclude (submission_id, excel_row, extra))) as fields
    from ledger_submissions s
    join ledger_rows r using (submission_id)
    where units is null or list_contains(units, s.unit_id);

-- Each unit-month with a ledger, and the unit's ledger before it (the latest
-- earlier month it sent, so a month it missed does not make everything vanish).
create or replace macro flag_unit_months(units) as table
    select unit_id, report_month, submission_id,
           lag(report_month) over unit_months as previous_month,
           lag(submission_id) over unit_months as previous_submission_id
    from ledger_submissions
    where units is null or list_contains(units, unit_id)
    window unit_months as (partition by unit_id order by report_month);

-- The organisations of the months asked, each beside its row in the unit's
-- previous ledger (before_* null when it was not on it).
create or replace macro flag_org_pairs(months, units) as table
    select m.unit_id, m.report_month, m.previous_month, c.uscc, c.org_name,
           c.employees, c.youth_employees, c.league_members, c.has_league_org,
           p.uscc as before_uscc, p.employees as before_employees,
           p.youth_employees as before_youth_employees, p.league_members as before_league_members,
           p.has_league_org as before_has_league_org
    from flag_unit_months(units) m
    join ledger_rows c on c.submission_id = m.submission_id
    left join ledger_rows p on p.submission_id = m.previous_submission_id and p.uscc = c.uscc
    where list_contains(months, m.report_month);

-- duplicate_uscc: one credit code on two or more units' ledgers of the same
-- month; raised on each of those units' rows. For some credit codes only (null:
-- every one): a load recomputes the codes on its unit's ledger and its flags.
create or replace macro flag_duplicate_uscc(months, usccs) as table
with reported as (
    select l.unit_id, u.name as unit, l.report_month, l.uscc, l.org_name
    from flag_ledger(null) l
    join units u using (unit_id)
    where list_contains(months, l.report_month)
      and (usccs is null or l.uscc in (select unnest(usccs)))
),
shared as (
    select report_month, uscc, list(unit order by unit) as units
    from reported
    group by report_month, uscc
    having count(*) >= 2
),
final as (
    select
        r.unit_id, r.report_month, r.uscc, 'duplicate_uscc' as code, '警示' as severity,
        format('“{}”（{}）本月同时列在{}的台账中，可能被重复统计；请现场核实该组织归属哪个单位，并请其他单位从台账中删除。',
               r.org_name, r.uscc, array_to_string(list_filter(s.units, lambda x: x <> r.unit), '、')) as message,
        to_json({'month': r.report_month, 'units': s.units}) as evidence
    from reported r
    join shared s using (report_month, uscc)
)
select * from final;

-- count_jump: employees, youth employees or league members at least
-- flag_jump_ratio times last month's, or at most 1/flag_jump_ratio of it, and
-- changed by at least flag_jump_min_change people. League members rising in the
-- month an organisation first reports its league organisation are not a jump:
-- building one is when the first members are recruited or transferred in.
create or replace macro flag_count_jump(months, units) as table
with counts as (
    select unit_id, report_month, previous_month, uscc, org_name,
           coalesce(has_league_org, false) and not coalesce(before_has_league_org, false) as built_now,
           unnest([
               {'field': 'employees', 'label': '从业人员数', 'roster': '用工名册或社保缴费名单',
                'before': before_employees, 'now': employees},
               {'field': 'youth_employees', 'label': '35岁以下青年数', 'roster': '青年职工名单',
                'before': before_youth_employees, 'now': youth_employees},
               {'field': 'league_members', 'label': '团员数', 'roster': '团员花名册',
                'before': before_league_members, 'now': league_members}
           ]) as c
    from flag_org_pairs(months, units)
    where before_uscc is not null
),
jumped as (
    select *, plan_setting('flag_jump_ratio') as ratio, plan_setting('flag_jump_min_change') as min_change
    from counts
    where c.before is not null and c.now is not null
      and not (built_now and c.field = 'league_members' and c.now > c.before)
      and abs(c.now - c.before) >= plan_setting('flag_jump_min_change')
      and (c.now >= c.before * plan_setting('flag_jump_ratio') or c.now * plan_setting('flag_jump_ratio') <= c.before)
),
final as (
    select
        unit_id, report_month, uscc, 'count_jump' as code, '警示' as severity,
        format('“{}”的{}由 {} 人（{}）变为 {} 人，变化超过 {} 倍且相差 {} 人以上；请现场核对{}。',
               org_name, c.label, c.before, flag_month_text(previous_month), c.now, ratio::integer,
               min_change::integer, c.roster) as message,
        to_json({'field': c.field, 'before': c.before, 'now': c.now, 'previous_month': previous_month,
                 'month': report_month, 'ratio': ratio, 'min_change': min_change}) as evidence
    from jumped
)
select * from final;

-- disappeared: on the unit's previous ledger, not on this one; raised on this
-- month with that credit code.
create or replace macro flag_disappeared(months, units) as table
with gone as (
    select m.unit_id, m.report_month, m.previous_month, p.uscc, p.org_name
    from flag_unit_months(units) m
    join ledger_rows p on p.submission_id = m.previous_submission_id
    anti join ledger_rows c on c.submission_id = m.submission_id and c.uscc = p.uscc
    where list_contains(months, m.report_month)
),
final as (
    select
        unit_id, report_month, uscc, 'disappeared' as code, '提示' as severity,
        format('“{}”（{}）在{}台账中，本月台账中没有了；请核实该组织是否已注销、迁出或被漏报。',
               org_name, uscc, flag_month_text(previous_month)) as message,
        to_json({'previous_month': previous_month, 'month': report_month}) as evidence
    from gone
)
select * from final;

-- reappeared: not on the unit's previous ledger, but on an earlier one.
create or replace macro flag_reappeared(months, units) as table
with returned as (
    select unit_id, report_month, previous_month, uscc, org_name
    from flag_org_pairs(months, units)
    where previous_month is not null and before_uscc is null
),
last_seen as (
    select r.unit_id, r.report_month, r.previous_month, r.uscc, r.org_name, max(e.report_month) as last_seen_month
    from returned r
    join flag_ledger(units) e on e.unit_id = r.unit_id and e.uscc = r.uscc and e.report_month < r.previous_month
    group by all
),
final as (
    select
        unit_id, report_month, uscc, 'reappeared' as code, '提示' as severity,
        format('“{}”（{}）上次出现在{}台账中，{}台账中没有，本月又出现了；请核实其间是否停业、迁出又迁回，或是被漏报。',
               org_name, uscc, flag_month_text(last_seen_month), flag_month_text(previous_month)) as message,
        to_json({'last_seen_month': last_seen_month, 'previous_month': previous_month,
                 'month': report_month}) as evidence
    from last_seen
)
select * from final;

-- What each organisation of the months asked had reported about its league
-- organisation on the unit's earlier ledgers: the latest earlier founding date
-- given and the first month it was reported built.
create or replace macro flag_founding_history(months, units) as table
    select
        c.unit_id, c.report_month, c.uscc, c.org_name, c.has_league_org, c.league_org_date,
        arg_max(e.league_org_date, e.report_month)
            filter (where e.report_month < c.report_month and e.league_org_date is not null) as earlier_date,
        max(e.report_month)
            filter (where e.report_month < c.report_month and e.league_org_date is not null) as earlier_date_month,
        min(e.report_month) filter (where e.has_league_org) as first_built_month
    from flag_ledger(units) c
    left join flag_ledger(units) e on e.unit_id = c.unit_id and e.uscc = c.uscc and e.report_month <= c.report_month
    where list_contains(months, c.report_month)
    group by all;

-- founding_date_moved: a founding date other than the one last reported.
create or replace macro flag_founding_date_moved(months, units) as table
select
    unit_id, report_month, uscc, 'founding_date_moved' as code, '警示' as severity,
    format('“{}”的建团日期在{}台账中是 {}，本月台账改为 {}；请现场核对建团批复文件上的成立日期。',
           org_name, flag_month_text(earlier_date_month), earlier_date, league_org_date) as message,
    to_json({'before': earlier_date, 'before_month': earlier_date_month, 'now': league_org_date,
             'month': report_month}) as evidence
from flag_founding_history(months, units)
where league_org_date is not null and earlier_date is not null and league_org_date <> earlier_date;

-- founded_after_built: a founding date later than the last day of the first
-- month the organisation was reported to have a league organisation.
create or replace macro flag_founded_after_built(months, units) as table
select
    unit_id, report_month, uscc, 'founded_after_built' as code, '严重' as severity,
    format('“{}”自{}台账起报“已建立团组织”，本月台账的建团日期却是 {}，晚于该月；请现场核对建团批复文件，确认此前各月是否多报了新建团组织。',
           org_name, flag_month_text(first_built_month), league_org_date) as message,
    to_json({'first_built_month': first_built_month, 'league_org_date': league_org_date,
             'month': report_month}) as evidence
from flag_founding_history(months, units)
where has_league_org and league_org_date > last_day(first_built_month);
