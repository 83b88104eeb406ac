-- Data-quality flags on a whole unit-month (uscc null): a copied ledger, new
-- organisations bunched before a milestone, round numbers and last digits, and
-- Youth Voice outliers. Each rule a table macro over the report months being
-- recomputed, as in flags.sql (which defines the helpers used here and says
-- how severities are chosen); flags_raised.sql gathers them.

-- copied_ledger: at least flag_copied_min_rows rows, every one identical in
-- every contract field to the unit's previous ledger, and no row more or less.
create or replace macro flag_copied_ledger(months, units) as table
with compared as (
    select m.unit_id, m.report_month, m.previous_month, m.submission_id, m.previous_submission_id,
           count(*) as rows_now,
           count(p.uscc) filter (where p.fields is not distinct from c.fields) as rows_same
    from flag_unit_months(units) m
    join flag_ledger(units) c on c.submission_id = m.submission_id
    left join flag_ledger(units) p on p.submission_id = m.previous_submission_id and p.uscc = c.uscc
    where list_contains(months, m.report_month)
    group by all
),
copied as (
    select c.*
    from compared c
    where c.rows_now >= plan_setting('flag_copied_min_rows') and c.rows_same = c.rows_now
      and c.rows_now = (select count(*) from ledger_rows r where r.submission_id = c.previous_submission_id)
),
final as (
    select
        unit_id, report_month, null::varchar as uscc, 'copied_ledger' as code, '严重' as severity,
        format('本月台账 {} 行与{}台账逐行完全相同（人数、建团情况、备注都没有变化），疑似照抄上月台账；请现场抽查本月新建团组织和人数变化是否如实填报。',
               rows_now, flag_month_text(previous_month)) as message,
        to_json({'rows': rows_now, 'previous_month': previous_month, 'month': report_month,
                 'submission_id': submission_id, 'previous_submission_id': previous_submission_id,
                 'min_rows': plan_setting('flag_copied_min_rows')}) as evidence
    from copied
)
select * from final;

-- milestone_bunching: new league organisations founded in a milestone's month
-- up to the milestone, dated within its last flag_bunching_window_days days far
-- more often than a uniform spread over those days would give: one-sided
-- binomial test, p < flag_bunching_max_p, at least flag_bunching_min_orgs new
-- ones. Read from the unit's ledger of the month after the milestone's when it
-- has one (a ledger sent on the 26th cannot show an organisation founded on the
-- 30th), else from the milestone month's own; raised on the milestone month.
create or replace macro flag_milestone_bunching(months, units) as table
with milestones as (
    select t.report_month, ms.due_date, ms.share,
           plan_setting('flag_bunching_window_days')::integer as window_days
    from (select unnest(months) as report_month) t, lateral milestones_for(year(t.report_month)) ms
    where date_trunc('month', ms.due_date) = t.report_month
),
source_ledgers as (
    select ms.*, s.unit_id, max(s.report_month) as ledger_month,
           arg_max(s.submission_id, s.report_month) as submission_id
    from milestones ms
    join ledger_submissions s on s.report_month in (ms.report_month, ms.report_month + interval 1 month)
    where units is null or list_contains(units, s.unit_id)
    group by all
),
built as (
    select l.unit_id, l.report_month, l.due_date, l.share, l.window_days, l.ledger_month,
           count(*) as built,
           count(*) filter (where r.league_org_date > l.due_date - l.window_days) as late
    from source_ledgers l
    join ledger_rows r using (submission_id)
    where r.has_league_org and r.league_org_date between l.report_month and l.due_date
    group by all
),
tested as (
    select *, window_days / day(due_date) as expected_share,
           binomial_upper_tail(late, built, window_days / day(due_date)) as p_value
    from built
    where built >= plan_setting('flag_bunching_min_orgs') and late > 0
),
final as (
    select
        unit_id, report_month, null::varchar as uscc, 'milestone_bunching' as code, '警示' as severity,
        format('{}台账中建团日期在{}1日至{}节点（{}%）的新建团组织 {} 个，其中 {} 个在节点前最后 {} 天内；若在这些天中均匀分布只应约 {} 个（二项检验 p = {}，低于 {} 即提示）；请现场核对这些组织的建团批复和首次组织生活记录，排除为赶节点倒签日期。',
               flag_month_text(ledger_month), strftime(due_date, '%-m月'), strftime(due_date, '%-m月%-d日'),
               round(share * 100)::integer, built, late, window_days, format('{:.1f}', built * expected_share),
               format('{:.2g}', p_value), plan_setting('flag_bunching_max_p')) as message,
        to_json({'milestone': due_date, 'ledger_month': ledger_month, 'built': built, 'in_last_days': late,
                 'window_days': window_days, 'expected_share': expected_share, 'p_value': p_value,
                 'max_p': plan_setting('flag_bunching_max_p')}) as evidence
    from tested
    where p_value < plan_setting('flag_bunching_max_p')
)
select * from final;

