"""青年之声: the Youth Voice platform's monthly figures — totals, trends, ranking, one unit."""

import plotly.express as px
import polars as pl
import streamlit as st

from league import queries, ui
from league.drill import unit_view

METRICS = list(queries.YOUTH_VOICE_METRICS)
UNITS_OF_MEASURE = {
    "terminals": "个", "visits": "次", "questions": "件", "effective_replies": "件", "reply_rate": "%",
    "alliances": "个", "experts": "人", "activities": "场", "youth_reached": "人次",
    "weibo_accounts": "个", "wechat_accounts": "个",
}


def axis_title(metric: str) -> str:
    return f"{ui.COLUMN_LABELS[metric]}（{UNITS_OF_MEASURE[metric]}）"


def metric_picker(label: str, key: str, default: str) -> str:
    return st.selectbox(label, METRICS, index=METRICS.index(default), format_func=ui.COLUMN_LABELS.get, key=key,
                        bind="query-params")


def headline(month: dict) -> None:
    # Four to a row, so that the longest label (咨询求助及问题反映数) fits beside the sidebar on a tablet.
    shown = [*METRICS, "units_reporting"]
    for row in (shown[:4], shown[4:8], shown[8:]):
        for column, metric in zip(st.columns(4), row):
            value = month[metric]
            column.metric(ui.COLUMN_LABELS[metric], ui.percent(value) if metric == "reply_rate" else ui.count(value))


def trend_figure(monthly: pl.DataFrame, metric: str):
    figure = px.line(
        monthly, x="month", y=metric, markers=True,
        labels={"month": "月份", metric: ui.COLUMN_LABELS[metric]},
        title=f"青年之声各月{ui.COLUMN_LABELS[metric]}",
    )
    figure.update_traces(hovertemplate="%{x|%Y年%-m月}<br>" + ui.COLUMN_LABELS[metric]
                         + ("：%{y:.1%}" if metric == "reply_rate" else "：%{y:,}") + "<extra></extra>")
    figure.update_layout(
        xaxis={"title": "月份", "tickformat": "%Y年%-m月", "dtick": "M1"},
        yaxis={"title": axis_title(metric), "rangemode": "tozero",
               "tickformat": ".0%" if metric == "reply_rate" else ",d"},
    )
    return figure


def ranking_figure(by_unit: pl.DataFrame, metric: str, month_label: str):
    ranked = by_unit.filter(pl.col(metric).is_not_null()).sort(metric)
    figure = px.bar(
        ranked, x=metric, y="unit", orientation="h", color="district", color_discrete_map=ui.district_colours(),
        category_orders={"district": sorted(ui.district_colours())},
        hover_data={"questions": True, "effective_replies": True, "reply_rate": ":.1%"},
        labels={"unit": "单位", "district": "所属区县", metric: ui.COLUMN_LABELS[metric],
                "questions": ui.COLUMN_LABELS["questions"], "effective_replies": ui.COLUMN_LABELS["effective_replies"],
                "reply_rate": ui.COLUMN_LABELS["reply_rate"]},
        title=f"{month_label}各单位{ui.COLUMN_LABELS[metric]}排行",
    )
    figure.update_layout(
        xaxis={"title": axis_title(metric), "tickformat": ".0%" if metric == "reply_rate" else ",d"},
        yaxis={"title": None, "categoryorder": "array", "categoryarray": ranked["unit"].to_list()},
        height=max(320, 28 * ranked.height + 180),
        title=ui.TOP_TITLE, legend=ui.TOP_LEGEND, margin={"t": 110},
    )
    return figure


as_of = ui.require_as_of_month()
st.title("青年之声运行情况")
st.caption(f"数据截至 {ui.month_label(as_of)}；回复率 = 有效回复数 ÷ 咨询求助及问题反映数。"
           "“青年之声”月报由平台导出，不经区县审核，两种口径下相同。")

monthly = ui.fetch(queries.youth_voice_by_month, as_of_month=as_of)
if monthly.is_empty():
    ui.empty_state(f"{ui.month_label(as_of)}及以前还没有青年之声月报。请到“上传”页面上传青年之声运行情况月报。")
    st.stop()

this_month = monthly.filter(pl.col("month") == as_of)
st.subheader(f"{ui.month_label(as_of)}合计")
if this_month.is_empty():
    ui.empty_state(f"{ui.month_label(as_of)}还没有单位报送青年之声月报，下方趋势图显示此前各月。")
else:
    headline(this_month.row(0, named=True))

st.subheader("各月趋势")
trend_metric = metric_picker("趋势指标", "trend", "questions")
st.plotly_chart(trend_figure(monthly, trend_metric), key="youth_voice_trend_chart")
ui.table_with_download(monthly, ["month", "units_reporting", *METRICS], f"青年之声各月_{as_of:%Y-%m}.xlsx",
                       key="youth_voice_monthly")

st.subheader(f"{ui.month_label(as_of)}单位排行")
by_unit = ui.fetch(queries.youth_voice_by_unit, as_of_month=as_of)
if by_unit.is_empty():
    ui.empty_state(f"{ui.month_label(as_of)}没有单位报送青年之声月报。")
else:
    rank_metric = metric_picker("排行指标", "rank", "visits")
    st.caption("点击条形查看该单位的详情。")
    ranked = {row["unit"]: row for row in by_unit.iter_rows(named=True)}
    ui.chart_that_drills(ranking_figure(by_unit, rank_metric, ui.month_label(as_of)), "youth_voice_rank_chart",
                         lambda point: unit_view(ranked[point["y"]]))
    ui.table_with_download(by_unit, ["unit", "district", *METRICS], f"青年之声单位排行_{as_of:%Y-%m}.xlsx",
                           key="youth_voice_units", drill=unit_view)

st.subheader("单位明细")
units = ui.fetch(queries.reporting_units)["unit"].to_list()
unit = st.selectbox("选择单位", units, index=None, placeholder="请选择一个单位", key="unit", bind="query-params")
if unit is not None:
    history = ui.fetch(queries.youth_voice_by_month, as_of_month=as_of, unit=unit)
    if history.is_empty():
        ui.empty_state(f"{unit}在{ui.month_label(as_of)}及以前没有报送青年之声月报。")
    else:
        ui.table_with_download(history, ["month", *METRICS], f"青年之声_{unit}_{as_of:%Y-%m}.xlsx",
                               key="youth_voice_unit_history")
