-- The unanswered backlog at the as-of month's end (or now): every question
-- asked by then with no effective reply yet, per unit and for the scope (unit
-- null), by how long it has waited, and the oldest wait in days.
with waiting as (
    select q.*, waiting_band(q.waiting_hours) as band
    from questions_as_of(month_end_moment($as_of_month::date)) q
    where q.unit_id in (select unit_id from units_in_scope($scope)) and not q.answered
),
final as (
    select
        district, unit,
        count(*)::integer as waiting,
        count_if(band = '不足1天')::integer as waiting_under_day,
        count_if(band = '1–7天')::integer as waiting_week,
        count_if(band = '7–30天')::integer as waiting_month,
        count_if(band = '30天以上')::integer as waiting_over_month,
        round(max(waiting_hours) / 24, 1) as oldest_days
    from waiting
    group by grouping sets ((district, unit), ())
)
select * from final order by unit is not null, waiting_over_month desc, waiting desc, district, unit;
