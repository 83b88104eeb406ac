"""随机抽查: reproducible stratified spot-check packs of a unit's organisations, for the visit.

A pack is drawn from the ledger a reporting unit stands on at a month
(`queries.spot_check_frame`), whose organisations fall into four strata, each
organisation in the first that applies: newly built this year, flagged by a
data-quality check, directly managed, and the rest. Every stratum that has
organisations gets at least one place (in that order while places last); the
remaining places go to the strata in proportion to their sizes (largest
remainders, never more than a stratum holds). Within a stratum the
organisations with the smallest permanent random numbers are taken: each
organisation's number is a hash of the seed and its credit code (SHA-256), not
a draw from a random generator, so the same seed gives the same pack on any
machine and under any library version, and a larger pack with the same seed
keeps the organisations of a smaller one where its strata's shares allow.

The pack is stored (so its filled copy can be checked against it when it
comes back through the loader, etl.findings) and written as .xlsx or as a
printable PDF: the ledger values it was drawn with, personal fields masked
for a reader who may not see them (league.gateway), and blank columns for the
findings. Nothing here imports streamlit.
"""

from __future__ import annotations

import hashlib
import io
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from etl.contract import contract
from etl.findings import FINDINGS
from league import access, gateway, queries
from league.access import Actor
from league.db import Database, next_ids

KIND = "spot_check"  # the kind of sheet a filled pack loads as (etl/contract.toml)
STRATUM_WORDS = {"new_this_year": "今年新建", "flagged": "有数据质量提示", "directly_managed": "直接联系管理",
                 "other": "其他"}
PACK_STATE_WORDS = {"awaiting_findings": "待载入核查结果", "findings_loaded": "已载入核查结果"}
SEED_DIGITS = 6  # a seed drawn for the inspector is short enough to write down
MAX_SIZE = 1000
# The ledger values a pack keeps and shows, as spot_check_items stores them.
ITEM_VALUES = ("org_name", "district", "street", "industry", "org_type", "employees", "youth_employees",
               "league_members", "has_league_org", "league_org_kind", "league_org_date", "directly_managed",
               "leader_name", "leader_phone")
# The printed pack leaves out what the sheet's title already says and what matters least on site.
NOT_PRINTED = ("pack_id", "industry", "org_type", "youth_employees")
YES_NO = ("是", "否")
FIRST_HEADER_ROW = 3  # 0-based: three title rows, then the header (the loader finds it by its words)
# User text stays text: "=…" is not a formula, "http://…" not a link, "12" typed as text not a number.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}
NEED_PANGO = ("生成 PDF 抽查包需要 Pango 文字排版库和中文字体，本机没有找到。请安装后重试："
              "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk；或改为生成 Excel 文件（.xlsx）。")


