"""Every page through streamlit's AppTest: set widgets as a person would and check what is shown.

Most tests run on the demo database (built once per session by the same path
the app's first start takes) and compare what a page shows with what the query
layer returns; a few run on the small league, whose figures are known by hand,
and on a database with no ledger yet, for the empty states.
"""

import io
import json
from datetime import date, datetime
from functools import wraps
from pathlib import Path

import openpyxl
import pandas as pd
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from league import marts, queries
from league.config import DB_ENV_VAR
from tests.accounts import account, sign_in
from tests.small_league import build_small_league

APP = Path(__file__).parent.parent / "app.py"
TIMEOUT = 60  # seconds per run; the default 3 s is too short for a first run on the demo database
NO_LEDGER = "还没有任何已接收的台账。请先到“上传”页面上传各单位的月度台账。"


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    return build_small_league(tmp_path_factory.mktemp("small_pages") / "league.duckdb")


def open_app(monkeypatch, db, page: str | None = None, address: dict | None = None,
             role: str = "leadership", scope: str | None = None) -> AppTest:
    """The app on `db`, opened as from an address bar holding `address` (query parameters), and signed
    in through the form as a user of `role` viewing `scope` (the whole tree by default)."""
    monkeypatch.setenv(DB_ENV_VAR, db.address)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(address or {})
    at.run()
    if page:  # asked for before sign-in, as a bookmark does: the page shown after it, with no other run first
        at.switch_page(page)
    sign_in(at, account(db, role, scope))
    assert not at.exception, at.exception
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def table_with(at: AppTest, *headers: str):
    """The first table on the page that has columns named `headers`, as pandas."""
    return next(t.value for t in at.dataframe if set(headers) <= set(t.value.columns))


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def choose_month(at: AppTest, month: date) -> AppTest:
    at.sidebar.selectbox(key="month").set_value(month)
    return rerun(at)


def latest_month(db) -> date:
    """The month pages open on (on the demo, the latest month: every month is mostly reported)."""
    return queries.default_month(queries.ledger_months(db, queries.whole_tree(db)))


def fraction(value: float) -> str:
    return f"{value:.1%}"


# --- 总览 ------------------------------------------------------------------------

def test_progress_page_shows_the_years_progress(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db)
    month = latest_month(demo_db)
    total = queries.progress_total(demo_db, queries.whole_tree(demo_db), month).row(0, named=True)

    shown = metrics(at)
    assert shown["新建团组织（全部）"] == f"{total['done']:,} / {total['target']:,}"
    assert shown["完成率"] == fraction(total["completion"])
    assert shown["序时进度"] == fraction(total["expected"])
    assert shown["进度状态"].endswith(total["status"])
    assert shown["其中：直接联系管理"] == f"{total['done_direct']:,} / {total['target_direct']:,}"

    table = table_with(at, "进度状态", "非公企业已新建")
    assert len(table) == queries.reporting_units(demo_db, queries.whole_tree(demo_db)).height
    assert set(table["进度状态"]) <= {"🟢 达到序时进度", "🟡 略有滞后", "🔴 滞后", "⚪ 无目标"}
    assert chart_titles(at) == ["各单位新建团组织完成率（虚线为序时进度）", f"{month.year}年累计新建团组织与序时进度"]
    assert at.download_button[0].label == "下载表格（Excel）"
    assert [e.label for e in at.main.expander] == ["指标口径"]


def test_progress_page_filters_by_org_type_and_district(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db)
    month = latest_month(demo_db)
    district = queries.reporting_units(demo_db, queries.whole_tree(demo_db))["district"][0]

    at.radio(key="org_type").set_value("社会组织")
    at.multiselect(key="district").set_value([district])
    rerun(at)

    total = queries.progress_total(demo_db, queries.whole_tree(demo_db), month, districts=[district], org_type="社会组织").row(0, named=True)
    assert metrics(at)["新建团组织（社会组织）"] == f"{total['done']:,} / {total['target']:,}"
    table = table_with(at, "进度状态", "非公企业已新建")
    assert set(table["所属区县"]) == {district}
    assert table["已新建"].sum() == total["done"]


