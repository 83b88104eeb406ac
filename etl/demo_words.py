"""Word lists and code makers for the demo world: names, credit codes, phones.

Everything takes the caller's seeded `random.Random`, so the same seed always
gives the same names and codes.
"""

from __future__ import annotations

import random

from stdnum.cn import uscc as uscc_code

CITY = "江城市"
CITY_SHORT = "江城"
CITY_DIVISION_CODE = "4299"  # fictional prefecture under a real province prefix

# District name -> (street/town names, industry committees). The first district
# carries the contract's reference plan (228 / 10 / 70).
DISTRICTS = {
    "东湖区": (["和平街道", "中山街道", "东亭街道", "水果湖街道", "卓刀泉街道", "花山镇"], ["互联网", "律师事务所"]),
    "江北区": (["解放街道", "滨江街道", "新村街道", "百步亭街道", "谌家矶街道", "阳逻镇"], ["快递服务", "物业管理"]),
    "青山区": (["红钢城街道", "建设街道", "钢花街道", "白玉山街道", "厂前街道", "武东镇"], ["制造业", "保安服务"]),
    "临江区": (["汉正街道", "龙王庙街道", "江汉路街道", "花楼街道", "民族街道", "长丰镇"], ["连锁经营", "金融服务"]),
    "南湖区": (["南湖街道", "书城路街道", "金桥街道", "光明街道", "文华街道", "金口镇"], ["文化创意", "酒店餐饮"]),
}

PARKS = {
    "东湖区": ["东湖软件产业园", "光谷创意产业基地", "东湖国际企业中心"],
    "江北区": ["江北物流园", "滨江商务区", "百步亭创业园"],
    "青山区": ["青山工业园", "钢城科技孵化园", "武东智能制造园"],
    "临江区": ["汉正街商贸园", "江汉路金融街区", "临江电商产业园"],
    "南湖区": ["南湖文创园", "书城路创意街区", "金口文旅小镇"],
}

# Industry -> (weight among street-unit organisations, typical youth share, size factor, name stems).
INDUSTRIES = {
    "互联网": (8, 0.78, 1.0, ["网络科技", "信息技术", "数据科技", "软件技术", "互联网科技"]),
    "快递服务": (4, 0.62, 1.3, ["快递", "速运", "物流", "供应链管理"]),
    "文化创意": (6, 0.70, 0.7, ["文化传媒", "文化创意", "广告", "影视传媒", "设计"]),
    "保安服务": (3, 0.40, 2.0, ["保安服务", "安保服务"]),
    "连锁经营": (10, 0.60, 1.1, ["商贸", "便利店", "超市", "连锁管理"]),
    "酒店餐饮": (10, 0.58, 1.0, ["酒店管理", "餐饮管理", "饮食服务"]),
    "旅游": (3, 0.55, 0.6, ["旅行社", "旅游开发"]),
    "商业服务": (12, 0.55, 0.7, ["商务咨询", "企业管理咨询", "人力资源服务", "会展服务"]),
    "物业管理": (7, 0.35, 1.5, ["物业管理", "物业服务"]),
    "家政服务": (4, 0.30, 0.8, ["家政服务", "家庭服务"]),
    "律师事务所": (2, 0.60, 0.5, ["律师事务所"]),
    "会计师事务所": (2, 0.62, 0.5, ["会计师事务所"]),
    "非学历教育培训": (5, 0.72, 0.6, ["教育科技", "教育咨询", "职业培训"]),
    "制造业": (10, 0.45, 2.5, ["机械制造", "电子科技", "精密制造", "新材料科技", "食品"]),
    "建筑业": (7, 0.40, 2.0, ["建筑工程", "建设工程", "装饰工程", "市政工程"]),
    "金融服务": (4, 0.66, 0.9, ["小额贷款", "融资担保", "投资管理", "保险代理"]),
    "其他": (6, 0.50, 0.8, ["实业", "贸易", "科技发展"]),
}

# Social organisations: (industry, name suffix).
SOCIAL_FORMS = [
    ("非学历教育培训", "培训学校"), ("非学历教育培训", "职业技能培训学校"), ("其他", "社会工作服务中心"),
    ("其他", "志愿者协会"), ("商业服务", "商会"), ("商业服务", "行业协会"), ("家政服务", "家庭服务中心"),
    ("其他", "青年创业促进会"), ("文化创意", "文化艺术促进会"),
]

# Two-character brands; characters that would make well-known real brands (中信, 联通, 海航 …) are left out.
BRAND_FIRST = list("华恒鑫瑞博嘉汇宏盛达天新金长凯兴联润信安锦创远卓晨星云海鼎泰正德佳和诚明光立隆")
BRAND_SECOND = list("达源丰盛泰华宇辉阳帆力美程峰川林翔越启元成升邦途桥朗智腾博睿诺扬")

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞宇欣怡晨浩然子轩雨婷思远佳琪俊博文")

# Registration authority + entity category: 91 enterprise, 52 private non-enterprise unit, 51 social group.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CODE_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"


def _org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    total = sum((int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w for c, w in zip(body, _ORG_CODE_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, district_code: str, social: bool) -> str:
    """A unified social credit code with valid GB 11714 and GB 32100-2015 check characters."""
    if social:
        prefix = rng.choice(["52", "51"])
        body = "MJ" + "".join(rng.choices("0123456789", k=6))
    elif rng.random() < 0.7:  # codes issued since 2015 start with MA
        prefix = "91"
        body = "MA" + "".join(rng.choices("0123456789" + _CODE_LETTERS, k=6))
    else:
        prefix = "91"
        body = "".join(rng.choices("0123456789", k=8))
    first17 = prefix + district_code + body + _org_code_check(body)
    return first17 + uscc_code.calc_check_digit(first17)


def make_phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choices("0123456789", k=9))


def make_person(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def make_org_name(rng: random.Random, district: str, industry: str, social_form: str | None) -> str:
    brand = rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)
    if social_form:
        return f"{CITY}{district}{brand}{social_form}"
    stem = rng.choice(INDUSTRIES[industry][3])
    place = rng.choice([CITY_SHORT, CITY, f"{CITY_SHORT}{district.removesuffix('区')}"])
    if stem == "律师事务所":
        return f"{place}{brand}{stem}" + rng.choice(["", "（普通合伙）"])
    if stem == "会计师事务所":
        return f"{place}{brand}{stem}" + rng.choice(["有限公司", "（特殊普通合伙）", ""])
    return f"{place}{brand}{stem}" + rng.choices(["有限公司", "有限责任公司", "股份有限公司"], [80, 15, 5])[0]


# What an industry league committee calls its industry.
COMMITTEE_LABELS = {
    "互联网": "互联网行业", "律师事务所": "律师行业", "快递服务": "快递行业", "物业管理": "物业行业",
    "制造业": "制造业", "保安服务": "保安行业", "连锁经营": "连锁经营行业", "金融服务": "金融行业",
    "文化创意": "文化创意行业", "酒店餐饮": "餐饮行业",
}


def unit_name(district: str, street: str | None, industry: str | None) -> str:
    if street:
        return f"{district}{street}{'团委' if street.endswith('镇') else '团工委'}"
    return f"{district}{COMMITTEE_LABELS[industry]}团委"
