"""下钻: city -> district -> unit -> organisation, for inspectors on a supervision visit."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import queries, ui

AREA_COLUMNS = ["status", "organisations", "with_league_org", "coverage", "gaps", "must_build",
                "done", "target", "completion", "expected"]
ORGANISATION_COLUMNS = [
    "must_build_now", "is_new", "org_name", "uscc", "industry", "org_type", "street", "park",
    "employees", "youth_employees", "league_members", "has_party_org", "has_league_org", "league_org_kind",
    "league_org_date", "directly_managed", "leader_name", "leader_phone", "ledger_month", "signed_off",
]
HISTORY_COLUMNS = [
    "report_month", "unit", "org_name", "employees", "youth_employees", "league_members", "has_party_org",
    "has_league_org", "league_org_kind", "build_mode", "build_path", "league_org_date", "directly_managed",
    "leader_name", "leader_phone", "note", "signed_off",
]


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
        title={"text": f"各{label}团组织覆盖率与新建目标完成率", **ui.TOP_TITLE}, barmode="group",
        yaxis={"title": None, "type": "category", "autorange": "reversed"},
        xaxis={"title": "比例（%）", "tickformat": ".0%", "range": [0, top * 1.3]},
        legend=ui.TOP_LEGEND, margin={"t": 110}, height=max(320, 56 * areas.height + 180),
    )
    return figure


def organisation_label(row: dict) -> str:
    flag = "🔴 " if row["must_build_now"] else "🟠 " if row["is_gap"] else ""
    return f"{flag}{row['org_name']}（{row['uscc']}）"


as_of = ui.require_as_of_month()
st.title("督导下钻")
st.caption(f"数据截至 {ui.month_label(as_of)}末：从区县到单位再到组织，逐级查看覆盖、空白点和新建进度，并下载现场核查清单。{ui.basis_text()}")

districts = ui.fetch(queries.area_summary, as_of_month=as_of).rename({"area": "district"})
st.subheader("各区县")
ui.table_with_download(districts, ["district", *AREA_COLUMNS], f"各区县情况_{as_of:%Y-%m}.xlsx", key="districts")

district = st.selectbox("区县", districts["district"].to_list(), index=None, placeholder="选择区县，查看其各单位",
                        key="drill_district", bind="query-params")
if district is None:
    st.stop()

units = ui.fetch(queries.area_summary, as_of_month=as_of, district=district).rename({"area": "unit"})
st.subheader(f"{district}各单位")
st.plotly_chart(areas_figure(units, "unit"), key="units_chart")
ui.table_with_download(units, ["unit", *AREA_COLUMNS], f"{district}各单位情况_{as_of:%Y-%m}.xlsx", key="units")

unit = st.selectbox("单位", units["unit"].to_list(), index=None, placeholder="选择单位，查看其台账中的组织",
                    key="drill_unit", bind="query-params")
if unit is None:
    st.stop()

organisations = ui.fetch(queries.unit_organisations, as_of_month=as_of, unit=unit)
st.subheader(f"{unit}现场核查清单")
if organisations.is_empty():
    ui.empty_state(f"{unit}截至{ui.month_label(as_of)}还没有报送过台账。")
    st.stop()
st.caption("空白点（🔴 已有党组织、须立即建团；🟠 应建未建）和今年新建的组织排在前面，供到现场逐一核对。")
ui.table_with_download(organisations.with_columns(must_build_now=ui.gap_flag(pl.col("must_build_now"), pl.col("is_gap"))),
                       ORGANISATION_COLUMNS, f"现场核查清单_{unit}_{as_of:%Y-%m}.xlsx",
                       key="organisations")

by_code = {row["uscc"]: row for row in organisations.iter_rows(named=True)}
# The organisation is addressed by its credit code: its label carries flags that change month to month.
uscc = ui.addressed_selectbox(st, "组织", list(by_code), "drill_org", str, index=None,
                              format_func=lambda code: organisation_label(by_code[code]),
                              placeholder="选择组织，查看其逐月台账记录")
if uscc is None:
    st.stop()
history = ui.fetch(queries.organisation_history, as_of_month=as_of, uscc=uscc)
st.subheader(f"{by_code[uscc]['org_name']}逐月记录")
ui.table_with_download(history, HISTORY_COLUMNS, f"逐月记录_{uscc}.xlsx", key="history")
