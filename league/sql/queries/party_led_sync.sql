-- Party-led synchronisation (党建带团建, 同步建立) at each month end of the
-- as-of month's year up to it, per unit: organisations with a party
-- organisation and at least gap_min_members league members, and how many of
-- them have a league organisation. Each month reads the ledgers standing then.
with months as (
    select report_month from plan_curve(year($as_of_month::date)) where report_month <= $as_of_month::date
),
standing as (
    select m.report_month as month, l.*
    from months m
    cross join lateral ledger_as_of(m.report_month, signed_off_only := $signed_off_only::boolean) l
    where l.unit in (select name from units_in_scope($scope))
      and party_led_due(l.has_party_org, l.league_members)
),
final as (
    select
        month, district, unit,
        count(*)::integer as party_led_due,
        count_if(coalesce(has_league_org, false))::integer as synchronised
    from standing
    group by all
)
select * from final order by month, district, unit;
