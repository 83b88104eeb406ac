"""How long recomputing the data-quality flags takes, and how many of each rule a database raises.

    python bench/flags_refresh.py [--db PATH] [--repeat N]

Without --db it builds the demo city in a temporary folder first (a minute or
more). Times league.flags.refresh_all (every month) and refresh of one month
(what loading the latest month's ledger costs), each inside a transaction that
is rolled back, so the database is left as it was. Prints the flags by rule
and severity and the machine it ran on.
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
from league import flags  # noqa: E402
from league.db import Database  # noqa: E402


def best_of(db: Database, repeat: int, work) -> float:
    """The fastest of `repeat` runs of work(con), each rolled back."""
    times = []
    with db.connect() as con:
        for _ in range(repeat):
            con.begin()
            start = time.perf_counter()
            work(con)
            times.append(time.perf_counter() - start)
            con.rollback()
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.db or Path(folder) / "league.duckdb")
        if args.db is None:
            build_demo(db)
        db.migrate()
        ledger_rows = db.scalar("select count(*) from ledger")
        months = db.query("select distinct report_month from ledger_submissions order by 1")["report_month"]
        print(f"database  {db.path.name}: {ledger_rows:,} ledger rows, {len(months)} months\n")
        every = best_of(db, args.repeat, flags.refresh_all)
        latest = best_of(db, args.repeat, lambda con: flags.refresh(
            con, flags.months_from(con, "ledger", months[-1])))
        print(f"{'refresh':32s} {'seconds':>8s}")
        print(f"{'every month (refresh_all)':32s} {every:8.3f}")
        print(f"{'the latest ledger month':32s} {latest:8.3f}\n")
        raised = db.query("select code, severity, count(*) as flags from flags group by all order by code")
        print(f"{'rule':24s} {'severity':8s} {'flags':>6s}")
        for code, severity, n in raised.rows():
            print(f"{code:24s} {severity:8s} {n:6d}")
    print(f"\nmachine   {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"python    {platform.python_version()}; duckdb {version('duckdb')}, scipy {version('scipy')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
