"""A corpus of ledgers as units really send them, built from one clean ledger.

`CLEAN` is a realistic monthly ledger of one street unit. `template_case()`
writes it as the published template (title row, header on row 2). Each case in
`VARIANTS` writes the same organisations the way somebody actually typed,
exported or re-saved them and must load to exactly the template's rows; each
case in `BAD_FILES` must be rejected with the errors it lists (rule, Excel
rows, column header as written).

The cases themselves are in tests/corpus_cases.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import polars as pl
from stdnum.cn.uscc import calc_check_digit

from tests.corpus_files import WRITERS, Formula, Grid, xl_col

UNIT = "东湖区和平街道团工委"
OTHER_UNIT = "东湖区公园街道团工委"
DISTRICT, STREET = "东湖区", "和平街道"
MONTH = date(2025, 3, 1)
TITLE = f"{UNIT}2025年3月两新组织团建工作台账"
UNIT_TREE = pl.DataFrame({
    "name": ["江城市", DISTRICT, UNIT, OTHER_UNIT],
    "level": ["city", "district", "street", "street"],
    "parent": [None, "江城市", DISTRICT, DISTRICT],
})

FIELDS = ["row_no", "org_name", "uscc", "district", "street", "industry", "org_type", "above_scale", "park",
          "league_society_member", "employees", "youth_employees", "league_members", "has_party_org",
          "has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date",
          "directly_managed", "leader_name", "leader_phone", "note"]
HEADERS = dict(zip(FIELDS, [
    "序号", "单位名称", "统一社会信用代码", "所属区县", "所属街镇", "行业", "单位类型", "是否规模以上", "所在园区",
    "是否团属社团会员单位", "从业人员数", "35岁以下青年数", "团员数", "是否建立党组织", "是否建立团组织",
    "团组织类型", "建团方式", "建团路径", "建团日期", "是否直接联系管理", "团组织负责人", "联系电话", "备注"]))
ORG_GROUP = ["has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date"]

# -- the forms in which people write a value ------------------------------------------------------
# A value form maps a typed value to a cell; a layout's `forms` maps a field to f(value, record index).

BOOL_FIELDS = ["above_scale", "league_society_member", "has_party_org", "has_league_org", "directly_managed"]
COUNT_FIELDS = ["employees", "youth_employees", "league_members"]
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
EXCEL_DAY_ZERO = date(1899, 12, 30)


def _opt(form: Callable) -> Callable:
    return lambda v: None if v is None else form(v)


DATE_FORMS = {name: _opt(form) for name, form in {
    "excel_date": lambda d: d,
    "excel_serial": lambda d: (d - EXCEL_DAY_ZERO).days,
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dot": lambda d: f"{d.year}.{d.month}.{d.day}",
    "chinese": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "compact_number": lambda d: int(d.strftime("%Y%m%d")),
    "compact_text": lambda d: d.strftime("%Y%m%d"),
    "slash_padded_with_time": lambda d: d.strftime("%Y/%m/%d 0:00"),
    "iso_datetime": lambda d: d.strftime("%Y-%m-%dT00:00:00"),
}.items()}
NUMBER_FORMS = {name: _opt(form) for name, form in {
    "text": str,
    "with_unit": lambda n: f"{n}人",
    "full_width": lambda n: str(n).translate(FULL_WIDTH),
    "thousands": lambda n: f"{n:,}",
    "full_width_thousands_unit": lambda n: f"{n:,}".translate(FULL_WIDTH) + "人",
    "float_number": float,
}.items()}
USCC_FORMS = {name: _opt(form) for name, form in {
    "full_width": lambda c: c.translate(FULL_WIDTH),
    "full_width_letters": lambda c: "".join(ch.translate(FULL_WIDTH) if ch.isalpha() else ch for ch in c),
    "lowercase": str.lower,
    "surrounding_spaces": lambda c: f"  {c} \t",
    "spaced_groups": lambda c: f"{c[:8]} {c[8:17]} {c[17]}",
    "no_break_space": lambda c: f"\u00a0{c}\u3000",
}.items()}


def default_cell(field_name: str, value):
    """The template's own way: 是/否, numbers as numbers, real Excel dates."""
    if value is not None and field_name in BOOL_FIELDS:
        return "是" if value else "否"
    return value


def bools(yes, no) -> Callable:
    return lambda v: None if v is None else (yes if v else no)


def each(form: Callable) -> Callable:
    """A value form used on every row."""
    return lambda v, _: form(v)


def cycle(*forms: Callable) -> Callable:
    """Row i written in the i-th form, round and round: one file, many hands."""
    return lambda v, i: forms[i % len(forms)](v)


