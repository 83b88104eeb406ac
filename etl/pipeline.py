"""read -> locate -> normalise -> validate -> load, for one received file.

`prepare` does everything but the write and is what the upload page shows the
user; `commit` writes a prepared file in one transaction; `load_file` is the
two together, for the command line and the demo.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl import findings, guards, identity, load, report
from etl.contract import contract, header_key
from etl.headers import Reading
from etl.inspect import check_file_size
from etl.limits import Limits
from etl.locate import LayoutError, Table, locate
from etl.normalise import normalise
from etl.read import RefusedFile, Sheet, UnreadableFile, read_sheets
from etl.report import Problem
from etl.validate import Context, Unit, validate
from league import access, flags, personal_ids, review
from league.db import Database, DatabaseBusy, replace_row
from league.units import REPORTING_LEVELS

log = logging.getLogger(__name__)


class StorageError(RuntimeError):
    """The data folder or the database could not be written: said in Chinese, the details logged."""

    def __init__(self):
        super().__init__("无法保存：数据目录或数据库不可写，或磁盘已满。没有载入任何数据，请稍后重试或联系管理员（详情已记入日志）。")


@dataclass
class Prepared:
    """A received file, read and checked; `status` is "ready", "rejected" or "unchanged"
    (after `commit`: "accepted", "conflict" or "unconfirmed")."""

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
    changes: guards.Changes | None = None  # what loading a ledger would change
    address: str | None = None  # where the file came from, for the audit log

    @property
    def errors(self) -> list[Problem]:
        return report.errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return report.warnings(self.problems)

    @property
    def to_confirm(self) -> list[Problem]:
        """What the person must confirm is meant before the file may load (a large drop, the example row)."""
        return guards.held_for_confirmation(self.problems)

    @property
    def readings(self) -> tuple[Reading, ...]:
        return self.table.readings if self.table else ()

    @property
    def row_count(self) -> int:
        return 0 if self.rows is None else self.rows.height

    def to_json(self) -> dict:
        return {
            "file": self.file_name, "status": self.status, "kind": self.kind, "unit": self.unit,
            "month": self.month.strftime("%Y-%m") if self.month else None, "sheet": self.sheet,
            "rows": self.row_count if self.status in ("accepted", "unchanged") else 0,
            "submission_id": self.submission_id,
            "headers": [r.to_json() for r in self.readings],
            "errors": [p.to_json() for p in self.errors], "warnings": [p.to_json() for p in self.warnings],
        }


def parse_month_arg(text: str) -> date:
    """'YYYY-MM' from the command line or a form."""
    year, month = (int(p) for p in text.split("-"))
    return date(year, month, 1)


def prepare(db: Database, path: Path, *, kind: str | None = None, unit: str | None = None,
            month: date | None = None, submitted_by: str = "命令行", received_at: datetime | None = None,
            file_name: str | None = None, today: date | None = None, header_map: dict[str, str] | None = None,
            limits: Limits | None = None, trusted: bool = False, submit_scope: str | None = None,
            spot_check_scope: str | None = None, address: str | None = None,
            progress: Callable[[float, str], None] = lambda fraction, text: None) -> Prepared:
    """Keep the raw file, read it, check it. A rejected file is logged as a rejected submission.

    `submit_scope` is the unit whose subtree the sender may submit for (the
    upload page passes the signed-in user's): a file for a unit outside it,
    or naming one in any row, is refused and the attempt recorded. The command
    line, run by whoever holds the database file, passes none. A filled
    spot-check pack is held to `spot_check_scope` instead: the subtree the
    sender may do spot checks in (the upload page passes the view scope of a
    user allowed to; none for anyone else, so a sender limited in one way is
    never unlimited in the other). Every check is in the audit log as
    `submitted_by` from `address`.

    `file_name` is the name the person gave the file: it is recorded, never used as a path.
    `header_map` (normalised header -> field, '' to set a column aside) says what headers mean,
    on top of the corrections saved for the chosen unit. `trusted` files (the demo's own) are
    parsed in this process; any other file in a worker with a memory and time limit.
    `progress(fraction, text)` is told what is being done, for a progress bar.
    """
    try:
        return _prepare(db, path, kind=kind, unit=unit, month=month, submitted_by=submitted_by,
                        received_at=received_at, file_name=file_name or path.name, today=today or date.today(),
                        header_map=header_map or {}, limits=limits or Limits.default(), trusted=trusted,
                        submit_scope=submit_scope, spot_check_scope=spot_check_scope, address=address,
                        progress=progress)
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        log.exception("could not store %s", file_name or path.name)
        raise StorageError() from exc


def _prepare(db: Database, path: Path, *, kind, unit, month, submitted_by, received_at, file_name, today,
             header_map, limits, trusted, submit_scope, spot_check_scope, address, progress) -> Prepared:
    progress(0.0, "正在保存收到的文件……")
    size = path.stat().st_size
    fits = size <= limits.max_file_bytes
    data = path.read_bytes() if fits else None
    receipt = load.Receipt(file_name, load.sha256_of(data) if fits else _streamed_sha256(path),
                           received_at or datetime.now(), submitted_by)
    stored = load.store_raw_file(db.data_dir, data) if fits else None
    prepared = Prepared(file_name=file_name, status="ready", receipt=receipt, address=address)
    overrides = _saved_header_map(db, unit, kind) | header_map
    try:
        check_file_size(size, limits)  # before anything is read into memory
        progress(0.1, "正在读取工作表……")
        sheets = [_named_for_person(s, path, file_name) for s in read_sheets(path, limits, isolate=not trusted)]
        progress(0.4, "正在识别表头和数据行……")
        table = locate(sheets, kind, overrides)
    except (UnreadableFile, LayoutError) as exc:
        problem = exc.problem if isinstance(exc, LayoutError) else Problem(
            "error", "file_refused" if isinstance(exc, RefusedFile) else "unreadable", str(exc))
        prepared.status, prepared.problems, table = "rejected", [problem], None
    # One transaction for every read and the log entry: what was checked is what is logged.
    progress(0.5, "正在逐行检查数据……")
    with db.transaction() as con:
        load.record_raw_file(con, receipt, stored, size)
        if table is None:
            prepared.slot = _chosen_slot(con, kind, unit, month)
            prepared.kind, prepared.unit, prepared.month = kind, unit, month
        else:
            _check(con, prepared, table, unit, month, today, db.data_dir)
        limited = submit_scope is not None or spot_check_scope is not None
        scope = spot_check_scope if prepared.kind == "spot_check" else submit_scope
        refused = _outside_scope(con, prepared, scope, unit) if limited else []
        prepared.problems = refused + prepared.problems
        previous = load.latest_in_slot(con, prepared.slot)
        prepared.based_on = load.latest_accepted_in_slot(con, prepared.slot)
        if prepared.kind == "ledger" and review.is_locked(con, prepared.slot.unit_id, prepared.month):
            prepared.problems.append(_locked_problem(prepared))
        if prepared.kind == "ledger" and not prepared.errors:
            _guard_ledger(con, prepared)
        if previous and previous[1] == receipt.sha256 and previous[2] == "accepted":
            prepared.status = "unchanged"  # the same file again: nothing to change
            prepared.submission_id = previous[0]
        elif prepared.errors:
            prepared.status = "rejected"
            prepared.submission_id = _record_rejected(con, prepared)
        _audit(con, prepared, "upload_refused" if refused else
               "upload_rejected" if prepared.status == "rejected" else "upload_checked")
    progress(1.0, "检查完成")
    return prepared


def _locked_problem(prepared: Prepared) -> Problem:
    month = prepared.month
    return Problem("error", "locked",
                   f"“{prepared.unit}”{month.year}年{month.month}月的台账已经区县团委审核确认并锁定，不能再替换；"
                   "如确需修改，请联系区县团委说明原因，重新开放后再上传。", prepared.sheet)


def _audit(con: duckdb.DuckDBPyConnection, prepared: Prepared, action: str) -> None:
    access.audit(con, prepared.receipt.submitted_by, action, prepared.unit, {
        "file": prepared.file_name, "kind": prepared.kind, "sha256": prepared.receipt.sha256,
        "month": prepared.month, "rows": prepared.row_count, "errors": len(prepared.errors),
        "status": prepared.status, "submission_id": prepared.submission_id,
    }, prepared.address)


def _outside_scope(con: duckdb.DuckDBPyConnection, prepared: Prepared, submit_scope: str | None,
                   chosen_unit: str | None) -> list[Problem]:
    """An error for a file sent for, or naming in its rows, a unit outside the sender's scope for it
    (none: every unit is outside)."""
    scope_path = con.execute("select path from units where name = ?", [submit_scope]).fetchone()
    paths = dict(con.execute("select name, path from units").fetchall())

    def outside(unit: str | None) -> bool:
        return unit is not None and (scope_path is None or not paths.get(unit, "").startswith(scope_path[0]))

    if prepared.kind == "spot_check":
        told = f"您的账号只能载入“{submit_scope}”及其下属单位的抽查结果" if scope_path else "您的账号不能载入抽查结果"
    else:
        told = f"您的账号只能报送“{submit_scope}”及其下属单位的数据" if scope_path else "您的账号没有报送范围"
    sheet = prepared.sheet
    for unit in dict.fromkeys((chosen_unit, prepared.unit)):
        if outside(unit):
            return [Problem("error", "outside_scope", f"{told}，“{unit}”不在其中，文件未载入。", sheet)]
    rows = prepared.rows
    # A sheet's rows name their unit, or (the schools' counts) their district, whose unit has its name.
    column = "unit" if rows is not None and "unit" in rows.columns else "district" \
        if rows is not None and "district" in rows.columns and prepared.slot.unit_id is None else None
    if column is None:
        return []
    named = rows.filter(pl.col(column).map_elements(outside, return_dtype=pl.Boolean))
    if named.is_empty():
        return []
    header = next((r.header for r in prepared.readings if r.field == column), None)
    return [Problem("error", "outside_scope", f"{told}，这些行的单位不在其中，文件未载入。", sheet, header,
                    named["excel_row"].to_list(), named[column].unique(maintain_order=True).to_list())]


def commit(db: Database, prepared: Prepared, *, confirmed: bool = False, refresh_flags: bool = True) -> Prepared:
    """Write a ready file as the new accepted submission of its slot, all or nothing.

    A file with something to confirm (`to_confirm`) is written only when `confirmed`;
    otherwise the status becomes "unconfirmed" and nothing is written. If another upload
    replaced the same slot since `prepare`, nothing is written and the status becomes
    "conflict": the user reviews the newer data first. The data-quality flags of the
    months the file can change are recomputed in the same transaction (league.flags),
    unless `refresh_flags` is False: a batch that recomputes every month's once it has
    loaded all its files (the demo: a few tenths of a second per file add up to minutes).
    """
    if prepared.status not in ("ready", "unconfirmed"):
        return prepared
    if prepared.to_confirm and not confirmed:
        prepared.status = "unconfirmed"
        return prepared
    try:
        with db.transaction() as con:
            if load.latest_accepted_in_slot(con, prepared.slot) != prepared.based_on or (
                    prepared.kind == "ledger" and review.is_locked(con, prepared.slot.unit_id, prepared.month)):
                prepared.status = "conflict"  # replaced or signed off since it was checked: check again
                return prepared
            prepared.submission_id = load.record_submission(
                con, prepared.slot, prepared.receipt, prepared.sheet, prepared.row_count, "accepted",
                prepared.problems)
            load.insert_rows(con, prepared.kind, prepared.submission_id, prepared.rows)
            if refresh_flags and (first_month := _first_month(prepared)):
                # a ledger changes its own unit's flags and the month-wide ones; other sheets, every unit's
                flags.refresh(con, flags.months_from(con, prepared.kind, first_month),
                              [prepared.slot.unit_id] if prepared.kind == "ledger" and prepared.slot.unit_id else None)
            _audit(con, dataclasses.replace(prepared, status="accepted"), "upload_confirmed")
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        log.exception("could not write %s", prepared.file_name)
        raise StorageError() from exc
    prepared.status = "accepted"
    return prepared


def _first_month(prepared: Prepared) -> date | None:
    """The earliest month a written file holds: a Youth Voice sheet's first row month (a question export's
    first question's), else its report month."""
    rows = prepared.rows
    if rows is not None and not rows.is_empty():
        if "month" in rows.columns:
            return rows["month"].min()
        if "asked_at" in rows.columns:
            return rows["asked_at"].min().date().replace(day=1)
    return prepared.month


def load_file(db: Database, path: Path, *, accept_drop: bool = False, refresh_flags: bool = True,
              **options) -> Prepared:
    """prepare and commit, for the command line and the demo: what needs confirming is refused
    unless `accept_drop` says it is meant."""
    prepared = prepare(db, path, **options)
    if prepared.status == "ready" and prepared.to_confirm and not accept_drop:
        return refuse_unconfirmed(db, prepared)
    return commit(db, prepared, confirmed=accept_drop, refresh_flags=refresh_flags)


def refuse_unconfirmed(db: Database, prepared: Prepared) -> Prepared:
    """Log a file held for confirmation as rejected, its holds turned into errors."""
    held = set(map(id, prepared.to_confirm))
    prepared.problems = [dataclasses.replace(p, severity="error", message=p.message + "（命令行确认请加 --accept-drop）")
                         if id(p) in held else p for p in prepared.problems]
    prepared.status = "rejected"
    with db.transaction() as con:
        prepared.submission_id = _record_rejected(con, prepared)
        _audit(con, prepared, "upload_rejected")
    return prepared


def save_header_map(db: Database, unit: str, kind: str, readings: dict[str, str], saved_by: str) -> None:
    """Remember how a unit's headers are to be read (header as seen -> field, '' for not read)."""
    with db.transaction() as con:
        unit_id = con.execute("select unit_id from units where name = ?", [unit]).fetchone()[0]
        for header, target in readings.items():
            replace_row(con, "header_mappings", ("unit_id", "kind", "header_key"),
                        [unit_id, kind, header_key(header), header, target, datetime.now(), saved_by])


def clear_header_map(db: Database, unit: str, kind: str) -> None:
    with db.transaction() as con:
        con.execute("delete from header_mappings where kind = ? and unit_id = (select unit_id from units"
                    " where name = ?)", [kind, unit])


def saved_header_map(db: Database, unit: str | None, kind: str | None) -> dict[str, str]:
    """The header corrections saved for a unit: header as seen -> field."""
    if unit is None:
        return {}
    rows = db.query("select m.header, m.field from header_mappings m join units u using (unit_id)"
                    " where u.name = ? and m.kind = coalesce(?, 'ledger') order by m.header", [unit, kind])
    return dict(rows.iter_rows())


def _saved_header_map(db: Database, unit: str | None, kind: str | None) -> dict[str, str]:
    return {header_key(h): f for h, f in saved_header_map(db, unit, kind).items()}


def _streamed_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _named_for_person(sheet: Sheet, path: Path, file_name: str) -> Sheet:
    """A CSV's one sheet is called after the file as the person named it, not the path it was kept at."""
    return dataclasses.replace(sheet, name=Path(file_name).stem) if sheet.name == path.stem else sheet


def _record_rejected(con: duckdb.DuckDBPyConnection, prepared: Prepared) -> int:
    return load.record_submission(con, prepared.slot, prepared.receipt, prepared.sheet, prepared.row_count,
                                  "rejected", prepared.problems)


def _chosen_slot(con: duckdb.DuckDBPyConnection, kind: str | None, unit: str | None, month: date | None) -> load.Slot:
    """The slot a file was sent for as the person chose it, when the file itself could not tell."""
    row = con.execute("select unit_id from units where name = ?", [unit]).fetchone() if unit else None
    return load.Slot(kind, row[0] if row else None, month)


def _check(con: duckdb.DuckDBPyConnection, prepared: Prepared, table: Table, unit: str | None,
           month: date | None, today: date, data_folder: Path) -> None:
    """Identify the submission's slot, then normalise and validate its rows."""
    prepared.kind, prepared.sheet, prepared.table = table.kind.name, table.sheet, table
    prepared.slot = load.Slot(table.kind.name, None, None)
    units = _known_units(con)
    settings = dict(con.execute("select name, value from plan_settings").fetchall())
    ctx = Context(today=today, units=units, months_ahead=int(settings.get("report_months_ahead", 0)),
                  settings=settings)
    problems = identity.template_title(table)
    if table.kind.slot in ("unit_month", "unit"):
        ctx, found = _identify_unit(con, prepared, table, unit, month, ctx)
        problems += found
        if ctx is None:
            prepared.status, prepared.problems = "rejected", problems
            prepared.slot = _chosen_slot(con, table.kind.name, unit, month) if prepared.slot.unit_id is None \
                else prepared.slot
            return
    typed, found = normalise(table)
    table, typed, example = guards.split_template_example(table, typed)
    if table.kind.name == "spot_check":
        table, typed, unchecked = findings.split_unchecked(table, typed)
        example += unchecked
        ctx = _identify_spot_check(con, prepared, typed, ctx)
    prepared.table = table
    prepared.problems = problems + found + example + validate(table, typed, ctx)
    prepared.rows = _keyed(table.kind.name, typed, units)
    if any(f.type == "id_number" for f in table.kind.fields):  # from here on no full ID number is held
        prepared.rows = personal_ids.sealed_rows(prepared.rows, data_folder)
    if report.errors(prepared.problems):
        prepared.status = "rejected"


def _guard_ledger(con: duckdb.DuckDBPyConnection, prepared: Prepared) -> None:
    """What loading the ledger would change, and a hold on a large drop."""
    month = prepared.month
    previous_month = con.execute(
        "select max(report_month) from ledger_submissions where unit_id = ? and report_month < ?",
        [prepared.slot.unit_id, month]).fetchone()[0]
    previous = _previous_ledger(con, prepared.slot.unit_id, month)
    prepared.changes = guards.ledger_changes(con, prepared.rows, prepared.based_on, previous, previous_month)
    share = con.execute("select value from plan_settings where name = 'drop_confirm_share'").fetchone()
    prepared.problems += guards.drop_problem(prepared.table, prepared.changes, share[0] if share else 0.5)


def _identify_unit(con: duckdb.DuckDBPyConnection, prepared: Prepared, table: Table, unit: str | None,
                   month: date | None, ctx: Context) -> tuple[Context | None, list[Problem]]:
    """The unit (and, for a ledger, the month) a unit's file is for, chosen or named in its title; no
    context when either is unknown."""
    kind = table.kind.name
    monthly = table.kind.slot == "unit_month"
    named_unit = identity.infer_unit(prepared.file_name, table.title, ctx.units)
    named_month = identity.infer_month(prepared.file_name, table.title) if monthly else None
    problems = identity.mismatched_identity(table, unit, month, named_unit, named_month)
    unit, month = unit or named_unit, (month or named_month) if monthly else None
    missing = identity.missing_identity(table, unit, month, ctx.units, needs_month=monthly) \
        + identity.month_in_future(table, month, ctx.today, ctx.months_ahead)
    prepared.slot = load.Slot(kind, None, month)
    if missing:
        return None, problems + missing
    unit_id = ctx.units[unit].unit_id
    prepared.unit, prepared.month = unit, month
    prepared.slot = load.Slot(kind, unit_id, month)
    previous = _previous_ledger(con, unit_id, month) if kind == "ledger" else None
    return dataclasses.replace(ctx, unit=ctx.units[unit], report_month=month, previous=previous), problems


def _identify_spot_check(con: duckdb.DuckDBPyConnection, prepared: Prepared, typed: pl.DataFrame,
                         ctx: Context) -> Context:
    """The pack a filled spot-check pack names: its unit and month are the submission's (when it names
    exactly one known pack; the rules refuse any other file)."""
    items = findings.pack_items(con, typed)
    packs = items.unique("pack_id")
    if packs.height == 1:
        pack = packs.row(0, named=True)
        prepared.unit, prepared.month = pack["unit"], pack["report_month"]
        prepared.slot = load.Slot("spot_check", pack["unit_id"], pack["report_month"])
    return dataclasses.replace(ctx, pack_items=items)


def _known_units(con: duckdb.DuckDBPyConnection) -> dict[str, Unit]:
    rows = con.execute("select unit_id, name, level, district from units").fetchall()
    return {name: Unit(unit_id, name, level, district) for unit_id, name, level, district in rows}


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
