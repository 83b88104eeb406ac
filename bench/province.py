"""Province scale: each page's queries, each page's AppTest run and one unit's load, against the full scan floor.

    python bench/province.py [--sizes 10000,100000,1000000] [--repeat 5] [--keep DIR] [--seed S]

For each size a synthetic province is built with `python -m etl province`'s
generator (or reused from --keep DIR/orgs-N/). Printed per size: the floor
(`select count(*), sum(employees), count(distinct uscc) from ledger`, median);
each page's named queries asked in turn as the page's first visitor after a
load asks them (median of the sums) and the ratio to the floor (besides the six
pages' first views, 专项目标's other sections and the drill-down to a unit and to
an organisation, which have no AppTest run of their own here); each page's
AppTest run signed in as leadership, likewise after a load (Streamlit's cache
cleared, nothing kept in league.queries); how long the forecast the app makes
after each write takes (queries.warm_forecast, in the background: the pages
read it made); the time to load one unit's 500-row ledger for December as an
upload would; and this process's peak memory. The pages look from June, and the
app's warm-up here makes June's forecast, as it makes the default month's.
Issue 13's targets at 1,000,000 organisations: every page's queries at most
0.15 x the floor, each AppTest run at most 2 s, one unit's load at most 2 s,
at most 2 GiB.

The database is held as the app holds it (league.db: one connection, a cursor
per read, the forecast made after each commit). The same run measures readers
against a write: 4 threads read the overview's trend and the coverage table
continuously, first alone, then while one unit's ledger is loaded and committed,
then while the forecast is made anew at the lowest CPU priority; printed is
how much longer the slowest read took in each than the slowest of 5 s of reads
alone (the target: at most 100 ms).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.pipeline import load_file  # noqa: E402
from etl.province import build_province  # noqa: E402
from league import access, queries  # noqa: E402
from league.config import DB_ENV_VAR  # noqa: E402
from league import db as store  # noqa: E402
from league.db import Database  # noqa: E402
from league.ui import TABLE_PAGE_ROWS  # noqa: E402

AS_OF = date(2025, 6, 1)
FLOOR = "select count(*), sum(employees), count(distinct uscc) from ledger"
# Each page's named queries as the page asks them, looking from June (mid-year); a long list a page at a time.
PAGES = {
    "总览": [("progress_total", {}), ("progress_by_district", {}), ("progress_by_unit", {}), ("progress_trend", {}),
           ("milestone_forecast", {}), ("submission_grid", {}), ("flag_counts", {})],
    "覆盖": [("coverage", {"segment": "all"}), ("gap_list", {"segment": "all", "limit": TABLE_PAGE_ROWS})],
    "青年之声": [("youth_voice_by_month", {}), ("youth_voice_by_unit", {})],
    "团员发展": [("member_entry", {}), ("members_not_entered", {})],
    "专项目标": [("above_scale_coverage", {}), ("above_scale_uncovered", {"limit": TABLE_PAGE_ROWS})],
    "报送": [("submission_grid", {}), ("completeness", {})],
    # The pages' other views, as a person opens them: 专项目标's other sections and the drill-down (下钻) to the
    # unit with the most flags and to one of its organisations. UNIT, DISTRICT and USCC are picked per province.
    "专项目标·党建带团建": [("party_led_sync", {}), ("party_led_unsynced", {})],
    "专项目标·建团路径": [("new_orgs_by_pathway", {}), ("unused_pathways", {})],
    "专项目标·重点领域与园区": [("coverage_by_group", {"grouping": "priority"}),
                         ("coverage_by_group", {"grouping": "park"})],
    "专项目标·抓大带小": [("coverage_by_group", {"grouping": "size_band"})],
    "下钻·单位": [("area_summary", {}), ("area_summary", {"district": "DISTRICT"}), ("progress_by_unit", {}),
              ("submission_grid", {}), ("flag_list", {"unit": "UNIT"}), ("milestone_forecast", {}),
              ("verification_by_unit", {}), ("youth_voice_by_month", {"unit": "UNIT"}),
              ("question_reply_times", {}), ("question_backlog", {}), ("unit_organisations", {"unit": "UNIT"})],
    "下钻·组织": [("organisation_history", {"uscc": "USCC"}), ("flag_list", {"uscc": "USCC"})],
}
PICKED = ("UNIT", "DISTRICT", "USCC")
PAGE_FILES = {"总览": "pages/progress.py", "覆盖": "pages/coverage.py", "青年之声": "pages/youth_voice.py",
              "团员发展": "pages/members.py", "专项目标": "pages/targets.py", "报送": "pages/submissions.py"}
APP = Path(__file__).resolve().parent.parent / "app.py"
BENCH_USER, BENCH_PASSWORD = "基准测试", "bench-password-2026"


def median_seconds(run, repeat: int) -> float:
    run()  # warm the operating system's file cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def after_a_change(db: Database) -> None:
    """As after a load: nothing the process kept is current but the forecast, which the app makes after each
    write it commits (queries.warm_forecast; the benchmark's own for June, the month it looks from)."""
    queries.forget()
    queries.warm_forecast(db, AS_OF)


def forecast_seconds(db: Database, repeat: int) -> float:
    """What the app's warm-up after a write takes: the whole province's forecast, from June."""
    return median_seconds(lambda: (queries.forget(), queries.warm_forecast(db, AS_OF)), repeat)


def picked(db: Database) -> dict[str, str]:
    """What the drill-down visits: the unit with the most flags, its district, and its first organisation."""
    unit, district = db.query("select u.name, u.district from units u left join quality_flags q using (unit_id)"
                              " where u.level in ('street', 'industry') group by all"
                              " order by count(q.unit_id) desc, u.name limit 1").row(0)
    uscc = db.scalar("select uscc from ledger where unit = ? and report_month <= ? order by report_month desc, uscc"
                     " limit 1", [unit, AS_OF])
    return dict(zip(PICKED, (unit, district, uscc)))


def page_query_seconds(db: Database, repeat: int) -> dict[str, float]:
    """Each page's named queries asked in turn as its first visitor after a load asks them."""
    scope, chosen = queries.whole_tree(db), picked(db)

    def visit(asked) -> float:
        after_a_change(db)
        start = time.perf_counter()
        for name, kwargs in asked:
            getattr(queries, name)(db, scope, AS_OF, **{k: chosen.get(v, v) for k, v in kwargs.items()})
        return time.perf_counter() - start

    return {page: statistics.median([visit(asked) for _ in range(repeat + 1)][1:])  # the first warms the files
            for page, asked in PAGES.items()}


def apptest_seconds(db: Database, repeat: int) -> dict[str, float]:
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from tests.accounts import sign_in

    # As tests/conftest.py does for every AppTest: reruns go through app.py, not the pages/ folder alone.
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init

    if not db.scalar("select count(*) from users where name = ?", [BENCH_USER]):
        access.add_user(db, BENCH_USER, "leadership", None, BENCH_PASSWORD, by="基准测试")
    os.environ[DB_ENV_VAR] = str(db.path)
    at = sign_in(AppTest.from_file(str(APP), default_timeout=600).run(), BENCH_USER, BENCH_PASSWORD)
    at.sidebar.selectbox(key="month").set_value(AS_OF).run()
    def cold(path: str) -> float:  # as a page's first visitor after a load: nothing in Streamlit's cache
        st.cache_data.clear()
        after_a_change(db)
        start = time.perf_counter()
        at.switch_page(path).run()
        return time.perf_counter() - start

    return {page: statistics.median([cold(path) for _ in range(repeat + 1)][1:])  # the first warms the files
            for page, path in PAGE_FILES.items()}


def unit_ledger(db: Database, folder: Path, rank: int = 0) -> tuple[str, Path]:
    """A unit's December ledger of up to 500 organisations as a workbook (the rank-th largest unit's), titled as
    units title them, so that the command line tells its unit and month without being told."""
    import xlsxwriter

    from etl.contract import contract

    unit = db.scalar("select unit from ledger where report_month = date '2025-12-01' group by unit"
                     " order by count(*) desc, unit limit 1 offset ?", [rank])
    rows = db.query("select * from ledger where unit = ? and report_month = date '2025-12-01' limit 500", [unit])
    fields = [f for f in contract().kinds["ledger"].fields if f.name in rows.columns]
    path = folder / "unit.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    sheet.write_string(0, 0, f"{unit}2025年12月两新组织团建工作台账")
    sheet.write_row(1, 0, [f.label for f in fields])
    for r, row in enumerate(rows.iter_rows(named=True), start=2):
        for c, f in enumerate(fields):
            value = row[f.name]
            sheet.write_string(r, c, "" if value is None else ("是" if value is True else "否" if value is False
                                                                else str(value)))
    book.close()
    return unit, path


def load_unit(db: Database, unit: str, path: Path) -> float:
    """Seconds to load a unit's December ledger as an upload is (a worker reads the file)."""
    start = time.perf_counter()
    result = load_file(db, path, unit=unit, month=date(2025, 12, 1), accept_drop=True, today=date(2026, 1, 5))
    took = time.perf_counter() - start
    if result.status not in ("accepted", "unchanged"):
        raise RuntimeError([p.text() for p in result.errors])
    return took


class WarmUps:
    """The app's work after each commit as the benchmark runs it (June's forecast), each run's data version
    and end noted."""

    def __init__(self) -> None:
        self.ended: dict[int, float] = {}
        self.ran = threading.Condition()

    def __call__(self, db: Database) -> None:
        version = db.data_version()
        queries.warm_forecast(db, AS_OF)
        with self.ran:
            self.ended.setdefault(version, time.perf_counter())
            self.ran.notify_all()

    def ended_for(self, db: Database) -> float:
        """When the warm-up for the data as they are now ended (waiting for it)."""
        version = db.data_version()
        with self.ran:
            self.ran.wait_for(lambda: version in self.ended)
            return self.ended[version]


def reads_during_a_load(db: Database, warm_ups: WarmUps, unit: str, path: Path, readers: int = 4,
                        alone_seconds: float = 5.0) -> dict[str, float]:
    """Readers run the overview's trend and the coverage table in turn, first alone, then while one unit's
    ledger loads and commits, then while the app's warm-up makes the forecast anew (at the lowest CPU
    priority). Seconds: the median and slowest read alone, the slowest read during the load and during
    the warm-up, and how long each took."""
    scope = queries.whole_tree(db)
    reads = [lambda: queries.progress_trend(db, scope, AS_OF), lambda: queries.coverage(db, scope, AS_OF)]
    timings: list[tuple[float, float]] = []  # (start, seconds)
    stop = threading.Event()

    def read(turn: int) -> None:
        while not stop.is_set():
            start = time.perf_counter()
            reads[turn % len(reads)]()
            timings.append((start, time.perf_counter() - start))
            turn += 1

    warm_ups.ended_for(db)  # the warm-up after the last write is over before readers start
    threads = [threading.Thread(target=read, args=(turn,)) for turn in range(readers)]
    for thread in threads:
        thread.start()
    time.sleep(alone_seconds)
    load_start = time.perf_counter()
    load_unit(db, unit, path)
    committed = time.perf_counter()
    warmed = warm_ups.ended_for(db)
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join()

    def slowest(start: float, end: float) -> float:
        return max((t for began, t in timings if began < end and began + t > start), default=0.0)

    alone = [t for start, t in timings if start + t < load_start]
    return {"alone_median": statistics.median(alone), "alone_slowest": max(alone),
            "load": slowest(load_start, committed), "load_seconds": committed - load_start,
            "warm_up": slowest(committed, warmed), "warm_up_seconds": warmed - committed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="folder to build the provinces in and reuse them from")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, duckdb {version('duckdb')},"
          f" polars {version('polars')}, streamlit {version('streamlit')}, {date.today()}")
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        for size in (int(s) for s in args.sizes.split(",")):
            folder = base / f"orgs-{size}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "league.duckdb"
            start = time.perf_counter()
            if not path.exists():
                build_province(Database(path), orgs=size, seed=args.seed)
            built = time.perf_counter() - start
            # Held as the app holds it, making the forecast after each write (from June, the month looked from).
            warm_ups = WarmUps()
            db = Database(path, hold=True, serve=lambda db: db.after_commits(warm_ups))
            db.migrate()
            rows = db.scalar("select count(*) from ledger_rows")
            floor = median_seconds(lambda: db.query(FLOOR), args.repeat)
            forecast = forecast_seconds(db, args.repeat)
            pages = page_query_seconds(db, args.repeat)
            runs = apptest_seconds(db, max(1, args.repeat // 2))
            loaded = load_unit(db, *unit_ledger(db, folder, rank=0))
            during = reads_during_a_load(db, warm_ups, *unit_ledger(db, folder, rank=1))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
            store.release(path)
            print(f"\n{size:,} organisations, {rows:,} ledger rows (built in {built:.0f} s)")
            print(f"  full scan floor: {floor * 1000:.0f} ms")
            print(f"  {'page':<14}{'queries ms':>12}{'x floor':>10}{'AppTest s':>11}")
            for page in PAGES:
                run = f"{runs[page]:>11.2f}" if page in runs else f"{'—':>11}"
                print(f"  {page:<14}{pages[page] * 1000:>12.0f}{pages[page] / floor:>10.2f}{run}")
            print(f"  the overview's forecast, made by the app after each write: {forecast:.2f} s")
            print(f"  one unit's 500-row ledger loaded in {loaded:.2f} s; peak memory {peak:.2f} GiB")
            ms = {name: seconds * 1000 for name, seconds in during.items()}
            print(f"  4 readers: alone median {ms['alone_median']:.0f} ms, slowest {ms['alone_slowest']:.0f} ms;"
                  f" slowest during a load ({during['load_seconds']:.1f} s) {ms['load']:.0f} ms"
                  f" ({ms['load'] - ms['alone_slowest']:+.0f} ms); during the forecast's warm-up after it"
                  f" ({during['warm_up_seconds']:.1f} s) {ms['warm_up']:.0f} ms ({ms['warm_up'] - ms['alone_slowest']:+.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
