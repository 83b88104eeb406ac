"""Step 4, validate: the contract's rules on typed rows, each a small verify_* function.

A rule returns problems; "error" blocks the load, "warning" is shown and stored
with the submission. Each rule's message names the rule, so a unit knows what
to fix without reading the contract.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from etl.headers import column_problems
from etl.locate import EXCEL_ROW, Table
from etl.report import EXAMPLES_SHOWN, Problem

# A count that grew this many times since last month is probably a typo.
JUMP_FACTOR = 10
JUMP_MIN_VALUE = 10


@dataclass(frozen=True)
class Unit:
    unit_id: int
    name: str
    level: str
    district: str | None


@dataclass(frozen=True)
class Context:
    """What the rules need to know beyond the file itself."""

    today: date
    units: dict[str, Unit]  # every known unit by name
    unit: Unit | None = None  # the reporting unit of a ledger
    report_month: date | None = None  # first day of a ledger's month
    previous: pl.DataFrame | None = None  # the unit's previous ledger, as the `ledger` view has it
    months_ahead: int = 0  # how far past the current month a report month may be (plan_settings)
    pack_items: pl.DataFrame | None = None  # a spot check's: the items of the packs it names (etl.findings)
    settings: dict = field(default_factory=dict)  # plan_settings by name (ages, range sizes)


Rule = Callable[[Table, pl.DataFrame, Context], list[Problem]]


def _flag(table: Table, typed: pl.DataFrame, mask: pl.Expr, field: str, rule: str, message: str,
          severity: str = "error") -> list[Problem]:
    """One problem for every row of `typed` where `mask` holds, quoting the cells as written."""
    hit = typed.filter(mask)
    if hit.height == 0:
        return []
    label = table.headers.get(field) or table.kind.field(field).label
    values = []
    if field in table.rows.columns:
        written = hit.select(EXCEL_ROW).head(EXAMPLES_SHOWN).join(
            table.rows.select(EXCEL_ROW, field), on=EXCEL_ROW, how="left", maintain_order="left")
        values = [v for v in written[field].to_list() if v is not None]
    return [Problem(severity, rule, message, sheet=table.sheet, column=label,
                    rows=hit[EXCEL_ROW].to_list(), values=values)]


def _blank(table: Table, field: str) -> pl.Expr:
    """Whether the cell was left empty: an unreadable cell is reported once, as unreadable, not again as
    missing; a column not in the file at all is reported once, by verify_columns."""
    if field not in table.rows.columns:
        return pl.lit(False)
    written = table.rows[field].str.strip_chars().fill_null("")
    return pl.lit(written == "")


def verify_has_rows(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    if typed.height:
        return []
    return [Problem("error", "no_rows", "表头下面没有数据行，请填写后重新上传（空白模板不能报送）。", sheet=table.sheet)]


def verify_columns(table: Table, _: pl.DataFrame, __: Context) -> list[Problem]:
    """Every template column found, or the file queried; columns set aside are listed, not lost."""
    return column_problems(table.kind, list(table.readings), table.sheet, table.header_row)


def verify_required(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    problems = []
    for f in table.kind.loaded_fields:
        if f.required:
            problems += _flag(table, typed, pl.col(f.name).is_null() & _blank(table, f.name), f.name, "required",
                              f"“{f.label}”为必填项，不能为空")
    return problems


def verify_counts_not_negative(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    problems = []
    for f in table.kind.loaded_fields:
        if f.type == "int":
            problems += _flag(table, typed, pl.col(f.name) < 0, f.name, "count_not_negative",
                              f"“{f.label}”不能为负数")
    return problems


def verify_youth_within_employees(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("youth_employees") > pl.col("employees"), "youth_employees",
                 "youth_within_employees", "35岁以下青年数不能多于从业人员数")


def verify_members_within_youth(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("league_members") > pl.col("youth_employees"), "league_members",
                 "members_within_youth", "团员数不能多于35岁以下青年数")


def verify_org_date_when_org(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("has_league_org") & _blank(table, "league_org_date"),
                 "league_org_date", "org_date_required", "已建立团组织的，须填写建团日期")


def verify_org_date_in_time(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    latest = ctx.today
    if ctx.report_month is not None:
        month_end = pl.lit(ctx.report_month).dt.month_end()
        problems = _flag(table, typed, (pl.col("league_org_date") > month_end) & (pl.col("league_org_date") <= latest),
                         "league_org_date", "org_date_after_report_month",
                         f"建团日期晚于本次报送月份（{ctx.report_month:%Y年%m月}），请核对日期或报送月份")
    else:
        problems = []
    return problems + _flag(table, typed, pl.col("league_org_date") > latest, "league_org_date",
                            "org_date_in_future", "建团日期不能晚于今天")


def verify_street_for_street_unit(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    if ctx.unit is None or ctx.unit.level != "street":
        return []
    if "street" not in table.headers:
        return [Problem("error", "street_required", "街镇团组织报送的台账须有“所属街镇”列，请按模板补上",
                        sheet=table.sheet, rows=[table.header_row])]
    return _flag(table, typed, _blank(table, "street"), "street", "street_required",
                 "街镇团组织报送的台账须填写“所属街镇”")


def verify_kind_only_with_org(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, ~pl.col("has_league_org") & pl.col("league_org_kind").is_not_null(),
                 "league_org_kind", "org_kind_without_org",
                 "未建立团组织却填写了团组织类型，请核对“是否建立团组织”", severity="warning")


def verify_district_of_unit(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    if ctx.unit is None or not ctx.unit.district:
        return []
    return _flag(table, typed, pl.col("district").is_not_null() & (pl.col("district") != ctx.unit.district),
                 "district", "district_of_unit",
                 f"所属区县与报送单位所在区（{ctx.unit.district}）不一致，请核对", severity="warning")


def verify_unique_organisation(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    repeated = pl.col("uscc").is_not_null() & pl.col("uscc").is_duplicated()
    return _flag(table, typed, repeated, "uscc", "duplicate_organisation",
                 "同一组织（信用代码相同）在表中出现多次，已按最后一行载入；请删除重复行", severity="warning")


def verify_known_unit(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    known = list(ctx.units)
    return _flag(table, typed, pl.col("unit").is_not_null() & ~pl.col("unit").is_in(known), "unit",
                 "unit_known", "不是已登记的报送单位，请按单位全称填写（如“东湖区和平街道团工委”）")


def verify_month_not_in_future(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    """A report month is real: not after the current month (a setting allows at most one ahead)."""
    ahead = min(max(ctx.months_ahead, 0), 1)
    latest = pl.lit(ctx.today.replace(day=1)).dt.offset_by(f"{ahead}mo")
    return _flag(table, typed, pl.col("month") > latest, "month", "month_in_future",
                 "月份晚于当前月份，不能报送未来月份的数据，请核对")


def verify_replies_within_questions(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("effective_replies") > pl.col("questions"), "effective_replies",
                 "replies_within_questions", "有效回复数不能多于咨询求助及问题反映数")


def verify_unique_key(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    key = list(table.kind.key)
    repeated = pl.all_horizontal(pl.col(k).is_not_null() for k in key) & pl.struct(key).is_duplicated()
    return _flag(table, typed, repeated, key[0], "duplicate_key",
                 "同一单位同一期出现多行，请只保留一行")


def verify_changes_since_last_month(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    """Warnings against the unit's previous ledger: unchanged copy, tenfold jumps, vanished organisations."""
    previous = ctx.previous
    if previous is None or previous.height == 0:
        return []
    problems = []
    compared = [c for c in previous.columns if c in typed.columns and c not in (EXCEL_ROW, "extra")]
    current = typed.unique("uscc", keep="last")
    before = previous.select(compared).cast(current.select(compared).schema)
    if current.select(compared).sort("uscc").equals(before.sort("uscc")):
        problems.append(Problem("warning", "same_as_last_month",
                                "本月台账与上月完全相同，请确认本月情况已更新", sheet=table.sheet))
    joined = current.join(previous, on="uscc", how="inner", suffix="_previous", maintain_order="left")
    for count in ("employees", "league_members"):
        jumped = (pl.col(count) >= JUMP_MIN_VALUE) & (pl.col(count) >= JUMP_FACTOR * pl.col(f"{count}_previous")) \
            & (pl.col(f"{count}_previous") > 0)
        problems += _flag(table, joined, jumped, count, "count_jump",
                          f"比上月增长 {JUMP_FACTOR} 倍以上，请确认没有多打数字", severity="warning")
    vanished = previous.join(current, on="uscc", how="anti")
    # An organisation under last month's name with another code is most likely a mistyped code.
    arrived = current.join(previous.select("uscc"), on="uscc", how="anti")
    renamed = arrived.join(vanished.select("org_name", uscc_previous="uscc"), on="org_name", how="inner")
    problems += _flag(table, renamed, pl.lit(True), "uscc", "uscc_changed",
                      "该组织上月台账中的统一社会信用代码与本月不同，请核对是否填错（上月为："
                      + "、".join(renamed["uscc_previous"].head(EXAMPLES_SHOWN).to_list()) + "）",
                      severity="warning")
    vanished = vanished.join(renamed.select("org_name"), on="org_name", how="anti")
    if vanished.height:
        names = "、".join(vanished["org_name"].head(EXAMPLES_SHOWN).to_list())
        problems.append(Problem("warning", "organisation_vanished",
                                f"上月台账中的 {vanished.height} 个组织本月未出现（如 {names}），"
                                "如已注销或迁出请在备注中说明", sheet=table.sheet))
    return problems


