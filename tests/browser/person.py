"""What a person does in the dashboard, as Playwright steps that wait for Streamlit to finish each run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import expect

RUN_TIMEOUT_MS = 60_000  # one script run, including a cold cache on the demo database
SCREENSHOT_MAX_HEIGHT = 8_000  # pixels; a longer page is cut off at this height


APP_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null
        && app.dataset.testConnectionState === 'CONNECTED'
        && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector(
            '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]');
}"""

PAGE_LOCALISED_JS = "() => document.documentElement.lang === 'zh-CN'"
# A run has drawn something: every page, the sign-in form included, starts with a title.
TITLE_DRAWN_JS = "() => document.querySelector('[data-testid=stMain] h1') !== null"

CHARTS_DRAWN_JS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
    .every(chart => !chart.checkVisibility() || chart.querySelector('.main-svg') !== null)"""

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

# Boxes of the parts of every plotly chart in sight, in page pixels: [left, top, right, bottom].
CHART_PARTS_JS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
  .filter(chart => chart.checkVisibility())
  .map(chart => {
    const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const visible = e => e.getBoundingClientRect().width > 0 && e.textContent.trim() !== '';
    const parts = {};
    for (const [name, selector] of [['title', '.gtitle'], ['legend', '.legend'], ['x-axis title', '.xtitle'],
                                    ['y-axis title', '.ytitle'], ['x-axis labels', '.xaxislayer-above'],
                                    ['y-axis labels', '.yaxislayer-above'], ['colour bar', '.colorbar']]) {
      const element = chart.querySelector(selector);
      if (element && visible(element)) parts[name] = box(element);
    }
    return {name: chart.querySelector('.gtitle')?.textContent ?? '(untitled)', chart: box(chart), parts,
            bar_labels: [...chart.querySelectorAll('.bartext')].map(box)};
  })"""
# Visible text smaller than a person can read: [text, size in px] of each, from HTML and from charts.
SMALL_TEXT_JS = """(smallest) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
    if (!text || !element || element.closest('style, script, [data-testid=stIconMaterial]')) continue;
    if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const rect = element.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < smallest) small.push([text, size]);
  }
  return small;
}"""