def test_progress_page_on_known_figures(small_db, monkeypatch):
    at = open_app(monkeypatch, small_db)
    assert {k: v for k, v in metrics(at).items() if not k.startswith("其中")} == {
        "新建团组织（全部）": "10 / 24", "完成率": "41.7%", "序时进度": "50.0%", "进度状态": "🟡 略有滞后",
    }
    rows = table_with(at, "进度状态", "非公企业已新建").set_index("单位")
    assert rows.loc["乙街道", ["台账月份", "沿用此前台账", "进度状态"]].tolist() == ["2024-05", "是", "🟢 达到序时进度"]
    assert rows.loc["东区互联网行业团委", "进度状态"] == "⚪ 无目标"
    assert rows.loc["丙镇", "完成率"] == pytest.approx(100 * 3 / 7)  # shown in percent


# --- the shared "as of" month --------------------------------------------------------

def test_progress_page_leads_with_districts_and_the_units_behind(small_db, monkeypatch):
    at = open_app(monkeypatch, small_db)
    headings = [h.value for h in at.subheader]
    assert headings[:3] == ["需要关注的单位（4 个）", "各区县进度", "进度滞后的单位（2 个）"], headings
    alerts = table_with(at, "提醒原因")
    assert alerts.set_index("单位").loc["甲街道", "提醒原因"] == "已过节点仍未完成、预计达不到下一节点"
    month = latest_month(small_db)
    assert list(alerts["单位"]) == queries.unit_alerts(small_db, queries.whole_tree(small_db), month)["unit"].to_list()
    at.toggle(key="forecast_points").set_value(True).run()
    points = table_with(at, "节点类型", "达到的概率")
    assert set(points["所属区县"]) == {"合计", "东区", "西区"}
    districts = table_with(at, "滞后单位数")
    assert districts[["所属区县", "滞后单位数", "单位数", "距序时进度还差（个）"]].values.tolist() == [
        ["东区", 1, 3, 2], ["西区", 1, 1, 1]]
    behind = table_with(at, "单位", "距6月30日节点（50%）还差（个）")
    assert behind[["单位", "距序时进度还差（个）"]].values.tolist() == [["甲街道", 4], ["丙镇", 1]]
    units_chart = next(spec for spec in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                       if spec["layout"]["title"]["text"].startswith("各单位新建团组织完成率"))
    assert units_chart["layout"]["yaxis"]["categoryarray"][-1] == "甲街道", "the unit furthest behind is drawn at the top"


def test_the_as_of_month_is_shared_by_every_page(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db)
    june = date(latest_month(demo_db).year, 6, 1)
    assert at.sidebar.selectbox(key="month").value == latest_month(demo_db)

    choose_month(at, june)
    total = queries.progress_total(demo_db, queries.whole_tree(demo_db), june).row(0, named=True)
    assert metrics(at)["新建团组织（全部）"] == f"{total['done']:,} / {total['target']:,}"

    rerun(at.switch_page("pages/submissions.py"))
    assert at.sidebar.selectbox(key="month").value == june
    rates = queries.submission_rates(demo_db, queries.whole_tree(demo_db), june).filter(pl.col("report_month") == june).row(0, named=True)
    assert metrics(at)["按时报送率"] == fraction(rates["on_time_rate"])
    assert len(table_with(at, "报送率")) == 6  # January to June


# --- 覆盖 ------------------------------------------------------------------------

