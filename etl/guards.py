"""Guards on what a file would do to the figures, told to the person before anything is loaded.

A ledger that replaces a month already loaded says so and what it changes; a
ledger holding under half of the organisations it is compared with, or the
template's example row, is loaded only when the person confirms it is meant
(the upload page's tick, the command line's --accept-drop). The example row
itself is never loaded.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from etl.locate import EXCEL_ROW, Table
from etl.report import Problem
from etl.templates import EXAMPLES

# The rules whose problems hold a load until the person confirms.
CONFIRM_RULES = frozenset({"large_drop", "template_example"})
# The template's example row is told by these fields where the kind has a made-up organisation,
# else by every count in it (the example of the targets names a real unit).
# The member sheets' examples say so in a text column.
EXAMPLE_MARKS = {"ledger": ("uscc", "org_name"), "roster": ("note",), "ranges": ("note",),
                 "unused_numbers": ("reason",), "schools": ("explanation",), "youth_voice_questions": ("question_id",)}
COMPARED_OUT = ("excel_row", "extra", "submission_id", "unit_id")


@dataclass(frozen=True)
class Diff:
    """One ledger against another, by organisation (credit code)."""

    before: int
    after: int
    added: int
    removed: int
    changed: int  # organisations in both whose row differs
    changed_cells: int = 0  # fields that differ, over the organisations in both

    def text(self) -> str:
        return (f"组织数 {self.before:,} → {self.after:,}：新增 {self.added:,} 个，减少 {self.removed:,} 个，"
                f"信息有变化 {self.changed:,} 个")


@dataclass(frozen=True)
class Changes:
    """What confirming a ledger would change."""

    replaces_received_at: datetime | None  # when the accepted ledger it replaces arrived, if any
    against_replaced: Diff | None
    last_month: date | None
    against_last_month: Diff | None


def split_template_example(table: Table, typed: pl.DataFrame) -> tuple[Table, pl.DataFrame, list[Problem]]:
    """The table and its rows without the template's example row, and a problem naming where it was left."""
    example = EXAMPLES.get(table.kind.name, {}).get("example", {})
    marks = EXAMPLE_MARKS.get(table.kind.name)
    if marks:
        is_example = pl.any_horizontal(pl.col(f) == str(example[f]) for f in marks)
    else:
        counts = [f.name for f in table.kind.loaded_fields if f.type == "int" and f.name in example]
        is_example = pl.all_horizontal(pl.col(f) == example[f] for f in counts)
    found = typed.filter(is_example.fill_null(False))[EXCEL_ROW]
    if found.len() == 0:
        return table, typed, []
    kept = ~pl.col(EXCEL_ROW).is_in(found.implode())
    return dataclasses.replace(table, rows=table.rows.filter(kept)), typed.filter(kept), [Problem(
        "warning", "template_example",
        "这是模板中的示例行，不会载入；请删除示例行，只填写本单位的实际数据。如其余各行无误，可确认后载入",
        sheet=table.sheet, rows=found.to_list())]


def diff(before: pl.DataFrame, after: pl.DataFrame) -> Diff:
    columns = [c for c in after.columns if c in before.columns and c not in COMPARED_OUT]
    old = before.select(columns).cast(after.select(columns).schema)
    new = after.select(columns)
    both = new.join(old, on="uscc", how="inner", suffix="_before")
    compared = [pl.col(c).ne_missing(pl.col(f"{c}_before")) for c in columns if c != "uscc"]
    if not compared:
        changed = changed_cells = 0
    else:
        changed = both.filter(pl.any_horizontal(compared)).height
        changed_cells = int(both.select(pl.sum_horizontal(compared).sum()).item() or 0)
    return Diff(before=old.height, after=new.height,
                added=new.join(old, on="uscc", how="anti").height,
                removed=old.join(new, on="uscc", how="anti").height,
                changed=changed, changed_cells=changed_cells)


def submission_diff(con: duckdb.DuckDBPyConnection, before_id: int, after_id: int) -> Diff:
    """One accepted ledger submission against another (what changed since a sign-off)."""
    def rows(submission_id: int) -> pl.DataFrame:
        return con.execute("select * from ledger_rows where submission_id = ?", [submission_id]).pl()

    return diff(rows(before_id), rows(after_id))


def ledger_changes(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, replaced: int | None,
                   previous: pl.DataFrame, previous_month: date | None) -> Changes:
    replaced_at, against_replaced = None, None
    if replaced is not None:
        replaced_at = con.execute("select received_at from submissions where submission_id = ?",
                                  [replaced]).fetchone()[0]
        before = con.execute("select * from ledger_rows where submission_id = ?", [replaced]).pl()
        against_replaced = diff(before, rows)
    against_last = diff(previous, rows) if previous is not None and previous.height else None
    return Changes(replaced_at, against_replaced, previous_month if against_last else None, against_last)


def drop_problem(table: Table, changes: Changes, share: float) -> list[Problem]:
    """Under `share` of the organisations of last month, or of the month it replaces: confirm first."""
    compared = [(what, diff) for what, diff in (("上月台账", changes.against_last_month),
                                                ("所替换的本月原台账", changes.against_replaced))
                if diff is not None and diff.before and diff.after < share * diff.before]
    if not compared:
        return []
    what, diff = compared[0]
    return [Problem("warning", "large_drop",
                    f"本次台账只有 {diff.after:,} 个组织，不到{what}（{diff.before:,} 个）的 {share:.0%}；"
                    "请确认没有漏填或选错文件。如确属实际情况，可确认后载入", sheet=table.sheet)]


def held_for_confirmation(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.rule in CONFIRM_RULES]
