"""read -> locate -> normalise -> validate -> load, for one received file.

`prepare` does everything but the write and is what the upload page shows the
user; `commit` writes a prepared file in one transaction; `load_file` is the
two together, for the command line and the demo.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl import load, report
from etl.contract import contract
from etl.locate import LayoutError, Table, locate
from etl.normalise import normalise
from etl.read import UnreadableFile, read_sheets
from etl.report import Problem
from etl.validate import Context, Unit, validate
from league.config import raw_files_dir
from league.db import Database
from league.units import REPORTING_LEVELS

UNIT_SUFFIXES = re.compile(r"(团工作委员会|团工委|团委|团总支)$")
TITLE_MONTH = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")
NAME_MONTH = re.compile(r"(20\d{2})[-_.年]?(0[1-9]|1[0-2])(?!\d)")


@dataclass
class Prepared:
    """A received file, read and checked; `status` is "ready", "rejected" or "unchanged"."""

    file_name: str
    status: str
    kind: str | None = None
    unit: str | None = None
    month: date | None = None
    sheet: str | None = None
    rows: pl.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    table: Table | None = None
    slot: load.Slot | None = None
    receipt: load.Receipt | None = None
    based_on: int | None = None  # the accepted submission this one would replace
    submission_id: int | None = None

    @property
    def errors(self) -> list[Problem]:
        return report.errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return report.warnings(self.problems)

    @property
    def row_count(self) -> int:
        return 0 if self.rows is None else self.rows.height

    def to_json(self) -> dict:
        return {
            "file": self.file_name, "status": self.status, "kind": self.kind, "unit": self.unit,
            "month": self.month.strftime("%Y-%m") if self.month else None, "sheet": self.sheet,
            "rows": self.row_count if self.status in ("accepted", "unchanged") else 0,
            "submission_id": self.submission_id,
            "errors": [p.to_json() for p in self.errors], "warnings": [p.to_json() for p in self.warnings],
        }


def parse_month_arg(text: str) -> date:
    """'YYYY-MM' from the command line or a form."""
    year, month = (int(p) for p in text.split("-"))
    return date(year, month, 1)


def prepare(db: Database, path: Path, *, kind: str | None = None, unit: str | None = None,
            month: date | None = None, submitted_by: str = "命令行", received_at: datetime | None = None,
            file_name: str | None = None, today: date | None = None,
            progress: Callable[[float, str], None] = lambda fraction, text: None) -> Prepared:
    """Keep the raw file, read it, check it. A rejected file is logged as a rejected submission.

    `progress(fraction, text)` is told what is being done, for a progress bar.
    """
    file_name = file_name or path.name
    progress(0.0, "正在保存收到的文件……")
    data = path.read_bytes()
    receipt = load.Receipt(file_name, load.sha256_of(data), received_at or datetime.now(), submitted_by)
    stored = load.store_raw_file(raw_files_dir(db.path), data, file_name)
    prepared = Prepared(file_name=file_name, status="ready", receipt=receipt)
    try:
        progress(0.1, "正在读取工作表……")
        sheets = read_sheets(path)
        progress(0.4, "正在识别表头和数据行……")
        table = locate(sheets, kind)
    except (UnreadableFile, LayoutError) as exc:
        problem = exc.problem if isinstance(exc, LayoutError) else Problem("error", "unreadable", str(exc))
        prepared.status, prepared.problems, table = "rejected", [problem], None
    # One transaction for every read and the log entry: what was checked is what is logged.
    progress(0.5, "正在逐行检查数据……")
    with db.transaction() as con:
        load.record_raw_file(con, receipt, stored, len(data))
        if table is None:
            prepared.slot = load.Slot(kind, None, month)
        else:
            _check(con, prepared, table, unit, month, today or date.today())
        previous = load.latest_in_slot(con, prepared.slot)
        prepared.based_on = load.latest_accepted_in_slot(con, prepared.slot)
        if previous and previous[1] == receipt.sha256:
            # The same file again: nothing to change, whatever it said last time.
            prepared.status = "unchanged" if previous[2] == "accepted" else "rejected"
            prepared.submission_id = previous[0]
        elif prepared.errors:
            prepared.submission_id = load.record_submission(
                con, prepared.slot, receipt, prepared.sheet, prepared.row_count, "rejected", prepared.problems)
    progress(1.0, "检查完成")
    return prepared


def commit(db: Database, prepared: Prepared) -> Prepared:
    """Write a ready file as the new accepted submission of its slot, all or nothing.

    If another upload replaced the same slot since `prepare`, nothing is written
    and the status becomes "conflict": the user reviews the newer data first.
    """
    if prepared.status != "ready":
        return prepared
    with db.transaction() as con:
        if load.latest_accepted_in_slot(con, prepared.slot) != prepared.based_on:
            prepared.status = "conflict"
            return prepared
        prepared.submission_id = load.record_submission(
            con, prepared.slot, prepared.receipt, prepared.sheet, prepared.row_count, "accepted",
            prepared.problems)
        load.insert_rows(con, prepared.kind, prepared.submission_id, prepared.rows)
    prepared.status = "accepted"
    return prepared


def load_file(db: Database, path: Path, **options) -> Prepared:
    return commit(db, prepare(db, path, **options))


def _check(con: duckdb.DuckDBPyConnection, prepared: Prepared, table: Table, unit: str | None,
           month: date | None, today: date) -> None:
    """Identify the submission's slot, then normalise and validate its rows."""
    prepared.kind, prepared.sheet, prepared.table = table.kind.name, table.sheet, table
    prepared.slot = load.Slot(table.kind.name, None, None)
    units = _known_units(con)
    ctx, problems = Context(today=today, units=units), []
    if table.kind.name == "ledger":
        ctx, problems = _identify_ledger(con, prepared, table, unit, month, ctx)
        if ctx is None:
            prepared.status, prepared.problems = "rejected", problems
            return
    typed, found = normalise(table)
    prepared.problems = problems + found + validate(table, typed, ctx)
    prepared.rows = _keyed(table.kind.name, typed, units)
    if report.errors(prepared.problems):
        prepared.status = "rejected"


