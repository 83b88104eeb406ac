"""Every page at 1440, 1024 and 390 pixels: Chinese only, readable, in place.

The sign-in form, every page a district user has (the data pages and 上传)
and the admin's 管理, each signed in through the form with the demo's accounts.

Each page is opened straight from its address, as a bookmark or a sent link
would open it, and read as a person reads it: every visible text and every
tooltip, label and placeholder the browser holds for it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import demo_account
from tests.browser.person import StreamlitPage

PAGES = {"总览": "/", "覆盖": "/coverage", "青年之声": "/youth_voice", "团员发展": "/members", "专项目标": "/targets",
         "下钻": "/drilldown", "上传": "/upload", "报送": "/submissions", "随机抽查": "/spotcheck"}
TITLES = {"总览": re.compile(r"\d{4}年新建团组织进度"), "覆盖": "团组织覆盖情况", "青年之声": "青年之声运行情况",
          "团员发展": "团员发展", "专项目标": "专项目标", "下钻": "督导下钻", "上传": "上传报送文件", "随机抽查": "随机抽查", "报送": re.compile(r"\d{4}年台账报送情况"),
          "登录": "登录", "管理": "用户与审计日志"}
PAGES_OF = {"登录": "/", "管理": "/admin"}  # the sign-in form (signed in as no one) and the admin's page
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "tablet": {"width": 1024, "height": 768},
             "phone": {"width": 390, "height": 844}}
# Latin words a Chinese user meets in this app: file formats and sizes, and the 统一社会信用代码's letters.
ALLOWED_WORDS = {"Excel", "XLSX", "XLS", "CSV", "PDF", "PNG", "MB", "KB", "GB", "SHA", "xlsx", "xls", "csv",
                 "demo", "accounts", "txt"}  # the last three: the demo accounts file's name, on the sign-in page
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
BLANK_WORDS = {"None", "none", "nan", "NaN", "null", "NaT"}

# Every text a person meets on the page: visible text, and the tooltips, labels and placeholders behind it.
TEXTS_JS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
    if (!text || !element || element.closest('style, script, [data-testid=stIconMaterial]')) continue;
    if (element.checkVisibility({visibilityProperty: true})) texts.push(text);
  }
  for (const element of document.querySelectorAll('[title], [aria-label], [placeholder], [data-title]')) {
    if (element.closest('[data-testid=stIconMaterial]')) continue;
    for (const name of ['title', 'aria-label', 'placeholder', 'data-title']) {
      const value = element.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""
# Cells of every table's accessible copy (the rows in view).
CELLS_JS = """() => [...document.querySelectorAll('[data-testid=stDataFrame] table[role=grid] td')]
  .map(cell => cell.textContent.trim())"""


def english_words(app: StreamlitPage) -> dict[str, str]:
    """Latin words outside ALLOWED_WORDS, each with a text it was found in."""
    found = {}
    for text in app.page.evaluate(TEXTS_JS):
        for word in LATIN_WORD.findall(text):
            if word not in ALLOWED_WORDS:
                found.setdefault(word, text[:80])
    return found


def open_page(app: StreamlitPage, title: str) -> None:
    app.open(PAGES.get(title) or PAGES_OF[title])
    app.page.get_by_role("heading", name=TITLES[title]).first.wait_for()
    app.wait_charts_drawn()


def page_problems(app: StreamlitPage, title: str) -> list[str]:
    """What a Chinese reader would stumble on in the page now shown."""
    app.shot(title)
    problems = []
    if (language := app.page.evaluate("document.documentElement.lang")) != "zh-CN":
        problems.append(f"{title}: the page declares lang={language!r}")
    problems += [f"{title}: English {word!r} in {text!r}" for word, text in english_words(app).items()]
    problems += [f"{title}: a table cell shows {cell!r}" for cell in app.page.evaluate(CELLS_JS)
                 if cell in BLANK_WORDS]
    problems += [f"{title}: {text!r} is {size:.1f} px" for text, size in app.small_texts(11)]
    problems += [f"{title}: {problem}" for problem in app.chart_problems()]
    if app.horizontal_overflow() > 4:
        problems.append(f"{title}: the page is {app.horizontal_overflow()} px wider than the window")
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_every_page_is_chinese_only_readable_and_overlap_free(app, app_db, viewport):
    app.account = None
    open_page(app, "登录")
    problems = page_problems(app, "登录")
    app.account = demo_account(app_db, "区县团委")
    for title in PAGES:
        open_page(app, title)
        problems += page_problems(app, title)
    admin = app.in_new_context()
    admin.account = demo_account(app_db, "管理员")
    open_page(admin, "管理")
    problems += page_problems(admin, "管理")
    assert not problems, "\n".join(problems)


def address(app: StreamlitPage) -> dict[str, list[str]]:
    return parse_qs(urlparse(app.page.url).query)


def test_a_reload_and_a_sent_link_keep_the_view(app, demo_db):
    from league import queries

    # The server holds its copy of the demo; the original has the same months.
    months = queries.ledger_months(demo_db, queries.whole_tree(demo_db))["report_month"].to_list()
    earlier = months[len(months) // 2]
    label = f"{earlier.year}年{earlier.month}月"
    app.open("/coverage", "团组织覆盖情况")
    app.choose("数据截至", label)
    app.pick_radio("规模以上企业")
    district = "江北区"
    app.add_choice("所属区县", district)
    app.wait_charts_drawn()
    app.shot("chosen")
    shown = {"headline": app.metric("组织数"), "caption": f"数据截至 {label}末"}
    assert address(app) == {"month": [f"{earlier:%Y-%m}"], "segment": ["规模以上企业"], "district": [district]}

    app.page.reload()
    app.wait(shown["caption"])
    app.wait_charts_drawn()
    app.shot("reloaded")
    assert app.chosen("数据截至") == label
    assert app.choices("所属区县") == [district]
    assert app.page.get_by_role("radio", name="规模以上企业", exact=True).is_checked()
    assert app.metric("组织数") == shown["headline"]

    colleague = app.in_new_context()  # no cookie: the sign-in form first, then the view the link names
    colleague.open(app.page.url.removeprefix(app.base_url), shown["caption"])
    colleague.wait_charts_drawn()  # the filters are read once the page below them has drawn, as after the reload
    colleague.shot("sent-link")
    assert colleague.chosen("数据截至") == label
    assert colleague.choices("所属区县") == [district]
    assert colleague.metric("组织数") == shown["headline"]


def test_a_drilled_down_view_opens_from_its_link(app, app_db, demo_db):
    from league import queries

    db = demo_db  # the server holds its copy of the demo; the original has the same figures
    month = queries.default_month(queries.ledger_months(db, queries.whole_tree(db)))
    district = queries.area_summary(db, queries.whole_tree(db), month)["area"][0]
    unit = queries.area_summary(db, queries.whole_tree(db), month, district=district)["area"][0]
    organisation = queries.unit_organisations(db, queries.whole_tree(db), month, unit=unit).row(0, named=True)

    app.open("/drilldown", "督导下钻")
    app.choose("区县", district)
    app.wait(f"{district}各单位")
    app.choose("单位", unit)
    app.wait(f"{unit}现场核查清单")
    app.choose("组织", organisation["uscc"], exact=False)
    app.wait(f"{organisation['org_name']}逐月记录")
    here = address(app)
    assert here["drill_district"] == [district] and here["drill_unit"] == [unit], here
    assert here["drill_org"] == [organisation["uscc"]] and here["month"] == [f"{month:%Y-%m}"], here

    inspector = app.in_new_context()
    inspector.account = demo_account(app_db, "督导")
    inspector.open(app.page.url.removeprefix(app.base_url), f"{organisation['org_name']}逐月记录")
    inspector.shot("organisation-from-link")
    assert inspector.chosen("区县") == district
    assert inspector.chosen("单位") == unit
    assert organisation["uscc"] in inspector.chosen("组织")
