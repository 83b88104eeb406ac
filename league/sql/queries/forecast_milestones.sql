-- What is still ahead of the as-of month, for each reporting unit in scope,
-- each district and the total: every milestone due after the month's end and
-- the year end (31 December, the whole target), with the count each must
-- have built by then (the progress page's rule: target x share, rounded up;
-- null without a target) and the months left until it (the due month counted).
with scoped_units as (
    select name as unit, district
    from units_in_scope($scope)
    where $districts::varchar[] is null or list_contains($districts::varchar[], district)
),
year_targets as (
    select unit, progress_target($org_type::varchar, target_enterprise, target_social)::integer as target
    from targets
    where year = year($as_of_month::date)
),
targeted as (
    select s.unit, s.district, t.target
    from scoped_units s
    left join year_targets t using (unit)
),
areas as (
    select
        case when grouping(district) = 1 then 'total' when grouping(unit) = 1 then 'district' else 'unit' end
            as level,
        unit,
        district,
        sum(target)::integer as target
    from targeted
    group by grouping sets ((district, unit), (district), ())
),
points as (
    select 'milestone' as point, due_date, share
    from milestones_for(year($as_of_month::date))
    where due_date > last_day($as_of_month::date)
    union all
    select 'year_end' as point, make_date(year($as_of_month::date), 12, 31) as due_date, 1.0 as share
    where make_date(year($as_of_month::date), 12, 31) > last_day($as_of_month::date)
),
final as (
    select
        a.level, a.unit, a.district, a.target, p.point, p.due_date, p.share,
        -- short of a share with nothing built yet: the count the share asks for. No target, or a
        -- target of 0, asks for nothing to judge (无目标, as on the progress page): null, not 0
        -- (greatest() would turn the null into 0, a point reached by everyone)
        case when a.target > 0 then organisations_short(0, a.target, p.share) end as needed,
        datediff('month', $as_of_month::date, date_trunc('month', p.due_date))::integer as months_left
    from areas a
    cross join points p
)
select * from final
order by case level when 'total' then 0 when 'district' then 1 else 2 end, district, unit, due_date, point;
