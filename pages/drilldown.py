"""下钻: city -> district -> unit -> organisation, for inspectors on a supervision visit.

The view is in the address bar (league.drill), so it can be bookmarked and
sent; a row of any table, a bar of the chart, a breadcrumb or a choice in the
selectors moves it. A unit's view is its page on one screen: progress and
forecast, submissions, coverage, flags, verification, Youth Voice, and the
list to check on site. An organisation's view is its ledger month by month.
"""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import drill, queries, question_queries, ui
from league.drill import View

AREA_COLUMNS = ["status", "organisations", "with_league_org", "coverage", "gaps", "must_build",
                "done", "target", "completion", "expected"]
ORGANISATION_COLUMNS = [
    "must_build_now", "is_new", "org_name", "uscc", "industry", "org_type", "street", "park",
    "employees", "youth_employees", "league_members", "has_party_org", "has_league_org", "league_org_kind",
    "league_org_date", "directly_managed", "leader_name", "leader_phone", "ledger_month", "signed_off",
]
HISTORY_FIELDS = [
    "unit", "org_name", "employees", "youth_employees", "league_members", "has_party_org",
    "has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date", "directly_managed",
    "leader_name", "leader_phone", "note", "signed_off", "submission_id", "file_name", "received_at",
]
HISTORY_COLUMNS = ["report_month", *HISTORY_FIELDS]
HISTORY_LABELS = {"submission_id": "报送编号", "file_name": "来源文件", "received_at": "收到时间"}
CHANGE_LABELS = {"field": "项目", "before": "上月", "after": "本月"}
SUBMISSION_COLUMNS = ["report_month", "timeliness", "days_late", "first_received_at", "accepted_submissions",
                      "review_state", "review_reason"]
POINT_COLUMNS = ["due_date", "point", "share", "needed", "p_reach", "median", "low", "high"]
FLAG_COLUMNS = ["report_month", "severity", "code", "org_name", "uscc", "message"]
# The factors first: on a narrow column the counts behind them scroll into view.
VERIFICATION_COLUMNS = ["period", "org_factor", "member_factor", "outside_band", "packs", "organisations_checked",
                        "league_orgs_claimed", "league_orgs_confirmed", "members_claimed", "members_counted"]
ORGANISATION_FLAG_COLUMNS = ["report_month", "severity", "code", "message"]


def areas_figure(areas: pl.DataFrame, level: str) -> go.Figure:
    """Coverage and completion side by side for each district or unit, as bars across (names stay readable on a phone)."""
    figure = go.Figure()
    for column, name, colour in (("coverage", "团组织覆盖率", "#0072B2"), ("completion", "新建目标完成率", "#D55E00")):
        figure.add_bar(
            y=areas[level], x=areas[column], name=name, marker_color=colour, orientation="h",
            text=[ui.percent(v) for v in areas[column]], textposition="outside", cliponaxis=False,
            customdata=areas.select("organisations", "gaps", "done", "target").rows(),
            hovertemplate=(f"%{{y}}<br>{name}：%{{x:.1%}}<br>组织数：%{{customdata[0]}} 个"
                           "<br>空白点：%{customdata[1]} 个<br>新建/目标：%{customdata[2]} / %{customdata[3]} 个"
                           "<extra></extra>"),
        )
    label = ui.COLUMN_LABELS[level]
    top = max(areas["coverage"].max() or 0, areas["completion"].max() or 0, 1.0)
    figure.update_layout(
        title={"text": f"各{label}团组织覆盖率与新建目标完成率（点击条形查看详情）", **ui.TOP_TITLE}, barmode="group",
        yaxis={"title": None, "type": "category", "autorange": "reversed"},
        xaxis={"title": "比例（%）", "tickformat": ".0%", "range": [0, top * 1.3]},
        legend=ui.TOP_LEGEND, margin={"t": 110}, height=max(320, 56 * areas.height + 180),
    )
    return figure


