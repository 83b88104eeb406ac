"""Hostile uploads (tests/hostile_files.py): refused with a plain Chinese message, the process alive.

Each file goes through `read_sheets` (the server's path: the test process must
come out of it alive, which these tests show by going on) and through `python -m
etl load` (a whole process, as the tester ran it): refused or unreadable, the
reader's memory bounded, the loaded data unchanged and the attempt logged as a
rejected submission. No test asserts on speed beyond "finished well within a
generous limit": the CI machine may be loaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pytest

from etl import read
from etl.limits import LIMITS_FILE, Limits
from etl.read import RefusedFile, UnreadableFile, read_sheets
from league.db import Database
from league.units import save_unit_tree
from tests import hostile_files
from tests.corpus_files import Grid, write_xls, write_xlsx
from tests.stores import copy_store, store_at

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases" / "pipeline"
UNIT, MONTH = "东湖区和平街道团工委", "2025-03"
GENEROUS_SECONDS = 120  # a hostile file must be done with well within this, even on a loaded machine
MB = 1 << 20

# Each hostile file and the limit that refuses it (None: not refused but unreadable, told as such).
EXPECTED = {
    "corner_cells_xlsx": "max_rows",
    "far_row_xlsx": "max_rows",
    "far_cell_in_near_row_xlsx": "max_rows",
    "shared_strings_claim_xlsx": "max_shared_strings",
    "zip_bomb_xlsx": "max_compression_ratio",
    "many_entries_xlsx": "max_zip_entries",
    "truncated_xlsx": None,
    "garbage_xlsx": None,
    "garbage_xls": None,
    "commas_100k_csv": "max_columns",
    "commas_1m_csv": "max_columns",
    "wide_csv": "max_columns",
    "million_rows_csv": "max_file_bytes",
    "short_rows_csv": "max_rows",
    "quoted_newlines_csv": "max_columns",  # gets past the inspection; the worker counts the record
    "ods_repeated_cells": "worker_memory_bytes",  # not inspected at all; the worker's memory ceiling
}
LIBRARY_WORDS = ("calamine", "Context:", "Error", "error", "Traceback", "polars", "fastexcel", "panicked")


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Every hostile file, built once for the session (a few seconds of writing, 140 MB on disk)."""
    folder = tmp_path_factory.mktemp("hostile")
    return {name: build(folder) for name, build in hostile_files.ALL.items()}


def peak_self() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_children() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def assert_plain_chinese(message: str) -> None:
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not any(word in message for word in LIBRARY_WORDS), message


# --- Through read_sheets -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EXPECTED))
def test_hostile_file_is_refused_and_the_process_lives(hostile, name):
    limits = Limits.default()
    before = peak_self()
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        read_sheets(hostile[name])
    took = time.monotonic() - started
    message = str(caught.value)
    assert_plain_chinese(message)
    if EXPECTED[name] is None:
        assert not isinstance(caught.value, RefusedFile), message
        assert "另存为" in message  # says what to do next
    else:
        assert isinstance(caught.value, RefusedFile), message
        assert caught.value.limit == EXPECTED[name], message
        assert message.startswith("文件过大或结构异常，已拒收（") and message.endswith("）"), message
        assert any(ch.isdigit() for ch in caught.value.reason), message  # the number of the limit
    assert took < GENEROUS_SECONDS
    # This process read at most the file (50 MB at most) and scanned it in chunks.
    assert peak_self() - before < 400 * MB
    # Whatever parsed it stayed under the worker's ceiling (RSS is at most the data segment and code).
    assert peak_children() < limits.worker_memory_bytes + 512 * MB


def test_a_bomb_with_a_lying_header_is_counted_as_it_unpacks(hostile):
    """Without the ratio rule the bomb runs into the unpacked total, counted as it comes, not as declared."""
    limits = dataclasses.replace(Limits.default(), max_compression_ratio=100_000, max_uncompressed_bytes=64 * MB)
    with pytest.raises(RefusedFile) as caught:
        read_sheets(hostile["zip_bomb_xlsx"], limits)
    assert caught.value.limit == "max_uncompressed_bytes"
    assert "64 MB" in str(caught.value)


