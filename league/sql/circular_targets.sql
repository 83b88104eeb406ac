-- The circulars' other targets, each one rule (numbers and lists in the plan:
-- plan_settings, plan_priority_industries, plan_size_bands). Replaced on every start.

-- is_above_scale_enterprise, party_led_due and size_band are in rules.sql: the marts count with them.

-- A priority sector where youth gather (重点领域).
create or replace macro is_priority_sector(industry) as
    industry in (select p.industry from plan_priority_industries p);

-- Months from the as-of month to the above-scale deadline (its month end), the
-- as-of month not counted: what is left to close the gap in. 0 once it is reached.
create or replace macro above_scale_months_left(as_of_month) as
    greatest(plan_setting('above_scale_deadline_month')::integer - month(as_of_month), 0);
