"""总览: the year's new league organisations against the yearly targets."""

from datetime import date

import plotly.express as px
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import queries, ui
from league.drill import View, unit_view

ORG_TYPE_CHOICES = {"全部": None, "非公有制企业": "非公有制企业", "社会组织": "社会组织"}
UNIT_COLUMNS = [
    "unit", "district", "status", "short_of_expected", "short_of_milestone", "done", "target", "completion",
    "expected", "done_enterprise", "target_enterprise", "done_social", "target_social",
    "done_direct", "target_direct", "ledger_month", "carried_forward",
]
BEHIND_COLUMNS = ["unit", "district", "status", "short_of_expected", "short_of_milestone", "done", "target",
                  "completion", "ledger_month"]
DISTRICT_COLUMNS = ["district", "status", "units_behind", "units", "short_of_expected", "short_of_milestone",
                    "done", "target", "completion", "expected"]
ALERT_COLUMNS = ["unit", "district", "alerts", "short_of_passed_milestone", "p_next_milestone", "projected_short",
                 "missing_months", "missing_this_month", "severe_flags"]
POINT_COLUMNS = ["district", "due_date", "point", "share", "needed", "p_reach", "median", "low", "high"]
TOTAL_NAME = "合计"  # the forecast's total row: the city, or the viewer's part of it
AREA_FORECAST_COLUMNS = ["district", "target", "done", "next_milestone_date", "next_milestone_needed",
                         "p_next_milestone", "next_median", "next_low", "next_high", "needed_per_month",
                         "p_year_target", "year_end_median", "year_end_low", "year_end_high"]


def filters() -> tuple[list[str] | None, str | None]:
    districts = ui.fetch(queries.reporting_units)["district"].unique().sort().to_list()
    left, right = st.columns([3, 2])
    chosen = left.multiselect("所属区县", districts, placeholder="全部区县", key="district", bind="query-params")
    org_type = right.radio("组织类型", list(ORG_TYPE_CHOICES), horizontal=True, key="org_type",
                           bind="query-params")
    return chosen or None, ORG_TYPE_CHOICES[org_type]


def milestone_labels(total: dict) -> dict[str, str]:
    """The milestone column named for the milestone itself, e.g. "距6月30日节点（50%）还差（个）"."""
    due = total["milestone_date"]
    if due is None:
        return {"units": "单位数"}
    return {"short_of_milestone": f"距{due.month}月{due.day}日节点（{total['milestone_share']:.0%}）还差（个）",
            "units": "单位数"}


def headline(total: dict, org_type_label: str) -> None:
    target = ui.count(total["target"])
    # Two to a row, so that "1,007 / 1,110" and the status fit beside the sidebar on a tablet.
    first, second = st.columns(2), st.columns(2)
    first[0].metric(f"新建团组织（{org_type_label}）", f"{total['done']:,} / {target}", help="已新建 / 年度目标",
                    border=True)
    first[1].metric("进度状态", ui.status_label(total["status"]), border=True)
    second[0].metric("完成率", ui.percent(total["completion"]), border=True)
    second[1].metric("序时进度", ui.percent(total["expected"]), help="按年度计划的时间节点，到所选月份月末应完成的比例",
                     border=True)
    second = st.columns(3)
    for column, (label, kind) in zip(second, [("非公有制企业", "enterprise"), ("社会组织", "social"), ("直接联系管理", "direct")]):
        column.metric(f"其中：{label}", f"{total[f'done_{kind}']:,} / {ui.count(total[f'target_{kind}'])}")


