"""Ledgers headed the way street-office clerks (街道团工委) actually word their columns.

Written from the data contract alone (docs §1 and "What arrives in practice"),
without looking at the loader's list of known spellings, so that the wordings
are an independent sample of how people head a ledger. Every case in
`CLERK_VARIANTS` keeps the clean organisations (`CLEAN`) and every template
column (only 序号 may be dropped), with cell values in their default forms: the
variation is in the HEADERS, and each one is a header a careful human reader
would place unambiguously, alone or under its group label. Each case must
load to exactly the clean template rows.

`CLERK_REJECTS` are files whose headers a careful reader would query instead
of guessing: they must be refused, naming the column not found.
"""

from __future__ import annotations

from datetime import date

from tests.corpus import CLEAN, FIELDS, GIVEN, SURNAMES, TITLE, Case, Expected, Extra, case

# -- the columns clerks add beside the template's ------------------------------------------------

ROADS = ["中山路", "八一大道", "胜利路", "象山北路", "叠山路", "民德路", "船山路"]
COMMUNITIES = ["和平社区", "胜利社区", "中山社区", "八一社区", "叠山社区"]
SCOPES = {
    "互联网": "软件开发；信息技术咨询服务", "快递服务": "国内快递；普通货运", "文化创意": "广告设计；文化艺术交流策划",
    "保安服务": "门卫、巡逻、守护服务", "连锁经营": "日用百货、预包装食品零售", "酒店餐饮": "餐饮服务；餐饮管理",
    "旅游": "国内旅游、入境旅游业务", "商业服务": "企业管理咨询；会务服务", "物业管理": "物业管理；停车场服务",
    "家政服务": "家政服务；保洁服务", "律师事务所": "法律服务", "会计师事务所": "审计、验资、财务咨询",
    "非学历教育培训": "职业技能培训", "制造业": "电子元器件制造、销售", "建筑业": "房屋建筑工程施工",
    "金融服务": "融资担保业务", "其他": "青年志愿服务活动组织",
}


def _person(i: int, salt: int) -> str:
    return SURNAMES[(i * 7 + salt) % len(SURNAMES)] + GIVEN[(i * 5 + salt) % len(GIVEN)]


REGISTERED_ADDRESS = Extra("注册地址", lambda i: f"江城市东湖区和平街道{ROADS[i % len(ROADS)]}{12 + i * 3}号")
LEGAL_REPRESENTATIVE = Extra("法定代表人", lambda i: _person(i, 3))
COMPANY_PHONE = Extra("企业联系电话", lambda i: f"0791-8{(6120000 + i * 4217) % 10000000:07d}")
STATISTICS_TIME = Extra("统计时间", lambda i: "2025年3月")
COMMUNITY = Extra("所属社区", lambda i: COMMUNITIES[i % len(COMMUNITIES)])
PARTY_MEMBERS = Extra("党员数", lambda i: CLEAN[i]["league_members"] // 3 + (3 if CLEAN[i]["has_party_org"] else 0))
COMPANY_FOUNDED = Extra("企业成立日期", lambda i: date(2005 + i % 18, 1 + i * 5 % 12, 1 + i * 11 % 28))
HAS_UNION = Extra("是否建立工会", lambda i: "是" if i % 3 else "否")
BUSINESS_SCOPE = Extra("经营范围", lambda i: SCOPES[CLEAN[i]["industry"]])
REGISTERED_CAPITAL = Extra("注册资本（万元）", lambda i: [50, 100, 200, 500, 1000][i % 5])
PARTY_SECRETARY = Extra("党组织书记", lambda i: _person(i, 11) if CLEAN[i]["has_party_org"] else None)
FILLED_BY = Extra("填报人", lambda i: "王芳")


def _order(*fields: str) -> list[str]:
    """A column order; it must hold every template column, 序号 excepted."""
    assert sorted(fields) == sorted(f for f in FIELDS if f in fields or f != "row_no"), fields
    assert len(set(fields)) == len(fields), fields
    return list(fields)


WITHOUT_ROW_NO = [f for f in FIELDS if f != "row_no"]
LEAGUE_FROM_HAS = ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date",
                   "directly_managed", "leader_name", "leader_phone"]


