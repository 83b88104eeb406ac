-- The numbers to chase: issued but untraced, used outside the unit's ranges,
-- or used twice, with who used them (names personal, masked by the gateway).
with numbers as (
    select m.*
    from member_numbers m
    where m.unit_id in (select unit_id from units_in_scope($scope))
      and m.trace in ('untraced', 'outside_range', 'duplicate')
),
users as (
    select unit_id, member_no::bigint as number,
           string_agg(name, '、' order by joined_on, name) as member_name,
           min(joined_on) as first_joined_on
    from roster
    group by all
),
final as (
    select n.trace, n.district, n.unit, n.member_no, n.in_range, n.roster_uses, n.uses_anywhere,
           u.member_name, u.first_joined_on
    from numbers n
    left join users u on u.unit_id = n.unit_id and u.number = n.member_no::bigint
)
select * from final
order by case trace when 'duplicate' then 1 when 'outside_range' then 2 else 3 end, district, unit, member_no;
