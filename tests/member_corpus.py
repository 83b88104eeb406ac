"""New-member rosters, number ranges, unused-number registers and school counts as clerks send them.

Written from the data contract alone (§4, §5 and "What arrives in practice"), without
reading the loader, so that it samples how real people word and lay out these sheets.
Each case in `VARIANTS` is a file a careful reader would load without question and carries the
exact clean records it must load to (file order; blank text is None). Each case in `REJECTS` is
a file a careful reader would query: the field whose column the error must name and the Excel
rows (1-based, as Excel shows them; for CSV the record's row as Excel would show it).

Run as a script to write every case into a temporary folder:  python tests/member_corpus.py
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum.cn import ric

from tests.corpus import (
    DATE_FORMS, DISTRICT, FULL_WIDTH, GIVEN, NUMBER_FORMS, OTHER_UNIT, SURNAMES, UNIT, bools, cycle, each,
    header_rows,
)
from tests.corpus_files import WRITERS, Formula, Grid, xl_col

ROSTER = ["name", "gender", "id_number", "birth_date", "joined_on", "member_no", "developing_org",
          "entered_in_system", "entered_on"]
SUFFIX = {"xlsx": ".xlsx", "xls": ".xls"}
NO = (0, "序号", lambda i: i + 1)  # the 序号 column, first
REGIONS = ["360102", "360103", "360104", "360111", "360121", "360403"]
BRANCHES = {
    UNIT: ["江城智联网络科技有限公司团支部", "江城云帆快递有限公司团支部", "和平街道社区联合团支部",
           "和平数字经济产业园联合团支部"],
    OTHER_UNIT: ["公园街道机关团支部", "江城恒信保安服务有限公司团支部", "东湖文创园联合团支部",
                 "江城华韵文化传媒有限公司团支部"],
}
# Number ranges issued to the two street units (§5); roster member numbers come from these.
RANGES = {UNIT: [("360102250001", "360102250080"), ("360102250301", "360102250340")],
          OTHER_UNIT: [("360102250101", "360102250160")]}


def check_digit(first17: str) -> str:
    # python-stdnum 2.2's calc_check_digit ignores the last character it is given: pad the 17 digits.
    return ric.calc_check_digit(first17 + "0")


def make_id(rng: random.Random, birth: date, male: bool, want_x: bool = False) -> str:
    region = rng.choice(REGIONS)
    while True:
        seq = rng.randrange(1, 1000)
        if seq % 2 == male:  # GB 11643: odd sequence digit for men
            body = region + birth.strftime("%Y%m%d") + f"{seq:03d}"
            number = body + check_digit(body)
            if (number[-1] == "X") == want_x:
                assert ric.is_valid(number)
                return number


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def members(seed: int, unit: str, n: int, first_no: int, *, x_at: tuple[int, ...] = (),
            not_entered: tuple[int, ...] = (), ages: tuple[int, int] = (16, 27)) -> list[dict]:
    """n new members of one unit, every field as the contract types it."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        joined = date(2025, rng.randint(3, 9), rng.randint(1, 28))
        age = rng.randint(*ages)
        birth = date(joined.year - age, rng.randint(1, 12), rng.randint(1, 28))
        assert 14 <= age_on(birth, joined) <= 28
        male = rng.random() < 0.5
        entered = i not in not_entered
        out.append({
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "gender": "男" if male else "女",
            "id_number": make_id(rng, birth, male, i in x_at), "birth_date": birth, "joined_on": joined,
            "member_no": str(first_no + i), "developing_org": rng.choice(BRANCHES[unit]),
            "entered_in_system": entered,
            "entered_on": joined + timedelta(days=rng.randint(1, 25)) if entered else None,
        })
    return out


# -- value forms: f(value, row index) -> cell -------------------------------------------------------

ID_FORMS = {
    "lower_x": lambda s: s.lower(),
    "full_width_x": lambda s: s.replace("X", "Ｘ"),
    "spaces": lambda s: f"  {s} ",
    "tab": lambda s: f"\t{s}",  # how some people keep Excel from turning a CSV ID into 3.60102E+17
    "full_width": lambda s: s.translate(FULL_WIDTH),
    "spaced_x": lambda s: f" {s.replace('X', 'x')}\u3000",
}


