"""团员发展: newly admitted members entered in the league's system in time (人人进系统), every issued
member number accounted for (号号有下落), and schools' member counts against the education statistics.

The view (which of the three, the districts) is in the address bar. Full ID
numbers are shown only to a role that may see personal data; everyone else
sees them masked (league.gateway).
"""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import drill, member_queries, queries, ui

SECTIONS = {"entry": "入团后录入", "numbers": "团员编号去向", "schools": "学校团员数"}
UNIT_ENTRY_COLUMNS = ["district", "unit", "admitted", "entered_on_time", "entered_late", "not_entered_overdue",
                      "not_entered_in_time", "entry_rate"]
MONTH_ENTRY_COLUMNS = ["month", *UNIT_ENTRY_COLUMNS[2:]]
NOT_ENTERED_COLUMNS = ["entry_state", "days_overdue", "district", "unit", "member_name", "id_number", "member_no",
                       "developing_org", "joined_on", "entry_deadline", "entered_on"]
NUMBER_SUMMARY_COLUMNS = ["district", "unit", "issued", "used", "unused", "untraced", "outside_range", "duplicate",
                          "traced_share"]
FINDING_COLUMNS = ["trace", "district", "unit", "member_no", "in_range", "roster_uses", "uses_anywhere",
                   "member_name", "first_joined_on"]
DISTRICT_SCHOOL_COLUMNS = ["district", "schools", "edu_count", "league_count", "gap", "gap_percent",
                           "schools_over_threshold", "schools_unexplained"]
SCHOOL_COLUMNS = ["needs_explanation", "district", "school", "edu_count", "league_count", "gap", "gap_percent",
                  "over_threshold", "explained", "explanation"]
TRACE_COLOURS = {"used": "#009E73", "unused": "#56B4E9", "untraced": "#D55E00", "outside_range": "#E69F00",
                 "duplicate": "#CC79A7"}



def in_districts(frame: pl.DataFrame, districts: list[str] | None) -> pl.DataFrame:
    return frame.filter(pl.col("district").is_in(districts)) if districts else frame


def entry_section(as_of, districts: list[str] | None) -> None:
    entry = in_districts(ui.fetch(queries.member_entry, as_of_month=as_of), districts)
    months = int(ui.plan_setting("entry_deadline_months"))
    st.caption(f"{as_of.year}年 1 月至{ui.month_label(as_of)}末入团的团员，须在入团（支部大会通过）后 {months} 个月内"
               "录入智慧团建；按时录入率 = 按时录入人数 ÷ 发展团员数。录入日期晚于所看月份月末的，按当时尚未录入计。")
    if entry.is_empty():
        ui.empty_state("所选范围内还没有载入新发展团员名册（上传页面，文件种类“新发展团员基本信息表”）。")
        return
    total = member_queries.entry_rates(entry, []).row(0, named=True)
    columns = st.columns(4)
    columns[0].metric("发展团员数", ui.count(total["admitted"]))
    columns[1].metric("按时录入率", ui.percent(total["entry_rate"]))
    columns[2].metric("逾期录入", ui.count(total["entered_late"]))
    columns[3].metric("逾期未录入", ui.count(total["not_entered_overdue"]), help="已过录入期限仍未录入智慧团建")
    by_unit = member_queries.entry_rates(entry, ["district", "unit"]).sort("entry_rate", nulls_last=True)
    ui.chart_that_drills(entry_figure(ui.chart_rows(by_unit, "单位")), "member_entry_chart",
                         lambda point: drill.View(*point["customdata"][:2]) if point.get("customdata") else None)
    ui.table_with_download(by_unit, UNIT_ENTRY_COLUMNS, f"团员录入及时率_各单位_{as_of:%Y-%m}.xlsx",
                           key="member_entry_units", drill=drill.unit_view)
    with st.expander("按入团月份"):
        by_month = member_queries.entry_rates(entry, ["month"]).sort("month")
        ui.table_with_download(by_month, MONTH_ENTRY_COLUMNS, f"团员录入及时率_各月_{as_of:%Y-%m}.xlsx",
                               key="member_entry_months")
    st.subheader("未按时录入的团员")
    late = in_districts(ui.fetch(queries.members_not_entered, as_of_month=as_of), districts)
    st.caption("逾期未录入的排在前面，按逾期天数从多到少；逾期录入的随后。请督促尽快录入并核实原因。")
    if late.is_empty():
        ui.empty_state("所选范围内的新团员都已按时录入。")
    else:
        ui.table_with_download(late, NOT_ENTERED_COLUMNS, f"未按时录入团员名单_{as_of:%Y-%m}.xlsx",
                               key="member_not_entered")


