-- Youth Voice month by month up to the as-of month, summed over the units in
-- scope (or for one unit when $unit is given).
with scoped_units as (
    select name as unit
    from units_in_scope($scope)
    where $unit::varchar is null or name = $unit::varchar
),
reported as (
    select v.*
    from youth_voice v
    join scoped_units using (unit)
    where v.month <= $as_of_month::date
),
final as (
    select
        month,
        count(*)::integer as units_reporting,
        sum(terminals)::bigint as terminals,
        sum(visits)::bigint as visits,
        sum(questions)::bigint as questions,
        sum(effective_replies)::bigint as effective_replies,
        reply_rate(sum(effective_replies), sum(questions)) as reply_rate,
        sum(alliances)::bigint as alliances,
        sum(experts)::bigint as experts,
        sum(activities)::bigint as activities,
        sum(youth_reached)::bigint as youth_reached,
        sum(weibo_accounts)::bigint as weibo_accounts,
        sum(wechat_accounts)::bigint as wechat_accounts
    from reported
    group by month
)
select * from final order by month;