def plain_cell(value):
    """The template's own way: 是/否 for bools, real dates, text as text."""
    return ("是" if value else "否") if isinstance(value, bool) else value


@dataclass(frozen=True)
class Col:
    """A column: `key` a field name (its cell from the record) or a header-only extra with make(i)."""

    header: str
    key: str
    make: Callable[[int], object] | None = None


def cols(headers: dict[str, str], *extras: tuple[int, str, Callable]) -> list[Col]:
    """Columns from {field: header as written}, with extras (position, header, make) slotted in."""
    out = [Col(h, f) for f, h in headers.items()]
    for at, header, make in extras:
        out.insert(at, Col(header, header, make))
    return out


def sheet(name: str, columns: list[Col], records: list[dict], *, title: tuple[str, ...] = (),
          header: str = "plain", groups: dict[str, list[str]] | None = None, forms: dict | None = None,
          blank_after: tuple[int, ...] = (), total: str | None = None, formula_total: bool = False,
          footer: tuple[str, ...] = ()) -> tuple[Grid, list[int]]:
    """Lay records out as one person would; return the sheet and the Excel row of each record."""
    width, forms = len(columns), forms or {}
    rows: list[list] = [[t] + [None] * (width - 1) for t in title]
    merges = [(r, 0, r, width - 1) for r in range(len(title))]
    keys = [c.key for c in columns]
    head, head_merges = header_rows([c.header for c in columns], keys, header, groups or {})
    merges += [(r1 + len(rows), c1, r2 + len(rows), c2) for r1, c1, r2, c2 in head_merges]
    rows += head
    first, excel_rows = len(rows) + 1, []
    for i, rec in enumerate(records):
        excel_rows.append(len(rows) + 1)
        rows.append([c.make(i) if c.make else forms[c.key](rec[c.key], i) if c.key in forms
                     else plain_cell(rec[c.key]) for c in columns])
        if i in blank_after:
            rows.append([None] * width)
    if total:
        line = [total] + [None] * (width - 1)
        for c, col in enumerate(columns):
            if col.key in ("edu_count", "league_count"):
                value = sum(r[col.key] for r in records)
                span = f"{xl_col(c)}{first}:{xl_col(c)}{len(rows)}"
                line[c] = Formula(f"=SUM({span})", value) if formula_total else value
        rows.append(line)
    rows += [[note] + [None] * (width - 1) for note in footer]
    return Grid(name, rows, merges), excel_rows


@dataclass
class MemberCase:
    name: str
    kind: str  # "roster", "ranges", "unused_numbers" or "schools"
    fmt: str  # a key of tests.corpus_files.WRITERS
    grids: tuple[Grid, ...]
    file_name: str
    records: list[dict] = field(default_factory=list)  # expected clean records, file order (VARIANTS)
    unit: str | None = None  # the reporting unit a roster is for (a UNIT_TREE name)
    error_field: str | None = None  # REJECTS: the field whose column the error must name
    error_rows: list[int] = field(default_factory=list)  # REJECTS: Excel rows of the offending records
    error_header: str | None = None  # that column's header as written, stripped (None if missing)

    def write(self, folder: Path) -> Path:
        path = Path(folder) / self.file_name
        WRITERS[self.fmt](path, list(self.grids))
        return path


def make_case(name: str, kind: str, fmt: str, columns: list[Col], records: list[dict], *, unit: str | None = None,
              file_name: str | None = None, before: tuple[Grid, ...] = (), after: tuple[Grid, ...] = (),
              sheet_name: str = "Sheet1", bad: tuple[str, list[int]] | None = None, **layout) -> MemberCase:
    """A case; `bad` = (field, record indexes) makes it a reject with those records' Excel rows."""
    grid, excel_rows = sheet(sheet_name, columns, records, **layout)
    file_name = (file_name or name) + SUFFIX.get(fmt, ".csv")
    if bad is None:
        return MemberCase(name, kind, fmt, (*before, grid, *after), file_name, records, unit)
    header = next((c.header.strip() for c in columns if c.key == bad[0]), None)
    return MemberCase(name, kind, fmt, (*before, grid, *after), file_name, [], unit,
                      bad[0], [excel_rows[i] for i in bad[1]], header)