class StreamlitPage:
    """The app in one browser page, with the moves a person makes, each waiting until Streamlit is done."""

    def __init__(self, page, base_url: str, shots: Screenshots, account: tuple[str, str] | None = None):
        self.page = page
        self.base_url = base_url
        self.shots = shots
        self.account = account  # (name, password) this person signs in with when the form asks

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

    def wait_charts_drawn(self, timeout: int = RUN_TIMEOUT_MS) -> None:
        """Until every chart in sight has drawn (Plotly draws after Streamlit's run has finished)."""
        self.page.wait_for_function(CHARTS_DRAWN_JS, timeout=timeout)

    def assert_no_exception(self) -> None:
        """A page that raised shows Streamlit's exception box; say what it says."""
        shown = self.page.locator('[data-testid="stException"]')
        if shown.count():
            raise AssertionError(f"the app shows an exception: {shown.first.inner_text()[:2000]}")

    # moving around
    def open(self, path: str = "/", *texts: str) -> None:
        """Load an address as a bookmark would, until the page frame has put the page in zh-CN.

        The frame's script runs a moment after the page's first words are drawn;
        on a loaded machine that moment can come after the heading a test waits for.
        """
        self.page.goto(self.base_url + path)
        self.page.wait_for_function(PAGE_LOCALISED_JS, timeout=RUN_TIMEOUT_MS)
        self.page.wait_for_function(TITLE_DRAWN_JS, timeout=RUN_TIMEOUT_MS)
        self.wait_idle()
        if self.account is not None and self.sign_in_form_shown():
            self.sign_in(*self.account)
        self.wait(*texts)

    def sign_in_form_shown(self) -> bool:
        return self.page.get_by_role("button", name="登录", exact=True).count() > 0

    def sign_in(self, name: str, password: str) -> None:
        """Type the name and password into the form and press 登录, as the interface promises."""
        self.page.get_by_label("用户名", exact=True).fill(name)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_role("button", name="登录", exact=True).click()
        expect(self.page.get_by_role("button", name="登录", exact=True)).to_have_count(0, timeout=RUN_TIMEOUT_MS)
        self.wait()

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

    def add_choice(self, label: str, option: str) -> None:
        """Add an option to the multiselect labelled `label`, as a person picks a district from the list."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(option)
        self.page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(option)}$")).first.click()
        box.press("Escape")
        self.page.locator('[data-testid="stMultiSelect"]').filter(has=box).get_by_text(option, exact=True).wait_for()
        self.wait()

    def choices(self, label: str) -> list[str]:
        """The options chosen in the multiselect labelled `label`."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        chosen = self.page.locator('[data-testid="stMultiSelect"]').filter(has=box).locator(
            '[data-testid="stMultiSelectTagsContainer"] [data-tag]')
        return [tag.inner_text().strip() for tag in chosen.all()]

    def pick_radio(self, option: str) -> None:
        """Click the radio button with this label and wait for the rerun."""
        from playwright.sync_api import expect

        radio = self.page.get_by_role("radio", name=option, exact=True)
        self.page.locator('[data-testid="stRadio"] label').filter(has=radio).first.click()
        expect(radio).to_be_checked(timeout=RUN_TIMEOUT_MS)
        self.wait()

    def chosen(self, label: str) -> str:
        """What the selectbox labelled `label` shows."""
        return self.page.get_by_role("combobox", name=label, exact=True).input_value()

    def options(self, label: str, typed: str = "") -> list[str]:
        """The options the selectbox labelled `label` offers once `typed` is typed into it; the list is closed again."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(typed)
        listbox = self.page.get_by_role("listbox")
        listbox.wait_for()  # holds the options, or a "no results" line when none match
        texts = [option.inner_text().strip() for option in listbox.get_by_role("option").all()]
        box.press("Escape")
        listbox.wait_for(state="detached")
        self.wait()
        return texts

    def tick(self, label: str) -> None:
        """Tick the checkbox with this label (by its label, as a person clicks it) and wait for the rerun."""
        from playwright.sync_api import expect  # as conftest does: Playwright is imported once a journey runs

        checkbox = self.page.get_by_role("checkbox", name=label, exact=True)
        self.page.locator('[data-testid="stCheckbox"]').filter(has=checkbox).locator("label").first.click()
        expect(checkbox).to_be_checked(timeout=RUN_TIMEOUT_MS)
        self.wait()

    def in_new_tab(self) -> StreamlitPage:
        """The app in another tab of the same browser (its own Streamlit session), as a colleague would open it."""
        return StreamlitPage(self.page.context.new_page(), self.base_url, self.shots, self.account)

    def in_new_context(self) -> StreamlitPage:
        """The app in a browser of its own (no session, no cookies), as a colleague opens a link sent to them."""
        page = self.page
        context = page.context.browser.new_context(viewport=page.viewport_size, locale="zh-CN",
                                                   timezone_id="Asia/Shanghai")
        context.set_default_timeout(RUN_TIMEOUT_MS)
        page.context.on("close", lambda _: context.close())
        return StreamlitPage(context.new_page(), self.base_url, self.shots, self.account)

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
        # The file may be written when the button is pressed (a checked upload's marked report): on a busy
        # machine that can take longer than a script run.
        with self.page.expect_download(timeout=3 * RUN_TIMEOUT_MS) as started:
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

    def chart_problems(self) -> list[str]:
        """Where, in any chart in sight, a title, legend, axis title or axis labels overlap, or bar labels run off it."""
        problems = []
        for chart in self.page.evaluate(CHART_PARTS_JS):
            parts = list(chart["parts"].items())
            for i, (name, box) in enumerate(parts):
                for other, other_box in parts[i + 1:]:
                    if overlaps(box, other_box):
                        problems.append(f"chart {chart['name']!r}: the {name} overlaps the {other}")
            left, right = chart["chart"][0], chart["chart"][2]
            cut = [box for box in chart["bar_labels"] if box[0] < left - 1 or box[2] > right + 1]
            if cut:
                problems.append(f"chart {chart['name']!r}: {len(cut)} of {len(chart['bar_labels'])} bar labels "
                                "run past its edge")
        return problems

    def small_texts(self, smallest: float = 11) -> list[tuple[str, float]]:
        """Visible texts drawn smaller than `smallest` pixels."""
        return [tuple(found) for found in self.page.evaluate(SMALL_TEXT_JS, smallest)]

    def horizontal_overflow(self) -> int:
        """How many pixels the page, or Streamlit's scrolling main area, is wider than its window."""
        return self.page.evaluate(
            "() => { const main = document.querySelector('[data-testid=stMain]');"
            " return Math.max(document.documentElement.scrollWidth - window.innerWidth,"
            " document.body.scrollWidth - window.innerWidth, main ? main.scrollWidth - main.clientWidth : 0); }")


def overlaps(a: list[float], b: list[float], allowance: float = 2) -> bool:
    """Whether two boxes share more than `allowance` pixels each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > allowance and min(a[3], b[3]) - max(a[1], b[1]) > allowance


# --- the browser --------------------------------------------------------------


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
