"""How long a fresh browser session waits for each page: cold server, warm server, another month.

    python bench/first_paint.py [--db PATH] [--repeat N]

Runs `streamlit run app.py` on a copy of the database (without --db, the demo
city is built first, about a minute) and opens each page in headless Chromium
as a new visitor would: a new browser context, so no session, no browser cache,
only the cookie of the demo's 领导 signed in beforehand (so 上传, which
leadership does not have, is not measured). A page counts as shown when Streamlit's run has finished and every chart has
drawn. Three figures per page, best of N (and the worst cold start):

- cold: the server process has just started (nothing imported or cached yet);
- warm: the server has already shown the page to someone else;
- month: on a warm page, choosing another 数据截至 month no one has looked at.

Needs Chromium (bash etl/install_system.sh). Prints a table and the machine.
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
from league import access  # noqa: E402
from league.db import Database  # noqa: E402
from league.signin import SESSION_COOKIE  # noqa: E402
from tests.browser.person import APP_IDLE_JS  # noqa: E402
from tests.browser.server import AppServer, copy_database  # noqa: E402

PAGES = {"总览": "", "覆盖": "coverage", "青年之声": "youth_voice", "下钻": "drilldown", "报送": "submissions"}
VISITOR = "领导"
CHROMIUM = "/usr/bin/chromium"
SHOWN_JS = """() => (""" + APP_IDLE_JS + """)()
    && [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
        .every(chart => chart.offsetParent === null || chart.querySelector('.main-svg'))"""
TIMEOUT_MS = 120_000


def shown_after(page, action) -> float:
    start = time.perf_counter()
    action()
    page.wait_for_function(SHOWN_JS, timeout=TIMEOUT_MS, polling=20)
    return time.perf_counter() - start


def signed_in(db_path: Path) -> str:
    """A session token of the demo's 领导, started in the database before the server is, so a cold start stays cold."""
    password = access.read_demo_accounts(db_path.parent)[VISITOR]
    return access.sign_in(Database(db_path), VISITOR, password).token


def visitor(browser, url: str, token: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": url}])
    return context


def first_paint(browser, url: str, token: str) -> float:
    context = visitor(browser, url, token)
    try:
        page = context.new_page()
        seconds = shown_after(page, lambda: page.goto(url))
        if page.get_by_label("用户名", exact=True).count():
            raise RuntimeError("the visitor was shown the sign-in form: the session cookie was not taken")
        return seconds
    finally:
        context.close()


def other_month(browser, url: str, token: str, month: str) -> float:
    context = visitor(browser, url, token)
    try:
        page = context.new_page()
        shown_after(page, lambda: page.goto(url))
        return shown_after(page, lambda: page.goto(f"{url}?month={month}"))
    finally:
        context.close()


def measure(db_path: Path, folder: Path, repeat: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    months = Database(db_path).query("select distinct strftime(report_month, '%Y-%m') as m from ledger order by m")
    older = months["m"].to_list()[:repeat + 1]  # months the warm runs have not looked at, one per try
    figures: dict[str, dict[str, float]] = {title: {} for title in PAGES}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for title, path in PAGES.items():
            cold, warm, month = [], [], []
            for attempt in range(repeat):
                copy = copy_database(db_path, folder / f"{path or 'progress'}-{attempt}")
                token = signed_in(copy)
                server = AppServer(str(copy), folder / "server.log").start()
                try:
                    cold.append(first_paint(browser, f"{server.url}/{path}", token))
                    warm.append(min(first_paint(browser, f"{server.url}/{path}", token) for _ in range(2)))
                    month.append(other_month(browser, f"{server.url}/{path}", token, older[attempt]))
                finally:
                    server.stop()
            figures[title] = {"cold": min(cold), "cold_worst": max(cold), "warm": min(warm), "month": min(month)}
        browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        db_path = args.db or folder / "demo" / "league.duckdb"
        if args.db is None:
            build_demo(Database(db_path))
        organisations = Database(db_path).scalar("select count(distinct uscc) from ledger")
        print(f"database  {db_path.name}: {organisations:,} organisations; best of {args.repeat}\n")
        figures = measure(db_path, folder, args.repeat)
    print(f"{'page':10s} {'cold s':>8s} {'(worst)':>8s} {'warm s':>8s} {'month s':>8s}")
    for title, row in figures.items():
        print(f"{title:10s} {row['cold']:8.2f} {row['cold_worst']:8.2f} {row['warm']:8.2f} {row['month']:8.2f}")
    print(f"\nmachine   {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"python    {platform.python_version()}; streamlit {version('streamlit')}, duckdb {version('duckdb')}, "
          f"polars {version('polars')}, plotly {version('plotly')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
