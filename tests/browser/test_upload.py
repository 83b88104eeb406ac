"""Unit staff send their monthly ledger through the 上传 page.

The files are the demo's own ledgers for one unit and month (as the unit sent
them), edited here with openpyxl the way a person edits a workbook: one more
organisation now has a league organisation, or two cells are wrong; or the
blank template downloaded from the page, filled in under its example row. What
the dashboard should show afterwards is read from the page before the upload,
so the journeys do not depend on each other or on the demo's exact figures;
each journey sends for a unit of its own.

There is no sign-in yet: the journeys start signed out, as everyone does today.
Once sign-in exists, a unit account signs in here first (用户名, 密码, 登录).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from league import access
from tests.browser.conftest import account_for
from tests.browser.server import REPO_ROOT
from stdnum.cn import uscc
from tests.stores import ON_LAKE, store_at

LEDGER_KIND = "两新组织团建工作台账"
TEMPLATE_BUTTON = f"下载空白模板：{LEDGER_KIND}（含示例行、下拉选项和填表说明）"
HEADLINE = "新建团组织（全部）"
# What the page says once a file is loaded (not merely "已载入", which the check already shows: "将替换…已载入的台账").
LOADED = "已载入。各页面的数字已按新数据更新。"
UNITS_TABLE_BUTTON = "下载表格（Excel）"
# Streamlit marks a keyed element with the CSS class st-key-<key>; ui.table_with_download keys its button.
OVERVIEW_UNITS_DOWNLOAD = ".st-key-progress_units_download"
HEADER_ROW = 2  # the demo's ledgers, like the template, have a title row above the header
LEDGER_NAME = re.compile(r"^(?P<unit>.+?)\d{4}年\d{1,2}月两新组织团建工作台账\.xlsx$")
TEMPLATE_TITLE = f"XX单位XXXX年X月{LEDGER_KIND}"  # row 1 of the template, as downloaded
EXAMPLE_ROW = HEADER_ROW + 1  # the template's example row, under its header
EXAMPLE_COMPANY = "江城云帆网络科技有限公司"
CONFIRM_TICK = "我已核对，确认按此载入"
# Streamlit marks a keyed element with the CSS class st-key-<key>; ui.table_with_download keys its button.
CHECK_LIST_DOWNLOAD = ".st-key-organisations_download"


def demo_ledgers(db_path: Path) -> dict[str, Path]:
    """The demo's ledger files of its latest month, by reporting unit (the file name starts with it)."""
    latest = sorted((db_path.parent / "demo" / "台账").iterdir())[-1]
    return {LEDGER_NAME.match(path.name)["unit"]: path for path in sorted(latest.glob("*.xlsx"))}


def month_of(path: Path) -> str:
    """'2025年12月' from a demo ledger's folder name '2025-12', as the month selectbox shows it."""
    year, month = path.parent.name.split("-")
    return f"{year}年{int(month)}月"


