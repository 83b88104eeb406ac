-- The numbers the rules are made of, for the pages' "指标口径" notes.
with final as (
    select name, value, description
    from plan_settings
)
select * from final order by name;
