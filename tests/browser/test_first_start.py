"""The very first start on an empty folder: the app builds the demo city while showing its progress.

This journey has a server of its own (its database folder starts empty) and
takes a minute or more, as a real first start does.
"""

from __future__ import annotations

import re
import stat

from playwright.sync_api import expect

from league.access import DEMO_ACCOUNTS_FILE, read_demo_accounts
from tests.stores import file_only

PROGRESS_TEXT = re.compile(r"正在")
TITLE = re.compile(r"^\d{4}年新建团组织进度$")
HEADLINE = "新建团组织（全部）"
FIRST_START_TIMEOUT_MS = 240_000  # building the demo inside the app (about a minute on 2 cores)


@file_only  # the demo is built on a first start with no DuckDB file; a DuckLake store is never the demo's
def test_first_start_builds_the_demo_with_a_progress_bar_and_opens_the_overview(fresh_app, tmp_path):
    app = fresh_app
    app.page.goto(app.base_url)
    progress = app.page.locator('[data-testid="stProgress"]')
    expect(progress).to_be_visible(timeout=30_000)
    expect(progress).to_contain_text(PROGRESS_TEXT)
    app.shot("building")
    # While the demo is built, the sidebar offers nothing, or the app's own pages by their titles.
    links_while_building = sidebar_links(app)
    expect(progress).to_contain_text("正在导入演示数据", timeout=FIRST_START_TIMEOUT_MS)
    app.shot("importing")

    # Then the sign-in form, and nothing else: the demo's accounts are in a file only the server's user reads.
    expect(app.page.get_by_role("button", name="登录")).to_be_visible(timeout=FIRST_START_TIMEOUT_MS)
    app.wait(DEMO_ACCOUNTS_FILE)
    assert not app.page.locator('[data-testid="stMetric"], [data-testid="stPlotlyChart"]').count()
    accounts = tmp_path / "empty" / DEMO_ACCOUNTS_FILE  # fresh_app's database folder
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    app.shot("sign-in")
    app.sign_in("领导", read_demo_accounts(accounts.parent)["领导"])

    expect(app.page.get_by_role("heading", name=TITLE)).to_be_visible(timeout=FIRST_START_TIMEOUT_MS)
    app.wait(HEADLINE)
    expect(progress).to_have_count(0)  # the bar is gone once the demo is ready
    expect(app.page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    app.shot("overview")
    done, target = (int(n.replace(",", "")) for n in app.metric(HEADLINE).split(" / "))
    assert 0 < done and 0 < target
    assert app.page.get_by_role("combobox", name="数据截至").input_value()
    pages = set(sidebar_links(app))
    assert {"总览", "报送"} <= pages and "上传" not in pages, pages  # leadership reads; it does not send
    assert set(links_while_building) <= pages, f"the sidebar during the first start offers {links_while_building}"


def sidebar_links(app) -> list[str]:
    """The sidebar's page links as a person reads them (an icon's ligature name comes first, on its own line)."""
    return [text.strip().split("\n")[-1] for text in
            app.page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