def test_parsing_in_process_still_inspects(hostile):
    for name in ("corner_cells_xlsx", "shared_strings_claim_xlsx", "commas_1m_csv", "zip_bomb_xlsx"):
        with pytest.raises(RefusedFile):
            read_sheets(hostile[name], isolate=False)


def test_library_text_goes_to_the_log_not_to_the_message(hostile, caplog):
    caplog.set_level("INFO", logger="etl")
    with pytest.raises(UnreadableFile) as caught:
        read_sheets(hostile["garbage_xls"])
    assert_plain_chinese(str(caught.value))
    assert "calamine" in caplog.text.lower()


# --- The worker's own limits, with files that get past the inspection ------------------------------------


def test_the_memory_ceiling_ends_the_worker_only(tmp_path):
    path = hostile_files.ods_repeated_cells(tmp_path, rows=400)
    limits = dataclasses.replace(Limits.default(), worker_memory_bytes=640 * MB)
    with pytest.raises(RefusedFile) as caught:
        read_sheets(path, limits)
    assert caught.value.limit == "worker_memory_bytes"
    assert "内存超过 640 MB 上限" in str(caught.value)
    assert peak_children() < Limits.default().worker_memory_bytes + 512 * MB


def test_the_time_limit_kills_the_worker(tmp_path):
    path = hostile_files.ods_repeated_cells(tmp_path, rows=1_000)
    limits = dataclasses.replace(Limits.default(), worker_seconds=1)
    started = time.monotonic()
    with pytest.raises(RefusedFile) as caught:
        read_sheets(path, limits)
    assert caught.value.limit == "worker_seconds"
    assert "读取时间超过 1 秒上限" in str(caught.value)
    assert time.monotonic() - started < GENEROUS_SECONDS


def test_what_the_worker_does_not_say_is_a_crash_and_an_abort_without_memory_is_a_crash(tmp_path):
    (tmp_path / "stderr.txt").write_text("Segmentation fault\n")
    with pytest.raises(RefusedFile) as caught:
        read._result(tmp_path / "x.xlsx", tmp_path, Limits.default(), -11, None, 0.5)
    assert caught.value.limit == "worker_crash" and "异常终止" in str(caught.value)
    (tmp_path / "stderr.txt").write_text("memory allocation of 96000000000 bytes failed\n")
    with pytest.raises(RefusedFile) as caught:
        read._result(tmp_path / "x.xlsx", tmp_path, Limits.default(), -6, None, 0.5)
    assert caught.value.limit == "worker_memory_bytes" and "内存超过 3 GB 上限" in str(caught.value)


def test_the_worker_reads_what_reading_in_process_reads(tmp_path):
    """Names, hidden sheets, every cell, Excel's row numbers: the same through the worker's Arrow files."""
    sheets = [Grid("上月", [["旧标题"], ["序号", "名称"], [1, "甲"]], hidden_sheet=True),
              Grid("台账", [[None, None], ["标题", None, None], ["序号", "名称", "日期"], [1, "乙公司", 3.5]])]
    xlsx, xls, csv = tmp_path / "book.xlsx", tmp_path / "book.xls", tmp_path / "台账.csv"
    write_xlsx(xlsx, sheets)
    write_xls(xls, sheets)
    csv.write_bytes("标题,,\r\n序号,名称,备注\r\n1,乙公司,\"两行\n备注\"\r\n,,\r\n".encode("gb18030"))
    for path in (xlsx, xls, csv):
        isolated, here = read_sheets(path), read_sheets(path, isolate=False)
        assert [(s.name, s.visible) for s in isolated] == [(s.name, s.visible) for s in here]
        for a, b in zip(isolated, here, strict=True):
            assert a.cells.equals(b.cells), (path.name, a.name)
            assert all(dtype == pl.String for dtype in a.cells.dtypes)
            assert a.cells.columns == [f"c{i}" for i in range(a.cells.width)]
    assert [(s.name, s.visible) for s in read_sheets(xlsx)] == [("上月", False), ("台账", True)]
    assert read_sheets(xlsx)[1].cells.row(3) == ("1", "乙公司", "3.5")  # frame row 3 = Excel row 4