def forecast_figure(areas: pl.DataFrame) -> go.Figure:
    """The city and each district at the next milestone: the forecast's median and 80% interval beside what it asks."""
    shown = areas.rename({"district": "name"})
    figure = go.Figure()
    figure.add_scatter(
        x=shown["next_median"], y=shown["name"], mode="markers", name="预测新建数（中位数，横线为 80% 区间）",
        marker={"size": 11, "color": "#0072B2"},
        error_x={"type": "data", "symmetric": False, "color": "#0072B2",
                 "array": (shown["next_high"] - shown["next_median"]).to_list(),
                 "arrayminus": (shown["next_median"] - shown["next_low"]).to_list()},
        customdata=shown.select("next_low", "next_high", "p_next_milestone").rows(),
        hovertemplate="%{y}<br>预测：%{x} 个（80% 区间 %{customdata[0]}–%{customdata[1]} 个）"
                      "<br>达到节点的概率：%{customdata[2]:.0%}<extra></extra>",
    )
    figure.add_scatter(
        x=shown["next_milestone_needed"], y=shown["name"], mode="markers", name="节点要求",
        marker={"symbol": "line-ns-open", "size": 22, "line": {"width": 3}, "color": "#D55E00"},
        hovertemplate="%{y}<br>节点要求：%{x} 个<extra></extra>",
    )
    figure.update_layout(
        title={"text": "到下一节点的预测新建数与节点要求", **ui.TOP_TITLE},
        xaxis={"title": "累计新建团组织数（个）", "rangemode": "tozero"},
        yaxis={"title": None, "categoryorder": "array", "categoryarray": shown["name"].to_list()[::-1]},
        height=max(300, 44 * shown.height + 180), margin={"t": 110}, legend=ui.TOP_LEGEND,
    )
    return figure


def forecast_section(forecast: pl.DataFrame, as_of: date, districts: list[str] | None,
                     org_type: str | None) -> None:
    """Who will make the next milestone and the year's target, and how sure the forecast is."""
    areas = forecast.filter(pl.col("level") != "unit").with_columns(
        district=pl.when(pl.col("level") == "total").then(pl.lit(TOTAL_NAME)).otherwise("district"))
    if areas.is_empty() or areas["next_milestone_date"].is_null().all():
        st.info(f"{as_of.year}年的时间节点和年度目标期限均已过，没有需要预测的节点。")
        return
    city = areas.row(0, named=True)
    due = city["next_milestone_date"]
    st.caption(
        f"按各单位今年以来相对计划的进度（同类单位相互借力，并计入各月共同的起伏）模拟推算：合计到{ui.point_label(due)}"
        f"预计累计新建 {ui.count(city['next_median'])} 个（80% 区间 {ui.count(city['next_low'])}–"
        f"{ui.count(city['next_high'])} 个），要求 {ui.count(city['next_milestone_needed'])} 个，"
        f"达到的概率{ui.chance(city['p_next_milestone'])}。区县的数字是其各单位模拟结果之和。")
    st.caption("点击区县查看其各单位。")
    shown_districts = set(areas.filter(pl.col("level") == "district")["district"])
    ui.chart_that_drills(forecast_figure(areas), "progress_forecast_chart",
                         lambda point: View(point["y"] if point["y"] in shown_districts else None))
    ui.table_with_download(areas, AREA_FORECAST_COLUMNS, f"节点预测_区县_{as_of:%Y-%m}.xlsx",
                           key="progress_forecast_districts",
                           drill=lambda row: View(row["district"] if row["level"] == "district" else None))
    # Every remaining point is drawn again, so only when asked.
    if st.toggle("显示剩余各节点的预测（合计与各区县）", key="forecast_points"):
        points = ui.fetch(queries.milestone_forecast_points, as_of_month=as_of, districts=districts,
                          org_type=org_type).filter(pl.col("level") != "unit").with_columns(
            district=pl.when(pl.col("level") == "total").then(pl.lit(TOTAL_NAME)).otherwise("district"))
        ui.table_with_download(points, POINT_COLUMNS, f"各节点预测_区县_{as_of:%Y-%m}.xlsx",
                               key="progress_forecast_points", labels={"due_date": "节点日期"})
    with st.expander("各单位节点预测（最不可能达到的在前）"):
        ui.table_with_download(forecast.filter(pl.col("level") == "unit"), ui.FORECAST_COLUMNS,
                               f"节点预测_单位_{as_of:%Y-%m}.xlsx", key="progress_forecast_units", drill=unit_view)