class SpotCheckError(ValueError):
    """A pack that cannot be drawn or written as asked; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Pack:
    pack_id: int
    unit: str
    district: str | None
    report_month: date
    seed: int
    size: int  # as asked for; `items` may hold fewer when the ledger is smaller
    created_by: str
    created_at: datetime
    items: pl.DataFrame  # position, stratum, draw, uscc, ITEM_VALUES, ledger_month, submission_id

    @property
    def title(self) -> str:
        return f"随机抽查包{self.pack_id}：{self.unit}{self.report_month.year}年{self.report_month.month}月"

    def describe(self) -> str:
        """The pack in one line: number, seed, how many and from which strata."""
        counts = self.items.group_by("stratum").len()
        by_stratum = dict(counts.iter_rows())
        drawn = "、".join(f"{word} {by_stratum[s]} 个" for s, word in STRATUM_WORDS.items() if s in by_stratum)
        return (f"抽查包编号 {self.pack_id}，随机种子 {self.seed}，抽取 {self.items.height} 个组织"
                f"（要求 {self.size} 个；{drawn}）")


# --- drawing --------------------------------------------------------------------------

def new_seed() -> int:
    """A seed for an inspector who has not chosen one."""
    return secrets.randbelow(10 ** SEED_DIGITS)


def permanent_random_number(seed: int, uscc: str) -> float:
    """The organisation's number in [0, 1) under a seed: the first 8 bytes of SHA-256 of "seed:uscc"."""
    digest = hashlib.sha256(f"{seed}:{uscc}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def allocate(sizes: list[int], n: int) -> list[int]:
    """Places per stratum (in stratum order) for a sample of n: one for each non-empty stratum while
    places last, the rest in proportion to the strata's sizes by largest remainder, within their sizes."""
    n = min(n, sum(sizes))
    places = [0] * len(sizes)
    for i in [i for i, size in enumerate(sizes) if size][:n]:
        places[i] = 1
    while (left := n - sum(places)) > 0:
        room = [i for i, size in enumerate(sizes) if places[i] < size]
        weight = sum(sizes[i] for i in room)
        quotas = {i: left * sizes[i] / weight for i in room}
        whole = {i: min(math.floor(quotas[i]), sizes[i] - places[i]) for i in room}
        for i, more in whole.items():
            places[i] += more
        if any(math.floor(quotas[i]) > whole[i] for i in room):
            continue  # a stratum ran out: share what is left again among the others
        by_remainder = sorted((i for i in room if places[i] < sizes[i]), key=lambda i: (-(quotas[i] % 1), i))
        for i in by_remainder[:n - sum(places)]:
            places[i] += 1
    return places


def draw_sample(frame: pl.DataFrame, size: int, seed: int) -> pl.DataFrame:
    """The pack's organisations from a spot_check_frame: per stratum, those with the smallest numbers.

    Adds `draw` (the permanent random number) and `position` (1, 2, … by stratum, then draw).
    """
    numbered = frame.with_columns(
        draw=pl.col("uscc").map_elements(lambda code: permanent_random_number(seed, code), return_dtype=pl.Float64))
    strata = numbered["stratum_rank"].unique().sort().to_list()
    sizes = [numbered.filter(pl.col("stratum_rank") == rank).height for rank in strata]
    taken = [numbered.filter(pl.col("stratum_rank") == rank).sort("draw", "uscc").head(places)
             for rank, places in zip(strata, allocate(sizes, size))]
    chosen = pl.concat(taken) if taken else numbered.clear()
    return chosen.with_columns(position=pl.int_range(1, pl.len() + 1, dtype=pl.Int32))


def _unit_path(db: Database, actor: Actor | None, unit: str) -> str:
    found = db.query("select path, level from units where name = ?", [unit])
    if found.is_empty() or found["level"][0] not in ("street", "industry"):
        raise SpotCheckError(f"“{unit}”不是报送单位（街道、乡镇团委或行业团委），请按单位全称选择。")
    if actor is None or not actor.can("spot_check", found["path"][0]):
        raise gateway.AccessDenied(f"您的账号不能对“{unit}”进行抽查。")
    return found["path"][0]


def draw_pack(db: Database, actor: Actor | None, unit: str, month: date, size: int, seed: int,
              address: str | None = None, at: datetime | None = None) -> Pack:
    """Draw a pack of `size` organisations of the unit's ledger at the month under `seed`, store it, return it.

    `at` is when it was drawn (now unless given: the demo dates its year of visits)."""
    _unit_path(db, actor, unit)
    if not 1 <= size <= MAX_SIZE:
        raise SpotCheckError(f"抽取数量应为 1 到 {MAX_SIZE} 之间的整数。")
    if seed < 0:
        raise SpotCheckError("随机种子应为不小于 0 的整数。")
    month = month.replace(day=1)
    frame = queries.spot_check_frame(db, actor.view_scope, month, unit)
    if frame.is_empty():
        raise SpotCheckError(f"“{unit}”在{month.year}年{month.month}月及以前没有已接收的台账，无法抽查。")
    chosen = draw_sample(frame, size, seed)
    with db.transaction() as con:
        (pack_id,) = next_ids(con, "spot_check_pack")
        con.execute(
            "insert into spot_check_packs (pack_id, unit_id, report_month, seed, size, created_by, created_at)"
            " select ?, unit_id, ?, ?, ?, ?, ? from units where name = ?",
            [pack_id, month, seed, size, actor.name, at or datetime.now(), unit])
        con.register("drawn_items", chosen.with_columns(pack_id=pl.lit(pack_id, dtype=pl.Int32)).to_arrow())
        try:
            con.execute(
                "insert into spot_check_items by name select pack_id, uscc, position, stratum, draw, submission_id,"
                f" ledger_month, {', '.join(ITEM_VALUES)} from drawn_items")
        finally:
            con.unregister("drawn_items")
        access.audit(con, actor.name, "spot_check_drawn", unit,
                     {"pack_id": pack_id, "month": f"{month:%Y-%m}", "seed": seed, "size": size,
                      "drawn": chosen.height}, address, at=at)
    return read_pack(db, actor, pack_id)


def read_pack(db: Database, actor: Actor | None, pack_id: int) -> Pack:
    """A stored pack as the actor may see it (personal fields masked unless they may see them)."""
    found = db.query(
        "select p.*, u.name as unit, u.district from spot_check_packs p join units u using (unit_id)"
        " where p.pack_id = ?", [pack_id])
    if found.is_empty():
        raise SpotCheckError(f"没有编号为 {pack_id} 的抽查包。")
    pack = found.row(0, named=True)
    _unit_path(db, actor, pack["unit"])
    items = db.query(
        f"select position, stratum, draw, uscc, {', '.join(ITEM_VALUES)}, ledger_month, submission_id"
        " from spot_check_items where pack_id = ? order by position", [pack_id])
    return Pack(pack_id, pack["unit"], pack["district"], pack["report_month"], pack["seed"], pack["size"],
                pack["created_by"], pack["created_at"], gateway.masked(items, actor))


# --- writing ---------------------------------------------------------------------------

def _columns(printed: bool = False) -> list[tuple[str, str]]:
    """(field, header) of the pack's columns: the spot_check kind's fields, in its order, so the loader
    reads back exactly what was written."""
    fields = contract().kinds[KIND].fields
    return [(f.name, f.label) for f in fields if not (printed and f.name in NOT_PRINTED)]


def _cells(pack: Pack) -> list[list[object]]:
    """Each item's cells under _columns(): numbers as numbers, everything else as text, findings blank."""
    def cell(item: dict, field: str) -> object:
        value = {"row_no": item["position"], "pack_id": pack.pack_id,
                 "stratum": STRATUM_WORDS[item["stratum"]]}.get(field, item.get(field))
        if value is None or field in FINDINGS:
            return ""
        if isinstance(value, bool):
            return YES_NO[0] if value else YES_NO[1]
        if isinstance(value, date):
            return f"{value:%Y-%m-%d}"
        return value if isinstance(value, int) else str(value)

    return [[cell(item, field) for field, _ in _columns()] for item in pack.items.iter_rows(named=True)]


def _heading(pack: Pack) -> list[str]:
    months = sorted(set(pack.items["ledger_month"]))
    ledger = "、".join(f"{m.year}年{m.month}月" for m in months)
    return [
        pack.title,
        pack.describe(),
        f"按{ledger}台账抽取；生成：{pack.created_by}，{pack.created_at:%Y-%m-%d %H:%M}。"
        "请填写右侧四栏后在“上传”页面（种类选“随机抽查结果”）上传。",
    ]


INSTRUCTIONS = (
    ("是否存在", "现场找到该组织填“是”，找不到（已注销、迁出、查无此单位）填“否”。"),
    ("团组织是否属实", "组织存在时必填：台账所填的团组织现场核实属实填“是”，不属实或没有团组织填“否”。"),
    ("实有团员数", "组织存在时必填：现场清点的团员人数（整数，没有团员填 0）。"),
    ("备注", "可选：不一致之处、核实的依据（花名册、团员证、智慧团建截图等）。"),
    ("未核查的组织", "四栏都不填，上传时视为未核查，不计入核实系数。"),
    ("不要改动", "抽查包编号、统一社会信用代码和台账各栏是核对的依据，请不要改动、增删或调换行。"),
)


def pack_xlsx(pack: Pack) -> bytes:
    """The pack as a workbook to fill in on site: nothing live in it, 是/否 lists on the yes/no findings."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    finding = book.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1, "text_wrap": True})
    sheet = book.add_worksheet("抽查包")
    for r, line in enumerate(_heading(pack)):
        sheet.write_string(r, 0, line, title if r == 0 else None)
    columns = _columns()
    first, last = FIRST_HEADER_ROW + 1, FIRST_HEADER_ROW + max(pack.items.height, 1)
    for c, (field, label) in enumerate(columns):
        sheet.write_string(FIRST_HEADER_ROW, c, label, finding if field in FINDINGS else header)
        sheet.set_column(c, c, max(8, min(len(label) * 2 + 2, 30)))
        kind_field = contract().kinds[KIND].field(field)
        if field in FINDINGS and kind_field.type == "bool":
            sheet.data_validation(first, c, last, c, {
                "validate": "list", "source": list(YES_NO), "input_title": "请选择", "input_message": "填“是”或“否”",
                "error_title": "只能填是或否", "error_message": f"“{label}”只能填“是”或“否”。"})
        elif field in FINDINGS and kind_field.type == "int":
            sheet.data_validation(first, c, last, c, {
                "validate": "integer", "criteria": ">=", "value": 0, "input_title": "填不小于 0 的整数",
                "input_message": "现场清点的人数，如 12", "error_title": "须为整数",
                "error_message": f"“{label}”只能填不小于 0 的整数。"})
    for r, row in enumerate(_cells(pack), start=first):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, value)
    sheet.freeze_panes(first, 0)
    guide = book.add_worksheet("填写说明")
    guide.write_row(0, 0, ["栏目", "怎样填写"], header)
    for r, (what, how) in enumerate(INSTRUCTIONS, start=1):
        guide.write_string(r, 0, what)
        guide.write_string(r, 1, how)
    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 90)
    book.close()
    return buffer.getvalue()


TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ heading[0] }}</title>
<style>
  @page { size: A4 landscape; margin: 1.2cm 1cm;
          @bottom-center { content: "第 " counter(page) " 页"; font-family: {{ fonts | safe }}; font-size: 8pt; } }
  body { font-family: {{ fonts | safe }}; font-size: 8pt; }
  h1 { font-size: 14pt; margin: 0 0 0.3em 0; }
  p { margin: 0.2em 0; }
  table { border-collapse: collapse; width: 100%; margin-top: 0.6em; }
  th, td { border: 0.5pt solid #666; padding: 2pt 3pt; vertical-align: top; }
  th { background: #eee; }
  th.finding { background: #fff2cc; }
  td.finding { min-width: 3.2em; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .sign { margin-top: 1.5em; }
</style></head>
<body>
<h1>{{ heading[0] }}</h1>
{% for line in heading[1:] %}<p>{{ line }}</p>{% endfor %}
<table>
<thead><tr>{% for field, label in columns %}<th{% if field in findings %} class="finding"{% endif %}>{{ label }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for field, value in row %}
<td{% if field in findings %} class="finding"{% endif %}>{% if field in yes_no %}□是 □否{% else %}{{ value }}{% endif %}</td>
{% endfor %}</tr>{% endfor %}</tbody>
</table>
<p class="sign">核查人（签字）：＿＿＿＿＿＿　　陪同人员（签字）：＿＿＿＿＿＿　　核查日期：＿＿＿＿年＿＿月＿＿日</p>
</body></html>
"""


def pack_html(pack: Pack) -> str:
    """The pack as one printable HTML page (every value escaped by Jinja2)."""
    import jinja2

    from league.bulletin_render import CJK_FONTS

    everything = [field for field, _ in _columns()]
    columns = _columns(printed=True)
    kept = [everything.index(field) for field, _ in columns]
    rows = [[(everything[i], row[i]) for i in kept] for row in _cells(pack)]
    yes_no = {f.name for f in contract().kinds[KIND].fields if f.name in FINDINGS and f.type == "bool"}
    template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    return template.render(heading=_heading(pack), columns=columns, rows=rows, findings=FINDINGS, yes_no=yes_no,
                           fonts=CJK_FONTS)


def missing_tools() -> dict[str, str]:
    """Suffix -> why this machine cannot write a pack in that format, with what to install (empty: it can)."""
    try:
        import weasyprint  # noqa: F401  (loads Pango)
    except OSError:
        return {".pdf": NEED_PANGO}
    return {}


def pack_pdf(pack: Pack) -> bytes:
    """The printable page as PDF (WeasyPrint, as the bulletin); ask missing_tools() first."""
    from weasyprint import HTML

    return HTML(string=pack_html(pack)).write_pdf()


FORMATS = {".xlsx": pack_xlsx, ".pdf": pack_pdf}
MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".pdf": "application/pdf"}


def check_suffix(path: str | Path) -> str:
    """The path's suffix if a pack can be written as it (.xlsx, .pdf), else a SpotCheckError saying which can."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise SpotCheckError(f"抽查包只能保存为 Excel（.xlsx）或 PDF（.pdf）文件，“{Path(path).name}”不是。")
    return suffix


def to_bytes(pack: Pack, suffix: str) -> bytes:
    return FORMATS[check_suffix(f"pack{suffix}")](pack)


def file_name(pack: Pack, suffix: str) -> str:
    return f"{pack.title}{suffix}"