def test_coverage_page_by_segment_with_the_gap_list(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/coverage.py")
    month = latest_month(demo_db)

    at.radio(key="segment").set_value("above_scale")
    rerun(at)

    overall = queries.coverage(demo_db, queries.whole_tree(demo_db), month, segment="above_scale").filter(pl.col("district").is_null())
    overall = overall.row(0, named=True)
    shown = metrics(at)
    assert shown["组织数"] == f"{overall['organisations']:,}"
    assert shown["团组织覆盖率"] == fraction(overall["coverage"])
    assert chart_titles(at) == ["团组织覆盖率（规模以上企业，按区县 × 行业）"]

    gaps = queries.gap_list(demo_db, queries.whole_tree(demo_db), month, segment="above_scale")
    assert shown["空白点"] == f"{gaps.height:,}"
    listed = table_with(at, "核查提示")
    assert listed["统一社会信用代码"].tolist() == gaps["uscc"].to_list()
    must = int(gaps["must_build_now"].sum())
    assert listed["核查提示"].tolist() == ["🔴 须立即建团（已有党组织）"] * must + ["🟠 应建未建"] * (gaps.height - must)


def test_a_long_gap_list_is_read_a_page_at_a_time_and_downloads_whole(demo_db, monkeypatch):
    from league import ui

    monkeypatch.setattr(ui, "TABLE_PAGE_ROWS", 7)  # a province's list, in the demo city's size
    offered = {}
    monkeypatch.setattr(ui, "_download_button", lambda content, file_name, key: offered.__setitem__(key, content))
    read = []
    gap_list = queries.gap_list
    monkeypatch.setattr(queries, "gap_list",
                        wraps(gap_list)(lambda *args, **kwargs: read.append(kwargs) or gap_list(*args, **kwargs)))
    at = open_app(monkeypatch, demo_db, "pages/coverage.py")
    gaps = gap_list(demo_db, queries.whole_tree(demo_db), latest_month(demo_db))
    assert gaps.height > 14
    pager = at.number_input(key="coverage_gaps_page")
    assert pager.max == -(-gaps.height // 7) and f"全部 {gaps.height:,} 行" in pager.label
    assert table_with(at, "核查提示")["统一社会信用代码"].tolist() == gaps["uscc"][:7].to_list()
    pager.set_value(2)
    rerun(at)
    assert table_with(at, "核查提示")["统一社会信用代码"].tolist() == gaps["uscc"][7:14].to_list()
    assert {(r["limit"], r["offset"]) for r in read} == {(7, 0), (7, 7)}  # never the whole list for the page

    workbook = openpyxl.load_workbook(io.BytesIO(offered["coverage_gaps"]()))  # the button pressed
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == gaps.height + 1
    assert [row[rows[0].index("统一社会信用代码")] for row in rows[1:]] == gaps["uscc"].to_list()
    assert rows[1][rows[0].index("核查提示")].startswith("🔴")


def test_coverage_page_says_when_a_filter_matches_nothing(small_db, monkeypatch):
    at = open_app(monkeypatch, small_db, "pages/coverage.py")
    at.multiselect(key="district").set_value(["西区"])
    rerun(at)
    assert metrics(at)["团组织覆盖率"] == "100.0%"
    assert "所选范围内没有空白点。" in infos(at)

    at.radio(key="segment").set_value("league_society_member")
    rerun(at)
    assert infos(at) == ["所选范围内没有“团属社团会员单位”的台账记录，请更换组织范围或区县。"]
    assert not at.get("plotly_chart")


# --- 青年之声 --------------------------------------------------------------------

def test_youth_voice_page_totals_trends_ranking_and_one_unit(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/youth_voice.py")
    month = latest_month(demo_db)
    this_month = queries.youth_voice_by_month(demo_db, queries.whole_tree(demo_db), month).filter(pl.col("month") == month).row(0, named=True)
    shown = metrics(at)
    assert shown["回复率"] == fraction(this_month["reply_rate"])
    assert shown["访问量"] == f"{this_month['visits']:,}"

    at.selectbox(key="trend").set_value("reply_rate")
    at.selectbox(key="rank").set_value("youth_reached")
    rerun(at)
    assert chart_titles(at) == ["青年之声各月回复率", f"{month.year}年{month.month}月各单位覆盖青年人次排行"]

    unit = queries.youth_voice_by_unit(demo_db, queries.whole_tree(demo_db), month)["unit"][0]
    at.selectbox(key="unit").set_value(unit)
    rerun(at)
    history = queries.youth_voice_by_month(demo_db, queries.whole_tree(demo_db), month, unit=unit)
    detail = at.dataframe[-1].value
    assert detail["咨询求助及问题反映数"].tolist() == history["questions"].to_list()


def test_youth_voice_page_says_when_there_is_no_report_yet(small_db, monkeypatch):
    at = open_app(monkeypatch, small_db, "pages/youth_voice.py")
    assert metrics(at)["回复率"] == "56.7%"  # 34 effective replies to 60 questions in June
    choose_month(at, date(2024, 4, 1))
    assert infos(at) == ["2024年4月及以前还没有青年之声月报。请到“上传”页面上传青年之声运行情况月报。"]
    assert not at.metric


# --- 报送 ------------------------------------------------------------------------

def test_submissions_page_grid_and_rates(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/submissions.py")
    month = latest_month(demo_db)
    grid = queries.submission_grid(demo_db, queries.whole_tree(demo_db), month)
    now = queries.submission_rates(demo_db, queries.whole_tree(demo_db), month).filter(pl.col("report_month") == month).row(0, named=True)

    shown = metrics(at)
    assert shown["报送率"] == fraction(now["reporting_rate"])
    assert shown["未报送"] == f"{now['missing']} 个单位"
    detail = table_with(at, "报送情况")
    assert len(detail) == grid.height
    assert detail["报送情况"].str.split(" ").str[-1].value_counts().to_dict() == dict(
        grid["timeliness"].value_counts().iter_rows())
    assert chart_titles(at)[0] == f"{month.year}年各月台账报送率"


def test_submissions_page_lists_the_files_received_with_their_outcome(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/submissions.py")
    received = table_with(at, "文件名")
    assert len(received) == min(200, demo_db.scalar("select count(*) from submissions"))
    assert set(received["处理结果"]) <= {"已载入", "未通过检查"}
    chooser = next(s for s in at.selectbox if s.label == "下载原件")
    chooser.set_value(demo_db.scalar("select max(submission_id) from submissions"))
    rerun(at)
    assert any(d.label.startswith("下载“") for d in at.get("download_button"))


def test_submissions_page_on_known_figures(small_db, monkeypatch):
    at = open_app(monkeypatch, small_db, "pages/submissions.py")
    choose_month(at, date(2024, 5, 1))
    assert metrics(at) == {"报送率": "75.0%", "按时报送率": "50.0%", "逾期报送": "1 个单位", "未报送": "1 个单位"}
    cells = table_with(at, "报送情况").set_index(["单位", "月份"])["报送情况"]
    assert cells[("甲街道", "2024-05")] == "⏰ 逾期"
    assert cells[("丙镇", "2024-05")] == "❌ 未报送"


# --- 下钻 ------------------------------------------------------------------------

def test_drilldown_from_district_to_unit_to_organisation(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/drilldown.py")
    month = latest_month(demo_db)
    # Figures straight from the ledger view, not through the page's queries.
    standing = demo_db.query(
        "select l.* from ledger l join (select unit, max(report_month) as report_month from ledger"
        " where report_month <= ? group by unit) using (unit, report_month)", [month])
    districts = table_with(at, "所属区县")
    assert districts["组织数"].sum() == standing.height

    select(at, "区县", "东湖区")
    units = table_with(at, "单位")
    in_district = standing.join(demo_db.query("select name as unit from units where district = '东湖区'"), on="unit")
    assert units["组织数"].sum() == in_district.height
    assert units["空白点数"].sum() == in_district.filter(
        (pl.col("league_members") >= 3) & ~pl.col("has_league_org")).height

    unit = units["单位"].iloc[0]
    select(at, "单位", unit)
    listed = table_with(at, "统一社会信用代码")
    assert sorted(listed["统一社会信用代码"]) == sorted(standing.filter(pl.col("unit") == unit)["uscc"])
    assert any(button.label == "下载表格（Excel）" for button in at.get("download_button"))

    uscc = listed["统一社会信用代码"].iloc[0]
    select(at, "组织", uscc)
    history = table_with(at, "月份", "来源文件")
    assert len(history) == demo_db.scalar(
        "select count(*) from ledger where uscc = ? and report_month <= ?", [uscc, month])


# Pages where tables show what the viewer may take away; 上传 shows only the sender's own file back.
EXPORTING_PAGES = {"pages/progress.py": "inspector", "pages/coverage.py": "inspector",
                   "pages/youth_voice.py": "inspector", "pages/members.py": "inspector", "pages/targets.py": "inspector",
                   "pages/submissions.py": "inspector",
                   "pages/review.py": "district", "pages/bulletin.py": "inspector", "pages/admin.py": "admin"}
DRILL_ADDRESSES = [{}, {"drill_district": "东湖区"}, {"drill_district": "东湖区", "drill_unit": "东湖区花山镇团委"}]


@pytest.mark.parametrize("page, role, address", [
    *((page, role, {}) for page, role in EXPORTING_PAGES.items()),
    *(("pages/drilldown.py", "inspector", address) for address in DRILL_ADDRESSES),
])
def test_every_table_on_a_page_downloads_as_excel(demo_db, monkeypatch, page, role, address):
    scope = queries.whole_tree(demo_db) if role == "district" else None  # the city desk
    at = open_app(monkeypatch, demo_db, page, address=address, role=role, scope=scope)
    downloads = [b for b in at.get("download_button") if b.proto.label == "下载表格（Excel）"]
    assert at.dataframe and len(downloads) >= len(at.dataframe), (len(at.dataframe), len(downloads))


def select(at: AppTest, label: str, value) -> AppTest:
    next(s for s in at.selectbox if s.label == label).set_value(value)
    return rerun(at)


# --- the frame -----------------------------------------------------------------

def small_league_with_one_early_july_ledger(path: Path):
    """The small league, plus 甲街道 alone having sent a July ledger (a copy of its June one)."""
    db = build_small_league(path)
    with db.transaction() as con:
        con.execute(
            "insert into submissions by name select 99 as submission_id, kind, unit_id, date '2024-07-01' as"
            " report_month, '甲街道7月台账.xlsx' as file_name, 'sha-99' as sha256, timestamp '2024-07-03 09:00'"
            " as received_at, submitted_by, rows, status from submissions"
            " where kind = 'ledger' and status = 'accepted' and report_month = date '2024-06-01'"
            " and unit_id = (select unit_id from units where name = '甲街道') order by submission_id desc limit 1")
        con.execute(
            "insert into ledger_rows by name select * replace (99 as submission_id) from ledger_rows"
            " where submission_id = (select max(submission_id) from submissions where submission_id < 99"
            " and report_month = date '2024-06-01' and status = 'accepted'"
            " and unit_id = (select unit_id from units where name = '甲街道'))")
        marts.add(con, [99])
    return db


def test_pages_open_on_the_latest_month_most_units_sent_and_say_why(tmp_path, monkeypatch):
    db = small_league_with_one_early_july_ledger(tmp_path / "league.duckdb")
    at = open_app(monkeypatch, db)
    assert at.sidebar.selectbox(key="month").value == date(2024, 6, 1)
    assert at.query_params["month"] in ("2024-06", ["2024-06"])
    assert any("默认显示2024年6月" in c.value and "2/4 个单位" in c.value for c in at.sidebar.caption)

    choose_month(at, date(2024, 7, 1))
    assert at.query_params["month"] in ("2024-07", ["2024-07"])
    assert any(c.value.startswith("1/4 个单位报送了2024年7月台账，其余单位沿用") for c in at.sidebar.caption)


def test_the_address_bar_opens_the_view_it_names(small_db, monkeypatch):
    at = open_app(monkeypatch, small_db, "pages/coverage.py",
                  address={"month": "2024-05", "segment": "规模以上企业", "district": "东区"})
    assert at.sidebar.selectbox(key="month").value == date(2024, 5, 1)
    assert at.radio(key="segment").value == "above_scale"
    assert at.multiselect(key="district").value == ["东区"]
    assert at.caption[0].value.startswith("数据截至 2024年5月末")


def test_an_address_naming_no_month_with_data_falls_back_to_the_default(small_db, monkeypatch):
    at = open_app(monkeypatch, small_db, address={"month": "2031-01"})
    assert at.sidebar.selectbox(key="month").value == latest_month(small_db)


def test_a_missing_figure_shows_as_a_dash_and_a_missing_text_as_blank(small_db, monkeypatch):
    # 东区互联网行业团委 has no target: its 年度目标 is missing.
    at = open_app(monkeypatch, small_db)
    units = table_with(at, "进度状态", "非公企业已新建").set_index("单位")
    assert pd.isna(units.loc["东区互联网行业团委", "完成率"])
    assert all(table.proto.placeholder == "—" for table in at.dataframe)
    for table in at.dataframe:
        texts = table.value.select_dtypes(exclude="number")
        assert not texts.isna().any().any(), texts.columns[texts.isna().any()].tolist()


def test_readable_writes_dates_as_dates_and_leaves_no_null_in_text():
    from league.ui import readable

    frame = pl.DataFrame({
        "due_date": [date(2025, 1, 26), None], "report_month": [date(2025, 1, 1), None],
        "received_at": [datetime(2025, 1, 20, 9, 5), None], "has_party_org": [True, None],
        "note": [None, "x"], "target": [3, None],
    })
    shown = readable(frame)
    assert shown.row(0) == ("2025-01-26", "2025-01", "2025-01-20 09:05", "是", "", 3)
    assert shown.row(1) == ("", "", "", "", "x", None)


@pytest.mark.parametrize("page", ["pages/progress.py", "pages/coverage.py", "pages/youth_voice.py",
                                  "pages/submissions.py", "pages/drilldown.py"])
def test_pages_say_so_when_no_ledger_has_arrived(tmp_path, monkeypatch, page):
    db = build_small_league(tmp_path / "league.duckdb", kinds=("targets",))
    at = open_app(monkeypatch, db, page)
    assert infos(at) == [NO_LEDGER]
    assert not at.get("plotly_chart")