def entry_figure(by_unit: pl.DataFrame) -> go.Figure:
    """The entry rate of each unit, lowest first, as bars across (unit names stay readable)."""
    figure = go.Figure(go.Bar(
        y=by_unit["unit"], x=by_unit["entry_rate"], orientation="h", marker_color="#0072B2",
        text=[ui.percent(v) for v in by_unit["entry_rate"]], textposition="outside", cliponaxis=False,
        customdata=by_unit.select("district", "unit", "admitted", "entered_on_time").rows(),
        hovertemplate="%{y}<br>按时录入率：%{x:.1%}<br>按时录入 / 发展：%{customdata[3]} / %{customdata[2]} 人"
                      "<extra></extra>",
    ))
    figure.update_layout(
        title={"text": "各单位按时录入率（点击条形查看单位详情）", **ui.TOP_TITLE},
        xaxis={"title": "按时录入率", "tickformat": ".0%", "range": [0, 1.25]},
        yaxis={"title": None, "type": "category", "autorange": "reversed"},
        height=max(320, 28 * by_unit.height + 160), margin={"t": 70},
    )
    return figure


def numbers_section(as_of, districts: list[str] | None) -> None:
    summary = in_districts(ui.fetch(queries.member_number_summary), districts)
    st.caption("上级发给各单位的团员编号号段中，每个编号都应有下落：已用于新发展团员，或登记为未使用并写明原因。"
               "“无下落”的编号须追查；“号段外使用”是名册上不在本单位号段内的编号；“重号”是同一编号用于两名及以上团员。")
    if summary.is_empty():
        ui.empty_state("所选范围内还没有载入团员编号号段或新发展团员名册。")
        return
    totals = summary.select(pl.col("issued", "used", "unused", "untraced", "outside_range", "duplicate").sum()
                            ).row(0, named=True)
    columns = st.columns(4)
    columns[0].metric("发放编号数", ui.count(totals["issued"]))
    columns[1].metric("无下落", ui.count(totals["untraced"]))
    columns[2].metric("号段外使用", ui.count(totals["outside_range"]))
    columns[3].metric("重号", ui.count(totals["duplicate"]))
    st.plotly_chart(traces_figure(summary), key="member_traces_chart")
    ui.table_with_download(summary, NUMBER_SUMMARY_COLUMNS, f"团员编号去向_各单位_{as_of:%Y-%m}.xlsx",
                           key="member_numbers_units", drill=drill.unit_view)
    st.subheader("须追查的编号")
    findings = in_districts(ui.fetch(queries.member_number_findings), districts)
    if findings.is_empty():
        ui.empty_state("所选范围内的编号都有下落。")
    else:
        ui.table_with_download(findings, FINDING_COLUMNS, f"须追查的团员编号_{as_of:%Y-%m}.xlsx",
                               key="member_number_findings")


def traces_figure(summary: pl.DataFrame) -> go.Figure:
    """Each unit's numbers by where they went, stacked, the units with most to chase first."""
    figure = go.Figure()
    for trace, colour in TRACE_COLOURS.items():
        figure.add_bar(y=summary["unit"], x=summary[trace], name=member_queries.TRACE_WORDS[trace],
                       orientation="h", marker_color=colour,
                       hovertemplate=f"%{{y}}<br>{member_queries.TRACE_WORDS[trace]}：%{{x}} 个<extra></extra>")
    figure.update_layout(
        title={"text": "各单位团员编号去向", **ui.TOP_TITLE}, barmode="stack", legend=ui.TOP_LEGEND,
        xaxis={"title": "编号数（个）"}, yaxis={"title": None, "type": "category", "autorange": "reversed"},
        height=max(320, 28 * summary.height + 180), margin={"t": 110},
    )
    return figure


def schools_section(as_of, districts: list[str] | None) -> None:
    share = ui.plan_setting("school_gap_max_share")
    st.caption(f"学校团员数：智慧团建系统统计数与教育统计数相差超过 {share:.0%} 的，须书面说明原因；"
               "差异 = |智慧团建 − 教育统计| ÷ 教育统计。")
    by_district = in_districts(ui.fetch(queries.school_gaps_by_district), districts)
    if by_district.is_empty():
        ui.empty_state("所选范围内还没有载入学校团员数量情况表（区县及以上账号可见）。")
        return
    schools = in_districts(ui.fetch(queries.school_gap_list), districts)
    columns = st.columns(3)
    columns[0].metric("学校数", ui.count(schools.height))
    columns[1].metric("差异超过阈值", ui.count(int(schools["over_threshold"].sum())))
    columns[2].metric("须说明而未说明", ui.count(int(schools["needs_explanation"].sum())))
    ui.table_with_download(by_district, DISTRICT_SCHOOL_COLUMNS, f"学校团员数_各区县_{as_of:%Y-%m}.xlsx",
                           key="school_districts")
    st.subheader("各学校")
    st.caption("差异超过阈值而没有书面说明的学校排在最前，标为“须说明而未说明：是”。")
    ui.table_with_download(schools, SCHOOL_COLUMNS, f"学校团员数_各学校_{as_of:%Y-%m}.xlsx", key="school_list")


as_of = ui.require_as_of_month()
st.title("团员发展")
section = st.radio("查看", list(SECTIONS), format_func=SECTIONS.get, horizontal=True, key="member_view",
                   bind="query-params")
district_names = ui.fetch(queries.reporting_units)["district"].drop_nulls().unique().sort().to_list()
chosen = st.multiselect("所属区县", district_names, placeholder="全部区县", key="district", bind="query-params") or None
{"entry": entry_section, "numbers": numbers_section, "schools": schools_section}[section](as_of, chosen)