def clerk_variants() -> list[Case]:
    cases = [
        # Shortened names throughout: the clerk drops 统一/所属/是否建立 and abbreviates 规模以上 to 规上.
        case("clerk_short_names", "xlsx", headers={
            "row_no": "序", "org_name": "单位", "uscc": "信用代码", "district": "区县", "street": "街道",
            "org_type": "单位类别", "above_scale": "是否规上", "park": "园区",
            "league_society_member": "团属社团会员", "employees": "职工数", "youth_employees": "青年数",
            "league_members": "团员", "has_party_org": "是否建党", "has_league_org": "是否建团",
            "league_org_kind": "团组织类别", "build_mode": "建团形式", "build_path": "建团途径",
            "league_org_date": "建团时间", "directly_managed": "直接联系", "leader_name": "团负责人",
            "leader_phone": "电话"}),
        # Shortened the other way: 企业名称 / 社会信用代码 / 有无… / 人数, and no 序号 column.
        case("clerk_short_names_gb", "csv-gb18030", fields=WITHOUT_ROW_NO, headers={
            "org_name": "企业名称", "uscc": "社会信用代码", "district": "所属区", "street": "所属街道",
            "industry": "所属行业", "org_type": "组织类型", "above_scale": "规上企业", "park": "所属园区",
            "league_society_member": "团属社团会员单位", "employees": "员工数", "youth_employees": "青年人数",
            "league_members": "团员人数", "has_party_org": "有无党组织", "has_league_org": "有无团组织",
            "league_org_kind": "团组织形式", "build_mode": "组建方式", "build_path": "组建路径",
            "league_org_date": "建团时间", "directly_managed": "是否直接联系", "leader_name": "团组织书记",
            "leader_phone": "手机", "note": "说明"}),
        # Long explanatory headers with the filling rule in full-width brackets, as copied from a circular.
        case("clerk_explained_in_brackets", "xlsx", headers={
            "org_name": "两新组织名称（全称）", "uscc": "统一社会信用代码（18位）", "district": "所属区（县、市）",
            "street": "所属街道（乡镇）", "industry": "所属行业（按行业分类填写）",
            "org_type": "单位类型（非公有制企业/社会组织）", "above_scale": "是否规模以上企业（是/否）",
            "park": "所在园区（不在园区的不填）",
            "league_society_member": "是否为青联、青企协、青商会等团属社团会员单位",
            "employees": "从业人员总数（人）", "youth_employees": "其中35周岁以下青年人数（人）",
            "league_members": "其中团员人数（人）", "has_party_org": "是否建立党组织（是/否）",
            "has_league_org": "是否建立团组织（是/否）",
            "league_org_kind": "团组织类型（团委/团总支/团支部/联合团支部/青年组织）",
            "build_mode": "建团方式（独立、联合、区域、楼宇等）", "build_path": "建团路径（填1-11序号）",
            "league_org_date": "团组织建立日期（年月日）", "directly_managed": "是否为团区委直接联系管理的团组织",
            "leader_name": "团组织负责人姓名", "leader_phone": "团组织负责人联系电话（手机）",
            "note": "备注（需说明的情况）"}),
        # Explanatory again, worded by another office: 数量（人）, 已建立, 成立日期, 联系方式.
        case("clerk_explained_other_office_gb", "csv-gb18030", headers={
            "row_no": "编号", "org_name": "企业（社会组织）名称", "uscc": "统一社会信用代码（营业执照上18位代码）",
            "district": "所在区县", "street": "所在街道（镇）", "industry": "行业类别",
            "org_type": "组织类别（非公企业或社会组织）", "above_scale": "是否为规模以上企业",
            "park": "所在园区名称", "league_society_member": "是否团属社团（青联/青企协/青商会）会员单位",
            "employees": "从业人员数量（人）", "youth_employees": "35岁以下青年数量（人）",
            "league_members": "团员数量（人）", "has_party_org": "是否已建立党组织",
            "has_league_org": "是否已建立团组织", "league_org_kind": "团组织类别（团委、团总支、团支部等）",
            "build_mode": "建团方式（独立建团/联合建团等）", "build_path": "建团路径（1—11）",
            "league_org_date": "团组织成立日期", "directly_managed": "是否直接联系管理（是/否）",
            "leader_name": "团组织负责人（书记）", "leader_phone": "负责人联系方式", "note": "备注说明"}),
        # Two merged header rows: 党组织 over 是否建立 / 党员数 (an added column), 团组织 over short sub-headers
        # (是否建立, 类型, 建立时间, 负责人 …).
        case("clerk_grouped_party_and_league", "xlsx", header="grouped", extra=[PARTY_MEMBERS], extra_at=14, groups={
            "党组织": ["has_party_org", PARTY_MEMBERS], "团组织": LEAGUE_FROM_HAS}, headers={
            "has_party_org": "是否建立", "has_league_org": "是否建立", "league_org_kind": "类型",
            "build_mode": "建立方式", "build_path": "建立路径", "league_org_date": "建立时间",
            "directly_managed": "是否直接联系管理", "leader_name": "负责人", "leader_phone": "联系电话"}),
        # A WPS export of three merged sections (单位基本情况 / 人员情况 / 团组织建设情况): labels on the first row only.
        case("clerk_grouped_sections_gb", "csv-gb18030", header="grouped_upper", groups={
            "单位基本情况": ["org_name", "uscc", "district", "street", "industry", "org_type"],
            "人员情况": ["employees", "youth_employees", "league_members"],
            "团组织建设情况": ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date"]},
            headers={
            "org_name": "名称", "uscc": "信用代码", "district": "区县", "street": "街镇", "industry": "行业",
            "org_type": "类型", "above_scale": "规上", "park": "园区", "league_society_member": "团属社团会员",
            "employees": "从业人员", "youth_employees": "35岁以下青年", "league_members": "团员",
            "has_party_org": "有无党组织", "has_league_org": "是否建立", "league_org_kind": "组织类型",
            "build_mode": "建团方式", "build_path": "建团路径", "league_org_date": "成立时间",
            "directly_managed": "直接联系管理"}),
        # 从业人员 merged down two rows with 其中 over the subsets (35岁以下青年, 团员) beside it.
        case("clerk_grouped_qizhong", "xlsx", header="grouped", groups={
            "其中": ["youth_employees", "league_members"],
            "团组织建设情况": ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date"]},
            headers={
            "employees": "从业人员总数", "youth_employees": "35岁以下青年", "league_members": "团员",
            "has_league_org": "是否已建", "league_org_kind": "组织类型", "build_mode": "组建方式",
            "build_path": "组建路径", "league_org_date": "建立日期"}),
        # Group labels typed on their own row above a full row of short headers (nothing merged down).
        case("clerk_grouped_labels_above", "xlsx", header="grouped_lower", groups={
            "人员情况（人）": ["employees", "youth_employees", "league_members"],
            "团组织": ["league_org_kind", "build_mode", "build_path", "league_org_date"],
            "团组织负责人": ["leader_name", "leader_phone"]}, headers={
            "org_name": "单位全称", "uscc": "统一代码", "employees": "从业人员", "youth_employees": "青年（35岁以下）",
            "league_members": "团员", "has_league_org": "是否建立团组织", "league_org_kind": "类别",
            "build_mode": "组建方式", "build_path": "组建路径", "league_org_date": "成立日期",
            "leader_name": "姓名", "leader_phone": "联系电话"}),
        # Columns shuffled: counts moved to the end, the founding date before the mode, no 序号.
        case("clerk_shuffled_counts_last", "xlsx", fields=_order(
            "org_name", "uscc", "industry", "org_type", "district", "street", "park", "above_scale",
            "league_society_member", "has_party_org", "has_league_org", "league_org_kind", "league_org_date",
            "build_mode", "build_path", "directly_managed", "leader_name", "leader_phone",
            "employees", "youth_employees", "league_members", "note"), headers={
            "org_name": "单位全称", "uscc": "统一信用代码", "industry": "行业分类", "org_type": "两新组织类型",
            "district": "区（县）", "street": "街道（镇）", "park": "入驻园区", "above_scale": "规模以上企业",
            "league_society_member": "团属社团会员", "has_party_org": "是否有党组织",
            "has_league_org": "是否有团组织", "league_org_date": "团组织建立日期", "build_mode": "建团模式",
            "build_path": "建团路径编号", "directly_managed": "直接联系管理团组织",
            "leader_name": "团组织负责人", "leader_phone": "负责人电话", "employees": "从业人员（人）",
            "youth_employees": "青年（35岁以下）人数", "league_members": "团员（人）"}),
        # Credit code first (the clerk's lookup key), street before district, 序号 at the far right, a 所属社区 column.
        case("clerk_shuffled_code_first_gb", "csv-gb18030", fields=_order(
            "uscc", "org_name", "street", "district", "org_type", "industry", "above_scale", "park",
            "league_society_member", "has_party_org", "has_league_org", "league_org_kind", "build_mode",
            "build_path", "league_org_date", "directly_managed", "leader_name", "leader_phone",
            "employees", "youth_employees", "league_members", "note", "row_no"),
            extra=[COMMUNITY], extra_at=3, headers={
            "uscc": "统一社会信用代码（18位）", "org_name": "单位全称", "street": "街道", "district": "区县",
            "org_type": "单位性质", "industry": "行业类别", "above_scale": "是否规上企业", "park": "所在园区名称",
            "league_society_member": "是否团属社团会员", "has_party_org": "党组织（是/否）",
            "has_league_org": "团组织（是/否）", "league_org_kind": "团组织类别", "build_mode": "团组织组建方式",
            "build_path": "建团路径（1-11）", "league_org_date": "团组织成立时间",
            "directly_managed": "是否直接联系管理团组织", "leader_name": "团组织负责人",
            "leader_phone": "负责人手机号码", "employees": "从业人数", "youth_employees": "青年职工数",
            "league_members": "团员数量", "note": "情况说明", "row_no": "序号"}),
        # Business-register columns copied in (注册地址, 法定代表人, 企业联系电话); the league leader says so.
        case("clerk_extra_register_columns", "xlsx", extra=[REGISTERED_ADDRESS, LEGAL_REPRESENTATIVE, COMPANY_PHONE],
             extra_at=3, headers={
            "org_name": "单位名称（全称）", "uscc": "统一社会信用代码", "street": "所属街道", "employees": "职工人数",
            "youth_employees": "35岁以下青年人数", "league_members": "团员人数",
            "leader_name": "团组织负责人", "leader_phone": "团组织负责人电话"}),
        # 统计时间 and 所属社区 put in front by a clerk who pastes several months together.
        case("clerk_extra_time_and_community_gb", "csv-gb18030", extra=[STATISTICS_TIME, COMMUNITY], extra_at=1,
             headers={
            "org_name": "组织名称", "uscc": "信用代码", "district": "区", "street": "街道名称",
            "industry": "所属行业", "org_type": "组织类型", "above_scale": "是否规上", "park": "园区",
            "employees": "在职人数", "youth_employees": "青年职工（35岁以下）", "league_members": "团员数（人）",
            "has_league_org": "是否成立团组织", "league_org_date": "团组织成立日期",
            "leader_name": "团干部姓名", "leader_phone": "团干部联系电话"}),
        # The enterprise's own founding date, party members and union next to the league's: clearly not the league's.
        case("clerk_extra_company_facts", "xlsx", extra=[COMPANY_FOUNDED, PARTY_MEMBERS, HAS_UNION], extra_at=10,
             headers={
            "org_name": "企业名称", "employees": "从业人员数（人）", "youth_employees": "35周岁以下青年数",
            "league_members": "团员数量", "has_party_org": "是否建立党组织",
            "league_org_date": "团组织成立时间", "build_path": "建团途径"}),
        # Business details (经营范围, 注册资本, 党组织书记) and the 填报人 appended at the right edge.
        case("clerk_extra_business_details_gb", "csv-gb18030",
             extra=[BUSINESS_SCOPE, REGISTERED_CAPITAL, PARTY_SECRETARY, FILLED_BY], headers={
            "org_name": "单位名称", "uscc": "社会信用代码", "district": "所属区县", "street": "所属街道",
            "above_scale": "规模以上", "league_society_member": "团属社团会员单位",
            "employees": "从业人员", "youth_employees": "青年数", "league_members": "团员人数",
            "has_party_org": "有无党组织", "has_league_org": "有无团组织", "league_org_kind": "团组织形式",
            "leader_name": "团组织书记（负责人）", "leader_phone": "团组织书记电话"}),
        # Long headers wrapped with Alt+Enter inside the cell, the way a narrow column is made readable.
        case("clerk_wrapped_headers", "xlsx", headers={
            "org_name": "单位名称\n（全称）", "uscc": "统一社会\n信用代码", "district": "所属\n区县",
            "street": "所属\n街道", "org_type": "单位\n类型", "above_scale": "是否\n规上企业",
            "league_society_member": "是否团属\n社团会员单位", "employees": "从业\n人员数",
            "youth_employees": "35岁以下\n青年人数", "league_members": "团员\n人数",
            "has_party_org": "是否建立\n党组织", "has_league_org": "是否建立\n团组织",
            "league_org_kind": "团组织\n类型", "league_org_date": "建团\n时间", "directly_managed": "是否直接\n联系管理",
            "leader_name": "团组织\n负责人", "leader_phone": "联系\n电话"}),
        # 成立/建立 with 时间/日期 everywhere: 是否成立党组织, 团组织建立时间, 成立方式.
        case("clerk_chengli_jianli_gb", "csv-gb18030", headers={
            "org_name": "单位全称", "has_party_org": "是否成立党组织", "has_league_org": "是否成立团组织",
            "league_org_kind": "成立团组织类型", "build_mode": "团组织成立方式", "build_path": "团组织成立路径",
            "league_org_date": "团组织建立时间", "leader_name": "团组织负责人姓名",
            "leader_phone": "负责人联系电话"}),
        # An 附件 line above the usual title, as when the ledger is an attachment to the monthly report.
        case("clerk_annex_line_above_title", "xlsx", title=("附件2", TITLE), headers={
            "org_name": "两新组织名称", "uscc": "统一社会信用代码（必填）", "street": "所属街镇（乡镇）",
            "industry": "行业（按填表说明）", "above_scale": "规上（是/否）",
            "league_society_member": "是否加入团属社团（会员单位）", "employees": "从业人员（人）",
            "youth_employees": "35岁以下青年（人）", "league_members": "团员（人）", "build_mode": "建团方式",
            "build_path": "建团路径（1-11）", "league_org_date": "建团日期（年/月/日）",
            "directly_managed": "是否直接联系管理（是/否）", "note": "备注（2025年新建请注明）"}),
        # A WPS export where only the organisation's details sit under a 团组织 label: 类型, 建立时间, 负责人, 联系电话.
        case("clerk_league_label_over_details_gb", "csv-gb18030", header="grouped_upper", groups={
            "团组织": ["league_org_kind", "build_mode", "build_path", "league_org_date", "directly_managed",
                    "leader_name", "leader_phone"]}, headers={
            "org_name": "单位名称（全称）", "uscc": "信用代码", "has_party_org": "是否建党",
            "has_league_org": "是否建团", "league_org_kind": "类型", "build_mode": "建立方式",
            "build_path": "建立路径", "league_org_date": "建立时间", "directly_managed": "是否直接联系管理",
            "leader_name": "负责人", "leader_phone": "联系电话"}),
        # Counts written as 人数 / （人） / 数量 with the age limit spelled out.
        case("clerk_counts_with_units", "xlsx", headers={
            "employees": "从业人员人数（人）", "youth_employees": "青年职工（35岁以下，人）",
            "league_members": "团员（名）", "has_party_org": "党组织有无", "has_league_org": "团组织有无",
            "directly_managed": "直接联系管理（是/否）"}),
        # Plain nouns for the yes/no columns: 规上企业, 已建党组织, 已建团组织, 直接联系管理团组织.
        case("clerk_nouns_for_yes_no_gb", "csv-gb18030", headers={
            "above_scale": "规上企业", "league_society_member": "团属社团会员单位", "has_party_org": "已建党组织",
            "has_league_org": "已建团组织", "directly_managed": "直接联系管理团组织",
            "league_org_kind": "团组织类别", "league_org_date": "建团时间"}),
        # 人员情况 over 总数 / 35岁以下青年 / 团员: the sub-header 总数 is read as the headcount from its label.
        case("clerk_grouped_headcount_total_gb", "csv-gb18030", header="grouped_upper", groups={
            "人员情况（人）": ["employees", "youth_employees", "league_members"],
            "团组织情况": ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date"]},
            headers={
            "org_name": "单位全称", "uscc": "统一社会信用代码", "employees": "总数",
            "youth_employees": "35岁以下青年", "league_members": "团员", "has_league_org": "有无",
            "league_org_kind": "类别", "build_mode": "组建方式", "build_path": "组建路径",
            "league_org_date": "成立时间", "leader_name": "团组织负责人", "leader_phone": "负责人电话"}),
        # A street clerk's own plain wording: 组织名称, 街道名称, 行业分类, 入驻园区, 建团年月日.
        case("clerk_street_office_plain", "xlsx", headers={
            "row_no": "顺序号", "org_name": "组织名称", "district": "所属区（县）", "street": "街道名称",
            "industry": "行业分类", "org_type": "两新组织类型", "park": "入驻园区",
            "league_society_member": "是否为团属社团会员单位", "employees": "员工总数", "youth_employees": "青年人数",
            "league_members": "共青团员数", "has_party_org": "有无党组织", "has_league_org": "有无团组织",
            "league_org_kind": "团组织形式", "build_mode": "建团模式", "build_path": "建团途径",
            "league_org_date": "团组织成立日期", "directly_managed": "是否直接联系",
            "leader_name": "团组织负责人姓名", "leader_phone": "负责人联系方式", "note": "其他说明"}),
        # No title at all (unit and month come from the submission) and short headers.
        case("clerk_no_title_short_gb", "csv-gb18030", title=(), fields=WITHOUT_ROW_NO, headers={
            "org_name": "单位全称", "uscc": "信用代码", "district": "区县", "street": "街镇", "industry": "行业",
            "org_type": "类型（企业/社会组织）", "above_scale": "规上", "park": "园区",
            "league_society_member": "团属社团会员", "employees": "职工数", "youth_employees": "青年数",
            "league_members": "团员数", "has_party_org": "是否建党", "has_league_org": "是否建团",
            "league_org_kind": "团组织类型", "build_mode": "建团方式", "build_path": "建团路径",
            "league_org_date": "建团时间", "directly_managed": "直接联系", "leader_name": "团负责人",
            "leader_phone": "电话", "note": "备注"}),
        # 党组织 / 团组织 / 团组织负责人 labels over 有无 / 类别 / 姓名 / 手机号码, exported from merged cells.
        case("clerk_grouped_youwu_gb", "csv-gb18030", header="grouped_upper", groups={
            "党组织": ["has_party_org"],
            "团组织": ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date"],
            "团组织负责人": ["leader_name", "leader_phone"]}, headers={
            "has_party_org": "有无", "has_league_org": "有无", "league_org_kind": "类别", "build_mode": "组建方式",
            "build_path": "组建路径", "league_org_date": "成立时间", "directly_managed": "是否直接联系管理",
            "leader_name": "姓名", "leader_phone": "手机号码"}),
        # 企业基本情况 merged over the register details, its sub-headers as short as 名称 / 性质 / 规上 / 园区.
        case("clerk_grouped_basic_details", "xlsx", header="grouped", groups={
            "企业基本情况": ["org_name", "uscc", "district", "street", "industry", "org_type", "above_scale", "park"],
            "人员情况": ["employees", "youth_employees", "league_members"]}, headers={
            "row_no": "No.", "org_name": "名称", "uscc": "信用代码", "district": "所在区", "street": "所在街道",
            "industry": "所属行业", "org_type": "性质", "above_scale": "规上", "park": "园区",
            "league_society_member": "是否团属社团会员单位", "employees": "从业人员", "youth_employees": "青年",
            "league_members": "团员", "leader_name": "团组织负责人", "leader_phone": "团组织负责人手机"}),
        # The same grouped layout saved as CSV with the section labels typed on their own row.
        case("clerk_grouped_labels_above_gb", "csv-gb18030", header="grouped_lower", groups={
            "基本情况": ["org_name", "uscc", "district", "street", "industry", "org_type"],
            "团组织建设情况": ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date",
                        "directly_managed"]}, extra=[REGISTERED_ADDRESS], extra_at=7, headers={
            "org_name": "单位名称", "uscc": "社会信用代码", "district": "区县", "street": "街道", "industry": "行业",
            "org_type": "单位类型", "employees": "从业人员数量", "youth_employees": "35岁以下青年数量",
            "league_members": "团员数量", "has_league_org": "是否建立", "league_org_kind": "组织类型",
            "build_mode": "建团方式", "build_path": "建团路径", "league_org_date": "建团时间",
            "directly_managed": "是否直接联系管理", "leader_name": "团组织负责人", "leader_phone": "负责人联系电话"}),
    ]
    for c in cases:
        columns = [f for f in c.layout.headers]
        assert set(FIELDS) - set(columns) <= {"row_no"}, (c.name, set(FIELDS) - set(columns))
    return cases


CLERK_VARIANTS: list[Case] = clerk_variants()

# -- files a careful reader would query ------------------------------------------------------------
# Each is the clean ledger with headers no one could place without asking: the file is refused,
# naming the template column not found (on the header row, Excel row 2 under the title).


def _queried(name: str, why: str, **layout) -> Case:
    """`why` says what a careful reader would ask the unit."""
    return case(name, identity="args", errors=lambda laid: (Expected("column_missing", (2,)),), **layout)


CLERK_REJECTS: list[Case] = [
    _queried("clerk_reject_column_thirteen",
             "the member-count column is headed 栏目十三, which names no field: only its position says it is 团员数",
             headers={"league_members": "栏目十三"}),
    _queried("clerk_reject_two_credit_codes",
             "社会信用代码 and 信用代码 side by side (the second holds 15-digit old registration numbers): either "
             "could be the organisation's key",
             headers={"uscc": "社会信用代码"}, extra_at=3,
             extra=[Extra("信用代码", lambda i: f"360102{(210000000 + i * 7919) % 1000000000:09d}")]),
    _queried("clerk_reject_phone_headed_other",
             "the leader's phone numbers sit under 其他 ('other'), which does not say it is the 联系电话",
             headers={"leader_phone": "其他"}),
]