class Ledger:
    """A ledger workbook opened for editing, its cells addressed by header text."""

    def __init__(self, path: Path):
        self.book = openpyxl.load_workbook(path)
        self.sheet = self.book.worksheets[0]
        header = next(self.sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
        self.columns = {name: index + 1 for index, name in enumerate(header) if name}

    def rows(self) -> range:
        """Excel row numbers of the data rows."""
        return range(HEADER_ROW + 1, self.sheet.max_row + 1)

    def get(self, row: int, header: str):
        return self.sheet.cell(row, self.columns[header]).value

    def set(self, row: int, header: str, value) -> None:
        cell = self.sheet.cell(row, self.columns[header], value)
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd"

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.book.save(path)
        return path


def with_one_more_league_org(source: Path, target: Path, founded: datetime) -> Path:
    """The ledger with its first organisation without a league organisation now having one, founded then."""
    ledger = Ledger(source)
    row = next(r for r in ledger.rows() if ledger.get(r, "是否建立团组织") == "否")
    for header, value in {
        "是否建立团组织": "是", "团组织类型": "团支部", "建团方式": "独立建团", "建团路径": 1,
        "建团日期": founded, "是否直接联系管理": "否", "团组织负责人": "王晓青",
        "联系电话": "13807150123",
    }.items():
        ledger.set(row, header, value)
    return ledger.save(target)


def first_organisation(path: Path) -> str:
    ledger = Ledger(path)
    return ledger.get(ledger.rows()[0], "单位名称")


def with_two_mistakes(source: Path, target: Path) -> tuple[Path, int, int]:
    """The ledger with a wrong check character in one credit code and more youth than employees in another row.

    Returns the file and the Excel rows of the two mistakes.
    """
    ledger = Ledger(source)
    code_row, youth_row = HEADER_ROW + 2, HEADER_ROW + 4
    code = ledger.get(code_row, "统一社会信用代码")
    right = uscc.calc_check_digit(code[:-1])
    ledger.set(code_row, "统一社会信用代码", code[:-1] + ("1" if right == "0" else "0"))
    ledger.set(youth_row, "35岁以下青年数", ledger.get(youth_row, "从业人员数") + 5)
    return ledger.save(target), code_row, youth_row


def organisations_of(path: Path, count: int) -> list[dict]:
    """The first `count` organisations of a ledger with a valid credit code, each row by header."""
    ledger = Ledger(path)
    rows = [{header: ledger.get(row, header) for header in ledger.columns} for row in ledger.rows()]
    chosen = [row for row in rows if uscc.is_valid(str(row["统一社会信用代码"] or ""))][:count]
    assert len(chosen) == count, f"{path.name} has fewer than {count} organisations with a valid credit code"
    return chosen


def typed_below_the_example(template: Path, organisations: list[dict], target: Path) -> Path:
    """The template as a clerk fills it in a hurry: the organisations typed under the example row,
    numbered on from it, and the title line and the example row left as they came."""
    ledger = Ledger(template)
    assert ledger.sheet.cell(1, 1).value == TEMPLATE_TITLE
    assert ledger.get(EXAMPLE_ROW, "单位名称") == EXAMPLE_COMPANY
    for offset, organisation in enumerate(organisations, start=1):
        row = EXAMPLE_ROW + offset
        for header, value in organisation.items():
            if header in ledger.columns and value is not None:
                ledger.set(row, header, offset + 1 if header == "序号" else value)
    return ledger.save(target)


def header_of(path: Path) -> list:
    """The header row (row 2, under the title) of a workbook's first sheet."""
    book = openpyxl.load_workbook(path, read_only=True)
    header = list(next(book.worksheets[0].iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True)))
    book.close()
    return header


def read_xlsx(path: Path, sheet: int | str = 0) -> list[dict]:
    """The rows under the first row of a downloaded table, as dicts by header."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = (book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]).iter_rows(values_only=True)
    header = next(rows)
    records = [dict(zip(header, row)) for row in rows]
    book.close()
    return records


def done_count(headline: str) -> int:
    """The 'done' of a headline like '1,007 / 1,110'."""
    match = re.fullmatch(r"([\d,]+) / [\d,—]+", headline)
    assert match, f"headline {headline!r} is not 'done / target'"
    return int(match.group(1).replace(",", ""))


def overview_figures(app, folder: Path) -> tuple[str, dict[str, dict]]:
    """The overview's headline and its per-unit table (downloaded, since the on-screen grid is a canvas)."""
    app.go_to("总览", HEADLINE)
    headline = app.metric(HEADLINE)
    table = app.download(UNITS_TABLE_BUTTON, folder, within=OVERVIEW_UNITS_DOWNLOAD)
    return headline, {row["单位"]: row for row in read_xlsx(table)}


def open_upload_page(app, unit: str, month: str) -> None:
    app.go_to("上传", "上传报送文件")
    kind = app.page.get_by_role("radiogroup", name="文件种类").get_by_role("radio", name=LEDGER_KIND)
    expect(kind).to_be_checked()  # the monthly ledger is what units send most, so it is the default
    app.choose("报送单位", unit)
    app.choose("报送月份", month)


