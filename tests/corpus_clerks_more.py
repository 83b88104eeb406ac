"""More clerks: ledgers headed the way an industry league committee (行业团委) or a township (乡镇) clerk heads them.

Written from the data contract alone (section 1 and "What arrives in practice"):
every template column is present (only 序号 may be dropped), cell values keep the
template's default forms, and every header is one a careful reader would place
without hesitation, alone or under its group label. Extra columns are ones such a
reader would not take for a template column. Each case must load to exactly the
clean template's rows, with an "unknown_columns" warning when it has extras.
"""

from __future__ import annotations

from tests.corpus import FIELDS, ORG_GROUP, SURNAMES, Case, Extra, case

FIELDS_NO_ROW = [f for f in FIELDS if f != "row_no"]

# -- extra columns clerks add -----------------------------------------------------------------------
SIZE = Extra("企业规模（大/中/小）", lambda i: "大中小"[i % 3])
BUILDING = Extra("所在楼宇", lambda i: f"{['绿地中心', '万达广场', '恒茂国际'][i % 3]}{i % 5 + 1}号楼" if i % 2 else None)
LIAISON = Extra("联络员", lambda i: SURNAMES[(i * 7) % len(SURNAMES)] + "晓" + "明丽华军"[i % 4])
STAT_DATE = Extra("统计日期", lambda i: "2025-03-25")
PARTY_MEMBERS = Extra("党员人数", lambda i: i % 7)
UNION = Extra("是否有工会", lambda i: "否" if i % 3 == 0 else "是")
VILLAGE = Extra("所在村（社区）", lambda i: f"{['新村', '桥头', '河湾', '长岭'][i % 4]}村")
BUSINESS = Extra("主营业务", lambda i: ["动漫设计", "广告策划", "影视制作", "图书发行"][i % 4])

INTERNET_TITLE = ("互联网行业团委两新组织团建工作台账（2025年3月）",)
TOWNSHIP_TITLE = ("乡镇两新组织团建工作台账（2025年3月）",)


def _at(fields: list[str], name: str) -> int:
    return fields.index(name)


# Unusual orders used below.
ORDER_CODE_FIRST = ["uscc", "org_name", "industry", "org_type", "district", "street", "park", "above_scale",
                    "league_society_member", "has_party_org", "has_league_org", "league_org_kind", "build_mode",
                    "build_path", "league_org_date", "leader_name", "leader_phone", "directly_managed",
                    "league_members", "youth_employees", "employees", "note"]
ORDER_TOWNSHIP = ["row_no", "org_name", "uscc", "street", "district", "org_type", "industry", "employees",
                  "youth_employees", "league_members", "above_scale", "park", "league_society_member",
                  "has_party_org", "has_league_org", "league_org_kind", "build_mode", "build_path",
                  "league_org_date", "leader_name", "leader_phone", "directly_managed", "note"]
ORDER_FINANCE = ["row_no", "org_name", "uscc", "industry", "org_type", "above_scale", "district", "street", "park",
                 "league_society_member", "employees", "youth_employees", "league_members", "has_party_org",
                 "has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date",
                 "directly_managed", "leader_name", "leader_phone", "note"]

