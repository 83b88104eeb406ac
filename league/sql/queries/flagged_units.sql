-- The units in scope (optionally one district or unit) with flags (optionally
-- on one organisation's credit code): flag_list names them to flags_of, whose
-- lookup of organisation names then reads their ledgers alone.
select distinct q.unit_id
from quality_flags q
join units_in_scope($scope) u using (unit_id)
where ($district::varchar is null or u.district = $district::varchar)
  and ($unit::varchar is null or u.name = $unit::varchar)
  and ($uscc::varchar is null or q.uscc = $uscc::varchar)
order by q.unit_id;
