-- The plan's priority sectors (重点领域), as the circulars list them.
select industry from plan_priority_industries order by industry;