def trend_figure(trend: pl.DataFrame, year: int) -> go.Figure:
    actual = trend.filter(pl.col("done").is_not_null())
    milestones = trend.filter(pl.col("milestone_date").is_not_null())
    figure = go.Figure()
    figure.add_scatter(
        x=trend["month_end"], y=trend["planned"], mode="lines", name="序时进度目标",
        line={"dash": "dash", "color": "#9e9e9e"}, customdata=trend["expected_share"],
        hovertemplate="%{x|%Y年%-m月%-d日}<br>序时目标：%{y:.1f} 个（年度目标的 %{customdata:.0%}）<extra></extra>",
    )
    figure.add_scatter(
        x=actual["month_end"], y=actual["done"], mode="lines+markers", name="累计新建（实际）",
        line={"color": "#c62828", "width": 3},
        hovertemplate="%{x|%Y年%-m月底}<br>累计新建：%{y} 个<extra></extra>",
    )
    figure.add_scatter(
        x=milestones["milestone_date"], y=milestones["milestone_planned"], mode="markers+text", name="时间节点",
        marker={"symbol": "diamond", "size": 12, "color": "#1565c0"},
        text=[f"{d.month}月{d.day}日 {s:.0%}" for d, s in milestones.select("milestone_date", "milestone_share").iter_rows()],
        textposition="top left", customdata=milestones["milestone_share"],
        hovertemplate="时间节点 %{x|%-m月%-d日}<br>应完成 %{customdata:.0%}：%{y:.1f} 个<extra></extra>",
    )
    figure.update_layout(
        title={"text": f"{year}年累计新建团组织与序时进度", **ui.TOP_TITLE},
        hovermode="closest",
        xaxis={"title": "月份（月末）", "tickvals": trend["month_end"].to_list(),
               "ticktext": [f"{d.month}月底" for d in trend["month_end"]]},
        yaxis={"title": "累计新建团组织数（个）", "rangemode": "tozero"},
        margin={"t": 110},
        legend=ui.TOP_LEGEND,
    )
    return figure


def units_figure(units: pl.DataFrame) -> go.Figure:
    """Completion per unit, laggards at the top; status told by colour, by bar pattern and in the legend."""
    shown = units.with_columns(
        bar=pl.col("completion").fill_null(0.0),
        label=pl.col("completion").map_elements(ui.percent, return_dtype=pl.String),
    )
    figure = px.bar(
        shown, x="bar", y="unit", color="status", pattern_shape="status", orientation="h", text="label",
        color_discrete_map=ui.STATUS_COLOURS, pattern_shape_map=ui.STATUS_PATTERNS,
        category_orders={"status": list(ui.STATUS_COLOURS)},
        hover_data={"bar": False, "label": False, "district": True, "done": True, "target": True,
                    "completion": ":.1%", "expected": ":.1%", "short_of_expected": True},
        labels={"unit": "单位", "status": "进度状态", "district": "所属区县", "done": "已新建（个）",
                "target": "年度目标（个）", "completion": "完成率", "expected": "序时进度",
                "short_of_expected": "距序时进度还差（个）"},
        title="各单位新建团组织完成率（虚线为序时进度）",
    )
    figure.add_vline(x=units["expected"][0], line_dash="dash", line_color="#616161")
    figure.update_traces(textposition="outside", cliponaxis=False)
    figure.update_layout(
        xaxis={"title": "完成率（%）", "tickformat": ".0%", "range": [0, max(shown["bar"].max(), 1.0) * 1.25]},
        # Plotly draws the first category at the bottom: reversed, the first row (the furthest behind) is on top.
        yaxis={"title": None, "categoryorder": "array", "categoryarray": shown["unit"].to_list()[::-1]},
        height=max(320, 30 * units.height + 200),
        title=ui.TOP_TITLE,
        margin={"t": 130},
        legend=ui.TOP_LEGEND,
    )
    return figure


def explanation(trend: pl.DataFrame, year: int, expected: float | None) -> None:
    settings = dict(ui.fetch_reference(queries.plan_settings).select("name", "value").iter_rows())
    milestones = "、".join(
        f"{d.month}月{d.day}日前完成{s:.0%}"
        for d, s in trend.filter(pl.col("milestone_date").is_not_null()).select("milestone_date", "milestone_share").iter_rows()
    )
    with st.expander("指标口径"):
        st.markdown(
            f"- **今年新建**：台账中“是否建立团组织”为“是”，且建团日期在{year}年内、不晚于所选月份月末的团组织。"
            "某单位当月没有台账时，沿用其此前最近一期台账（表中“沿用此前台账”为“是”）。\n"
            "- **完成率** = 已新建 ÷ 年度目标。组织类型选“全部”时，按非公有制企业与社会组织合计，"
            "对照两项目标之和；选定某一类型时，对照该类型的目标。\n"
            f"- **序时进度**：{year}年计划的时间节点为{milestones}；节点之间按天数均匀推进，"
            f"到所选月份月末应完成 {ui.percent(expected)}。\n"
            f"- **进度状态**：完成率不低于序时进度为“达到序时进度”；不低于序时进度的"
            f"{settings['slightly_behind_ratio']:.0%}为“略有滞后”；更低为“滞后”；没有目标的单位为“无目标”。\n"
            "- **还差**：达到序时进度（或所选月份正在奔向的时间节点）应有的团组织数（年度目标 × 比例，向上取整）"
            "减去已新建数；已达到的为 0。\n"
            "- **直接联系管理**：今年新建且“是否直接联系管理”为“是”的团组织，对照直接联系管理目标。"
        )