def test_unit_staff_sends_a_ledger_and_sees_the_new_figure(app, app_db, app_server, tmp_path):
    ledgers = demo_ledgers(app_db)
    unit, source = next(iter(ledgers.items()))
    month = month_of(source)
    app.account = account_for(app_db, "unit", unit)  # the unit's own account: it sees and sends for its unit only
    app.open("/", HEADLINE)
    headline_before, units_before = overview_figures(app, tmp_path / "before")
    app.shot("overview-before")

    open_upload_page(app, unit, month)
    assert app.options("报送单位") == [unit]
    app.shot("unit-and-month-chosen")
    template = app.download(TEMPLATE_BUTTON, tmp_path / "template")
    assert template.suffix == ".xlsx"
    assert "统一社会信用代码" in header_of(template)

    year, number = (int(part) for part in source.parent.name.split("-"))
    filled = with_one_more_league_org(source, tmp_path / "filled" / source.name, datetime(year, number, 10))
    app.upload(filled, "检查通过", f"将替换 {month}已载入的台账")
    app.shot("check-passed")
    replaced = app.page.get_by_text(f"将替换 {month}已载入的台账").inner_text()
    assert "新增 0 个，减少 0 个，信息有变化 1 个" in replaced, replaced
    preview = app.table("单位名称")  # the rows in view of the preview of what will be loaded
    assert preview and preview[0]["单位名称"] == first_organisation(filled)
    app.click("确认载入", LOADED)
    app.shot("loaded")

    headline_after, units_after = overview_figures(app, tmp_path / "after")
    app.shot("overview-after")
    assert done_count(headline_after) == done_count(headline_before) + 1
    assert units_after[unit]["已新建"] == units_before[unit]["已新建"] + 1
    others = {name: row for name, row in units_after.items() if name != unit}
    assert others == {name: row for name, row in units_before.items() if name != unit}
    assert set(units_after) == {unit}
    # Both overview downloads and the upload are in the audit log, under the unit's account.
    with app_server.stopped():  # the server holds its database
        logged = access.audit_entries(store_at(app_db), actor=app.account[0])["action"].to_list()
    assert logged.count("download") == 2 and {"sign_in", "upload_checked", "upload_confirmed"} <= set(logged)


def test_a_file_with_mistakes_is_explained_and_changes_nothing(app, app_db, tmp_path):
    ledgers = demo_ledgers(app_db)
    unit, source = list(ledgers.items())[1]
    month = month_of(source)
    app.account = account_for(app_db, "unit", unit)
    app.open("/", HEADLINE)
    headline_before, units_before = overview_figures(app, tmp_path / "before")

    open_upload_page(app, unit, month)
    bad, code_row, youth_row = with_two_mistakes(source, tmp_path / "bad" / source.name)
    app.upload(bad, "文件未通过检查")
    app.shot("rejected")
    assert app.metric("错误") == "2"
    errors = [row for row in app.table("行号") if row["级别"].startswith("错误")]
    assert {(row["列"], row["行号"]) for row in errors} == {
        ("统一社会信用代码", str(code_row)), ("35岁以下青年数", str(youth_row))}
    bullets = app.page.locator('[data-testid="stMarkdownContainer"] li').filter(has_text=re.compile(r"^❌ 错误："))
    expect(bullets).to_have_count(2)
    assert {row for row in (code_row, youth_row) if bullets.filter(has_text=f"第 {row} 行").count()} == {
        code_row, youth_row}
    expect(app.page.get_by_role("button", name="确认载入")).to_be_disabled()

    report = app.download("下载检查报告（标注问题单元格）", tmp_path / "report")
    assert report.name == f"检查报告-{bad.stem}.xlsx"
    listed = [row for row in read_xlsx(report, "问题清单") if str(row["级别"]).startswith("错误")]
    assert {(row["列"], str(row["行号"])) for row in listed} == {
        ("统一社会信用代码", str(code_row)), ("35岁以下青年数", str(youth_row))}

    headline_after, units_after = overview_figures(app, tmp_path / "after")
    app.shot("overview-unchanged")
    assert headline_after == headline_before
    assert units_after == units_before