def organisation_label(row: dict) -> str:
    flag = "🔴 " if row["must_build_now"] else "🟠 " if row["is_gap"] else ""
    return f"{flag}{row['org_name']}（{row['uscc']}）"


def choose(container, label: str, options: list, key: str, placeholder: str, **widget):
    """A level's selector, kept in the address bar; a level without options (nothing chosen above) is greyed out."""
    return ui.addressed_selectbox(container, label, options, key, str, index=None, placeholder=placeholder,
                                  disabled=not options, **widget)


def districts_view(as_of) -> None:
    districts = ui.fetch(queries.area_summary, as_of_month=as_of).rename({"area": "district"})
    st.subheader("各区县")
    ui.chart_that_drills(areas_figure(districts, "district"), "districts_chart", lambda point: View(point["y"]))
    ui.table_with_download(districts, ["district", *AREA_COLUMNS], f"各区县情况_{as_of:%Y-%m}.xlsx", key="districts",
                           drill=lambda row: View(row["district"]))


def district_view(as_of, district: str, units: pl.DataFrame) -> None:
    st.subheader(f"{district}各单位")
    ui.chart_that_drills(areas_figure(units, "unit"), "units_chart", lambda point: View(district, point["y"]))
    ui.table_with_download(units, ["unit", *AREA_COLUMNS], f"{district}各单位情况_{as_of:%Y-%m}.xlsx", key="units",
                           drill=lambda row: View(district, row["unit"]))


def unit_headline(progress: dict | None, area: dict | None, submissions: pl.DataFrame, flags: pl.DataFrame) -> None:
    timeliness = submissions["timeliness"].value_counts().rows() if not submissions.is_empty() else []
    counted = dict(timeliness)
    severe = flags.filter(pl.col("severity") == "严重").height if not flags.is_empty() else 0
    first, second = st.columns(3), st.columns(3)
    if progress:
        first[0].metric("新建/年度目标", f"{ui.count(progress['done'])} / {ui.count(progress['target'])}",
                        help=f"完成率 {ui.percent(progress['completion'])}，序时进度 {ui.percent(progress['expected'])}")
        first[1].metric("进度状态", ui.status_label(progress["status"]) or "—")
    if area:
        first[2].metric("团组织覆盖率", ui.percent(area["coverage"]),
                        help=f"{area['with_league_org']} / {area['organisations']} 个组织已建团组织")
        second[0].metric("空白点", f"{area['gaps']} 个")
    second[1].metric("本年报送：按时 / 逾期", f"{counted.get('按时', 0)} / {counted.get('逾期', 0)}")
    second[2].metric("本年未报送", f"{counted.get('未报送', 0)} 个月")
    if severe:
        st.error(f"今年有 {severe} 条严重的数据质量提示，见下方“数据质量提示”。", icon=":material/report:")


def forecast_sentence(forecast: dict | None) -> str:
    """The unit's forecast at its next milestone (or the year end) and for the year's target, in words."""
    if forecast is None or forecast["next_milestone_date"] is None:
        return "今年的时间节点均已过，没有需要预测的节点。"
    if forecast["target"] is None:
        return "本单位没有年度目标，无法预测能否达到节点。"
    due = forecast["next_milestone_date"]
    said = (f"到{ui.point_label(due)}（要求累计 {forecast['next_milestone_needed']} 个）预计累计新建 "
            f"{forecast['next_median']} 个（80% 区间 {forecast['next_low']}–{forecast['next_high']} 个），"
            f"达到的概率{ui.chance(forecast['p_next_milestone'])}")
    if forecast["needed_per_month"]:
        said += f"；按计划每月还需新建 {ui.count(forecast['needed_per_month'])} 个"
    if not ui.is_year_end(due) and forecast["p_year_target"] is not None:
        said += f"。完成年度目标（{forecast['target']} 个）的概率{ui.chance(forecast['p_year_target'])}"
    return said + "。"