as_of = ui.require_as_of_month()
year = as_of.year
st.title(f"{year}年新建团组织进度")
st.caption(f"数据截至 {ui.month_label(as_of)}末。{ui.basis_text()}")

districts, org_type = filters()
arguments = {"as_of_month": as_of, "districts": districts, "org_type": org_type}
units = ui.fetch(queries.progress_by_unit, **arguments)
if units.is_empty():
    ui.empty_state("所选区县没有报送单位，请调整“所属区县”筛选。")
    st.stop()

total = ui.fetch(queries.progress_total, **arguments).row(0, named=True)
headline(total, "全部" if org_type is None else org_type)
if total["target"] is None:
    ui.empty_state(f"尚未收到{year}年的任务分解表，无法计算完成率。请到“上传”页面上传年度任务分解表。")
labels = milestone_labels(total)

forecast = ui.fetch(queries.milestone_forecast, **arguments)
# The alert list from what the page reads anyway: the forecast is the costly part.
alerts = queries.alert_list(units, forecast, ui.fetch(queries.submission_grid, as_of_month=as_of),
                            ui.fetch(queries.flag_counts, as_of_month=as_of), as_of)
st.subheader(f"需要关注的单位（{alerts.height} 个）")
if alerts.is_empty():
    st.success(f"{ui.month_label(as_of)}末，所选范围内没有已过节点仍未完成、预计达不到下一节点、台账未报送或有严重数据质量提示的单位。")
else:
    st.caption("已过节点仍未完成、预计达不到下一节点（达到的概率低于一半）、本月台账未报送、本月有严重数据质量提示的单位；"
               "原因多的排在前面。")
    ui.table_with_download(alerts, ALERT_COLUMNS, f"需要关注的单位_{as_of:%Y-%m}.xlsx", key="progress_alerts",
                           drill=unit_view)

st.subheader("各区县进度")
st.caption("滞后的区县排在前面；“还差”按区县合计计算，区内进度快的单位可抵补慢的单位。")
ui.table_with_download(ui.fetch(queries.progress_by_district, **arguments), DISTRICT_COLUMNS,
                       f"各区县新建团组织进度_{as_of:%Y-%m}.xlsx", key="progress_districts", labels=labels,
                       drill=lambda row: View(row["district"]))

behind = units.filter(pl.col("status").is_in(["滞后", "略有滞后"]))
st.subheader(f"进度滞后的单位（{behind.height} 个）")
if behind.is_empty():
    st.success(f"{ui.month_label(as_of)}末，所选范围内各单位都达到了序时进度。")
else:
    st.caption("按还差的团组织数从多到少排列；点击表头可改变排序。")
    ui.table_with_download(behind, BEHIND_COLUMNS, f"进度滞后单位_{as_of:%Y-%m}.xlsx", key="progress_behind",
                           labels=labels, drill=unit_view)

st.subheader("节点预测")
forecast_section(forecast, as_of, districts, org_type)

st.subheader(f"各单位进度（{ui.month_label(as_of)}末）")
st.caption("点击条形查看该单位的详情。")
by_unit = {row["unit"]: row for row in units.iter_rows(named=True)}
ui.chart_that_drills(units_figure(ui.chart_rows(units, "单位")), "progress_units_chart", lambda point: unit_view(by_unit[point["y"]]))
ui.table_with_download(units, UNIT_COLUMNS, f"新建团组织进度_{as_of:%Y-%m}.xlsx", key="progress_units",
                       labels=labels, drill=unit_view)

trend = ui.fetch(queries.progress_trend, **arguments)
st.plotly_chart(trend_figure(trend, year), key="progress_trend_chart")
explanation(trend, year, total["expected"])
