-- Schools of the districts in scope: the league system's member count against
-- the education statistics; those over the threshold without a written
-- explanation first, then the largest gaps.
with final as (
    select g.district, g.school, g.edu_count, g.league_count, g.gap, round(g.gap_percent, 1) as gap_percent,
           g.over_threshold, g.explained, g.needs_explanation, g.explanation
    from school_gaps g
    where g.district in (select district from districts_in_scope($scope))
)
select * from final order by needs_explanation desc, over_threshold desc, gap_percent desc nulls first, district, school;