# -- the clean ledger -----------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BRANDS = ["智联", "云帆", "恒信", "华韵", "博远", "鼎盛", "嘉禾", "腾跃", "青禾", "星河", "润泽", "瑞丰", "启明",
          "汇通", "金鹏", "天合", "宏图", "新元", "锦程", "明远", "德信", "安泰", "众创", "优途", "合力", "睿思",
          "乐家", "顺达", "致远", "赣鄱"]
# industry -> (name pattern, org type, code prefix)
INDUSTRIES = {
    "互联网": ("江城{}网络科技有限公司", "非公有制企业", "91"),
    "快递服务": ("江城{}快递有限公司", "非公有制企业", "91"),
    "文化创意": ("江城{}文化传媒有限公司", "非公有制企业", "91"),
    "保安服务": ("江城{}保安服务有限公司", "非公有制企业", "91"),
    "连锁经营": ("江城{}连锁超市有限公司", "非公有制企业", "91"),
    "酒店餐饮": ("江城{}餐饮管理有限公司", "非公有制企业", "91"),
    "旅游": ("江城{}国际旅行社有限公司", "非公有制企业", "91"),
    "商业服务": ("江城{}企业管理咨询有限公司", "非公有制企业", "91"),
    "物业管理": ("江城{}物业服务有限公司", "非公有制企业", "91"),
    "家政服务": ("江城{}家政服务有限公司", "非公有制企业", "91"),
    "律师事务所": ("江西{}律师事务所", "社会组织", "31"),
    "会计师事务所": ("江城{}会计师事务所有限责任公司", "非公有制企业", "91"),
    "非学历教育培训": ("江城市东湖区{}职业培训学校", "社会组织", "52"),
    "制造业": ("江城{}电子科技有限公司", "非公有制企业", "91"),
    "建筑业": ("江城{}建设工程有限公司", "非公有制企业", "91"),
    "金融服务": ("江城{}融资担保有限公司", "非公有制企业", "91"),
    "其他": ("东湖区{}青年志愿者协会", "社会组织", "51"),
}
PARKS = ["江城高新技术产业园", "和平数字经济产业园", "东湖文创园"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "敏", "静", "磊", "洋", "婷", "杰", "欣怡", "子涵", "浩然", "雨萱", "思远", "嘉怡", "俊杰"]
KINDS = ["团支部", "团支部", "团支部", "团总支", "团委", "联合团支部", "青年组织"]
MODES = ["独立建团", "独立建团", "联合建团", "区域建团", "楼宇建团", "市场建团", "园区建团", "依托建团", "兴趣建团"]


def make_uscc(rng: random.Random, prefix: str) -> str:
    body = prefix + "360102" + ("MA" if prefix == "91" else "MJ") + "".join(rng.choices(USCC_ALPHABET, k=7))
    return body + calc_check_digit(body)


