"""Browser journeys: a real Streamlit server on a copy of the demo database, driven by Chromium.

The server runs `streamlit run app.py` exactly as a person would start it,
with $LEAGUE_DASHBOARD_DB pointing at a copy of the session's demo database
(so journeys may upload without touching the database other tests read).
Playwright drives the system Chromium (installed by tests/install_browser.sh);
it never downloads a browser.

Every journey saves numbered full-page screenshots under
test-output/browser/<test name>/; a failing journey also saves the page as it
was at the failure and a copy of the app log there.

For local iteration on these tests only, LEAGUE_BROWSER_DEMO_DIR may name a
folder holding an already built demo (`python -m etl demo --db DIR/league.duckdb`)
to copy instead of building one (~60 s).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.person import RUN_TIMEOUT_MS, Screenshots, StreamlitPage

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "test-output" / "browser"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The machine may have no network: without the background-networking flags
# Chromium waits on refused connections at start.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1400, "height": 1000}
SERVER_START_TIMEOUT = 90  # seconds until /_stcore/health answers


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


# --- the server -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """A `streamlit run app.py` process on its own port and database."""

    db_path: Path
    log_path: Path
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"LEAGUE_DASHBOARD_DB": str(self.db_path), "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false",
                   # Pages are edited while tests run; a test server keeps the code it started with.
                   "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {SERVER_START_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def copy_database(source_db: Path, target_dir: Path) -> Path:
    """The database file with its sibling raw/ and demo/ folders (league.config), without the lock file."""
    shutil.copytree(source_db.parent, target_dir, ignore=shutil.ignore_patterns("*.lock", "*.wal"),
                    dirs_exist_ok=True)
    return target_dir / source_db.name


@pytest.fixture(scope="session")
def app_db(request, tmp_path_factory) -> Path:
    """A private copy of the demo database for the shared server; journeys may upload into it."""
    prebuilt = os.environ.get("LEAGUE_BROWSER_DEMO_DIR")
    source = Path(prebuilt) / "league.duckdb" if prebuilt else request.getfixturevalue("demo_db").path
    return copy_database(source, tmp_path_factory.mktemp("browser_db"))


@pytest.fixture(scope="session")
def app_server(app_db) -> Iterator[AppServer]:
    server = AppServer(app_db, OUTPUT_DIR / "app-server.log").start()
    yield server
    server.stop()


# --- what a person does in the app ---------------------------------------------

# True once the app is connected and no script run is under way or about to start.
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash tests/install_browser.sh` first", pytrace=False)
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
def app(page, shots, app_server) -> StreamlitPage:
    """The shared server's app, with the moves a person makes."""
    return StreamlitPage(page, app_server.url, shots)


@pytest.fixture
def fresh_app(browser, request, shots, tmp_path) -> Iterator[StreamlitPage]:
    """The app on its own server whose database folder is empty: its first start builds the demo."""
    server = AppServer(tmp_path / "empty" / "league.duckdb", OUTPUT_DIR / "first-start-server.log").start()
    try:
        with open_page(browser, request, shots, DESKTOP, server) as opened:
            yield StreamlitPage(opened, server.url, shots)
    finally:
        server.stop()