ROSTER_TITLE = "{}2025年新发展团员基本信息表"
SIGN = ("填表人：刘婷        审核人：陈磊        联系电话：0791-86123456", "填报日期：2025年10月8日")
INSTRUCTIONS = Grid("填表说明", [["填表说明"], ["1. 每名新发展团员一行，身份证号须为18位。"],
                                   ["2. 入团时间填写支部大会召开日期。"], ["3. 团员编号须在本单位领取的号段内。"]])

# -- roster variants --------------------------------------------------------------------------------

R1 = members(101, UNIT, 7, 360102250001, x_at=(2,), not_entered=(5,))
R2 = members(102, UNIT, 6, 360102250021, x_at=(1,), not_entered=(3,))
R3 = members(103, OTHER_UNIT, 6, 360102250101, x_at=(0, 4))
R4 = members(104, OTHER_UNIT, 5, 360102250121, not_entered=(2,), ages=(15, 24))
R5 = members(105, UNIT, 6, 360102250301, x_at=(3,), not_entered=(0,))
R6 = members(106, OTHER_UNIT, 5, 360102250141, x_at=(1,), not_entered=(4,))

ROSTER_VARIANTS = [
    make_case(
        "roster_template_like", "roster", "xlsx", cols(dict(zip(ROSTER, [
            "姓名", "性别", "公民身份号码", "出生日期", "入团时间", "团员编号", "发展团组织", "是否录入智慧团建", "录入日期"])),
            NO, (3, "民族", lambda i: "汉族" if i != 4 else "回族"),
            (12, "联系电话", lambda i: f"1387910{i:04d}")),
        R1, unit=UNIT, file_name=f"{UNIT}新发展团员基本信息表（第三季度）", before=(INSTRUCTIONS,), sheet_name="团员信息",
        title=(ROSTER_TITLE.format(UNIT), f"填报单位（盖章）：{UNIT}"),
        forms={"id_number": cycle(str, str, ID_FORMS["lower_x"])}, footer=SIGN),
    make_case(
        "roster_two_row_xls", "roster", "xls", cols({
            "name": "姓  名", "gender": "性别", "id_number": "身份证号", "birth_date": "出生年月日",
            "joined_on": "入团时间（年月日）", "member_no": "团员编号", "developing_org": "发展团组织",
            "entered_in_system": "是否录入", "entered_on": "录入时间"}, NO),
        R2, unit=UNIT, file_name=f"和平街道-新团员名册-{UNIT}", sheet_name="名册", header="grouped",
        groups={"入团情况": ["joined_on", "member_no", "developing_org"],
                "智慧团建录入情况": ["entered_in_system", "entered_on"]},
        title=(ROSTER_TITLE.format(UNIT),), blank_after=(1, 3),
        forms={"birth_date": each(DATE_FORMS["excel_serial"]), "joined_on": each(DATE_FORMS["dot"]),
               "entered_on": cycle(DATE_FORMS["dot"], DATE_FORMS["excel_date"]),
               "entered_in_system": each(bools("√", "×")), "id_number": each(ID_FORMS["full_width_x"])},
        footer=("注：本表由街道团工委汇总上报，入团时间以支部大会召开日期为准。",)),
    make_case(
        "roster_csv_bom_line_breaks", "roster", "csv-bom", cols({
            "name": "姓名", "gender": "性 别", "id_number": "公民身份\n号码", "birth_date": "出生\n日期",
            "joined_on": "入团\n时间", "member_no": "团员编号", "developing_org": "发展团组织\n（团支部全称）",
            "entered_in_system": "是否录入\n智慧团建（Y/N）", "entered_on": "录入\n日期"},
            (3, "政治面貌", lambda i: "共青团员"), (11, "备注", lambda i: "转自学校团组织" if i == 2 else None)),
        R3, unit=OTHER_UNIT, file_name=f"{OTHER_UNIT}新发展团员信息(导出)",
        title=(ROSTER_TITLE.format(OTHER_UNIT),),
        forms={"id_number": cycle(ID_FORMS["spaces"], ID_FORMS["tab"], ID_FORMS["spaced_x"]),
               "birth_date": cycle(DATE_FORMS["chinese"], DATE_FORMS["slash"]),
               "joined_on": each(DATE_FORMS["chinese"]), "entered_on": each(DATE_FORMS["slash"]),
               "entered_in_system": each(bools("Y", "N")),
               "member_no": cycle(str, str, lambda v: v.translate(FULL_WIDTH)), "gender": each(lambda v: f" {v} ")},
        footer=("", "说明：身份证号前加空格防止科学计数法。")),
    make_case(
        "roster_csv_gb18030_compact_dates", "roster", "csv-gb18030", cols({
            "name": "团员姓名", "gender": "性别", "id_number": "身份证号码", "birth_date": "出生日期",
            "joined_on": "入团日期", "member_no": "团员证编号", "developing_org": "发展团支部",
            "entered_in_system": "智慧团建录入", "entered_on": "录入日期"},
            NO, (10, "学历", lambda i: ["高中", "中专", "大专", "本科", "初中"][i % 5])),
        R4, unit=OTHER_UNIT, file_name=f"{OTHER_UNIT}2025年新团员",
        title=(ROSTER_TITLE.format(OTHER_UNIT) + "（截至9月30日）",),
        forms={"birth_date": each(DATE_FORMS["compact_text"]),
               "joined_on": cycle(DATE_FORMS["compact_text"], DATE_FORMS["iso"]),
               "entered_on": each(DATE_FORMS["iso"]), "entered_in_system": each(bools("1", "0")),
               "id_number": cycle(str, ID_FORMS["full_width"])},
        blank_after=(2,), footer=("注：1.“智慧团建录入”栏已录入填1，未录入填0；2.日期按8位数字填写。",)),
    make_case(
        "roster_xlsx_bracket_hints", "roster", "xlsx", cols({
            "name": "姓名", "gender": "性别（男/女）", "id_number": "公民身份号码（18位）",
            "birth_date": "出生日期（年月日）", "joined_on": "入团时间（年月日）", "member_no": "团员编号（12位）",
            "developing_org": "发展团组织（团支部全称）", "entered_in_system": "是否录入“智慧团建”系统",
            "entered_on": "录入日期（年月日）"}, (9, "所在单位", lambda i: "江城智联网络科技有限公司")),
        R5, unit=UNIT, file_name=f"{UNIT}_新发展团员_第二批", sheet_name="新团员",
        title=(f"{UNIT}2025年第二批新发展团员基本信息表", "（2025年7月—9月）"),
        forms={"birth_date": cycle(DATE_FORMS["excel_date"], DATE_FORMS["compact_number"]),
               "joined_on": cycle(DATE_FORMS["slash_padded_with_time"], DATE_FORMS["excel_date"], DATE_FORMS["dot"]),
               "entered_on": cycle(DATE_FORMS["excel_serial"], DATE_FORMS["chinese"]),
               "member_no": each(int), "entered_in_system": each(bools("✓", "×")),
               "id_number": cycle(ID_FORMS["spaces"], ID_FORMS["full_width_x"], str, ID_FORMS["lower_x"])},
        after=(Grid("统计", [["合计人数", 6], ["已录入", 5]]),), footer=("合计：6人",) + SIGN),
    make_case(
        "roster_xls_stray_spaces", "roster", "xls", cols({
            "name": " 姓名 ", "gender": "性 别", "id_number": "身份证号 ", "birth_date": "出 生 日 期",
            "joined_on": "入团 时间", "member_no": " 团员编号", "developing_org": "发展团组织 ",
            "entered_in_system": "是否录入智慧团建 ", "entered_on": "录入日期"},
            NO, (3, "民族", lambda i: "汉"), (10, "联系方式", lambda i: f"1357000{i:04d}")),
        R6, unit=OTHER_UNIT, file_name=f"{OTHER_UNIT}新团员信息表", sheet_name="Sheet1",
        title=(ROSTER_TITLE.format(OTHER_UNIT), "", f"填报单位：{OTHER_UNIT}          2025年10月"),
        forms={"birth_date": each(DATE_FORMS["excel_date"]),
               "joined_on": cycle(DATE_FORMS["iso"], DATE_FORMS["chinese"]),
               "entered_on": each(DATE_FORMS["excel_date"]), "member_no": each(str),
               "entered_in_system": each(bools(" 是", "否 ")), "id_number": each(ID_FORMS["lower_x"])},
        blank_after=(0,), footer=("共计：5人", "", "填表人：周静")),
]

