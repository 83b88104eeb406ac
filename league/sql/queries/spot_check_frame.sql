-- The organisations a spot-check pack for a reporting unit and month is drawn
-- from: the ledger the unit stands on at that month, each organisation in the
-- first stratum it belongs to (stratum_rank 1 to 4): newly built this year,
-- flagged (a data-quality flag on the organisation, stored in quality_flags,
-- for the unit and the ledger's month), directly managed, or the rest.
-- league/spotcheck.py draws the sample from these rows.
with standing as (
    select l.*
    from unit_ledger_as_of($unit, $as_of_month::date) l
    where l.unit in (select name from units_in_scope($scope))
),
flagged as (
    select distinct q.uscc
    from quality_flags q
    join units u using (unit_id)
    join standing s on s.uscc = q.uscc and s.unit = u.name and s.report_month = q.report_month
),
strata as (
    select
        s.*,
        case
            when coalesce(is_new_this_year(s.has_league_org, s.league_org_date, year($as_of_month::date),
                                           $as_of_month::date), false) then 1
            when s.uscc in (select uscc from flagged) then 2
            when coalesce(s.directly_managed, false) then 3
            else 4
        end as stratum_rank
    from standing s
),
final as (
    select
        stratum_rank,
        ['new_this_year', 'flagged', 'directly_managed', 'other'][stratum_rank] as stratum,
        uscc, org_name, district, street, industry, org_type, employees, youth_employees, league_members,
        has_league_org, league_org_kind, league_org_date, directly_managed, leader_name, leader_phone,
        unit, report_month as ledger_month, submission_id
    from strata
)
select * from final order by stratum_rank, uscc;