def test_the_template_example_row_left_in_is_named_and_not_loaded(app, app_db, tmp_path):
    ledgers = demo_ledgers(app_db)
    unit, source = list(ledgers.items())[2]  # not a unit the other journeys upload for
    month = month_of(source)
    real = organisations_of(source, 4)
    app.account = account_for(app_db, "district", real[0]["所属区县"])  # a district user sends for one of its units
    app.open("/", HEADLINE)
    headline_before, units_before = overview_figures(app, tmp_path / "before")

    open_upload_page(app, unit, month)
    template = app.download(TEMPLATE_BUTTON, tmp_path / "template")
    filled = typed_below_the_example(template, real, tmp_path / "filled" / template.name)
    app.upload(filled, "示例行", CONFIRM_TICK)
    app.shot("example-row-named")

    bullets = app.page.locator('[data-testid="stMarkdownContainer"] li')
    example = bullets.filter(has_text="示例行")
    expect(example).to_have_count(1)
    assert re.match(r"^✋ 须确认：.*第 3 行", example.inner_text()), example.inner_text()
    expect(bullets.filter(has_text="标题行")).to_have_count(1)  # the title line left as "XX单位XXXX年X月"
    expect(app.page.get_by_role("button", name="确认载入")).to_be_disabled()
    assert app.metric("数据行数") == str(len(real))
    assert app.metric("错误") == "0"
    replaced = app.page.get_by_text(f"将替换 {month}已载入的台账").inner_text()
    assert f"→ {len(real)}：" in replaced, replaced  # the example row is not counted as an organisation
    assert EXAMPLE_COMPANY not in {row["单位名称"] for row in app.table("单位名称")}

    # Nothing is loaded while the file waits for the tick: a colleague's overview shows the same figures.
    colleague = app.in_new_tab()
    colleague.open("/", HEADLINE)
    headline_waiting, units_waiting = overview_figures(colleague, tmp_path / "waiting")
    colleague.shot("overview-while-waiting")
    colleague.page.close()
    assert headline_waiting == headline_before
    assert units_waiting == units_before

    app.tick(CONFIRM_TICK)
    expect(app.page.get_by_role("button", name="确认载入")).to_be_enabled()
    app.shot("confirmed")
    app.click("确认载入", LOADED)
    app.shot("loaded")
    assert app.metric("数据行数") == str(len(real))

    app.go_to("下钻", "督导下钻")
    app.choose("区县", real[0]["所属区县"])
    app.choose("单位", unit)
    app.wait(f"{unit}现场核查清单")
    # A person looking for an organisation types part of its name: the real ones are found, the example is not.
    assert any(real[0]["单位名称"] in o for o in app.options("组织", real[0]["单位名称"][-6:]))
    assert not [o for o in app.options("组织", "江城云帆") if EXAMPLE_COMPANY in o]
    app.shot("drilldown-unit")
    check_list = app.download(UNITS_TABLE_BUTTON, tmp_path / "check-list", within=CHECK_LIST_DOWNLOAD)
    listed = read_xlsx(check_list)
    assert sorted(row["统一社会信用代码"] for row in listed) == sorted(row["统一社会信用代码"] for row in real)
    assert EXAMPLE_COMPANY not in {row["组织名称"] for row in listed}


def test_a_ledger_loaded_from_the_command_line_while_the_app_serves_shows_on_the_next_view(app, app_db, tmp_path):
    """`python -m etl load` while the server runs: on a DuckDB file the server holds, the command hands the file
    to it; on a DuckLake store it loads itself. Either way the page shows it on the next view."""
    ledgers = demo_ledgers(app_db)
    unit, source = list(ledgers.items())[1]
    app.account = account_for(app_db, "unit", unit)
    app.open("/", HEADLINE)
    _, units_before = overview_figures(app, tmp_path / "before")
    assert ON_LAKE or Path(f"{app_db}.handoff").exists()  # the server has taken the file

    year, number = (int(part) for part in source.parent.name.split("-"))
    filled = with_one_more_league_org(source, tmp_path / "filled" / source.name, datetime(year, number, 12))
    run = subprocess.run([sys.executable, "-m", "etl", "load", "--db", store_at(app_db).address, "--unit", unit,
                          "--month", f"{year}-{number:02d}", str(filled)],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "已载入" in run.stdout

    app.page.reload()
    app.wait(HEADLINE)
    _, units_after = overview_figures(app, tmp_path / "after")
    app.shot("overview-after-command-line-load")
    assert units_after[unit]["已新建"] == units_before[unit]["已新建"] + 1