# -- ranges, unused numbers, schools ----------------------------------------------------------------

RANGE_ROWS = [{"unit": u, "first_no": a, "last_no": b} for u, spans in RANGES.items() for a, b in spans]
RANGE_ROWS = [RANGE_ROWS[0], RANGE_ROWS[2], RANGE_ROWS[1]]  # in order of issue


SIZES = [int(r["last_no"]) - int(r["first_no"]) + 1 for r in RANGE_ROWS]
UNUSED = [{"unit": UNIT, "member_no": "360102250008", "reason": "作废"},
          {"unit": UNIT, "member_no": "360102250015", "reason": "填错重发"},
          {"unit": UNIT, "member_no": "360102250079", "reason": "预留"},
          {"unit": UNIT, "member_no": "360102250080", "reason": "预留"},
          {"unit": OTHER_UNIT, "member_no": "360102250117", "reason": "发展对象未通过支部大会，编号作废"}]
SCHOOLS = [
    {"school": "江城市第十九中学", "district": DISTRICT, "edu_count": 412, "league_count": 409, "explanation": None},
    {"school": "江城市东湖区育新学校", "district": DISTRICT, "edu_count": 156, "league_count": 131,
     "explanation": "25名毕业生团员组织关系已转出，教育统计未更新"},
    {"school": "江城市第三中学", "district": DISTRICT, "edu_count": 1268, "league_count": 1263, "explanation": None},
    {"school": "江城市东湖区职业技术学校", "district": DISTRICT, "edu_count": 530, "league_count": 602,
     "explanation": "含72名五年制高职学生，教育口径未计入"},
    {"school": "江城市豫章中学", "district": DISTRICT, "edu_count": 88, "league_count": 88, "explanation": None},
]

