-- Party-led synchronisation (党建带团建, 同步建立) at each month end of the
-- as-of month's year up to it, per unit and the organisations' district:
-- organisations with a party organisation and at least gap_min_members league
-- members, and how many of them have a league organisation. Each month reads
-- the coverage cells (league.marts) of the ledgers standing then.
with months as (
    select report_month from plan_curve(year($as_of_month::date)) where report_month <= $as_of_month::date
),
standing as (
    select m.report_month as month, u.name as unit, c.district, c.organisations, c.with_league_org
    from months m
    cross join lateral standing_submissions(m.report_month, signed_off_only := $signed_off_only::boolean) s
    join units_in_scope($scope) u using (unit_id)
    join mart_ledger_cells c using (submission_id)
    where c.segment = 'party_led_due'
),
final as (
    select
        month, district, unit,
        sum(organisations)::integer as party_led_due,
        sum(with_league_org)::integer as synchronised
    from standing
    group by all
)
select * from final order by month, district, unit;
