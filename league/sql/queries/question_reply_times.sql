-- How fast youth get an effective answer: for each month of the as-of month's
-- year up to it, the questions asked, as they stood at the as-of month's end
-- (or now) — a question answered in a later month counts toward the month it
-- was asked in — per unit, per district (unit null) and for the scope (both
-- null): questions, effectively answered, the median and 90th percentile of
-- hours to the first effective reply among those answered (interpolated, so an
-- even count's median is the mean of the middle two), and the shares of all
-- the month's questions answered within reply_fast_hours (24) and
-- reply_week_days (7).
with asked as (
    select q.*
    from questions_as_of(month_end_moment($as_of_month::date)) q
    where q.unit_id in (select unit_id from units_in_scope($scope))
      and year(q.month) = year($as_of_month::date)
),
final as (
    select
        month, district, unit,
        count(*)::integer as questions,
        count_if(answered)::integer as answered,
        round(quantile_cont(reply_hours, 0.5), 1) as median_hours,
        round(quantile_cont(reply_hours, 0.9), 1) as p90_hours,
        count_if(reply_hours <= plan_setting('reply_fast_hours')) / count(*) as within_day_share,
        count_if(reply_hours <= plan_setting('reply_week_days') * 24) / count(*) as within_week_share
    from asked
    group by grouping sets ((month), (month, district), (month, district, unit))
)
select * from final order by month, district nulls first, unit nulls first;