def unit_page(as_of, district: str, unit: str) -> None:
    progress = ui.fetch(queries.progress_by_unit, as_of_month=as_of).filter(pl.col("unit") == unit)
    area = ui.fetch(queries.area_summary, as_of_month=as_of, district=district).filter(pl.col("area") == unit)
    submissions = ui.fetch(queries.submission_grid, as_of_month=as_of).filter(pl.col("unit") == unit)
    flags = ui.fetch(queries.flag_list, as_of_month=as_of, unit=unit)
    st.subheader(f"{unit}概况（{ui.month_label(as_of)}末）")
    unit_headline(progress.row(0, named=True) if progress.height else None,
                  area.row(0, named=True) if area.height else None, submissions, flags)

    forecast = ui.fetch(queries.milestone_forecast, as_of_month=as_of).filter(pl.col("unit") == unit)
    verification = ui.fetch(queries.verification_by_unit, as_of_month=as_of).filter(pl.col("unit") == unit)
    left, right = st.columns(2)
    with left:
        st.markdown("**节点预测**")
        st.caption(forecast_sentence(forecast.row(0, named=True) if forecast.height else None))
        points = ui.fetch(queries.milestone_forecast_points, as_of_month=as_of).filter(pl.col("unit") == unit)
        if points.height > 1:
            ui.table_with_download(points, POINT_COLUMNS, f"各节点预测_{unit}_{as_of:%Y-%m}.xlsx",
                                   key="unit_forecast_points", labels={"due_date": "节点日期"})
        st.markdown("**报送与审核**")
        ui.table_with_download(submissions, SUBMISSION_COLUMNS, f"报送情况_{unit}_{as_of:%Y-%m}.xlsx",
                               key="unit_submissions")
    with right:
        st.markdown(f"**数据质量提示（今年 {flags.height} 条）**")
        if flags.is_empty():
            st.caption(f"{as_of.year}年截至{ui.month_label(as_of)}没有数据质量提示。")
        else:
            ui.table_with_download(flags, FLAG_COLUMNS, f"数据质量提示_{unit}_{as_of:%Y-%m}.xlsx", key="unit_flags",
                                   drill=lambda row: View(district, unit, row["uscc"]) if row["uscc"] else View(district, unit))
        st.markdown("**抽查核实**")
        if verification.is_empty():
            st.caption("本单位还没有载入抽查结果。可到“随机抽查”页面生成抽查包。")
        else:
            ui.table_with_download(verification, VERIFICATION_COLUMNS,
                                   f"抽查核实_{unit}_{as_of:%Y-%m}.xlsx", key="unit_verification")
    youth_voice = ui.fetch(queries.youth_voice_by_month, as_of_month=as_of, unit=unit)
    with st.expander(f"青年之声（{youth_voice.height} 个月）"):
        ui.table_with_download(youth_voice, ["month", *queries.YOUTH_VOICE_METRICS], f"青年之声_{unit}_{as_of:%Y-%m}.xlsx",
                               key="unit_youth_voice")
        times = ui.fetch(queries.question_reply_times, as_of_month=as_of).filter(pl.col("unit") == unit)
        waiting = ui.fetch(queries.question_backlog, as_of_month=as_of).filter(pl.col("unit") == unit)
        if not times.is_empty() or not waiting.is_empty():
            st.caption("问题明细：本月问题的回复时效，以及截至月末仍在等待有效回复的问题。")
            ui.table_with_download(times, ["questions", "answered", "median_hours", "p90_hours", "within_day_share",
                                           "within_week_share"], f"青年之声回复时效_{unit}_{as_of:%Y-%m}.xlsx",
                                   key="unit_reply_times")
            ui.table_with_download(waiting, ["waiting", *question_queries.WAITING_BANDS, "oldest_days"],
                                   f"青年之声未回复积压_{unit}_{as_of:%Y-%m}.xlsx", key="unit_backlog",
                                   labels=question_queries.WAITING_BANDS)


