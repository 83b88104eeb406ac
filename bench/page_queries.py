"""How long each page's query takes on a database, cold cache (Streamlit's cache aside).

    python bench/page_queries.py [--db PATH] [--repeat N]

Without --db it builds the demo city in a temporary folder first (about a
minute). Each figure includes opening the database file, as the app does for
every query. Prints a table and the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.demo import build_demo  # noqa: E402
from league import queries  # noqa: E402
from league.db import Database  # noqa: E402

QUERIES = ["progress_by_unit", "progress_trend", "coverage", "gap_list", "area_summary",
           "youth_voice_by_month", "youth_voice_by_unit", "submission_grid", "received_files"]


def time_query(db: Database, name: str, repeat: int) -> tuple[float, int]:
    query = getattr(queries, name)
    as_of = queries.ledger_months(db, queries.whole_tree(db))["report_month"][0]
    args = () if name == "received_files" else (as_of,)
    rows = query(db, queries.whole_tree(db), *args).height  # warm the operating system's file cache
    start = time.perf_counter()
    for _ in range(repeat):
        query(db, queries.whole_tree(db), *args)
    return (time.perf_counter() - start) / repeat, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.db or Path(folder) / "league.duckdb")
        if args.db is None:
            build_demo(db)
        db.migrate()
        organisations = db.scalar("select count(distinct uscc) from ledger")
        ledger_rows = db.scalar("select count(*) from ledger_rows")
        print(f"database  {db.path.name}: {organisations:,} organisations, {ledger_rows:,} ledger rows\n")
        print(f"{'query':24s} {'ms':>8s} {'rows':>8s}")
        for name in QUERIES:
            seconds, rows = time_query(db, name, args.repeat)
            print(f"{name:24s} {seconds * 1000:8.1f} {rows:8,}")
    print(f"\nmachine   {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"python    {platform.python_version()}; duckdb {version('duckdb')}, polars {version('polars')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