def _identify_ledger(con: duckdb.DuckDBPyConnection, prepared: Prepared, table: Table, unit: str | None,
                     month: date | None, ctx: Context) -> tuple[Context | None, list[Problem]]:
    """The ledger's unit and month, chosen or named in its title; no context when either is unknown."""
    named_unit = _infer_unit(prepared.file_name, table.title, ctx.units)
    named_month = _infer_month(prepared.file_name, table.title)
    problems = _mismatched_identity(table, unit, month, named_unit, named_month)
    unit, month = unit or named_unit, month or named_month
    missing = _missing_identity(table, unit, month, ctx.units)
    prepared.slot = load.Slot("ledger", None, month)
    if missing:
        return None, problems + missing
    unit_id = ctx.units[unit].unit_id
    prepared.unit, prepared.month = unit, month
    prepared.slot = load.Slot("ledger", unit_id, month)
    return Context(today=ctx.today, units=ctx.units, unit=ctx.units[unit], report_month=month,
                   previous=_previous_ledger(con, unit_id, month)), problems


def _known_units(con: duckdb.DuckDBPyConnection) -> dict[str, Unit]:
    rows = con.execute("select unit_id, name, level, district from units").fetchall()
    return {name: Unit(unit_id, name, level, district) for unit_id, name, level, district in rows}


def _infer_unit(file_name: str, title: str, units: dict[str, Unit]) -> str | None:
    """The reporting unit named in the title rows or the file name.

    A unit may be written in full (东湖区和平街道团工委), without its suffix
    (东湖区和平街道) or without its district (和平街道); the longest name found
    wins, and a tie between two units names neither.
    """
    text = f"{title} {Path(file_name).stem}"
    found: dict[str, int] = {}
    for name, u in units.items():
        if u.level not in REPORTING_LEVELS:
            continue
        core = UNIT_SUFFIXES.sub("", name)
        local = core.removeprefix(u.district or "")
        for written in (name, core, local):
            if written and written in text:
                found[name] = max(found.get(name, 0), len(written))
    ranked = sorted(found.items(), key=lambda item: item[1], reverse=True)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def _infer_month(file_name: str, title: str) -> date | None:
    """The report month written in the title (2025年3月, 2025-03, 2025.03) or the file name."""
    for text in (title, Path(file_name).stem):
        match = TITLE_MONTH.search(text) or NAME_MONTH.search(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return date(int(match.group(1)), int(match.group(2)), 1)
    return None


def _mismatched_identity(table: Table, unit: str | None, month: date | None, named_unit: str | None,
                         named_month: date | None) -> list[Problem]:
    """A file whose title names another unit or month than the one chosen is most likely the wrong file."""
    problems = []
    if unit and named_unit and unit != named_unit:
        problems.append(Problem("error", "unit_mismatch", f"文件标题或文件名写的是“{named_unit}”，与选择的报送单位"
                                f"“{unit}”不一致，请确认没有选错文件或单位", sheet=table.sheet))
    if month and named_month and month != named_month:
        problems.append(Problem("error", "month_mismatch", f"文件标题或文件名写的是{named_month:%Y年%m月}，"
                                f"与选择的报送月份{month:%Y年%m月}不一致，请确认没有选错文件或月份", sheet=table.sheet))
    return problems


def _missing_identity(table: Table, unit: str | None, month: date | None, units: dict[str, Unit]) -> list[Problem]:
    problems = []
    if unit is None:
        problems.append(Problem("error", "unit_unknown",
                                "无法确定报送单位：请在上传时选择单位（命令行用 --unit），"
                                "或在标题行写明单位全称", sheet=table.sheet))
    elif unit not in units or units[unit].level not in REPORTING_LEVELS:
        problems.append(Problem("error", "unit_unknown", f"“{unit}”不是已登记的报送单位，请核对单位全称",
                                sheet=table.sheet))
    if month is None:
        problems.append(Problem("error", "month_unknown",
                                "无法确定报送月份：请在上传时选择月份（命令行用 --month YYYY-MM），"
                                "或在标题行写明如“2025年3月”", sheet=table.sheet))
    return problems


def _previous_ledger(con: duckdb.DuckDBPyConnection, unit_id: int, month: date) -> pl.DataFrame:
    """The unit's accepted ledger rows of its latest month before this one."""
    return con.execute(
        "select r.* exclude (submission_id, excel_row, extra) from ledger_rows r"
        " where r.submission_id = (select submission_id from ledger_submissions"
        "   where unit_id = $unit_id and report_month < $month order by report_month desc limit 1)",
        {"unit_id": unit_id, "month": month},
    ).pl()


def _keyed(kind: str, typed: pl.DataFrame, units: dict[str, Unit]) -> pl.DataFrame:
    """Rows as their table stores them: one per key (the last wins), units as ids."""
    key = list(contract().kinds[kind].key)
    rows = typed.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key)).unique(key, keep="last",
                                                                                        maintain_order=True)
    if "unit" in rows.columns:
        ids = {name: u.unit_id for name, u in units.items()}
        rows = rows.with_columns(unit_id=pl.col("unit").replace_strict(ids, default=None, return_dtype=pl.Int32))
    return rows