def organisations_view(as_of, district: str, unit: str, organisations: pl.DataFrame) -> None:
    st.subheader(f"{unit}现场核查清单")
    if organisations.is_empty():
        ui.empty_state(f"{unit}截至{ui.month_label(as_of)}还没有报送过台账。")
        return
    st.caption("空白点（🔴 已有党组织、须立即建团；🟠 应建未建）和今年新建的组织排在前面，供到现场逐一核对。")
    ui.table_with_download(organisations.with_columns(must_build_now=ui.gap_flag(pl.col("must_build_now"), pl.col("is_gap"))),
                           ORGANISATION_COLUMNS, f"现场核查清单_{unit}_{as_of:%Y-%m}.xlsx", key="organisations",
                           drill=lambda row: View(district, unit, row["uscc"]))


def organisation_page(as_of, uscc: str, name: str) -> None:
    history = ui.fetch(queries.organisation_history, as_of_month=as_of, uscc=uscc)
    st.subheader(f"{name}逐月记录")
    labels = ui.COLUMN_LABELS | HISTORY_LABELS
    st.caption(f"每月一列，{drill.CHANGED_MARK.strip()} 表示与上月相比有变化；“来源文件”是该月数值所出自的报送文件。")
    ui.table_with_download(drill.side_by_side(history, HISTORY_FIELDS, labels), None,
                           f"逐月对照_{uscc}.xlsx", key="side_by_side")
    changes = drill.month_changes(history, HISTORY_FIELDS[:-3])
    st.markdown(f"**逐月变化（{changes.height} 项）**")
    ui.table_with_download(changes.with_columns(pl.col("field").replace_strict(labels, default=pl.col("field"))),
                           ["report_month", "field", "before", "after"], f"逐月变化_{uscc}.xlsx", key="changes",
                           labels=CHANGE_LABELS)
    flags = ui.fetch(queries.flag_list, as_of_month=as_of, uscc=uscc)
    st.markdown(f"**数据质量提示（{flags.height} 条）**")
    if flags.is_empty():
        st.caption("这个组织没有数据质量提示。")
    else:
        ui.table_with_download(flags, ORGANISATION_FLAG_COLUMNS, f"数据质量提示_{uscc}.xlsx", key="organisation_flags")
    with st.expander("逐月台账明细"):
        ui.table_with_download(history, HISTORY_COLUMNS, f"逐月记录_{uscc}.xlsx", key="history",
                               labels=HISTORY_LABELS)


as_of = ui.require_as_of_month()
st.title("督导下钻")
st.caption(f"数据截至 {ui.month_label(as_of)}末：从区县到单位再到组织，逐级查看覆盖、空白点和新建进度，并下载现场核查清单。"
           f"当前视图在地址栏中，可收藏或发送给同事。{ui.basis_text()}")

district_names = ui.fetch(queries.area_summary, as_of_month=as_of)["area"].to_list()
selectors = st.columns(3)
district = choose(selectors[0], "区县", district_names, "drill_district", "选择区县，查看其各单位")
units = (ui.fetch(queries.area_summary, as_of_month=as_of, district=district).rename({"area": "unit"})
         if district else pl.DataFrame(schema={"unit": pl.String}))
unit = choose(selectors[1], "单位", units["unit"].to_list(), "drill_unit", "选择单位，查看其概况和组织")
organisations = ui.fetch(queries.unit_organisations, as_of_month=as_of, unit=unit) if unit else None
by_code = {row["uscc"]: row for row in organisations.iter_rows(named=True)} if organisations is not None else {}
# The organisation is addressed by its credit code: its label carries flags that change month to month.
uscc = choose(selectors[2], "组织", list(by_code), "drill_org", "选择组织，查看其逐月台账记录",
              format_func=lambda code: organisation_label(by_code[code]))
view = View(district, unit, uscc)
drill.breadcrumbs(view, by_code[uscc]["org_name"] if uscc else None)

if uscc:
    organisation_page(as_of, uscc, by_code[uscc]["org_name"])
elif unit:
    unit_page(as_of, district, unit)
    organisations_view(as_of, district, unit, organisations)
elif district:
    district_view(as_of, district, units)
else:
    districts_view(as_of)
