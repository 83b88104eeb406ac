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
RUN_TIMEOUT_MS = 60_000  # one script run, including a cold cache on the demo database
SCREENSHOT_MAX_HEIGHT = 8_000  # pixels; a longer page is cut off at this height


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
APP_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null
        && app.dataset.testConnectionState === 'CONNECTED'
        && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector(
            '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]');
}"""

# Draws each character with the font an element uses; the same picture for two
# different characters means both fell back to the "missing glyph" box (tofu).
GLYPH_PICTURES_JS = """([selector, chars]) => {
    const element = document.querySelector(selector);
    const family = element ? getComputedStyle(element).fontFamily : 'sans-serif';
    const canvas = document.createElement('canvas');
    canvas.width = 40; canvas.height = 40;
    const context = canvas.getContext('2d', {willReadFrequently: true});
    context.font = `32px ${family}`;
    context.textBaseline = 'top';
    return {family, pictures: chars.map(c => {
        context.clearRect(0, 0, 40, 40);
        context.fillText(c, 2, 2);
        return Array.from(context.getImageData(0, 0, 40, 40).data.filter((_, i) => i % 4 === 3)).join(',');
    })};
}"""
MISSING_GLYPH = "\U0010fffd"  # a private-use code point no font draws


class StreamlitPage:
    """The app in one browser page, with the moves a person makes, each waiting until Streamlit is done."""

    def __init__(self, page, base_url: str, shots: Screenshots):
        self.page = page
        self.base_url = base_url
        self.shots = shots

    def shot(self, step: str) -> Path:
        """A numbered full-page screenshot of this step of the journey."""
        return self.shots(step, self.page)

    # waiting
    def wait_idle(self, timeout: int = RUN_TIMEOUT_MS) -> None:
        self.page.wait_for_function(APP_IDLE_JS, timeout=timeout)

    def wait(self, *texts: str, timeout: int = RUN_TIMEOUT_MS) -> None:
        """Until each text is visible on the page and the script run has finished; fails at once on an exception."""
        exception = self.page.locator('[data-testid="stException"]')
        for text in texts:
            self.page.get_by_text(text).or_(exception).first.wait_for(state="visible", timeout=timeout)
            self.assert_no_exception()
        self.wait_idle(timeout)
        self.assert_no_exception()

    def assert_no_exception(self) -> None:
        """A page that raised shows Streamlit's exception box; say what it says."""
        shown = self.page.locator('[data-testid="stException"]')
        if shown.count():
            raise AssertionError(f"the app shows an exception: {shown.first.inner_text()[:2000]}")

    # moving around
    def open(self, path: str = "/", *texts: str) -> None:
        self.page.goto(self.base_url + path)
        self.wait(*texts)

    def go_to(self, title: str, *texts: str) -> None:
        """Follow the sidebar link with this page title."""
        link = self.page.locator('[data-testid="stSidebarNav"] a').filter(
            has=self.page.get_by_text(title, exact=True))
        link.click()
        self.wait(*texts)

    # widgets
    def choose(self, label: str, option: str, exact: bool = True) -> None:
        """Pick an option of the selectbox labelled `label`, typing to find it in a long list.

        With exact=False, the first option whose text contains `option` (for labels like "name（code）").
        """
        box = self.page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(option)
        options = self.page.get_by_role("option")
        (options.filter(has_text=re.compile(f"^{re.escape(option)}$")) if exact
         else options.filter(has_text=option)).first.click()
        self.page.wait_for_function(
            "([label, option, exact]) => [...document.querySelectorAll('input[role=combobox]')]"
            ".some(i => i.getAttribute('aria-label') === label"
            " && (exact ? i.value === option : i.value.includes(option)))",
            arg=[label, option, exact])
        self.wait()

    def click(self, button: str, *texts: str) -> None:
        self.page.get_by_role("button", name=button).click()
        self.wait(*texts)

    def upload(self, path: Path, *texts: str) -> None:
        """Choose a file in the uploader (the uploader shows its name shortened, so wait for `texts`)."""
        self.page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(path))
        self.page.locator('[data-testid="stFileChip"]').first.wait_for()
        self.wait(*texts)

    def download(self, button: str, folder: Path, within: str | None = None) -> Path:
        """Click a download button (the one inside CSS `within`, if given) and keep the file under its own name."""
        scope = self.page.locator(within) if within else self.page
        with self.page.expect_download() as started:
            scope.get_by_role("button", name=button).click()
        download = started.value
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / download.suggested_filename
        download.save_as(target)
        return target

    # reading
    def metric(self, label: str) -> str:
        metric = self.page.locator('[data-testid="stMetric"]').filter(
            has=self.page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True))
        return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()

    def table(self, header: str) -> list[dict[str, str]]:
        """The rows of the first table with this column header, as the grid's accessible copy has them.

        Streamlit draws tables on a canvas and keeps only the rows in view in
        the accessible copy: read short tables here, download long ones.
        """
        # The accessible copy is hidden from sight, so it is read by CSS and text content, not by role.
        grid = self.page.locator('[data-testid="stDataFrame"] table[role=grid]').filter(
            has=self.page.locator("thead th", has_text=re.compile(f"^{re.escape(header)}$"))).first
        grid.wait_for(state="attached")
        headers = [h.text_content().strip() for h in grid.locator("thead th").all()]
        return [dict(zip(headers, (c.text_content().strip() for c in row.locator("td").all())))
                for row in grid.locator("tbody tr").all()]

    def chart_texts(self, kind: str) -> list[str]:
        """Texts of a kind (gtitle, xtitle, ytitle) in every plotly chart on the page."""
        return [t.text_content() for t in self.page.locator(f'[data-testid="stPlotlyChart"] .{kind}').all()]

    def glyphs_are_drawn(self, selector: str, text: str) -> tuple[bool, str]:
        """Whether each distinct character of `text` gets its own glyph in the font of `selector`."""
        chars = sorted(set(text) - {" "})
        drawn = self.page.evaluate(GLYPH_PICTURES_JS, [selector, chars + [MISSING_GLYPH]])
        *pictures, missing = drawn["pictures"]
        blank = ",".join(["0"] * 1600)
        ok = len(set(pictures)) == len(pictures) and missing not in pictures and blank not in pictures
        return ok, drawn["family"]

    def horizontal_overflow(self) -> int:
        """How many pixels the page, or Streamlit's scrolling main area, is wider than its window."""
        return self.page.evaluate(
            "() => { const main = document.querySelector('[data-testid=stMain]');"
            " return Math.max(document.documentElement.scrollWidth - window.innerWidth,"
            " document.body.scrollWidth - window.innerWidth, main ? main.scrollWidth - main.clientWidth : 0); }")


# --- the browser --------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash tests/install_browser.sh` first", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Screenshots:
    """Numbered full-page screenshots of one journey: test-output/browser/<test>/NN-step.png."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.taken: list[Path] = []
        self.page = None
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def __call__(self, step: str, page=None) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        full_page_screenshot(page or self.page, path)
        self.taken.append(path)
        return path


def full_page_screenshot(page, path: Path) -> None:
    """The whole page, not only the viewport.

    Streamlit scrolls its main area inside the viewport, so Playwright's
    full_page sees a page one viewport high: grow the viewport to the main
    area's height for the shot, then put it back.
    """
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(document.documentElement.scrollHeight,"
        " ...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
        ".map(e => e.scrollHeight))"
    )
    height = min(max(height, size["height"]), SCREENSHOT_MAX_HEIGHT)
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(300)  # let charts redraw at the new size
    try:
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        if height > size["height"]:
            page.set_viewport_size(size)


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