OTHER_VARIANTS = [
    make_case(
        "ranges_xlsx_numbers", "ranges", "xlsx",
        cols({"unit": "单位名称", "first_no": "起始编号", "last_no": "终止编号"}, NO,
             (4, "数量（个）", SIZES.__getitem__), (5, "分配日期", lambda i: date(2025, 3, 1 + 10 * i))),
        RANGE_ROWS, file_name="东湖区2025年团员编号号段分配表", title=("东湖区2025年团员编号号段分配表",),
        forms={"first_no": each(int), "last_no": each(int)}, footer=("注：各单位须确保号号有下落，未使用编号登记备查。",)),
    make_case(
        "ranges_xls_grouped", "ranges", "xls",
        cols({"unit": "申领单位", "first_no": "起", "last_no": "止"},
             (3, "个数", lambda i: f"{SIZES[i]}个"), (4, "备注", lambda i: None)),
        RANGE_ROWS, file_name="号段登记", header="grouped", groups={"团员编号号段": ["first_no", "last_no"]},
        title=("团员编号号段登记表",), blank_after=(1,), footer=("经办人：黄欣怡",)),
    make_case(
        "ranges_csv_gb18030", "ranges", "csv-gb18030",
        cols({"unit": "填报单位", "first_no": "号段起始号", "last_no": "号段截止号"}),
        RANGE_ROWS, file_name="2025年度团员编号号段", title=("2025年度团员编号号段",),
        forms={"first_no": cycle(lambda v: f" {v}", lambda v: v.translate(FULL_WIDTH)),
               "last_no": each(lambda v: f"{v} "), "unit": each(lambda v: f"{v} ")}),
    make_case(
        "unused_xlsx", "unused_numbers", "xlsx",
        cols({"unit": "单位", "member_no": "团员编号", "reason": "未使用原因"}, NO,
             (4, "登记日期", lambda i: date(2025, 9, 20 + i))),
        UNUSED, file_name="东湖区未使用团员编号登记表", title=("东湖区未使用团员编号登记表",), blank_after=(2,),
        forms={"member_no": each(int)}, footer=("填表人：吴思远    审核人：郭嘉怡",)),
    make_case(
        "unused_csv_bom", "unused_numbers", "csv-bom",
        cols({"unit": "所属团组织", "member_no": "作废编号", "reason": "原因说明"}, (3, "经办人", lambda i: "何俊杰")),
        UNUSED, file_name="作废编号登记(导出)", forms={"member_no": cycle(str, lambda v: f"{v} ")}),
    make_case(
        "unused_xls_line_breaks", "unused_numbers", "xls",
        cols({"member_no": "未使用\n团员编号", "reason": "原因\n（作废/填错重发/预留）", "unit": "报送\n单位"}),
        UNUSED, file_name="未使用编号", title=("未使用团员编号登记", "（号号有下落）"),
        forms={"member_no": each(str)}, footer=("说明：预留编号于下季度使用。",)),
    make_case(
        "schools_xlsx_total", "schools", "xlsx",
        cols({"school": "学校名称", "district": "所属区县", "edu_count": "教育统计口径团员数",
              "league_count": "智慧团建团员数", "explanation": "差异说明"}, NO,
             (5, "差额", lambda i: SCHOOLS[i]["league_count"] - SCHOOLS[i]["edu_count"])),
        SCHOOLS, file_name="东湖区学校团员数量情况表", title=("东湖区学校团员数量情况表",),
        total="合计", formula_total=True, footer=("注：差异超过5%的须填写差异说明。",)),
    make_case(
        "schools_xls_grouped_units", "schools", "xls",
        cols({"school": "学校", "district": "所属区县", "edu_count": "教育统计口径", "league_count": "团内统计口径",
              "explanation": "差异说明"}),
        SCHOOLS, file_name="学校团员数对账", header="grouped", groups={"团员数（人）": ["edu_count", "league_count"]},
        title=("学校团员数量情况表", "填报单位：东湖区团委"), total="合  计", blank_after=(2,),
        forms={"edu_count": each(NUMBER_FORMS["with_unit"]),
               "league_count": cycle(NUMBER_FORMS["text"], NUMBER_FORMS["float_number"])}),
    make_case(
        "schools_csv_gb18030_full_width", "schools", "csv-gb18030",
        cols({"school": "学校", "district": "区县", "edu_count": "教育部门统计团员数（人）",
              "league_count": "智慧团建系统团员数(人)", "explanation": "差异原因说明"}),
        SCHOOLS, file_name="学校团员数量对账表", title=("学校团员数量对账表",), total="合计",
        forms={"edu_count": cycle(NUMBER_FORMS["full_width"], NUMBER_FORMS["thousands"]),
               "league_count": cycle(NUMBER_FORMS["thousands"], NUMBER_FORMS["full_width_thousands_unit"]),
               "district": each(lambda v: f" {v}")}),
]

