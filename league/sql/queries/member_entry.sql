-- Entry in the league's system (人人进系统) per unit and month of the branch
-- meeting, for the year of the as-of month up to its end (or today, if
-- sooner): members admitted, entered within the deadline, entered late, not
-- entered past the deadline, not yet entered but still in time.
with as_of as (
    select least(last_day($as_of_month::date), current_date) as day
),
members as (
    select e.*
    from member_entry((select day from as_of)) e
    where e.unit_id in (select unit_id from units_in_scope($scope))
      and year(e.joined_on) = year($as_of_month::date)
),
final as (
    select
        district, unit, date_trunc('month', joined_on)::date as month,
        count(*)::integer as admitted,
        count_if(entry_state = 'on_time')::integer as entered_on_time,
        count_if(entry_state = 'late')::integer as entered_late,
        count_if(entry_state = 'overdue')::integer as not_entered_overdue,
        count_if(entry_state = 'pending')::integer as not_entered_in_time
    from members
    group by all
)
select * from final order by district, unit, month;
