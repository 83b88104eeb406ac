"""How good the milestone forecast is on a past year, and how long a page waits for it.

    python bench/forecast_backtest.py [--db PATH] [--year YYYY] [--from-months 5 6] [--repeat N]

Forecasts the year as it stood at the end of each --from-months month (May and
June by default) and compares them with what was built by each later
milestone and the year end: mean absolute error of the median, width and
coverage of the 80% interval (0.8 if it is honest), Brier score of the
probabilities of reaching each point, for units, districts and the city; then
the same for the model's alternatives, and the time milestone_forecast takes.
Without --db it builds the demo city in a temporary folder first (about a
minute); a database given is copied first, never written to. Prints tables
and the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl  # noqa: E402

from etl.demo import build_demo  # noqa: E402
from league import forecast, queries  # noqa: E402
from league.db import Database  # noqa: E402

VARIANTS = {
    "as the pages use it": forecast.MODEL,
    "no shared month factor": forecast.Model(month_shocks=False),
    "prior spread floor 0.10": forecast.Model(min_prior_cv=0.1),
    "steady pace per month": forecast.Model(pace="flat"),
}
LEVEL_NAMES = {"unit": "units", "district": "districts", "total": "city"}


def print_scores(scores: pl.DataFrame, keys: list[str]) -> None:
    print(" ".join(f"{key:>12s}" for key in keys) + f" {'n':>5s} {'MAE':>8s} {'width':>8s} {'coverage':>9s} {'Brier':>7s}")
    for row in scores.iter_rows(named=True):
        cells = [LEVEL_NAMES.get(row[key], row[key]) if key == "level" else row[key] for key in keys]
        print(" ".join(f"{str(cell):>12s}" for cell in cells)
              + f" {row['n']:5d} {row['mae']:8.1f} {row['width']:8.1f} {row['coverage']:9.2f} {row['brier']:7.3f}")


def best_of(repeat: int, work) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def print_timings(db: Database, scope: str, months: list[date], repeat: int) -> None:
    print(f"\n{'milestone_forecast at':24s} {'queries s':>10s} {'model s':>8s} {'total s':>8s} {'rows':>6s}")
    for month in months:
        inputs = (queries.monthly_built(db, scope, month), queries.forecast_milestones(db, scope, month))
        sql = best_of(repeat, lambda: (queries.monthly_built(db, scope, month),
                                       queries.forecast_milestones(db, scope, month)))
        model = best_of(repeat, lambda: forecast.by_next_milestone(*inputs))
        total = best_of(repeat, lambda: queries.milestone_forecast(db, scope, month))
        rows = queries.milestone_forecast(db, scope, month).height
        print(f"{month:%Y-%m}{'':17s} {sql:10.3f} {model:8.3f} {total:8.3f} {rows:6d}")


def run(db: Database, year: int | None, from_months: list[int], repeat: int) -> None:
    scope = queries.whole_tree(db)
    months = queries.ledger_months(db, scope)["report_month"]
    year = year or months.max().year
    origins = [date(year, month, 1) for month in from_months]
    organisations = db.scalar("select count(distinct uscc) from ledger where year(report_month) = ?", [year])
    units = queries.reporting_units(db, scope).height
    print(f"database  {db.path.name}: {year}, {units} reporting units, {organisations:,} organisations; "
          f"forecasts from the end of {', '.join(f'{m:%Y-%m}' for m in origins)}; {forecast.DRAWS} draws\n")
    compared = forecast.backtest(db, scope, origins)
    print("Forecast against outcome, by forecast month and level (all later points pooled)")
    print_scores(forecast.backtest_scores(compared), ["from_month", "level"])
    print("\n... by point forecast")
    print_scores(forecast.backtest_scores(compared, ["from_month", "level", "due_date"]),
                 ["from_month", "level", "due_date"])
    print("\nThe model's alternatives (both forecast months pooled)")
    for name, model in VARIANTS.items():
        print(f"-- {name}: {model}")
        print_scores(forecast.backtest_scores(forecast.backtest(db, scope, origins, model=model), ["level"]),
                     ["level"])
    page_month = queries.default_month(queries.ledger_months(db, scope))
    print_timings(db, scope, sorted({*origins, page_month}), repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--year", type=int, help="the year to backtest (default: the latest with ledgers)")
    parser.add_argument("--from-months", type=int, nargs="+", default=[5, 6])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "league.duckdb")
        if args.db is None:
            build_demo(db)
        else:
            shutil.copy(args.db, db.path)
        db.migrate()
        run(db, args.year, args.from_months, args.repeat)
    print(f"\nmachine   {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"python    {platform.python_version()}; duckdb {version('duckdb')}, polars {version('polars')}, "
          f"numpy {version('numpy')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
