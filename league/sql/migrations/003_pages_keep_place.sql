-- Which month a page opens on when the address bar names none.
insert into plan_settings values
    ('default_month_min_share', 0.5, '打开页面时默认显示已报送台账单位达到应报单位该比例的最近一个月');
