"""报送: whether each unit's monthly ledger arrived on time, late or not at all."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import queries, ui
from league.drill import unit_view

TIMELINESS_CODES = {name: code for code, name in enumerate(queries.TIMELINESS)}
GRID_COLUMNS = ["unit", "district", "report_month", "timeliness", "days_late", "first_received_at", "due_date",
                "accepted_submissions", "review_state", "review_reason"]
RATE_COLUMNS = ["report_month", "units", "submitted", "on_time", "late", "missing", "signed_off", "reporting_rate",
                "on_time_rate"]
COMPLETENESS_COLUMNS = ["district", "unit", "period", "units", "submitted", "on_time", "late", "missing", "signed_off",
                        "reporting_rate", "on_time_rate"]
HISTORY_COLUMNS = ["happened_at", "step", "actor", "detail"]

RECEIVED_COLUMNS = ["received_at", "submitted_by", "file_name", "kind", "unit", "report_month", "outcome", "rows",
                    "error_count"]

def headline(month: dict) -> None:
    columns = st.columns(4)
    columns[0].metric("报送率", ui.percent(month["reporting_rate"]), help="已报送台账的单位占应报单位的比例")
    columns[1].metric("按时报送率", ui.percent(month["on_time_rate"]), help="按时报送的单位占应报单位的比例")
    columns[2].metric("逾期报送", f"{month['late']} 个单位")
    columns[3].metric("未报送", f"{month['missing']} 个单位")


def rates_figure(rates: pl.DataFrame, year: int) -> go.Figure:
    figure = go.Figure()
    for column, name, colour in (("reporting_rate", "报送率", "#1565c0"), ("on_time_rate", "按时报送率", "#2e7d32")):
        figure.add_scatter(
            x=rates["report_month"], y=rates[column], mode="lines+markers", name=name, line={"color": colour},
            customdata=rates.select("submitted", "on_time", "units").rows(),
            hovertemplate=(f"%{{x|%Y年%-m月}}<br>{name}：%{{y:.0%}}"
                           "<br>已报送 %{customdata[0]} / 按时 %{customdata[1]} / 应报 %{customdata[2]} 个单位<extra></extra>"),
        )
    figure.update_layout(
        title={"text": f"{year}年各月台账报送率", **ui.TOP_TITLE},
        xaxis={"title": "月份", "tickformat": "%-m月", "dtick": "M1"},
        yaxis={"title": "占应报单位比例（%）", "tickformat": ".0%", "range": [0, 1.05]},
        legend=ui.TOP_LEGEND, margin={"t": 100},
    )
    return figure


def most_owing(grid: pl.DataFrame) -> pl.DataFrame:
    """The units the grid chart draws, in its order: the most months missing, then late, first (at most
    ui.CHART_ROWS of them)."""
    owing = (grid.group_by("unit", maintain_order=True)
             .agg(missing=(pl.col("timeliness") == "未报送").sum(), late=(pl.col("timeliness") == "逾期").sum())
             .sort("missing", "late", descending=True, maintain_order=True))
    return ui.chart_rows(owing, "单位").select("unit")


def grid_figure(grid: pl.DataFrame) -> go.Figure:
    """Units down, months across; colour and a word in every cell, so colour is never the only cue."""
    units = grid.select("unit", "district").unique(maintain_order=True)
    months = grid["report_month"].unique().sort().to_list()
    cells = {(row["unit"], row["report_month"]): row for row in grid.iter_rows(named=True)}
    # A unit not yet created, or closed, is not expected that month: its cell stays empty.
    blank = {"timeliness": None, "district": "", "first_received_at": None, "due_date": None}
    rows = [[cells.get((unit, month), blank) for month in months] for unit in units["unit"]]
    colours = [ui.TIMELINESS_COLOURS[name] for name in queries.TIMELINESS]
    colourscale = [[stop, colour] for code, colour in enumerate(colours)
                   for stop in (code / len(colours), (code + 1) / len(colours))]
    figure = go.Figure(go.Heatmap(
        z=[[TIMELINESS_CODES.get(c["timeliness"]) for c in row] for row in rows],
        x=[f"{month.month}月" for month in months], y=units["unit"].to_list(),
        zmin=-0.5, zmax=len(colours) - 0.5, colorscale=colourscale, showscale=False, xgap=2, ygap=2,
        text=[[ui.timeliness_label(c["timeliness"]) for c in row] for row in rows], texttemplate="%{text}",
        customdata=[[[c["district"], f"{c['first_received_at']:%Y-%m-%d %H:%M}" if c["first_received_at"] else "—",
                      f"{c['due_date']:%Y-%m-%d}" if c["due_date"] else "—"] for c in row] for row in rows],
        hovertemplate=("%{y}（%{customdata[0]}）· %{x}<br>%{text}<br>首次报送：%{customdata[1]}"
                       "<br>截止日期：%{customdata[2]}<extra></extra>"),
    ))
    figure.update_layout(
        title={"text": "各单位各月台账报送情况（✅ 按时 · ⏰ 逾期 · ❌ 未报送）", **ui.TOP_TITLE},
        xaxis={"title": None, "side": "top", "dtick": 1}, yaxis={"title": None, "autorange": "reversed", "dtick": 1},
        height=max(300, 30 * units.height + 160), font={"size": 12},
    )
    return figure


def by_month(grid: pl.DataFrame, sign: pl.Expr) -> pl.DataFrame:
    """A row per unit, a column per month (1月, 2月, …), each cell the sign of that unit-month."""
    return (
        grid.with_columns(month=pl.col("report_month").dt.month().cast(pl.String) + "月", sign=sign)
        .pivot(on="month", index=["unit", "district"], values="sign", sort_columns=False, maintain_order=True)
        .rename({"unit": "单位", "district": "所属区县"})
    )


def narrow_grid(grid: pl.DataFrame) -> None:
    """The grid as a table for a narrow screen: a row per unit, a column per month, the sign of each."""
    st.markdown("**各单位各月台账报送情况**")
    st.caption("✅ 按时 · ⏰ 逾期 · ❌ 未报送；左右滑动查看各月。")
    st.dataframe(by_month(grid, pl.col("timeliness").replace_strict(ui.TIMELINESS_ICONS)), hide_index=True,
                 key="submission_grid_narrow", column_config={"单位": st.column_config.TextColumn(pinned=True)})
    ui.xlsx_download(by_month(grid, pl.col("timeliness")), f"各单位各月报送情况_{as_of:%Y}.xlsx",
                     "submission_grid_narrow")


as_of = ui.require_as_of_month()
due_day = int(ui.fetch_reference(queries.plan_settings).filter(pl.col("name") == "ledger_due_day")["value"][0])
st.title(f"{as_of.year}年台账报送情况")
st.caption(f"截至 {ui.month_label(as_of)}；每月台账应于当月 {due_day} 日（含）前报送，以首次被接收的台账为准。")

grid = ui.fetch(queries.submission_grid, as_of_month=as_of)
if grid.is_empty():
    ui.empty_state("当前范围内没有需要报送台账的单位。")
    st.stop()

rates = ui.fetch(queries.submission_rates, as_of_month=as_of)
st.subheader(f"{ui.month_label(as_of)}")
headline(rates.filter(pl.col("report_month") == as_of).row(0, named=True))

st.plotly_chart(rates_figure(rates, as_of.year), key="submission_rates_chart")
ui.table_with_download(rates, RATE_COLUMNS, f"台账报送率_{as_of:%Y-%m}.xlsx", key="submission_rates")

st.subheader(f"{ui.month_label(as_of)}区县审核情况")
st.caption("各区县团委对所属单位本月台账的审核：🔒 已审核锁定的台账才计入“只计已审核数据”口径。")
ui.table_with_download(ui.fetch(queries.sign_off_by_district, as_of_month=as_of),
                       ["district", "units", *queries.REVIEW_STATES], f"区县审核情况_{as_of:%Y-%m}.xlsx",
                       key="sign_off_by_district", labels=queries.REVIEW_STATES)

st.subheader("各区县、各单位报送完整性")
st.caption("应报单位数随单位设立、撤并变化（年中新设的单位自设立当月起应报，撤并的单位撤并后不再应报），"
           "报送率、按时报送率都以应报单位数为分母。")
completeness = ui.fetch(queries.completeness, as_of_month=as_of)
period = st.radio("期间", ["month", "year_to_date"], format_func=ui.PERIOD_WORDS.get, horizontal=True,
                  key="completeness_period")
level = st.radio("按", ["district", "unit"], format_func={"district": "区县", "unit": "单位"}.get, horizontal=True,
                 key="completeness_level")
total = completeness.filter((pl.col("period") == period) & (pl.col("level") == "total")).row(0, named=True)
st.caption(f"{ui.PERIOD_WORDS[period]}合计：应报 {total['units']} 个，已报送 {total['submitted']} 个"
           f"（报送率 {ui.percent(total['reporting_rate'])}），按时 {total['on_time']} 个"
           f"（按时报送率 {ui.percent(total['on_time_rate'])}），已审核 {total['signed_off']} 个。")
shown = completeness.filter((pl.col("period") == period) & (pl.col("level") == level))
ui.table_with_download(shown, [c for c in COMPLETENESS_COLUMNS if level == "unit" or c != "unit"],
                       f"报送完整性_{as_of:%Y-%m}.xlsx", key="completeness", labels={"units": "应报（个）"})

st.subheader("各单位报送明细")
wide, narrow = ui.wide_and_narrow("submission_grid")
with wide:
    st.plotly_chart(grid_figure(most_owing(grid).join(grid, on="unit", maintain_order="left")),
                    key="submission_grid_chart")
with narrow:
    narrow_grid(grid)
ui.table_with_download(grid, GRID_COLUMNS, f"台账报送明细_{as_of:%Y-%m}.xlsx", key="submission_grid",
                       drill=unit_view)

st.subheader("某单位某月的各环节记录")
st.caption("报送、重新报送、退回修改、审核通过、重新开放，每一步的操作人、时间和原因。")
left, right = st.columns(2)
grid_units = grid["unit"].unique(maintain_order=True).to_list()
history_unit = left.selectbox("单位", grid_units, index=0 if len(grid_units) == 1 else None,
                              placeholder="选择一个单位", key="history_unit")
history_months = grid["report_month"].unique().sort(descending=True).to_list()
history_month = right.selectbox("月份", history_months, format_func=ui.month_label, key="history_month")
if history_unit is not None:
    history = ui.fetch(queries.review_history, history_month, unit=history_unit)
    if history.is_empty():
        st.caption(f"“{history_unit}”{ui.month_label(history_month)}还没有任何报送。")
    else:
        ui.table_with_download(history, HISTORY_COLUMNS, f"报送记录_{history_unit}_{history_month:%Y-%m}.xlsx",
                               key="history")

st.subheader("收到的文件")
st.caption("每个收到的文件都按原样保存，无论是否通过检查；选中一个即可重新下载原件。")
files = ui.fetch(queries.received_files)
ui.table_with_download(files, RECEIVED_COLUMNS, "收到的文件.xlsx", key="received_files")
by_id = {row["submission_id"]: row for row in files.iter_rows(named=True)}
chosen = st.selectbox("下载原件", list(by_id), index=None, placeholder="选择一个收到的文件",
                      format_func=lambda i: f"{by_id[i]['received_at']:%Y-%m-%d %H:%M} {by_id[i]['file_name']}"
                                            f"（{ui.OUTCOME_WORDS[by_id[i]['outcome']]}）")
original = ui.raw_file(by_id[chosen]["sha256"]) if chosen is not None else None
if original is not None:
    st.download_button(f"下载“{by_id[chosen]['file_name']}”原件", file_name=by_id[chosen]["file_name"],
                       data=ui.audited(lambda: original, f"原件：{by_id[chosen]['file_name']}",
                                       unit=by_id[chosen]["unit"]),
                       icon=":material/download:", key="raw_file_download")
elif chosen is not None:
    st.caption("该文件超过大小上限，已拒收：只记录了它的校验值（SHA-256）和大小，没有保存原件。")