-- The counts the digit rules look at, in each ledger of the months asked:
-- employees, youth employees and league members from flag_count_min_value - 5
-- up (the values just below the smallest tested one are its neighbours).
create or replace macro flag_ledger_counts(months, units) as table
    select unit_id, report_month, x
    from (
        select unit_id, report_month, unnest([employees, youth_employees, league_members]) as x
        from flag_ledger(units)
        where list_contains(months, report_month)
    )
    where x >= plan_setting('flag_count_min_value') - 5;

-- round_heaping: Whipple's index, 100 x (counts ending in 0 or 5, from
-- flag_count_min_value up) / (1/5 of the counts in the 5-wide windows centred on
-- those multiples of 5, i.e. from flag_count_min_value - 2 up): 100 when round
-- numbers are as common as their neighbours. Centring the windows, as the
-- demographers' 23-62 age range does, matters here: an organisation's headcount
-- is more often 10 than 14, and a range starting at 10 would count that
-- decline as heaping (the demo's honest ledgers scored 109 by median, 55 of
-- 468 over 125; centred, 98 and none). Over flag_heaping_rough (125) is "rough"
-- and over flag_heaping_very_rough (175) "very rough" on the UN's scale. Needs
-- at least flag_heaping_min_values counts.
create or replace macro flag_round_heaping(months, units) as table
with indexed as (
    select unit_id, report_month, count(*) as counts,
           count(*) filter (where x >= plan_setting('flag_count_min_value') and x % 5 = 0) as round_counts,
           100 * round_counts / (counts / 5) as whipple
    from flag_ledger_counts(months, units)
    where x >= plan_setting('flag_count_min_value') - 2
    group by unit_id, report_month
    having count(*) >= plan_setting('flag_heaping_min_values')
),
final as (
    select
        unit_id, report_month, null::varchar as uscc, 'round_heaping' as code,
        case when whipple > plan_setting('flag_heaping_very_rough') then '警示' else '提示' end as severity,
        format('台账中不小于 {} 的人数共 {} 个，其中 {} 个是 5 或 10 的整倍数，为其相邻人数平均个数的 {} 倍（惠普尔指数 {}，如实清点时约 100，高于 {} 为“粗略”，高于 {} 为“很粗略”），人数可能是估报的整数；请现场抽查几家组织的花名册，核对实际人数。',
               plan_setting('flag_count_min_value')::integer - 2, counts, round_counts,
               format('{:.1f}', whipple / 100), format('{:.0f}', whipple),
               plan_setting('flag_heaping_rough')::integer, plan_setting('flag_heaping_very_rough')::integer) as message,
        to_json({'counts': counts, 'multiples_of_5': round_counts, 'whipple': whipple,
                 'rough': plan_setting('flag_heaping_rough'), 'very_rough': plan_setting('flag_heaping_very_rough'),
                 'min_value': plan_setting('flag_count_min_value')}) as evidence
    from indexed
    where whipple > plan_setting('flag_heaping_rough')
)
select * from final;

