"""青年之声: the Youth Voice platform — the monthly totals (trends, ranking, one unit) and, from the platform's
question exports, how fast youth get an effective answer, who is still waiting, what they ask about, who
answers, and whether the exports agree with the totals. The section is in the address bar."""

import plotly.express as px
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import queries, question_queries, ui
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


def monthly_section(as_of) -> None:
    """The monthly totals sheet: the month, the trend, the ranking, one unit."""
    monthly = ui.fetch(queries.youth_voice_by_month, as_of_month=as_of)
    if monthly.is_empty():
        ui.empty_state(f"{ui.month_label(as_of)}及以前还没有青年之声月报。请到“上传”页面上传青年之声运行情况月报。")
        return
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
        leading = ui.chart_rows(by_unit.sort(rank_metric, descending=True, nulls_last=True), "单位")
        ui.chart_that_drills(ranking_figure(leading, rank_metric, ui.month_label(as_of)), "youth_voice_rank_chart",
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


# -- question level (league.question_queries) ---------------------------------------------------------

SECTIONS = {"monthly": "月度指标", "reply_times": "回复时效", "backlog": "未回复积压", "categories": "问题类别",
            "repliers": "回复主体", "totals": "与月报核对"}
REPLY_COLUMNS = ["district", "unit", "questions", "answered", "median_hours", "p90_hours", "within_day_share",
                 "within_week_share"]
BACKLOG_COLUMNS = ["district", "unit", "waiting", *question_queries.WAITING_BANDS, "oldest_days"]
OLDEST_COLUMNS = ["waiting_days", "waiting_band", "district", "unit", "question_id", "asked_at", "category"]
TOTALS_COLUMNS = ["disagrees", "month", "district", "unit", "questions_reported", "questions_counted",
                  "replies_reported", "replies_counted"]
NO_EXPORT = "所选范围内还没有载入青年之声问题明细（上传页面，文件种类“青年之声问题明细”）。"



def hours_text(hours: float | None) -> str:
    if hours is None:
        return "—"
    return f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"


def reply_times_section(as_of) -> None:
    st.caption(f"{ui.month_label(as_of)}提出的问题，截至该月末（或今天）：有效回复用时的中位数和第 90 百分位数（只计已有效回复的，"
               f"偶数个时取中间两个的平均）；{ui.plan_setting('reply_fast_hours'):.0f} 小时内、{ui.plan_setting('reply_week_days'):.0f} "
               "天内得到有效回复的占当月全部问题的比例。次月才回复的，计入提问的月份。")
    times = ui.fetch(queries.question_reply_times, as_of_month=as_of)
    if times.is_empty():
        ui.empty_state(NO_EXPORT)
        return
    total = times.row(0, named=True)
    columns = st.columns(4)
    columns[0].metric("提问数", ui.count(total["questions"]))
    columns[1].metric("回复用时中位数", hours_text(total["median_hours"]))
    columns[2].metric("24 小时内回复", ui.percent(total["within_day_share"]))
    columns[3].metric("7 天内回复", ui.percent(total["within_week_share"]))
    trend = ui.fetch(queries.question_reply_trend, as_of_month=as_of).filter(pl.col("district").is_null())
    figure = go.Figure()
    for column, name in (("within_day_share", "24 小时内回复"), ("within_week_share", "7 天内回复")):
        figure.add_scatter(x=trend["month"], y=trend[column], name=name, mode="lines+markers")
    figure.update_layout(title={"text": "各月问题的回复及时率", **ui.TOP_TITLE}, legend=ui.TOP_LEGEND,
                         yaxis={"tickformat": ".0%", "range": [0, 1.05]}, xaxis={"tickformat": "%Y-%m", "dtick": "M1"},
                         margin={"t": 110})
    st.plotly_chart(figure, key="reply_trend_chart")
    units = times.filter(pl.col("unit").is_not_null()).sort("within_day_share")
    ui.table_with_download(units, REPLY_COLUMNS, f"青年之声回复时效_各单位_{as_of:%Y-%m}.xlsx", key="reply_units",
                           drill=unit_view)
    with st.expander("各区县及各月"):
        ui.table_with_download(times.filter(pl.col("district").is_not_null() & pl.col("unit").is_null()),
                               REPLY_COLUMNS[:1] + REPLY_COLUMNS[2:], f"青年之声回复时效_各区县_{as_of:%Y-%m}.xlsx",
                               key="reply_districts")
        ui.table_with_download(trend, ["month", *REPLY_COLUMNS[2:]], f"青年之声回复时效_各月_{as_of:%Y-%m}.xlsx",
                               key="reply_months")


def backlog_section(as_of) -> None:
    st.caption(f"截至{ui.month_label(as_of)}末（或今天）仍未得到有效回复的问题，按已等待的时间分档；下方列出等待最久的问题，"
               "请督促承办单位跟进。")
    backlog = ui.fetch(queries.question_backlog, as_of_month=as_of)
    if backlog.is_empty():
        ui.empty_state("所选范围内没有等待回复的问题。")
        return
    total = backlog.filter(pl.col("unit").is_null()).row(0, named=True)
    columns = st.columns(4)
    columns[0].metric("等待回复", ui.count(total["waiting"]))
    columns[1].metric("超过 7 天", ui.count(total["waiting_month"] + total["waiting_over_month"]))
    columns[2].metric("超过 30 天", ui.count(total["waiting_over_month"]))
    columns[3].metric("最久已等", f"{total['oldest_days']:.0f} 天")
    units = backlog.filter(pl.col("unit").is_not_null())
    ui.table_with_download(units, BACKLOG_COLUMNS, f"青年之声未回复积压_各单位_{as_of:%Y-%m}.xlsx", key="backlog_units",
                           labels=question_queries.WAITING_BANDS, drill=unit_view)
    st.subheader("等待最久的问题")
    ui.table_with_download(ui.fetch(queries.oldest_unanswered, as_of_month=as_of), OLDEST_COLUMNS,
                           f"青年之声待跟进问题_{as_of:%Y-%m}.xlsx", key="oldest_unanswered")


def categories_section(as_of) -> None:
    st.caption("青年问什么：各服务类别的问题数和回复率（已有效回复 ÷ 问题数，截至所看月份月末），"
               "今年各月的类别构成，以及各单位各类别的情况。回复率最低的类别排在最前。")
    categories = ui.fetch(queries.question_categories, as_of_month=as_of)
    if categories.is_empty():
        ui.empty_state(NO_EXPORT)
        return
    this_month = categories.filter(pl.col("month") == as_of)
    by_category = question_queries.category_rates(this_month, ["category"]).sort("reply_rate")
    st.plotly_chart(px.bar(by_category, x="reply_rate", y="category", orientation="h",
                           labels={"reply_rate": "回复率", "category": "服务类别"},
                           title=f"{ui.month_label(as_of)}各类别问题的回复率").update_layout(
        xaxis={"tickformat": ".0%", "range": [0, 1]}, yaxis={"title": None}), key="category_chart")
    ui.table_with_download(by_category, ["category", "questions", "answered", "reply_rate", "question_share"],
                           f"青年之声问题类别_{as_of:%Y-%m}.xlsx", key="categories")
    mix = question_queries.category_rates(categories, ["month", "category"]).sort("month", "category")
    st.plotly_chart(px.bar(mix, x="month", y="question_share", color="category",
                           labels={"month": "月份", "question_share": "占当月问题", "category": "服务类别"},
                           title="今年各月问题的类别构成").update_layout(
        yaxis={"tickformat": ".0%"}, xaxis={"tickformat": "%Y-%m", "dtick": "M1"}, legend=ui.TOP_LEGEND,
        title=ui.TOP_TITLE, margin={"t": 110}), key="category_mix_chart")
    with st.expander("各单位各类别"):
        by_unit = question_queries.category_rates(this_month, ["district", "unit", "category"]).sort("unit", "category")
        ui.table_with_download(by_unit, ["district", "unit", "category", "questions", "answered", "reply_rate"],
                               f"青年之声问题类别_各单位_{as_of:%Y-%m}.xlsx", key="categories_units")


def repliers_section(as_of) -> None:
    st.caption(f"{ui.month_label(as_of)}问题的有效回复由谁作出，各占多少；满意度为提问青年的评价（1–5 分，只计作出评价的）。")
    repliers = ui.fetch(queries.question_repliers, as_of_month=as_of)
    if repliers.is_empty():
        ui.empty_state("所选范围内本月还没有有效回复。")
        return
    st.plotly_chart(px.pie(repliers, names="replier_kind", values="replies", title="有效回复的回复主体"),
                    key="replier_chart")
    ui.table_with_download(repliers, ["replier_kind", "replies", "reply_share", "rated", "mean_satisfaction"],
                           f"青年之声回复主体_{as_of:%Y-%m}.xlsx", key="repliers")


def totals_section(as_of) -> None:
    st.caption(f"各单位各月：月报填报的咨询求助数、有效回复数与问题明细中当月提问数、其中已有效回复数比较；相差超过月报数的 "
               f"{ui.plan_setting('question_totals_tolerance'):.0%} 且至少 {ui.plan_setting('question_totals_min_gap'):.0f} 件的标为不一致，"
               "并作为数据质量提示列入下钻和通报。未报送问题明细的单位不比较。")
    check = ui.fetch(queries.question_totals_check, as_of_month=as_of)
    if check.is_empty():
        ui.empty_state(NO_EXPORT)
        return
    st.metric("不一致的单位月份", ui.count(int(check["disagrees"].sum())))
    ui.table_with_download(check, TOTALS_COLUMNS, f"青年之声月报与问题明细核对_{as_of:%Y-%m}.xlsx", key="totals_check",
                           drill=unit_view)


as_of = ui.require_as_of_month()
st.title("青年之声运行情况")
st.caption(f"数据截至 {ui.month_label(as_of)}；回复率 = 有效回复数 ÷ 咨询求助及问题反映数。"
           "“青年之声”月报和问题明细由平台导出，不经区县审核，两种口径下相同。")
section = st.radio("查看", list(SECTIONS), format_func=SECTIONS.get, horizontal=True, key="yv_view",
                   bind="query-params")
{"monthly": monthly_section, "reply_times": reply_times_section, "backlog": backlog_section,
 "categories": categories_section, "repliers": repliers_section, "totals": totals_section}[section](as_of)
