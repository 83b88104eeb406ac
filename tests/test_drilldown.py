"""下钻 as an inspector uses it: from the city to one organisation by clicks, and back by breadcrumbs;
a bookmarked address opens the same view; an organisation's months side by side with what changed."""

from datetime import date

import polars as pl

from league import drill, queries
from league.drill import View
from tests.test_pages import latest_month, open_app, rerun, table_with

DRILL_PAGE = "pages/drilldown.py"


def addressed(at, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def choose_row(at, table_key: str, row: int):
    """Tick a row of a selectable table, as a click on its row marker does."""
    round_ = at.session_state["drill_round"] if "drill_round" in at.session_state else 0
    at.session_state[f"{table_key}_table_{round_}"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return rerun(at)


def breadcrumb_labels(at) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def test_three_clicks_from_the_city_overview_to_one_organisation(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db)
    districts = table_with(at, "所属区县", "滞后单位数")
    district = districts["所属区县"].iloc[0]

    choose_row(at, "progress_districts", 0)  # the overview's district table: one click
    assert addressed(at, "drill_district") == district
    units = table_with(at, "单位", "空白点数")
    assert breadcrumb_labels(at) == ["全市"]
    unit = units["单位"].iloc[0]

    choose_row(at, "units", 0)  # the district's units: two
    assert addressed(at, "drill_unit") == unit
    assert f"{unit}现场核查清单" in [s.value for s in at.subheader]
    assert breadcrumb_labels(at) == ["全市", district]
    listed = table_with(at, "统一社会信用代码", "组织名称")

    choose_row(at, "organisations", 0)  # the unit's organisations: three
    uscc = listed["统一社会信用代码"].iloc[0]
    assert addressed(at, "drill_org") == uscc
    assert f"{listed['组织名称'].iloc[0]}逐月记录" in [s.value for s in at.subheader]
    assert breadcrumb_labels(at) == ["全市", district, unit]
    assert addressed(at, "month") == f"{latest_month(demo_db):%Y-%m}"


def test_a_bookmarked_address_opens_the_same_view(demo_db, monkeypatch):
    month = date(2025, 6, 1)
    scope = queries.whole_tree(demo_db)
    district = queries.area_summary(demo_db, scope, month)["area"][1]
    unit = queries.area_summary(demo_db, scope, month, district=district)["area"][0]
    organisation = queries.unit_organisations(demo_db, scope, month, unit=unit).row(0, named=True)
    address = {"month": "2025-06", "drill_district": district, "drill_unit": unit, "drill_org": organisation["uscc"]}

    at = open_app(monkeypatch, demo_db, DRILL_PAGE, address=address, role="inspector")
    assert [s.value for s in at.subheader][0] == f"{organisation['org_name']}逐月记录"
    assert at.sidebar.selectbox(key="month").value == month
    assert {s.label: s.value for s in at.selectbox if s.label in ("区县", "单位", "组织")} == {
        "区县": district, "单位": unit, "组织": organisation["uscc"]}
    side_by_side = table_with(at, "项目")
    months = demo_db.query("select distinct report_month from ledger where uscc = ? and report_month <= ?"
                           " order by 1", [organisation["uscc"], month])["report_month"]
    assert list(side_by_side.columns[1:]) == [f"{m:%Y-%m}" for m in months]
    assert "来源文件" in set(side_by_side["项目"])


def test_a_unit_page_shows_its_figures_on_one_screen(demo_db, monkeypatch):
    month = latest_month(demo_db)
    scope = queries.whole_tree(demo_db)
    progress = queries.progress_by_unit(demo_db, scope, month).row(0, named=True)
    at = open_app(monkeypatch, demo_db, DRILL_PAGE, role="inspector",
                  address={"drill_district": progress["district"], "drill_unit": progress["unit"]})
    shown = {m.label: m.value for m in at.metric}
    assert shown["新建/年度目标"] == f"{progress['done']:,} / {progress['target']:,}"
    headings = [s.value for s in at.subheader]
    assert headings[0] == f"{progress['unit']}概况（{month.year}年{month.month}月末）"
    assert f"{progress['unit']}现场核查清单" in headings
    grid = table_with(at, "报送情况", "审核状态")
    assert len(grid) == queries.submission_grid(demo_db, scope, month).filter(
        pl.col("unit") == progress["unit"]).height


def test_a_narrow_scope_cannot_drill_outside_it(demo_db, monkeypatch):
    month = latest_month(demo_db)
    scope = queries.whole_tree(demo_db)
    districts = queries.area_summary(demo_db, scope, month)["area"].to_list()
    mine, other = districts[0], districts[1]
    other_unit = queries.area_summary(demo_db, scope, month, district=other)["area"][0]
    at = open_app(monkeypatch, demo_db, DRILL_PAGE, role="district", scope=mine,
                  address={"drill_district": other, "drill_unit": other_unit})
    district_box = next(s for s in at.selectbox if s.label == "区县")
    assert district_box.options == [mine] and district_box.value is None
    assert other_unit not in "".join(s.value for s in at.subheader)


def test_side_by_side_marks_what_changed_from_the_month_before():
    history = pl.DataFrame({
        "report_month": [date(2025, 2, 1), date(2025, 1, 1), date(2025, 3, 1)],
        "league_members": [5, 5, 9],
        "has_league_org": [True, False, True],
        "league_org_date": [date(2025, 2, 10), None, date(2025, 2, 12)],
    })
    fields = ["league_members", "has_league_org", "league_org_date"]
    table = drill.side_by_side(history, fields, {"league_members": "团员数"})
    assert table.columns == ["项目", "2025-01", "2025-02", "2025-03"]
    assert table.row(0) == ("团员数", "5", "5", f"{drill.CHANGED_MARK}9")
    assert table.row(1) == ("has_league_org", "否", f"{drill.CHANGED_MARK}是", "是")
    assert table.row(2)[1:] == ("", f"{drill.CHANGED_MARK}2025-02-10", f"{drill.CHANGED_MARK}2025-02-12")

    changes = drill.month_changes(history, fields)
    assert changes.rows() == [
        (date(2025, 2, 1), "has_league_org", "否", "是"),
        (date(2025, 2, 1), "league_org_date", "", "2025-02-10"),
        (date(2025, 3, 1), "league_members", "5", "9"),
        (date(2025, 3, 1), "league_org_date", "2025-02-10", "2025-02-12"),
    ]


def test_a_view_keeps_only_levels_whose_parent_is_chosen():
    assert View("东湖区", None, "91110000X").params() == {"drill_district": "东湖区"}
    assert View("东湖区", "甲街道").params() == {"drill_district": "东湖区", "drill_unit": "甲街道"}


def test_a_unit_page_says_its_forecast_in_words(demo_db, monkeypatch):
    month = date(2025, 6, 1)
    scope = queries.whole_tree(demo_db)
    forecast = queries.milestone_forecast(demo_db, scope, month).filter(
        (pl.col("level") == "unit") & pl.col("target").is_not_null()).row(0, named=True)
    at = open_app(monkeypatch, demo_db, DRILL_PAGE, role="inspector",
                  address={"month": "2025-06", "drill_district": forecast["district"], "drill_unit": forecast["unit"]})
    said = next(c.value for c in at.caption if "预计累计新建" in c.value)
    assert said.startswith(f"到7月31日节点（要求累计 {forecast['next_milestone_needed']} 个）预计累计新建 "
                           f"{forecast['next_median']} 个（80% 区间 {forecast['next_low']}–{forecast['next_high']} 个）")
    assert f"完成年度目标（{forecast['target']} 个）的概率" in said
    points = table_with(at, "节点类型", "达到的概率")
    expected = queries.milestone_forecast_points(demo_db, scope, month).filter(pl.col("unit") == forecast["unit"])
    assert list(points["节点日期"]) == [f"{d:%Y-%m-%d}" for d in expected["due_date"]]


def click_bar(at, chart_key: str, category: str):
    """Click a bar of a chart that drills, as plotly reports the click to streamlit."""
    round_ = at.session_state["drill_round"] if "drill_round" in at.session_state else 0
    at.session_state[f"{chart_key}_{round_}"] = {
        "selection": {"points": [{"y": category}], "point_indices": [0], "box": [], "lasso": []}}
    return rerun(at)


def test_a_bar_of_the_overviews_charts_opens_its_unit_or_district(demo_db, monkeypatch):
    scope = queries.whole_tree(demo_db)
    unit = queries.progress_by_unit(demo_db, scope, date(2025, 6, 1)).row(3, named=True)
    at = open_app(monkeypatch, demo_db, address={"month": "2025-06"})
    click_bar(at, "progress_units_chart", unit["unit"])
    assert (addressed(at, "drill_district"), addressed(at, "drill_unit")) == (unit["district"], unit["unit"])
    assert addressed(at, "month") == "2025-06"

    at = open_app(monkeypatch, demo_db, address={"month": "2025-06"})
    click_bar(at, "progress_forecast_chart", unit["district"])
    assert addressed(at, "drill_district") == unit["district"] and addressed(at, "drill_unit") is None