-- last_digit: a G-test that the last digits of the counts from
-- flag_count_min_value up are uniform, G = 2 sum O ln(O/E) over the ten digits,
-- with Williams' correction for small samples (G / (1 + 11/(6n))), p from the
-- chi-square distribution with 9 degrees of freedom; then the
-- Benjamini-Hochberg correction across the units tested that month, raised at
-- q < flag_digit_max_q. "Uniform" is taken locally: each count's expected
-- digit is spread evenly over the ten values centred on it (x-5 .. x+5, the two
-- ends half), so a lone 1,200 expects every digit alike, while the many small
-- organisations (more with 10 people than with 19) do not make 0 and 1 look
-- preferred (against a flat 10% each, 79 of the demo's 468 honest ledgers
-- gave p < 0.05, locally 19, as chance would). Needs at least
-- flag_heaping_min_values counts.
create or replace macro flag_last_digit(months) as table
with tallies as (
    -- how often each count occurs in a unit-month: a province's million rows are a few thousand values
    select unit_id, report_month, x, count(*) as n
    from flag_ledger_counts(months, null)
    group by all
),
observed as (
    select unit_id, report_month, x % 10 as digit, sum(n)::bigint as observed
    from tallies
    where x >= plan_setting('flag_count_min_value')
    group by all
),
spread as (
    select unit_id, report_month, (x + k) % 10 as digit, sum(n * if(abs(k) = 5, 0.05, 0.1)) as weight
    from tallies, (select unnest(range(-5, 6)) as k)
    where x + k >= plan_setting('flag_count_min_value')
    group by all
),
samples as (
    select unit_id, report_month, sum(observed) as counts
    from observed
    group by unit_id, report_month
    having sum(observed) >= plan_setting('flag_heaping_min_values')
),
digits as (
    select s.unit_id, s.report_month, s.counts, d.digit, coalesce(o.observed, 0) as observed,
           d.weight * s.counts / sum(d.weight) over (partition by s.unit_id, s.report_month) as expected
    from samples s
    join spread d using (unit_id, report_month)
    left join observed o using (unit_id, report_month, digit)
),
tested as (
    select unit_id, report_month, counts,
           2 * sum(if(observed > 0, observed * ln(observed / expected), 0)) / (1 + 11 / (6 * counts)) as g,
           list({'digit': digit, 'count': observed, 'expected': round(expected, 1)} order by digit) as digit_counts
    from digits
    group by unit_id, report_month, counts
),
ranked as (
    select *, chi_square_upper_tail(g, 9) as p_value,
           row_number() over (partition by report_month order by chi_square_upper_tail(g, 9), unit_id) as rank,
           count(*) over (partition by report_month) as tests
    from tested
),
corrected as (
    select *,
           least(1, min(p_value * tests / rank) over (
               partition by report_month order by rank desc rows between unbounded preceding and current row
           )) as q_value
    from ranked
),
final as (
    select
        unit_id, report_month, null::varchar as uscc, 'last_digit' as code, '提示' as severity,
        format('台账中不小于 {} 的人数共 {} 个，尾数 0–9 各有 {} 个，按相邻人数应约为 {} 个，差异显著（G 检验 p = {}，经当月 {} 个单位多重检验校正后 q = {}，低于 {} 即提示），人数可能是估报或凑的；请现场抽查花名册。',
               plan_setting('flag_count_min_value')::integer, counts,
               array_to_string(list_transform(digit_counts, lambda d: d.count::varchar), '/'),
               array_to_string(list_transform(digit_counts, lambda d: format('{:.0f}', d.expected)), '/'),
               format('{:.2g}', p_value), tests, format('{:.2g}', q_value), plan_setting('flag_digit_max_q')) as message,
        to_json({'counts': counts, 'digits': digit_counts, 'g_williams': g, 'p_value': p_value,
                 'q_value': q_value, 'units_tested': tests, 'max_q': plan_setting('flag_digit_max_q'),
                 'min_value': plan_setting('flag_count_min_value')}) as evidence
    from corrected
    where q_value < plan_setting('flag_digit_max_q')
)
select * from final;

