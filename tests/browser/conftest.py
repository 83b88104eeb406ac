"""Browser journeys: a real Streamlit server on a copy of the demo database, driven by Chromium.

The server runs `streamlit run app.py` exactly as a person would start it,
with $LEAGUE_DASHBOARD_DB pointing at a copy of the session's demo database
(so journeys may upload without touching the database other tests read).
Playwright drives the system Chromium (installed by etl/install_system.sh);
it never downloads a browser.

Every journey saves numbered full-page screenshots under
test-output/browser/<test name>/; a failing journey also saves the page as it
was at the failure and a copy of the app log there.

For local iteration, LEAGUE_TEST_DEMO_DIR (tests/conftest.py) saves building the demo.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.person import RUN_TIMEOUT_MS, Screenshots, StreamlitPage
from tests.browser.server import REPO_ROOT, AppServer
from tests.stores import copy_store, store_at

OUTPUT_DIR = REPO_ROOT / "test-output" / "browser"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The machine may have no network: without the background-networking flags
# Chromium waits on refused connections at start.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1400, "height": 1000}


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the app in Chromium through a real Streamlit server")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell in teardown whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def app_db(demo_db, tmp_path_factory) -> Path:
    """A private copy of the demo, its data folder included, for the shared server; journeys may upload into it.
    The path names the store (tests/stores.py), its folder is the data folder."""
    path = tmp_path_factory.mktemp("browser_db") / "league.duckdb"
    copy_store(demo_db, path, beside=True)
    return path


@pytest.fixture(scope="session")
def app_server(app_db) -> Iterator[AppServer]:
    server = AppServer(store_at(app_db).address, OUTPUT_DIR / "app-server.log").start()
    yield server
    server.stop()


# --- what a person does in the app ---------------------------------------------

# True once the app is connected and no script run is under way or about to start.
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Playwright's expect() waits 5 s unless told otherwise: too short for a chart on a busy machine.
    expect.set_options(timeout=RUN_TIMEOUT_MS)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash etl/install_system.sh` first", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def journey_folder_name(node) -> str:
    """test_x[phone] -> test_x-phone"""
    return re.sub(r"[^\w.-]+", "-", node.name).strip("-")


@pytest.fixture
def shots(request) -> Screenshots:
    return Screenshots(OUTPUT_DIR / journey_folder_name(request.node))


@contextmanager
def open_page(browser, request, shots: Screenshots, viewport: dict, server: AppServer | None):
    """A fresh browser context for one test; on failure, the last screen and the app log are kept."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  accept_downloads=True)
    context.set_default_timeout(RUN_TIMEOUT_MS)
    page = context.new_page()
    shots.page = page
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            try:
                shots("failure")
            except Exception as exc:  # a crashed page cannot be photographed; say so and go on
                (shots.folder / "failure-screenshot-error.txt").write_text(repr(exc), encoding="utf-8")
            if server is not None and server.log_path.exists():
                shutil.copy(server.log_path, shots.folder / server.log_path.name)
        context.close()


@pytest.fixture
def viewport() -> dict:
    """The window size; a test may parametrize `viewport` to look at a tablet or a phone."""
    return DESKTOP


@pytest.fixture
def page(browser, request, shots, app_server, viewport):
    """A page (1400×1000 unless `viewport` says otherwise, zh-CN) on the shared server."""
    with open_page(browser, request, shots, viewport, app_server) as opened:
        yield opened


@pytest.fixture
def app(page, shots, app_server, app_db) -> StreamlitPage:
    """The shared server's app, with the moves a person makes, signing in as the demo's 领导 when asked."""
    return StreamlitPage(page, app_server.url, shots, demo_account(app_db, "领导"))


def demo_account(app_db: Path, name: str) -> tuple[str, str]:
    """A demo account as its holder has it: the name and the password from the file beside the database."""
    from league.access import read_demo_accounts

    return name, read_demo_accounts(app_db.parent)[name]


def account_for(app_db: Path, role: str, scope: str | None = None) -> tuple[str, str]:
    """An account of `role` scoped to `scope`, added as an admin would with `python -m etl users add`:
    while the server holds the database, the command is handed to it."""
    import subprocess
    import sys

    from tests.accounts import PASSWORD, account_name

    name = account_name(role, scope)

    def command(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "etl", "users", "--db", store_at(app_db).address, *args], cwd=REPO_ROOT,
                              input=password, capture_output=True, text=True, timeout=300)

    listed = command("list")
    assert listed.returncode == 0, listed.stderr
    if name not in {line.split("\t")[0] for line in listed.stdout.splitlines()}:
        added = command("add", name, "--role", role, *(["--scope", scope] if scope else []), password=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    return name, PASSWORD


@pytest.fixture
def fresh_app(browser, request, shots, tmp_path) -> Iterator[StreamlitPage]:
    """The app on its own server whose database folder is empty: its first start builds the demo."""
    server = AppServer(str(tmp_path / "empty" / "league.duckdb"), OUTPUT_DIR / "first-start-server.log").start()
    try:
        with open_page(browser, request, shots, DESKTOP, server) as opened:
            yield StreamlitPage(opened, server.url, shots)
    finally:
        server.stop()
