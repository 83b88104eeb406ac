-- The members not entered in time, as of the as-of month's end (or today):
-- entered after the deadline, or still not entered with the deadline passed;
-- the longest overdue first. Names and ID numbers are personal: the gateway
-- masks them, or shows the full ID number (id_sealed) to a role allowed.
with as_of as (
    select least(last_day($as_of_month::date), current_date) as day
),
final as (
    select
        e.district, e.unit, e.name as member_name, e.id_number, e.id_sealed, e.member_no, e.developing_org,
        e.joined_on, e.entry_deadline, e.entered_on, e.entry_state, e.days_overdue
    from member_entry((select day from as_of)) e
    where e.unit_id in (select unit_id from units_in_scope($scope))
      and year(e.joined_on) = year($as_of_month::date)
      and e.entry_state in ('late', 'overdue')
)
select * from final order by entry_state = 'overdue' desc, days_overdue desc, district, unit, member_no;
