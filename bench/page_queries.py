"""How long each page's query takes on a database, cold cache (Streamlit's cache aside).

    python bench/page_queries.py [--db PATH] [--repeat N] [--month YYYY-MM]

Without --db it builds the demo city in a temporary folder first (about a
minute). Each figure includes opening the database file, as the app does for
every query. The month looked from is the latest with a ledger unless --month
names one (the forecast has nothing left to draw in December). Prints a table
and the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.demo import build_demo  # noqa: E402
from league import queries  # noqa: E402
from league.db import Database  # noqa: E402

QUERIES = ["progress_by_unit", "progress_trend", "milestone_forecast", "unit_alerts", "coverage", "gap_list",
           "area_summary", "youth_voice_by_month", "youth_voice_by_unit", "submission_grid", "received_files",
           "flag_list", "flag_counts", "verification_by_unit", "spot_check_frame"]


def time_query(db: Database, name: str, repeat: int, as_of: date) -> tuple[float, int]:
    query = getattr(queries, name)
    args = () if name == "received_files" else (as_of,)
    if name == "spot_check_frame":  # one unit's organisations, as the 随机抽查 page draws from
        args += (queries.reporting_units(db, queries.whole_tree(db))["unit"][0],)
    rows = query(db, queries.whole_tree(db), *args).height  # warm the operating system's file cache
    start = time.perf_counter()
    for _ in range(repeat):
        query(db, queries.whole_tree(db), *args)
    return (time.perf_counter() - start) / repeat, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--month", type=lambda text: datetime.strptime(text, "%Y-%m").date())
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.db or Path(folder) / "league.duckdb")
        if args.db is None:
            build_demo(db)
        db.migrate()
        organisations = db.scalar("select count(distinct uscc) from ledger")
        ledger_rows = db.scalar("select count(*) from ledger_rows")
        as_of = args.month or queries.ledger_months(db, queries.whole_tree(db))["report_month"][0]
        print(f"database  {db.path.name}: {organisations:,} organisations, {ledger_rows:,} ledger rows;"
              f" as of {as_of:%Y-%m}\n")
        print(f"{'query':24s} {'ms':>8s} {'rows':>8s}")
        for name in QUERIES:
            seconds, rows = time_query(db, name, args.repeat, as_of)
            print(f"{name:24s} {seconds * 1000:8.1f} {rows:8,}")
    print(f"\nmachine   {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"python    {platform.python_version()}; duckdb {version('duckdb')}, polars {version('polars')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
