-- Data-quality and integrity flags (issue 11): raised when a ledger or a Youth
-- Voice report loads, by the rules of league/sql/flags.sql, and kept as rows so
-- that pages, spot-check packs and the bulletin all read the same flags (the
-- view `flags`). A month's flags are replaced whole each time they are
-- recomputed (league/flags.py refresh), so the table holds no history.

create table quality_flags (
    unit_id      integer not null references units (unit_id),
    report_month date not null,        -- first day of the month the flag is about
    uscc         varchar,              -- the organisation; null for a flag on the whole unit-month
    code         varchar not null,     -- which rule raised it (duplicate_uscc, count_jump, ...)
    severity     varchar not null check (severity in ('严重', '警示', '提示')),
    message      varchar not null,     -- what to check on site, with the values, in Chinese
    evidence     json not null,        -- the values and months that raised it
    computed_at  timestamp not null
);

insert into plan_settings values
    ('flag_jump_ratio', 2, '组织的从业人员数、青年数或团员数达到上月的该倍数及以上，或降到该倍数分之一及以下，视为人数突变'),
    ('flag_jump_min_change', 10, '人数突变还须增减至少该人数，人数少的组织不因几个人的变化提示；建团当月团员数的增加不算突变'),
    ('flag_copied_min_rows', 10, '台账至少有该行数且与上月逐行完全相同，才提示疑似照抄上月台账'),
    ('flag_bunching_window_days', 5, '节点日期前（含当天）的该天数内视为“节点前最后几天”'),
    ('flag_bunching_min_orgs', 5, '节点所在月新建团组织至少该数才检验是否扎堆在节点前最后几天'),
    ('flag_bunching_max_p', 0.01, '新建日期扎堆的二项检验（与当月各天均匀分布相比）单侧 p 值低于该值时提示'),
    ('flag_count_min_value', 10, '尾数检验只看不小于该值的人数（从业人员数、青年数、团员数）'),
    ('flag_heaping_min_values', 50, '一份台账中参与尾数检验的人数至少该个数才计算惠普尔指数和尾数检验'),
    ('flag_heaping_rough', 125, '惠普尔指数（尾数为 0 或 5 的占比 ÷ 20%）高于该值为“粗略”（联合国分级：125–175 粗略）'),
    ('flag_heaping_very_rough', 175, '惠普尔指数高于该值为“很粗略”'),
    ('flag_digit_max_q', 0.05, '尾数均匀性 G 检验经当月各单位 Benjamini–Hochberg 校正后的 q 值低于该值时提示'),
    ('flag_youth_voice_max_z', 3.5, '“青年之声”指标的稳健 z 值（Iglewicz–Hoaglin 修正 z 分数）绝对值超过该值时提示'),
    ('flag_youth_voice_min_history', 4, '“青年之声”指标至少有该数量的此前月份才判断是否异常'),
    ('flag_youth_voice_min_ratio', 2, '“青年之声”指标还须达到此前中位数的该倍数及以上，或降到该倍数分之一及以下，才提示'),
    ('flag_youth_voice_min_change', 10, '“青年之声”指标与此前中位数至少相差该数才提示，数值小的指标不因几个数的变化提示');
