-- What youth ask about: questions and those effectively answered (by the as-of
-- month's end) per month of its year, district, unit and service category.
with asked as (
    select q.*
    from questions_as_of(month_end_moment($as_of_month::date)) q
    where q.unit_id in (select unit_id from units_in_scope($scope))
      and year(q.month) = year($as_of_month::date)
),
final as (
    select month, district, unit, coalesce(category, '其他') as category,
           count(*)::integer as questions, count_if(answered)::integer as answered
    from asked
    group by all
)
select * from final order by month, district, unit, category;
