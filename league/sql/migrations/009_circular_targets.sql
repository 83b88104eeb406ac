-- The circulars' other targets (issue 16): above-scale full coverage by a
-- deadline, party-led synchronisation, pathways and modes, priority sectors
-- and parks, coverage by size band. Their numbers and lists are the plan's.

insert into plan_settings values
    ('above_scale_target_share', 1.0, '规模以上非公有制企业团组织覆盖率的目标'),
    ('above_scale_deadline_month', 12, '规模以上非公有制企业团组织覆盖目标的截止月份（当年该月末）');

-- The sectors where youth gather that the circulars name first (重点领域).
create table plan_priority_industries (
    industry varchar primary key
);
insert into plan_priority_industries values
    ('互联网'), ('快递服务'), ('文化创意'), ('保安服务'), ('连锁经营'), ('酒店餐饮'),
    ('物业管理'), ('家政服务'), ('律师事务所'), ('会计师事务所'), ('非学历教育培训');

-- Size bands by employees (抓大带小): a band holds organisations from its minimum
-- up to the next band's.
create table plan_size_bands (
    band          varchar primary key,
    min_employees integer not null unique
);
insert into plan_size_bands values
    ('1000人及以上', 1000), ('300–999人', 300), ('100–299人', 100), ('50–99人', 50), ('50人以下', 0);