VARIANTS: list[MemberCase] = ROSTER_VARIANTS + OTHER_VARIANTS

# -- rejects ----------------------------------------------------------------------------------------


def changed(records: list[dict], i: int, **fields) -> list[dict]:
    return [r | fields if k == i else r for k, r in enumerate(records)]


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def aged(record: dict, years: int, seed: int) -> dict:
    """The record, re-born so the member is `years` old on joined_on (ID and birth date agree)."""
    joined = record["joined_on"]
    birth = date(joined.year - years - 1, 11, 15) if (joined.month, joined.day) < (11, 15) else \
        date(joined.year - years, 1, 5)
    assert age_on(birth, joined) == years
    male = record["gender"] == "男"
    return record | {"birth_date": birth, "id_number": make_id(random.Random(seed), birth, male)}


X = members(201, UNIT, 6, 360102250041)
Y = members(202, OTHER_UNIT, 5, 360102250150)
PLAIN_HEADERS = dict(zip(ROSTER, ["姓名", "性别", "身份证号码", "出生日期", "入团时间", "团员编号", "发展团组织",
                                  "是否录入智慧团建", "录入日期"]))

REJECTS: list[MemberCase] = [
    make_case("reject_check_digit", "roster", "xlsx", cols(PLAIN_HEADERS, NO),
              changed(X, 3, id_number=wrong_check(X[3]["id_number"])), unit=UNIT, bad=("id_number", [3]),
              title=(ROSTER_TITLE.format(UNIT),), footer=SIGN),
    make_case("reject_legacy_15_digit", "roster", "csv-bom", cols(PLAIN_HEADERS),
              changed(Y, 1, id_number=Y[1]["id_number"][:6] + Y[1]["id_number"][8:17]), unit=OTHER_UNIT,
              bad=("id_number", [1]), title=(ROSTER_TITLE.format(OTHER_UNIT),),
              forms={"joined_on": each(DATE_FORMS["slash"]), "birth_date": each(DATE_FORMS["slash"]),
                     "entered_on": each(DATE_FORMS["slash"])}),
    make_case("reject_birth_mismatch", "roster", "xls", cols(PLAIN_HEADERS | {"birth_date": "出生年月日"}),
              changed(changed(X, 1, birth_date=X[1]["birth_date"] + timedelta(days=31)), 4,
                      birth_date=X[4]["birth_date"].replace(year=X[4]["birth_date"].year - 1)),
              unit=UNIT, bad=("birth_date", [1, 4]), title=(ROSTER_TITLE.format(UNIT), ""), blank_after=(2,)),
    make_case("reject_implausible_age", "roster", "xlsx", cols(PLAIN_HEADERS, NO),
              [aged(Y[0], 10, 1)] + Y[1:3] + [aged(Y[3], 40, 2)] + Y[4:], unit=OTHER_UNIT,
              bad=("birth_date", [0, 3]), title=(ROSTER_TITLE.format(OTHER_UNIT),)),
    make_case("reject_entered_without_date", "roster", "csv-gb18030", cols(PLAIN_HEADERS),
              changed(X, 2, entered_on=None), unit=UNIT, bad=("entered_on", [2]),
              title=(ROSTER_TITLE.format(UNIT),), forms={d: each(DATE_FORMS["compact_text"])
                                                       for d in ("birth_date", "joined_on", "entered_on")}),
    make_case("reject_missing_id_column", "roster", "xlsx", cols({f: h for f, h in PLAIN_HEADERS.items()
                                                                  if f != "id_number"}, NO),
              Y, unit=OTHER_UNIT, bad=("id_number", []), title=(ROSTER_TITLE.format(OTHER_UNIT),)),
    make_case("reject_reversed_range", "ranges", "xlsx", cols({"unit": "单位名称", "first_no": "起始编号",
                                                               "last_no": "终止编号"}),
              changed(RANGE_ROWS, 1, last_no="360102250060"), bad=("last_no", [1]),
              title=("东湖区2025年团员编号号段分配表",)),
    make_case("reject_negative_school_count", "schools", "xls", cols({
        "school": "学校名称", "district": "所属区县", "edu_count": "教育统计口径团员数", "league_count": "智慧团建团员数",
        "explanation": "差异说明"}), changed(SCHOOLS, 2, edu_count=-1268), bad=("edu_count", [2]),
        title=("东湖区学校团员数量情况表",)),
    make_case("reject_non_numeric_school_count", "schools", "csv-bom", cols({
        "school": "学校", "district": "区县", "edu_count": "教育统计团员数", "league_count": "团内统计团员数",
        "explanation": "说明"}), SCHOOLS, bad=("league_count", [3]), title=("学校团员数量情况表",),
        forms={"league_count": lambda v, i: "待核实" if i == 3 else v}),
]


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp(prefix="member_corpus_"))
    for c in VARIANTS + REJECTS:
        path = c.write(folder)
        note = f"rejects {c.error_field} rows {c.error_rows}" if c.error_field else f"{len(c.records)} records"
        print(f"{c.kind:15} {c.fmt:12} {note:32} {path}")
