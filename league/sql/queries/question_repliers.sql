-- Who answers: the effective replies to the questions of the as-of month by
-- who gave them (专家, 团组织, 志愿者, 其他), each one's share, and the
-- satisfaction youth gave where they rated it (1-5).
with answered as (
    select q.*
    from questions_as_of(month_end_moment($as_of_month::date)) q
    where q.unit_id in (select unit_id from units_in_scope($scope))
      and q.month = date_trunc('month', $as_of_month::date) and q.answered
),
final as (
    select
        coalesce(replier_kind, '其他') as replier_kind,
        count(*)::integer as replies,
        count(*) / sum(count(*)) over () as reply_share,
        count(satisfaction)::integer as rated,
        avg(satisfaction) as mean_satisfaction
    from answered
    group by all
)
select * from final order by replies desc;