def test_uploads_at_once_wait_for_a_worker_and_all_get_their_sheets(tmp_path):
    """Threads of a server reading together: at most max_workers parse at a time, none is lost."""
    path = hostile_files.small_workbook(tmp_path)
    limits = dataclasses.replace(Limits.default(), max_workers=1)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: read_sheets(path, limits), range(8)))
    assert all(r[0].cells.rows() == [("台账", None), ("张三", "12")] for r in results)


def test_the_hand_made_workbooks_are_themselves_readable(tmp_path):
    """So that the hostile ones are refused for what they claim, not for being malformed."""
    [sheet] = read_sheets(hostile_files.small_workbook(tmp_path))
    assert sheet.cells.rows() == [("台账", None), ("张三", "12")]


def test_limits_come_from_the_settings_file():
    limits = Limits.default()
    assert limits == Limits.from_toml(LIMITS_FILE)
    # Far above a street unit's month (a 100,000 x 23 ledger must load), far below a 24 GiB machine.
    assert limits.max_rows >= 100_000 and limits.max_columns >= 23 and limits.max_cells >= 100_000 * 23
    assert limits.worker_memory_bytes * limits.max_workers <= 8 << 30
    with pytest.raises(ValueError):
        Limits.from_dict({**limits.to_dict(), "max_sheets": 3})
    with pytest.raises(ValueError):
        Limits.from_dict({**limits.to_dict(), "max_rows": 0})


# --- Through the command line ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def loaded_db(tmp_path_factory) -> Database:
    """A database knowing the units, with one accepted ledger for the unit and month the hostile files claim."""
    folder = tmp_path_factory.mktemp("hostile_db")
    db = store_at(folder / "league.duckdb")
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    run = cli("load", "--db", db.address, "--unit", UNIT, "--month", MONTH, str(CASES / "ledger_2025-03.csv"))
    assert run.returncode == 0, run.stdout + run.stderr
    return db


@pytest.fixture
def db_path(loaded_db, tmp_path) -> str:
    """A copy of the loaded store, for the command to write into: its address."""
    return copy_store(loaded_db, tmp_path / "league.duckdb").address


@dataclasses.dataclass
class Run:
    returncode: int | None
    stdout: str
    stderr: str
    peak: int  # bytes: the largest of the process and the workers it waited for


def cli(*args: str, timeout: float = 300) -> Run:
    """python -m etl ARGS, with its peak memory (its own and its children's, from wait4)."""
    folder = Path(tempfile.mkdtemp(prefix="etl-cli-"))
    try:
        with open(folder / "out", "wb") as out, open(folder / "err", "wb") as err:
            process = subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, stdout=out, stderr=err)
            deadline = time.monotonic() + timeout
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    process.returncode = os.waitstatus_to_exitcode(status)
                    break
                if time.monotonic() > deadline:
                    process.kill()
                    _, status, usage = os.wait4(process.pid, 0)
                    process.returncode = None
                    break
                time.sleep(0.02)
        return Run(process.returncode, (folder / "out").read_text("utf-8", "replace"),
                   (folder / "err").read_text("utf-8", "replace"), usage.ru_maxrss * 1024)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_hostile_file_through_the_command_line(hostile, db_path, name):
    db = store_at(db_path)
    ledger = "select * exclude (submission_id) from ledger order by uscc"
    before = db.query(ledger)
    assert before.height > 0
    path = hostile[name]
    run = cli("load", "--db", str(db_path), "--unit", UNIT, "--month", MONTH, str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    said = run.stdout
    assert "已拒收" in said if EXPECTED[name] else ("无法" in said and "另存为" in said), said
    assert not any(word in said for word in ("calamine", "Context:", "Traceback")), said
    assert run.peak < Limits.default().worker_memory_bytes + 512 * MB
    assert db.query(ledger).equals(before)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert db.scalar("select count(*) from submissions where sha256 = ? and status = 'rejected'", [digest]) == 1
