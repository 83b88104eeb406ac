"""Benchmark: load a large ledger, against openpyxl merely reading it.

    python bench/load_ledger.py [--rows 100000] [--keep DIR]

Writes a ledger of --rows organisations (the test corpus's generator: realistic
values, valid credit codes, real Excel dates) with xlsxwriter, then times
  (a) openpyxl alone touching every cell: load_workbook(read_only=True) + iter_rows(values_only=True);
  (b) our full load, etl.pipeline.load_file: keep the raw file, read it in a worker
      process while inspecting it here, locate, normalise, validate, and write the
      rows into a fresh DuckDB database held as the app holds it (one connection,
      a cursor per unit of work; the worker's spare started, as after an upload);
and, for profiling, each ETL step on its own. Issue 13's target is (b) <= 0.15 x (a).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from etl.inspect import inspect_file  # noqa: E402
from etl.limits import Limits  # noqa: E402
from etl.locate import locate  # noqa: E402
from etl.normalise import normalise  # noqa: E402
from etl.pipeline import load_file  # noqa: E402
from etl.read import read_sheets  # noqa: E402
from etl.validate import Context, Unit, validate  # noqa: E402
from league.db import Database  # noqa: E402
from league.units import save_unit_tree  # noqa: E402
from tests.corpus import MONTH, TITLE, UNIT, UNIT_TREE, ledger_sheet, make_records  # noqa: E402
from tests.corpus_files import write_xlsx  # noqa: E402

TARGET_RATIO = 0.15
LIBRARIES = ("duckdb", "polars", "pyarrow", "fastexcel", "openpyxl", "xlsxwriter", "python-stdnum")


def write_ledger(path: Path, rows: int) -> None:
    laid = ledger_sheet(make_records(rows, seed=100_000), title=(TITLE,))
    write_xlsx(path, [laid.grid])


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def openpyxl_read(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True)
    cells = 0
    for row in book.worksheets[0].iter_rows(values_only=True):
        cells += len(row)
    book.close()
    return cells


def fresh_database(folder: Path) -> Database:
    """Migrated, knowing the unit tree and held: set up outside the timing, as a running app's database is."""
    if folder.exists():
        shutil.rmtree(folder)
    db = Database(folder / "league.duckdb", hold=True)
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, UNIT_TREE)
    return db


def full_load(db: Database, path: Path) -> int:
    result = load_file(db, path, unit=UNIT, month=MONTH)
    assert result.status == "accepted", [p.text() for p in result.errors]
    return db.scalar("select count(*) from ledger")


def steps(path: Path) -> dict[str, float]:
    """Each ETL step alone, to see where the time goes (the write is in the full load only)."""
    unit = Unit(3, UNIT, "street", "东湖区")
    ctx = Context(today=MONTH.replace(year=MONTH.year + 1), units={UNIT: unit}, unit=unit, report_month=MONTH)
    took_inspect, _ = timed(lambda: inspect_file(path, Limits.default()))
    took_read, sheets = timed(lambda: read_sheets(path))  # parses in a worker while inspecting here
    took_locate, table = timed(lambda: locate(sheets, "ledger"))
    took_normalise, (typed, _) = timed(lambda: normalise(table))
    took_validate, _ = timed(lambda: validate(table, typed, ctx))
    return {"inspect (alone; overlapped by the read)": took_inspect, "read in a worker, inspected meanwhile": took_read,
            "locate (headers by meaning)": took_locate, "normalise": took_normalise, "validate": took_validate}


def machine() -> list[str]:
    libraries = ", ".join(f"{name} {version(name)}" for name in LIBRARIES)
    return [f"machine   {platform.platform()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}",
            f"python    {platform.python_version()}", f"libraries {libraries}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best is kept")
    parser.add_argument("--keep", type=Path, help="keep the ledger and databases here (and reuse the ledger)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_ledger_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ledger_{args.rows}.xlsx"

    if path.exists():
        print(f"using {path} from an earlier run (--keep)")
    else:
        took_write, _ = timed(lambda: write_ledger(path, args.rows))
        print(f"wrote {path.name}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB in {took_write:.1f} s")
    reads, loads, parts = [], [], []
    for run in range(args.repeat):
        reads.append(timed(lambda: openpyxl_read(path)))
        db = fresh_database(folder / f"db{run}")  # a new one each run: the load must not find the file known
        loads.append(timed(lambda: full_load(db, path)))
        parts.append(steps(path))
    (openpyxl_s, cells), (load_s, loaded) = min(reads, key=lambda r: r[0]), min(loads, key=lambda r: r[0])
    assert loaded == args.rows, f"{loaded} rows loaded of {args.rows}"
    best_steps = {name: min(p[name] for p in parts) for name in parts[0]}
    on_the_way = sum(seconds for name, seconds in best_steps.items() if not name.startswith("inspect"))
    best_steps["the rest: raw file, checks, DuckDB write"] = max(load_s - on_the_way, 0.0)

    ratio = load_s / openpyxl_s
    print()
    print(f"{'measure':<40}{'seconds':>10}{'rows/s':>12}{'vs openpyxl':>14}")
    print(f"{'(a) openpyxl read-only, every cell':<40}{openpyxl_s:>10.2f}{args.rows / openpyxl_s:>12,.0f}{1:>14.2f}")
    print(f"{'(b) full load into fresh DuckDB':<40}{load_s:>10.2f}{args.rows / load_s:>12,.0f}{ratio:>14.2f}")
    for name, seconds in best_steps.items():
        rate = f"{args.rows / seconds:>12,.0f}" if seconds else f"{'':>12}"
        print(f"{'    ' + name:<44}{seconds:>6.2f}{rate}{seconds / openpyxl_s:>14.2f}")
    print()
    print(f"cells read by openpyxl: {cells:,}; rows loaded: {loaded:,}; best of {args.repeat} run(s)")
    print(f"ratio full load / openpyxl = {ratio:.3f} (target <= {TARGET_RATIO:.2f}): "
          + ("met" if ratio <= TARGET_RATIO else "NOT met"))
    print(*machine(), sep="\n")
    if not args.keep:
        shutil.rmtree(folder)
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