def make_records(n: int, seed: int = 20250301) -> list[dict]:
    """n organisations of the street, every field as the contract types it."""
    rng = random.Random(seed)
    codes: set[str] = set()
    records = []
    for i in range(n):
        industry = list(INDUSTRIES)[i % len(INDUSTRIES)] if i < 17 else rng.choice(list(INDUSTRIES))
        pattern, org_type, prefix = INDUSTRIES[industry]
        code = make_uscc(rng, prefix)
        while code in codes:
            code = make_uscc(rng, prefix)
        codes.add(code)
        employees = rng.choice([rng.randint(8, 60), rng.randint(60, 400), rng.randint(1200, 3600)])
        youth = rng.randint(employees // 4, employees)
        has_org = i % 4 != 3  # every fourth organisation has no league organisation yet
        members = rng.randint(3, max(3, min(youth, 80))) if has_org or i % 8 == 3 else rng.randint(0, 2)
        members = min(members, youth)
        org = {
            "league_org_kind": rng.choice(KINDS), "build_mode": rng.choice(MODES),
            "build_path": rng.randint(1, 11),
            "league_org_date": date(2025, 1 + i % 2, 3 + i % 20) if i % 6 == 0 else
            date(rng.randint(2014, 2024), rng.randint(1, 12), rng.randint(1, 28)),
            "directly_managed": rng.random() < 0.5,
            "leader_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "leader_phone": f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}" if i % 5
            else f"0791-8{rng.randint(0, 9999999):07d}",
        } if has_org else dict.fromkeys(
            ["league_org_kind", "build_mode", "build_path", "league_org_date", "leader_name", "leader_phone"])
        records.append({
            "row_no": i + 1,
            "org_name": pattern.format(BRANDS[i % len(BRANDS)] + ("" if i < len(BRANDS) else str(i))),
            "uscc": code, "district": DISTRICT, "street": STREET, "industry": industry, "org_type": org_type,
            "above_scale": org_type == "非公有制企业" and employees >= 300,
            "park": PARKS[i % 3] if i % 3 == 0 else None,
            "league_society_member": i % 5 == 1,
            "employees": employees, "youth_employees": youth, "league_members": members,
            "has_party_org": has_org or i % 8 == 3, "has_league_org": has_org,
            "directly_managed": False,
            **org,
            "note": "2025年新建" if has_org and org["league_org_date"].year == 2025 else
            ("有3名以上团员，尚未建团" if not has_org and members >= 3 else None),
        })
    return records


CLEAN = make_records(30)


def expected_ledger() -> pl.DataFrame:
    """The `ledger` view's rows (without submission_id) that the clean ledger must load to."""
    rows = [{"report_month": MONTH, "unit": UNIT} | {k: v for k, v in r.items() if k != "row_no"} for r in CLEAN]
    return pl.DataFrame(rows).sort("uscc")


# -- the ledger's layout ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Extra:
    """A column the template does not have; its cell in record i's row is make(i)."""

    header: str
    make: Callable[[int], object]


@dataclass
class Layout:
    grid: Grid
    excel_rows: dict[int, int]  # record index -> Excel row of its (last) row
    headers: dict[str, str]  # field -> header text as written, stripped (what an error names)
    extra: list[Extra] = field(default_factory=list)


def header_rows(names: list[str], columns: list, style: str, groups: dict[str, list[str]]) -> tuple[list, list]:
    """One or two header rows and their merges (rows counted from the first header row).

    "plain" one row; "grouped" each group's label merged over its columns (by default
    "团组织情况" over the organisation columns) and every other header merged down two
    rows; "grouped_lower" the group labels alone above, every header in the lower row;
    "grouped_upper" (how a CSV export of merged headers looks) single headers in the
    upper row only.
    """
    if style == "plain":
        return [names], []
    lower_all = style == "grouped_lower"
    spans = [[c for c, col in enumerate(columns) if col in members] for members in groups.values()]
    grouped = {c for span in spans for c in span}
    upper = [None if c in grouped or lower_all else n for c, n in enumerate(names)]
    lower = [n if c in grouped or lower_all else None for c, n in enumerate(names)]
    merges = []
    for label, span in zip(groups, spans):
        assert span == list(range(span[0], span[-1] + 1)), f"the columns under {label} must be adjacent"
        upper[span[0]] = label
        merges.append((0, span[0], 0, span[-1]))
    if style == "grouped":
        merges += [(0, c, 1, c) for c, n in enumerate(upper) if n and c not in grouped]
    return [upper, lower], merges


def ledger_sheet(records: list[dict], *, fields: list[str] | None = None, headers: dict | None = None,
                 extra: list[Extra] = (), extra_at: int | None = None, title: tuple[str, ...] = (TITLE,),
                 header: str = "plain", groups: dict | None = None, forms: dict | None = None,
                 row_no_formula: bool = False, sheet: str = "台账", **body) -> Layout:
    """Lay records out as a ledger sheet the way one person would (see `body_rows` for **body)."""
    columns: list = list(fields or FIELDS)
    at = len(columns) if extra_at is None else extra_at
    columns[at:at] = list(extra)
    written = {f: (headers or {}).get(f, HEADERS[f]) for f in columns if isinstance(f, str)}
    names = [written[c] if isinstance(c, str) else c.header for c in columns]
    rows: list[list] = [[t] + [None] * (len(columns) - 1) for t in title]
    merges = [(0, 0, 0, len(columns) - 1)] if title else []
    head, head_merges = header_rows(names, columns, header, groups or {"团组织情况": ORG_GROUP})
    merges += [(r1 + len(rows), c1, r2 + len(rows), c2) for r1, c1, r2, c2 in head_merges]
    rows += head
    first_body = len(rows)
    forms = forms or {}

    def data_row(i: int, record: dict) -> list:
        def cell(col):
            if isinstance(col, Extra):
                return col.make(i)
            if col == "row_no" and row_no_formula:
                return Formula(f"=ROW()-{first_body}", record["row_no"])
            return forms[col](record[col], i) if col in forms else default_cell(col, record[col])
        return [cell(col) for col in columns]

    excel_rows, hidden = body_rows(rows, records, columns, data_row, **body)
    return Layout(Grid(sheet, rows, merges, hidden), excel_rows, {f: t.strip() for f, t in written.items()},
                  list(extra))


def body_rows(rows: list[list], records: list[dict], columns: list, data_row: Callable, *,
              blank_after: set[int] = frozenset(), stale: dict[int, dict] | None = None, repeat: list[int] = (),
              subtotal_after: set[int] = frozenset(), total: str | None = None, footer: list[list] = (),
              hidden: set[int] = frozenset(), numbered_to: int = 0) -> tuple[dict[int, int], set[int]]:
    """Append the data rows and what people put among and under them; return where each record landed.

    stale: an outdated copy of a record above the data (the last row wins);
    repeat: records written again at the end; numbered_to: the template's 序号
    pre-filled on empty rows up to this number; hidden: records whose rows are hidden.
    """
    width, first_body = len(columns), len(rows)
    excel_rows, hidden_rows = {}, set()
    for i, changes in (stale or {}).items():
        rows.append(data_row(i, records[i] | changes))
    for i, record in enumerate(records):
        if i in hidden:
            hidden_rows.add(len(rows))
        excel_rows[i] = len(rows) + 1
        rows.append(data_row(i, record))
        if i in blank_after:
            rows += [[None] * width, [" "] + [None] * (width - 1)]
        if i in subtotal_after:
            rows.append(sum_row("小计", records[: i + 1], columns, None))
    for i in repeat:
        excel_rows[i] = len(rows) + 1
        rows.append(data_row(i, records[i]))
    for n in range(len(records), numbered_to):
        rows.append([n + 1 if col == "row_no" else None for col in columns])
    if total:
        rows.append(sum_row(total, records, columns, (first_body + 1, len(rows))))
    rows += [list(line) + [None] * (width - len(line)) for line in footer]
    return excel_rows, hidden_rows


def sum_row(label: str, records: list[dict], columns: list, span: tuple[int, int] | None) -> list:
    """A 合计/小计 row: the counts summed, as SUM formulas over `span` (Excel rows) or as plain numbers."""
    cells = [label] + [None] * (len(columns) - 1)
    for f in COUNT_FIELDS:
        if f in columns:
            c, value = columns.index(f), sum(r[f] for r in records)
            cells[c] = Formula(f"=SUM({xl_col(c)}{span[0]}:{xl_col(c)}{span[1]})", value) if span else value
    return cells


INSTRUCTIONS = Grid("填表说明", [
    ["填表说明"],
    ["1. 每月26日前报送本月台账，一个单位一行。"],
    ["2. “统一社会信用代码”按营业执照填写18位代码。"],
    ["3. 是否类栏目填“是”或“否”；日期格式如 2025-03-01。"],
])
SUMMARY = Grid("汇总", [
    ["单位", "两新组织数", "已建团组织数"],
    [UNIT, 30, 22],
])
# Last month's copy kept in a hidden sheet in front: the same layout, older figures.
LAST_MONTH_HIDDEN = replace(ledger_sheet([r | {"employees": r["employees"] + 1} for r in make_records(30)],
                                         title=(TITLE.replace("3月", "2月"),), sheet="2月").grid, hidden_sheet=True)
SIGNATURE = [["填表人：王芳", None, None, "审核人：李伟", None, None, "填表日期：2025年3月25日"]]
NOTES = [["注：1.本表由街道团工委每月26日前报送区团委；2.“是否”类栏目填“是”或“否”。"],
         ["说明：团员数不含已超龄团员。"]]

# -- cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    rule: str
    rows: tuple[int, ...] = ()
    column: str | None = None


@dataclass(frozen=True)
class Case:
    name: str
    file_name: str
    fmt: str  # a key of WRITERS, or "bytes"
    grids: tuple[Grid, ...] = ()
    data: bytes = b""
    identity: str = "args"  # "args": pass unit and month; "title", "file_name", "none": pass neither
    errors: tuple[Expected, ...] = ()  # empty: must load to the clean rows
    warnings: tuple[str, ...] = ()  # the rules of the only warnings a loading file may get
    layout: Layout | None = None

    def write(self, folder: Path) -> Path:
        path = folder / self.file_name
        if self.fmt == "bytes":
            path.write_bytes(self.data)
        else:
            WRITERS[self.fmt](path, list(self.grids))
        return path


SUFFIX = {"xlsx": ".xlsx", "xls": ".xls"}


def case(name: str, fmt: str = "xlsx", *, records: list[dict] = CLEAN, before: tuple[Grid, ...] = (),
         after: tuple[Grid, ...] = (), file_name: str | None = None, identity: str | None = None,
         errors: Callable[[Layout], tuple[Expected, ...]] | None = None, **layout) -> Case:
    """A ledger written in `fmt`; unless told, unit and month come from the title when it names them."""
    laid = ledger_sheet(records, **layout)
    if identity is None:
        identity = "title" if TITLE in layout.get("title", (TITLE,)) else "args"
    warnings = (("unknown_columns",) if laid.extra else ()) \
        + (("duplicate_organisation",) if layout.get("repeat") or layout.get("stale") else ())
    return Case(name, file_name or f"{name}{SUFFIX.get(fmt, '.csv')}", fmt, (*before, laid.grid, *after),
                identity=identity, errors=errors(laid) if errors else (), warnings=warnings, layout=laid)


def template_case() -> Case:
    return case("template", file_name=f"{TITLE}.xlsx")
