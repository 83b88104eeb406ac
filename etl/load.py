"""Step 5, load: keep the raw file, then write one submission and its rows in one transaction.

A submission is the unit of history: a reload of the same unit and month adds
a new submission, and the views read the latest accepted one. Nothing is ever
updated in place, so an earlier version is always there to go back to.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.contract import contract
from etl.report import Problem
from league import marts
from league.db import next_ids

@dataclass(frozen=True)
class Slot:
    """What a submission replaces: a unit's ledger for a month, or a whole multi-unit sheet."""

    kind: str | None  # None when the file was not even recognised
    unit_id: int | None
    report_month: date | None


@dataclass(frozen=True)
class Receipt:
    file_name: str
    sha256: str
    received_at: datetime
    submitted_by: str


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_raw_file(data_dir: Path, data: bytes) -> str:
    """Keep the file as received, once per content, under its hash alone: no name a user sends is ever
    part of a path. Written atomically, so a crash leaves no half file. Returns the path relative to
    the data folder, so the folder can be moved."""
    digest = sha256_of(data)
    relative = Path("raw") / digest[:2] / digest
    target = data_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, target)
    return relative.as_posix()


def read_raw_file(con: duckdb.DuckDBPyConnection, data_dir: Path, sha256: str) -> bytes | None:
    """A received file exactly as it arrived; None for a file refused for its size, kept by hash only."""
    (stored,) = con.execute("select stored_path from raw_files where sha256 = ?", [sha256]).fetchone()
    return None if stored is None else (data_dir / stored).read_bytes()


def latest_in_slot(con: duckdb.DuckDBPyConnection, slot: Slot) -> tuple[int, str, str] | None:
    """(submission_id, sha256, status) of the newest attempt at this slot, if any."""
    return con.execute(
        "select submission_id, sha256, status from submissions"
        " where kind is not distinct from ? and unit_id is not distinct from ?"
        " and report_month is not distinct from ? order by submission_id desc limit 1",
        [slot.kind, slot.unit_id, slot.report_month],
    ).fetchone()


def latest_accepted_in_slot(con: duckdb.DuckDBPyConnection, slot: Slot) -> int | None:
    row = con.execute(
        "select max(submission_id) from submissions where status = 'accepted'"
        " and kind = ? and unit_id is not distinct from ? and report_month is not distinct from ?",
        [slot.kind, slot.unit_id, slot.report_month],
    ).fetchone()
    return row[0]


def record_raw_file(con: duckdb.DuckDBPyConnection, receipt: Receipt, stored: str | None, size: int) -> None:
    """The file's first receipt is its record: a file received again is already kept (its hash is its key, which
    the write path keeps unique itself, as a DuckLake store has no keys)."""
    con.execute(
        "insert into raw_files select ?, ?, ?, ?, ?, ? where not exists (select 1 from raw_files where sha256 = ?)",
        [receipt.sha256, size, receipt.file_name, stored, receipt.received_at, receipt.submitted_by, receipt.sha256],
    )


def record_submission(con: duckdb.DuckDBPyConnection, slot: Slot, receipt: Receipt, sheet: str | None,
                      rows: int, status: str, problems: list[Problem]) -> int:
    def as_json(severity: str) -> str:
        return json.dumps([p.to_json() for p in problems if p.severity == severity], ensure_ascii=False)

    (submission_id,) = next_ids(con, "submission")
    con.execute(
        "insert into submissions (submission_id, kind, unit_id, report_month, file_name, sheet, sha256, received_at,"
        " submitted_by, rows, status, errors, warnings) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [submission_id, slot.kind, slot.unit_id, slot.report_month, receipt.file_name, sheet, receipt.sha256,
         receipt.received_at, receipt.submitted_by, rows, status, as_json("error"), as_json("warning")],
    )
    return submission_id


def insert_rows(con: duckdb.DuckDBPyConnection, kind: str, submission_id: int | None, rows: pl.DataFrame) -> None:
    """Insert typed rows (already keyed on table columns) under a submission, or under each row's own
    `submission_id` when none is given (many units' submissions at once: etl.province)."""
    table = contract().kinds[kind].table
    incoming = rows if submission_id is None else rows.with_columns(submission_id=pl.lit(submission_id, dtype=pl.Int32))
    columns = [c for c in _table_columns(con, table) if c in incoming.columns]
    con.register("incoming_rows", incoming.select(columns).to_arrow())
    try:
        names = ", ".join(columns)
        con.execute(f"insert into {table} ({names}) select {names} from incoming_rows")
    finally:
        con.unregister("incoming_rows")
    if kind == "ledger":  # counted in the same transaction: a reader sees the rows and their counts together
        marts.add(con, [submission_id] if submission_id is not None else incoming["submission_id"].unique())


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_catalog = current_database()"
        " and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()]
