-- Each district's schools rolled up: counts summed, the gap of the sums, and
-- how many schools are over the threshold and how many of those unexplained.
with schools as (
    select g.*
    from school_gaps g
    where g.district in (select district from districts_in_scope($scope))
),
final as (
    select
        district,
        count(*)::integer as schools,
        sum(edu_count)::bigint as edu_count,
        sum(league_count)::bigint as league_count,
        (sum(league_count) - sum(edu_count))::bigint as gap,
        round(abs(sum(league_count) - sum(edu_count)) * 100.0 / nullif(sum(edu_count), 0), 1) as gap_percent,
        count_if(over_threshold)::integer as schools_over_threshold,
        count_if(needs_explanation)::integer as schools_unexplained
    from schools
    group by district
)
select * from final order by schools_unexplained desc, gap_percent desc, district;
