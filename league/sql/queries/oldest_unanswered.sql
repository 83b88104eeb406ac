-- The questions waiting longest for an effective reply at the as-of month's
-- end (or now): the list to follow up, oldest first (at most 500).
with final as (
    select q.district, q.unit, q.question_id, q.asked_at, q.category, round(q.waiting_hours / 24, 1) as waiting_days,
           waiting_band(q.waiting_hours) as waiting_band
    from questions_as_of(month_end_moment($as_of_month::date)) q
    where q.unit_id in (select unit_id from units_in_scope($scope)) and not q.answered
)
select * from final order by asked_at, district, unit, question_id limit 500;
