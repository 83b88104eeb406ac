-- Youth Voice for each unit in scope that reported for the as-of month.
with scoped_units as (
    select name as unit
    from units_in_scope($scope)
),
final as (
    select
        v.unit, v.district,
        v.terminals, v.visits, v.questions, v.effective_replies,
        reply_rate(v.effective_replies, v.questions) as reply_rate,
        v.alliances, v.experts, v.activities, v.youth_reached,
        v.weibo_accounts, v.wechat_accounts
    from youth_voice v
    join scoped_units using (unit)
    where v.month = $as_of_month::date
)
select * from final order by district, unit;