MORE_CLERK_VARIANTS: list[Case] = [
    # 互联网行业团委, WPS workbook: plain headers with full-width brackets, enterprise-size column beside 规上.
    case("clerk2_internet_wps_plain", "xlsx", title=INTERNET_TITLE, headers={
        "org_name": "企业名称", "uscc": "统一社会信用代码（18位）", "district": "所在区县", "street": "所在街道",
        "industry": "所属行业", "org_type": "单位性质", "above_scale": "是否规上企业", "park": "所在园区",
        "league_society_member": "是否团属社团（青联、青企协等）会员单位", "employees": "从业人员总数",
        "youth_employees": "35周岁以下青年人数", "league_members": "团员人数", "has_party_org": "是否成立党组织",
        "has_league_org": "是否成立团组织", "league_org_kind": "团组织类别", "build_mode": "建团形式",
        "build_path": "建团途径", "league_org_date": "团组织成立时间", "directly_managed": "是否直接联系管理",
        "leader_name": "团组织书记", "leader_phone": "书记联系电话"},
        extra=[SIZE], extra_at=_at(FIELDS, "park")),
    # 互联网行业团委, WPS CSV of a 2-row header: 基本信息 / 用工情况 / 团组织信息 over short sub-headers.
    case("clerk2_internet_grouped_csv", "csv-gb18030", title=INTERNET_TITLE, header="grouped", groups={
        "基本信息": ["org_name", "uscc", "district", "street", "industry", "org_type"],
        "用工情况": ["employees", "youth_employees", "league_members"],
        "团组织信息": ORG_GROUP}, headers={
        "org_name": "名称", "uscc": "信用代码", "district": "区县", "street": "街镇", "industry": "行业",
        "org_type": "单位性质", "employees": "从业人员", "youth_employees": "35岁以下青年", "league_members": "团员",
        "has_league_org": "是否建立", "league_org_kind": "类型", "build_mode": "建团方式", "build_path": "建团路径",
        "league_org_date": "成立日期"}),
    # 乡镇 clerk, headers copied from an older provincial form; a village column after the township.
    case("clerk2_township_old_provincial", "xlsx", title=("附件1", "非公有制企业和社会组织团建工作情况统计表"),
         headers={
        "org_name": "非公企业（社会组织）名称", "uscc": "统一社会信用代码（组织机构代码）",
        "district": "所在县（市、区）", "street": "所在乡镇（街道）", "industry": "行业类别", "org_type": "单位类别",
        "above_scale": "是否规模以上企业", "employees": "职工总数", "youth_employees": "青年职工数（35周岁以下）",
        "league_members": "团员数（名）", "build_mode": "组建方式", "build_path": "组建途径",
        "league_org_date": "团组织建立时间", "directly_managed": "是否县团委直接联系管理",
        "leader_name": "团组织负责人姓名", "leader_phone": "负责人联系电话"},
        extra=[VILLAGE], extra_at=_at(FIELDS, "industry")),
    # 乡镇 clerk, WPS CSV: headers broken over lines and padded with spaces to look centred; a union column.
    case("clerk2_township_wps_linebreaks_csv", "csv-gb18030", title=TOWNSHIP_TITLE, headers={
        "row_no": "序  号", "org_name": "单 位 名 称", "uscc": "统一社会\n信用代码", "district": "所属\n区县",
        "street": "所属乡镇", "industry": "行  业", "org_type": "单位\n类型", "above_scale": "是否规模\n以上",
        "park": "所在\n园区", "league_society_member": "是否团属社团\n会员单位", "employees": "从业\n人员数",
        "youth_employees": "35岁以下\n青年数", "league_members": "团员\n人数", "has_party_org": "是否建立\n党组织",
        "has_league_org": "是否建立\n团组织", "league_org_kind": "团组织\n类型", "build_mode": "建团\n方式",
        "build_path": "建团\n路径", "league_org_date": "建团\n时间", "directly_managed": "是否直接\n联系管理",
        "leader_name": "团组织\n负责人", "leader_phone": "联系\n电话", "note": "备  注"},
        extra=[UNION], extra_at=_at(FIELDS, "has_league_org")),
    # 行业团委 workbook: group labels alone in the upper row; party members counted inside 党团组织情况.
    case("clerk2_industry_grouped_lower", "xlsx", title=("行业团委两新组织团建工作台账",), header="grouped_lower",
         groups={
        "基本信息": ["org_name", "uscc", "district", "street", "industry", "org_type", "above_scale", "park",
                 "league_society_member"],
        "用工情况": ["employees", "youth_employees", "league_members"],
        "党团组织情况": [PARTY_MEMBERS, "has_party_org", "has_league_org", "league_org_kind", "build_mode",
                   "build_path", "league_org_date", "directly_managed"],
        "团组织负责人": ["leader_name", "leader_phone"]}, headers={
        "org_name": "单位名称", "uscc": "信用代码", "district": "区县", "street": "街镇", "industry": "行业",
        "org_type": "单位类型", "above_scale": "规上企业", "park": "园区", "league_society_member": "团属社团会员",
        "employees": "从业人员", "youth_employees": "青年（35岁以下）", "league_members": "团员",
        "has_party_org": "建立党组织", "has_league_org": "建立团组织", "league_org_kind": "团组织类型",
        "build_mode": "建团方式", "build_path": "建团路径", "league_org_date": "建团日期",
        "directly_managed": "直接联系管理", "leader_name": "姓名", "leader_phone": "联系电话"},
        extra=[PARTY_MEMBERS], extra_at=_at(FIELDS, "has_party_org")),
    # 行业团委 CSV in its own order: code first, counts last, no 序号, a statistics date at the end.
    case("clerk2_industry_code_first_csv", "csv-gb18030", title=("行业两新组织团建情况统计",), fields=ORDER_CODE_FIRST,
         headers={
        "uscc": "社会信用代码", "org_name": "单位全称", "industry": "所属行业", "district": "区县", "street": "街镇",
        "park": "园区", "above_scale": "规模以上（是/否）", "league_society_member": "团属社团会员单位（是/否）",
        "has_party_org": "有无党组织", "has_league_org": "有无团组织", "league_org_kind": "团组织类别",
        "league_org_date": "团组织成立日期", "leader_name": "团组织书记姓名", "leader_phone": "书记手机",
        "league_members": "团员人数", "youth_employees": "青年人数（35岁以下）", "employees": "从业人数"},
        extra=[STAT_DATE], extra_at=len(ORDER_CODE_FIRST)),
    # 互联网行业团委 (楼宇 enterprises): CSV of merged headers under 团组织情况; building and liaison columns.
    case("clerk2_internet_buildings_csv", "csv-gb18030", title=INTERNET_TITLE, header="grouped_upper", headers={
        "org_name": "企业名称", "uscc": "统一社会信用代码", "street": "所在街道（乡镇）", "park": "所在园区",
        "employees": "员工总数", "youth_employees": "35岁以下员工数", "league_members": "团员人数",
        "has_league_org": "是否建立", "league_org_kind": "组织类型", "build_mode": "建团方式",
        "build_path": "建团路径", "league_org_date": "成立日期", "leader_name": "团组织负责人",
        "leader_phone": "负责人电话"},
        extra=[BUILDING], extra_at=_at(FIELDS, "league_society_member")),
    # 快递行业团委 workbook: every yes/no column says how to fill it, categories list their choices.
    case("clerk2_express_hints", "xlsx", title=("快递行业两新组织团建工作台账（2025年3月）",), headers={
        "org_name": "企业名称", "above_scale": "规模以上（是/否）", "league_society_member": "团属社团会员单位（是/否）",
        "employees": "从业人员数（人）", "youth_employees": "35岁以下青年数（人）", "league_members": "团员数（人）",
        "has_party_org": "党组织（有/无）", "has_league_org": "团组织（有/无）",
        "league_org_kind": "团组织类型（团委/团总支/团支部/联合团支部/青年组织）",
        "build_mode": "建团方式（独立/联合/区域/楼宇/市场/园区/依托/兴趣）", "build_path": "建团路径（填1-11）",
        "league_org_date": "建团日期（年/月/日）", "directly_managed": "直接联系管理（是/否）"},
        extra=[SIZE, UNION], extra_at=_at(FIELDS, "employees")),
    # 乡镇 clerk workbook: 2-row header with merged 所在地 / 人员情况 / 团组织情况, 其中 sub-headers.
    case("clerk2_township_grouped", "xlsx", title=TOWNSHIP_TITLE, header="grouped", groups={
        "所在地": ["district", "street"],
        "人员情况": ["employees", "youth_employees", "league_members"],
        "团组织情况": ORG_GROUP}, headers={
        "district": "县（区）", "street": "乡镇（街道）", "employees": "从业人员", "youth_employees": "其中35岁以下",
        "league_members": "其中团员", "has_league_org": "是否建立", "league_org_kind": "组织类型",
        "build_mode": "建团方式", "build_path": "建团路径", "league_org_date": "建立时间",
        "leader_name": "团组织书记"},
        extra=[STAT_DATE], extra_at=_at(FIELDS, "note")),
    # 互联网行业团委 CSV of merged headers: 党群组织情况 with party members and a union column among the orgs.
    case("clerk2_internet_party_group_csv", "csv-gb18030", title=INTERNET_TITLE, header="grouped_upper", groups={
        "党群组织情况": ["has_party_org", PARTY_MEMBERS, UNION, "has_league_org", "league_org_kind", "build_mode",
                   "build_path", "league_org_date"]}, headers={
        "org_name": "企业（平台）名称", "district": "所属区（县）", "street": "所属街道（乡镇）",
        "org_type": "单位类型（非公企业/社会组织）", "has_party_org": "党组织", "has_league_org": "团组织",
        "league_org_kind": "团组织类型", "build_mode": "建团方式", "build_path": "建团路径",
        "league_org_date": "建团时间"},
        extra=[PARTY_MEMBERS, UNION], extra_at=_at(FIELDS, "has_league_org")),
    # 文化创意行业团委 workbook: half-width brackets, 有无 questions, a main-business column after the industry.
    case("clerk2_culture_halfwidth", "xlsx", title=("文化创意行业团委团建工作台账",), headers={
        "org_name": "单位名称(全称)", "uscc": "统一社会信用代码(18位)", "district": "区县", "street": "街道(乡镇)",
        "org_type": "类型(非公企业/社会组织)", "above_scale": "规上企业(是/否)", "park": "园区",
        "league_society_member": "团属社团会员单位", "employees": "员工数", "youth_employees": "青年员工数(35岁以下)",
        "has_party_org": "有无党组织", "has_league_org": "有无团组织", "league_org_date": "建团日期",
        "directly_managed": "直接联系管理(是/否)"},
        extra=[BUSINESS], extra_at=_at(FIELDS, "org_type")),
    # 乡镇 clerk CSV: township before county, counts right after the type, liaison after the phone.
    case("clerk2_township_order_csv", "csv-gb18030", title=TOWNSHIP_TITLE, fields=ORDER_TOWNSHIP, headers={
        "org_name": "企业（社会组织）名称", "street": "所在乡镇", "district": "所属县区", "org_type": "单位性质",
        "industry": "行业分类", "employees": "职工人数", "youth_employees": "35岁以下职工数",
        "league_members": "团员数", "above_scale": "是否规模以上企业", "park": "所属园区",
        "has_party_org": "是否有党组织", "has_league_org": "是否有团组织", "league_org_date": "建团时间",
        "leader_name": "团组织书记", "leader_phone": "书记电话"},
        extra=[LIAISON, UNION], extra_at=ORDER_TOWNSHIP.index("directly_managed")),
    # 金融行业团委 workbook: two title lines, 基本信息 with a size column, 团组织信息 with its secretary.
    case("clerk2_finance_grouped", "xlsx", fields=ORDER_FINANCE, header="grouped",
         title=("金融行业团委两新组织团建工作台账", "填报单位：金融行业团委（盖章）        填报日期：2025年3月25日"),
         groups={
        "基本信息": ["org_name", "uscc", "industry", "org_type", "above_scale", SIZE],
        "团组织信息": ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date",
                  "directly_managed", "leader_name", "leader_phone"]}, headers={
        "org_name": "单位名称", "uscc": "信用代码", "industry": "行业", "org_type": "单位类型",
        "above_scale": "是否规上", "has_league_org": "是否建立", "league_org_kind": "组织类型",
        "build_mode": "组建方式", "build_path": "组建路径", "league_org_date": "成立时间",
        "directly_managed": "是否直接联系管理", "leader_name": "书记姓名", "leader_phone": "书记电话"},
        extra=[SIZE], extra_at=ORDER_FINANCE.index("district")),
    # 乡镇 clerk CSV from an old provincial form (台帐 spelling): 其中 counts, 团组织建设情况 over the org columns.
    case("clerk2_township_old_form_csv", "csv-gb18030", title=("两新组织团建工作台帐表",), header="grouped_upper",
         groups={"团组织建设情况": ORG_GROUP}, headers={
        "org_name": "单位名称", "district": "所属县（市、区）", "street": "所属乡镇（街道）", "industry": "所属行业",
        "org_type": "单位类别（非公企业/社会组织）", "league_society_member": "是否为团属社团会员单位",
        "employees": "从业人员（人）", "youth_employees": "其中：35周岁以下青年（人）",
        "league_members": "其中：团员（人）", "has_league_org": "是否建立团组织", "league_org_kind": "团组织类别",
        "league_org_date": "建团时间"}),
    # 物业管理行业团委 workbook: statistics date as the second column, 职工 wording, mobile-number header.
    case("clerk2_property_stat_date", "xlsx", title=("物业管理行业两新组织团建工作台账",), headers={
        "org_name": "单位（企业）名称", "uscc": "信用代码", "district": "区县", "street": "乡镇（街道）",
        "industry": "行业分类", "above_scale": "是否规上", "park": "所属园区", "employees": "职工人数",
        "youth_employees": "35岁以下职工数", "has_party_org": "是否有党组织", "has_league_org": "是否有团组织",
        "leader_name": "团组织书记（负责人）", "leader_phone": "手机号码"},
        extra=[STAT_DATE], extra_at=1),
    # 乡镇 clerk WPS CSV, 2-row header: 企业基本情况 / 青年及团员情况 / 团组织建设情况, liaison before 备注.
    case("clerk2_township_grouped_wps_csv", "csv-gb18030", title=TOWNSHIP_TITLE, fields=FIELDS_NO_ROW,
         header="grouped", groups={
        "企业基本情况": ["org_name", "uscc", "district", "street", "industry", "org_type", "above_scale", "park"],
        "青年及团员情况": ["youth_employees", "league_members"],
        "团组织建设情况": ORG_GROUP}, headers={
        "org_name": "企业名称", "uscc": "统一社会信用代码", "district": "所属区县", "street": "所属乡镇",
        "industry": "所属行业", "org_type": "单位类型", "above_scale": "是否规模以上", "park": "所在园区",
        "employees": "从业人员数", "youth_employees": "35岁以下青年", "league_members": "团员",
        "has_league_org": "是否已建团", "league_org_kind": "团组织类型", "build_mode": "建团方式",
        "build_path": "建团路径", "league_org_date": "建团时间"},
        extra=[LIAISON], extra_at=FIELDS_NO_ROW.index("note")),
]