-- Every Youth Voice count of every unit-month, one row per metric.
create or replace macro flag_youth_voice_values() as table
    select unit_id, month, m.metric, m.label, m.value
    from (
        select u.unit_id, v.month, unnest([
            {'metric': 'terminals', 'label': '网络终端数', 'value': v.terminals},
            {'metric': 'visits', 'label': '访问量', 'value': v.visits},
            {'metric': 'questions', 'label': '咨询求助及问题反映数', 'value': v.questions},
            {'metric': 'effective_replies', 'label': '有效回复数', 'value': v.effective_replies},
            {'metric': 'alliances', 'label': '线下服务联盟数', 'value': v.alliances},
            {'metric': 'experts', 'label': '专家数', 'value': v.experts},
            {'metric': 'activities', 'label': '线下服务活动场次', 'value': v.activities},
            {'metric': 'youth_reached', 'label': '覆盖青年人次', 'value': v.youth_reached},
            {'metric': 'weibo_accounts', 'label': '微博账号数', 'value': v.weibo_accounts},
            {'metric': 'wechat_accounts', 'label': '微信公众号数', 'value': v.wechat_accounts}
        ]) as m
        from youth_voice v
        join units u on u.name = v.unit
    )
    where m.value is not null;

-- youth_voice_outlier: a count far from the unit's own earlier months, by
-- Iglewicz and Hoaglin's modified z-score M = 0.6745 (x - median) / MAD, raised
-- at |M| > flag_youth_voice_max_z (3.5). Counts with many equal months have a
-- MAD of 0: then M = (x - median) / (1.253314 MeanAD), MeanAD the mean absolute
-- deviation from the median; when that is 0 too (a constant history), any
-- value other than the constant counts. Either way the value must differ from
-- the median by at least flag_youth_voice_min_change and be at least
-- flag_youth_voice_min_ratio times it or at most 1/flag_youth_voice_min_ratio of
-- it: with four or five earlier months the MAD is itself rough, and without
-- these a month 30% up on a steady series would be raised. At least
-- flag_youth_voice_min_history earlier months are needed.
create or replace macro flag_youth_voice_outlier(months) as table
with histories as (
    select c.unit_id, c.month, c.metric, c.label, c.value,
           list(h.value order by h.month) as earlier,
           list({'month': h.month, 'value': h.value} order by h.month) as earlier_months
    from flag_youth_voice_values() c
    join flag_youth_voice_values() h on h.unit_id = c.unit_id and h.metric = c.metric and h.month < c.month
    where list_contains(months, c.month)
    group by c.unit_id, c.month, c.metric, c.label, c.value
    having count(*) >= plan_setting('flag_youth_voice_min_history')
),
centred as (
    select *, list_median(earlier) as median from histories
),
spread as (
    select *,
           list_median(list_transform(earlier, lambda x: abs(x - median))) as mad,
           list_avg(list_transform(earlier, lambda x: abs(x - median))) as mean_ad
    from centred
),
scored as (
    select *,
           case when mad > 0 then 0.6745 * (value - median) / mad
                when mean_ad > 0 then (value - median) / (1.253314 * mean_ad) end as z
    from spread
),
outlying as (
    select *
    from scored
    where abs(value - median) >= plan_setting('flag_youth_voice_min_change')
      and (value >= median * plan_setting('flag_youth_voice_min_ratio')
           or value * plan_setting('flag_youth_voice_min_ratio') <= median)
      and (abs(z) > plan_setting('flag_youth_voice_max_z') or z is null)
),
final as (
    select
        unit_id, month as report_month, null::varchar as uscc, 'youth_voice_outlier' as code, '提示' as severity,
        case when z is null then
            format('“青年之声”{}本月为 {}，此前 {} 个月一直是 {}（相差 {}，达到 {} 即提示）；请向单位核实平台后台数据，确认是否录入错误或集中刷量。',
                   label, format('{:,}', value), len(earlier), format('{:,}', median::bigint),
                   format('{:,}', abs(value - median)::bigint), plan_setting('flag_youth_voice_min_change')::integer)
        else
            format('“青年之声”{}本月为 {}，此前 {} 个月的中位数为 {}（稳健 z 值 {}，绝对值超过 {} 即提示）；请向单位核实平台后台数据，确认是否录入错误或集中刷量。',
                   label, format('{:,}', value), len(earlier), format('{:,}', round(median)::bigint),
                   format('{:.1f}', z), plan_setting('flag_youth_voice_max_z'))
        end as message,
        to_json({'metric': metric, 'value': value, 'median': median, 'mad': mad, 'mean_ad': mean_ad, 'z': z,
                 'earlier': earlier_months, 'max_z': plan_setting('flag_youth_voice_max_z'),
                 'min_change': plan_setting('flag_youth_voice_min_change')}) as evidence
    from outlying
)
select * from final;