def verify_pack_known(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    known = ctx.pack_items["pack_id"].unique().to_list() if ctx.pack_items is not None else []
    return _flag(table, typed, pl.col("pack_id").is_not_null() & ~pl.col("pack_id").is_in(known), "pack_id",
                 "pack_unknown", "没有这个编号的抽查包：请在“随机抽查”页面生成的抽查包中填写，不要改动抽查包编号")


def verify_one_pack(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    """One file, one pack: its unit and month are the submission's."""
    named = sorted(set(ctx.pack_items["pack_id"])) if ctx.pack_items is not None else []
    if len(named) < 2:
        return []
    return _flag(table, typed, pl.col("pack_id").is_in(named[1:]), "pack_id", "one_pack",
                 f"一个文件只能填写一个抽查包，本文件含有 {len(named)} 个（编号 {'、'.join(map(str, named))}），"
                 "请分成每个抽查包一个文件上传")


def verify_in_pack(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    if ctx.pack_items is None or ctx.pack_items.is_empty():
        return []
    drawn = ctx.pack_items.select(pl.col("pack_id").cast(pl.Int64), "uscc", drawn=pl.lit(True))
    joined = typed.join(drawn, on=["pack_id", "uscc"], how="left", maintain_order="left")
    named = pl.col("pack_id").is_in(drawn["pack_id"].unique().implode())
    return _flag(table, joined, named & pl.col("uscc").is_not_null() & pl.col("drawn").is_null(), "uscc",
                 "not_in_pack", "这个组织不在该抽查包中：抽查包中的组织不能替换或增加，请核对统一社会信用代码")


def verify_findings_answered(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    """Every checked organisation says whether it exists; one that exists, its league organisation and members.

    A blank 是否存在 that the loader read as 否 (a column marked only 是) is refused here; a blank it could
    not read at all, by verify_required.
    """
    exists = pl.col("org_exists").fill_null(False)
    return (
        _flag(table, typed, pl.col("org_exists").is_not_null() & _blank(table, "org_exists"), "org_exists",
              "finding_missing", "已核查的组织须填写“是否存在”（是或否）")
        + _flag(table, typed, exists & _blank(table, "league_org_confirmed"), "league_org_confirmed",
                "finding_missing", "组织存在的，须填写“团组织是否属实”（是或否）")
        + _flag(table, typed, exists & _blank(table, "members_counted"), "members_counted",
                "finding_missing", "组织存在的，须填写现场清点的“实有团员数”（没有团员填 0）")
    )


def verify_unique_finding(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    repeated = pl.col("uscc").is_not_null() & pl.struct("pack_id", "uscc").is_duplicated()
    return _flag(table, typed, repeated, "uscc", "duplicate_finding",
                 "同一组织在表中出现多次，无法确定以哪一行为准，请只保留一行")


def _rules() -> dict[str, Rule]:
    """Every verify_* rule, here and in the modules of other kinds' rules, by the name contract.toml lists it under."""
    from etl import member_rules, question_rules  # they build on this module's helpers

    found = globals() | vars(member_rules) | vars(question_rules)
    return {name.removeprefix("verify_"): rule for name, rule in found.items() if name.startswith("verify_")}


def validate(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    rules = _rules()
    return masked_ids(table, [p for name in table.kind.rules for p in rules[name](table, typed, ctx)])


def masked_ids(table: Table, problems: list[Problem]) -> list[Problem]:
    """Problems as anyone may read them: an ID number quoted from the file is masked (4101**********123X),
    whoever reads the message, the command line's output or a log."""
    from league.personal_ids import mask_id

    columns = {table.headers.get(f.name) for f in table.kind.fields if f.type == "id_number"} - {None}
    return [dataclasses.replace(p, values=[mask_id(str(v)) for v in p.values]) if p.column in columns else p
            for p in problems]
