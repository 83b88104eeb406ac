"""The month-end bulletin (月度通报): the month's figures in generated Chinese sentences, tables and charts.

Every number comes from the named queries the pages use (league.queries),
read through league.gateway as an actor, so a district's bulletin covers its
district only. The numbers a sentence quotes are kept in `Bulletin.facts`
under a name, as the query returned them, so tests compare them with the
queries. Writing the bulletin to .docx or .pdf is league.bulletin_render;
this module does not import streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import plotly.graph_objects as go
import polars as pl

from league import gateway, queries
from league.access import Actor
from league.db import Database

TOP_GAP_CELLS = 10  # district x industry cells listed with the most gaps
UNITS_NAMED = 3  # units named at the top and bottom of the ranking
LOWEST_REPLY_RATES = 5  # units listed with the lowest Youth Voice reply rate
ON_TIME, LATE, MISSING = queries.TIMELINESS
# Chart colours, as the pages draw them (league.ui holds the same; it imports streamlit, which this module must not).
STATUS_COLOURS = {"达到序时进度": "#2e7d32", "略有滞后": "#f9a825", "滞后": "#c62828", "无目标": "#9e9e9e"}
TOP_LEGEND = {"title": None, "orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}


class BulletinError(ValueError):
    """A bulletin that cannot be made for this month or scope; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Table:
    caption: str
    frame: pl.DataFrame  # Chinese headers; shares and dates already written out as text


@dataclass(frozen=True)
class Chart:
    caption: str
    figure: go.Figure


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str]
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class Bulletin:
    title: str
    scope: str
    month: date
    sections: list[Section]
    facts: dict[str, Any]  # every number a sentence quotes, by name, as the queries returned it
    images: dict[int, bytes] = field(default_factory=dict, repr=False, compare=False)  # PNGs, once rendered

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]

    @property
    def rows(self) -> int:
        return sum(table.frame.height for section in self.sections for table in section.tables)


# --- words and numbers ---------------------------------------------------------

def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def names(frame: pl.DataFrame, column: str = "unit") -> str:
    return "、".join(frame[column].to_list())


def _shown(frame: pl.DataFrame, columns: dict[str, str], percents: tuple[str, ...] = ()) -> pl.DataFrame:
    """The chosen columns under Chinese headers: shares as 90.7%, dates and times as text, blanks as —."""
    shown = []
    for name, label in columns.items():
        column, dtype = pl.col(name), frame.schema[name]
        if name in percents:
            column = column.map_elements(percent, return_dtype=pl.String)
        elif dtype == pl.Datetime:
            column = column.dt.strftime("%Y-%m-%d %H:%M")
        elif dtype == pl.Date:
            column = column.dt.strftime("%Y-%m-%d")
        if not dtype.is_numeric() or name in percents:
            column = column.cast(pl.String).fill_null("—")
        shown.append(column.alias(label))
    return frame.select(shown)


def _ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """Highest completion first (no target last), with its rank."""
    return (frame.sort(["completion", "done"], descending=True, nulls_last=True)
            .with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64)))


# --- the sections ----------------------------------------------------------------

def _progress_section(scope: str, month: date, total: dict, trend: pl.DataFrame, facts: dict) -> Section:
    facts.update({f"total_{k}": total[k] for k in (
        "done", "target", "completion", "expected", "status", "short_of_expected", "milestone_date",
        "milestone_share", "short_of_milestone", "units", "units_behind")})
    if total["target"] is None:
        first = (f"截至{month_label(month)}末，{scope}今年新建团组织 {count(total['done'])} 个；"
                 f"尚未收到{month.year}年的任务分解表，无法计算完成率。")
        return Section("一、总体进度", [first])
    paragraphs = [
        f"截至{month_label(month)}末，{scope}今年新建团组织 {count(total['done'])} 个，"
        f"年度目标 {count(total['target'])} 个，完成率 {percent(total['completion'])}，"
        f"序时进度 {percent(total['expected'])}，{total['status']}。"
    ]
    if total["milestone_date"] is not None:
        milestone = f"{day_label(total['milestone_date'])}节点（应完成年度目标的{total['milestone_share']:.0%}）"
        short = total["short_of_milestone"]
        paragraphs.append(
            f"本月对照{milestone}，" + (f"还差 {count(short)} 个团组织。" if short else "已经达到。")
            + (f"距序时进度还差 {count(total['short_of_expected'])} 个。" if total["short_of_expected"] else "")
        )
    paragraphs.append(f"{count(total['units'])} 个报送单位中，{count(total['units_behind'])} 个进度滞后（含略有滞后）。")
    return Section("一、总体进度", paragraphs,
                   charts=[Chart(f"{month.year}年累计新建团组织与序时进度", trend_figure(trend, month.year))])


def _ranking_section(month: date, districts: pl.DataFrame, units: pl.DataFrame, facts: dict) -> Section:
    districts, units = _ranked(districts), _ranked(units)
    facts["district_ranking"] = districts.select("district", "done", "target", "completion").rows()
    facts["unit_ranking"] = units.select("unit", "done", "target", "completion").rows()
    judged = units.filter(pl.col("completion").is_not_null())
    paragraphs = []
    if districts.height > 1 and districts["completion"].is_not_null().any():
        top, bottom = districts.row(0, named=True), districts.drop_nulls("completion").row(-1, named=True)
        paragraphs.append(f"各区县中，完成率最高的是{top['district']}（{percent(top['completion'])}），"
                          f"最低的是{bottom['district']}（{percent(bottom['completion'])}）。")
    if judged.height > UNITS_NAMED * 2:
        paragraphs.append(
            "各单位中，完成率居前的是" + "、".join(f"{u}（{percent(c)}）" for u, c in
                                            judged.head(UNITS_NAMED).select("unit", "completion").rows())
            + "；居后的是" + "、".join(f"{u}（{percent(c)}）" for u, c in
                                 judged.tail(UNITS_NAMED).reverse().select("unit", "completion").rows()) + "。")
    columns = {"rank": "排名", "done": "已新建（个）", "target": "年度目标（个）", "completion": "完成率",
               "expected": "序时进度", "status": "进度状态"}
    district_table = _shown(districts, {"rank": "排名", "district": "区县", **columns, "units_behind": "滞后单位数"},
                            ("completion", "expected"))
    unit_table = _shown(units, {"rank": "排名", "unit": "单位", "district": "所属区县", **columns},
                        ("completion", "expected"))
    return Section(
        "二、各区县、各单位完成情况", paragraphs,
        tables=[Table(f"各区县新建团组织完成率排名（{month_label(month)}末）", district_table),
                Table(f"各单位新建团组织完成率排名（{month_label(month)}末）", unit_table)],
        charts=[Chart("各区县新建团组织完成率", districts_figure(districts))],
    )


def _milestone_section(units: pl.DataFrame, total: dict, facts: dict) -> Section:
    passed_date, passed_share = total["passed_milestone_date"], total["passed_milestone_share"]
    facts.update(passed_milestone_date=passed_date, passed_milestone_share=passed_share)
    if passed_date is None:
        facts["units_short_of_passed"] = []
        return Section("三、未达到时间节点的单位", ["本月末前还没有到期的时间节点。"])
    short = (units.filter(pl.col("short_of_passed_milestone") > 0)
             .sort(["short_of_passed_milestone", "unit"], descending=[True, False]))
    facts["units_short_of_passed"] = short.select("unit", "short_of_passed_milestone").rows()
    milestone = f"{day_label(passed_date)}节点（应完成年度目标的{passed_share:.0%}）"
    if short.is_empty():
        return Section("三、未达到时间节点的单位", [f"已到期的{milestone}，各单位均已达到。"])
    paragraph = (f"已到期的{milestone}，有 {short.height} 个单位尚未达到，合计还差 "
                 f"{count(short['short_of_passed_milestone'].sum())} 个团组织，还差最多的是{names(short.head(UNITS_NAMED))}。")
    facts["short_of_passed_total"] = short["short_of_passed_milestone"].sum()
    table = _shown(short, {"unit": "单位", "district": "所属区县", "done": "已新建（个）", "target": "年度目标（个）",
                           "completion": "完成率", "short_of_passed_milestone": f"距{day_label(passed_date)}节点还差（个）"},
                   ("completion",))
    return Section("三、未达到时间节点的单位", [paragraph],
                   tables=[Table(f"未达到{day_label(passed_date)}节点的单位（按还差数从多到少）", table)])


def _submission_section(month: date, grid: pl.DataFrame, rates: pl.DataFrame, facts: dict) -> Section:
    this = rates.filter(pl.col("report_month") == month).row(0, named=True)
    facts.update({f"submission_{k}": this[k] for k in (
        "units", "submitted", "on_time", "late", "missing", "reporting_rate", "on_time_rate")})
    behind = grid.filter((pl.col("report_month") == month) & pl.col("timeliness").is_in([LATE, MISSING]))
    order = [pl.col("timeliness") == MISSING, *(["days_late"] if "days_late" in grid.columns else []), "district", "unit"]
    behind = behind.sort(order, descending=[True] * (len(order) - 2) + [False, False], nulls_last=True)
    facts["late_units"] = behind.filter(pl.col("timeliness") == LATE)["unit"].to_list()
    facts["missing_units"] = behind.filter(pl.col("timeliness") == MISSING)["unit"].to_list()
    paragraphs = [
        f"{month_label(month)}台账应报 {count(this['units'])} 个单位，已报送 {count(this['submitted'])} 个"
        f"（报送率 {percent(this['reporting_rate'])}），其中按时 {count(this['on_time'])} 个"
        f"（按时报送率 {percent(this['on_time_rate'])}）；逾期 {count(this['late'])} 个，未报送 {count(this['missing'])} 个。"
    ]
    if facts["late_units"]:
        paragraphs.append("逾期报送：" + "、".join(facts["late_units"]) + "。")
    if facts["missing_units"]:
        paragraphs.append("未报送：" + "、".join(facts["missing_units"]) + "。")
    columns = {"unit": "单位", "district": "所属区县", "timeliness": "报送情况", "due_date": "截止日期",
               "first_received_at": "首次报送时间"}
    if "days_late" in grid.columns:
        columns["days_late"] = "逾期天数"
    tables = [Table(f"{month_label(month)}逾期和未报送台账的单位", _shown(behind, columns))] if behind.height else []
    return Section("四、台账报送情况", paragraphs, tables=tables,
                   charts=[Chart(f"{month.year}年各月台账报送率", rates_figure(rates, month.year))])


def _coverage_section(month: date, coverage: pl.DataFrame, facts: dict) -> Section:
    whole = coverage.filter(pl.col("district").is_null())
    total = whole.row(0, named=True) if whole.height else {"gaps": 0, "must_build": 0}
    must_build = total["must_build"]
    facts.update(gap_list_rows=total["gaps"], must_build_now=must_build)
    if whole.is_empty():
        return Section("五、团组织覆盖和空白点", [f"{month_label(month)}末范围内还没有台账。"])
    facts.update({f"coverage_{k}": total[k] for k in ("organisations", "with_league_org", "coverage", "gaps")})
    cells = (coverage.filter(pl.col("district").is_not_null() & pl.col("industry").is_not_null() & (pl.col("gaps") > 0))
             .sort(["gaps", "coverage", "district", "industry"], descending=[True, False, False, False])
             .head(TOP_GAP_CELLS))
    facts["gap_cells"] = cells.select("district", "industry", "gaps").rows()
    paragraphs = [
        f"{month_label(month)}末台账在册组织 {count(total['organisations'])} 个，已建团组织 "
        f"{count(total['with_league_org'])} 个，覆盖率 {percent(total['coverage'])}；"
        f"空白点（团员达到建团人数而未建团组织）{count(total['gaps'])} 个，其中已建党组织、须立即建团 {count(must_build)} 个。"
    ]
    if cells.height:
        paragraphs.append("空白点最多的是" + "、".join(f"{d}{i}（{g} 个）" for d, i, g in facts["gap_cells"][:3]) + "。")
    table = _shown(cells, {"district": "区县", "industry": "行业", "gaps": "空白点数", "organisations": "组织数",
                           "with_league_org": "已建团组织数", "coverage": "覆盖率"}, ("coverage",))
    return Section("五、团组织覆盖和空白点", paragraphs,
                   tables=[Table(f"空白点最多的区县和行业（前 {TOP_GAP_CELLS} 位）", table)] if cells.height else [])


def _question_paragraph(month: date, times: pl.DataFrame, backlog: pl.DataFrame, facts: dict) -> list[str]:
    """What the question exports say of the month: how fast an effective answer came, and who still waits."""
    if times.is_empty():
        return []
    asked = times.row(0, named=True)
    waiting = backlog.filter(pl.col("unit").is_null())
    waiting = waiting.row(0, named=True) if waiting.height else {"waiting": 0, "waiting_over_month": 0}
    facts.update({"question_median_hours": asked["median_hours"], "question_within_day_share": asked["within_day_share"],
                  "question_waiting": waiting["waiting"], "question_waiting_over_month": waiting["waiting_over_month"]})
    median = "—" if asked["median_hours"] is None else f"{asked['median_hours']:.1f} 小时"
    return [f"据问题明细，{month_label(month)}提问 {count(asked['questions'])} 件，有效回复用时中位数 {median}，"
            f"24 小时内得到有效回复的占 {percent(asked['within_day_share'])}；截至月末仍有 {count(waiting['waiting'])} 件"
            f"等待有效回复，其中超过 30 天的 {count(waiting['waiting_over_month'])} 件。"]


def _youth_voice_section(month: date, monthly: pl.DataFrame, by_unit: pl.DataFrame, times: pl.DataFrame,
                         backlog: pl.DataFrame, facts: dict) -> Section:
    this = monthly.filter(pl.col("month") == month)
    if this.is_empty():
        facts["youth_voice_reported"] = False
        return Section("六、青年之声运行情况", [f"{month_label(month)}还没有青年之声运行月报。"])
    row = this.row(0, named=True)
    facts["youth_voice_reported"] = True
    facts.update({f"youth_voice_{k}": row[k] for k in (
        "units_reporting", "visits", "questions", "effective_replies", "reply_rate", "activities", "youth_reached")})
    paragraphs = [
        f"{month_label(month)}，{count(row['units_reporting'])} 个单位报送了青年之声运行月报：访问量 {count(row['visits'])} 次，"
        f"咨询求助及问题反映 {count(row['questions'])} 件，有效回复 {count(row['effective_replies'])} 件，"
        f"回复率 {percent(row['reply_rate'])}；开展线下服务活动 {count(row['activities'])} 场，"
        f"覆盖青年 {count(row['youth_reached'])} 人次。"
    ]
    earlier = monthly.filter(pl.col("month") < month).tail(1)
    if earlier.height and earlier["reply_rate"][0] is not None and row["reply_rate"] is not None:
        before = earlier.row(0, named=True)
        facts["youth_voice_previous_reply_rate"] = before["reply_rate"]
        change = row["reply_rate"] - before["reply_rate"]
        trend = "持平" if round(change, 3) == 0 else f"{'上升' if change > 0 else '下降'} {abs(change) * 100:.1f} 个百分点"
        paragraphs.append(f"回复率较{month_label(before['month'])}（{percent(before['reply_rate'])}）{trend}。")
    paragraphs += _question_paragraph(month, times, backlog, facts)
    lowest = by_unit.filter(pl.col("reply_rate").is_not_null()).sort(["reply_rate", "unit"]).head(LOWEST_REPLY_RATES)
    facts["lowest_reply_rates"] = lowest.select("unit", "reply_rate").rows()
    table = _shown(lowest, {"unit": "单位", "district": "所属区县", "questions": "咨询求助及问题反映数",
                            "effective_replies": "有效回复数", "reply_rate": "回复率"}, ("reply_rate",))
    return Section("六、青年之声运行情况", paragraphs,
                   tables=[Table(f"回复率最低的单位（前 {LOWEST_REPLY_RATES} 位）", table)] if lowest.height else [],
                   charts=[Chart("青年之声各月回复率", reply_rate_figure(monthly))])


def _flags_section(month: date, counts: pl.DataFrame, facts: dict) -> Section:
    """How many severe data-quality flags each district's units have this month (league.flags; the
    drill-down shows each flag with what to check on site)."""
    districts = (counts.group_by("district", maintain_order=True)
                 .agg(pl.col("severe", "warning", "hint").sum(),
                      severe_units=pl.col("unit").filter(pl.col("severe") > 0).str.join("、"))
                 .sort(["severe", "warning", "district"], descending=[True, True, False]))
    facts["severe_flags_by_district"] = dict(districts.select("district", "severe").iter_rows())
    severe = int(districts["severe"].sum())
    paragraphs = [f"{month_label(month)}台账和青年之声月报共有严重数据质量提示 {count(severe)} 条、警示 "
                  f"{count(int(districts['warning'].sum()))} 条、提示 {count(int(districts['hint'].sum()))} 条。"]
    if severe:
        paragraphs.append("严重提示分布在：" + "、".join(f"{d}（{n} 条）" for d, n in districts.select(
            "district", "severe").rows() if n) + "；请各区县团委对照“督导下钻”页面逐条核实。")
    table = _shown(districts.with_columns(pl.col("severe_units").replace("", None)),
                   {"district": "区县", "severe": "严重", "warning": "警示", "hint": "提示", "severe_units": "有严重提示的单位"})
    return Section("七、数据质量提示", paragraphs, tables=[Table(f"{month_label(month)}各区县数据质量提示", table)])


def bulletin(db: Database, actor: Actor, month: date) -> Bulletin:
    """The bulletin of `month` for what the actor may see, every figure read through the gateway."""
    month = month.replace(day=1)
    months = gateway.read(db, actor, queries.ledger_months)["report_month"].to_list()
    if month not in months:
        latest = f"最近有台账的月份是{month_label(max(months))}。" if months else "还没有任何已接收的台账。"
        raise BulletinError(f"{month_label(month)}没有已接收的台账，无法生成通报。{latest}")

    def read(query, **filters) -> pl.DataFrame:
        return gateway.read(db, actor, query, as_of_month=month, **filters)

    scope, facts = actor.view_scope, {}
    total = read(queries.progress_total).row(0, named=True)
    units = read(queries.progress_by_unit)
    sections = [
        _progress_section(scope, month, total, read(queries.progress_trend), facts),
        _ranking_section(month, read(queries.progress_by_district), units, facts),
        _milestone_section(units, total, facts),
        _submission_section(month, read(queries.submission_grid), read(queries.submission_rates), facts),
        _coverage_section(month, read(queries.coverage), facts),
        _youth_voice_section(month, read(queries.youth_voice_by_month), read(queries.youth_voice_by_unit),
                             read(queries.question_reply_times), read(queries.question_backlog), facts),
        _flags_section(month, read(queries.flag_counts), facts),
    ]
    return Bulletin(f"{scope}团建工作月度通报（{month_label(month)}）", scope, month, sections, facts)


# --- the charts (as the pages draw them) ------------------------------------------

def _layout(figure: go.Figure, title: str, **layout) -> go.Figure:
    figure.update_layout(title={"text": title, "x": 0}, legend=TOP_LEGEND, template="plotly_white",
                         font={"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif", "size": 13}, **layout)
    return figure


def trend_figure(trend: pl.DataFrame, year: int) -> go.Figure:
    """Cumulative new organisations against the planned line and the milestones (总览's trend chart)."""
    actual = trend.filter(pl.col("done").is_not_null())
    milestones = trend.filter(pl.col("milestone_date").is_not_null())
    figure = go.Figure()
    figure.add_scatter(x=trend["month_end"], y=trend["planned"], mode="lines", name="序时进度目标",
                       line={"dash": "dash", "color": "#9e9e9e"})
    figure.add_scatter(x=actual["month_end"], y=actual["done"], mode="lines+markers", name="累计新建（实际）",
                       line={"color": "#c62828", "width": 3})
    figure.add_scatter(
        x=milestones["milestone_date"], y=milestones["milestone_planned"], mode="markers+text", name="时间节点",
        marker={"symbol": "diamond", "size": 12, "color": "#1565c0"}, textposition="top left",
        text=[f"{day_label(d)} {s:.0%}" for d, s in milestones.select("milestone_date", "milestone_share").iter_rows()],
    )
    return _layout(figure, f"{year}年累计新建团组织与序时进度", margin={"t": 90},
                   xaxis={"tickvals": trend["month_end"].to_list(), "ticktext": [f"{d.month}月底" for d in trend["month_end"]]},
                   yaxis={"title": "累计新建团组织数（个）", "rangemode": "tozero"})


def districts_figure(districts: pl.DataFrame) -> go.Figure:
    """Completion per district, coloured by status, the planned share as a dashed line."""
    figure = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        rows = districts.filter(pl.col("status") == status)
        if rows.height:
            figure.add_bar(x=rows["district"], y=rows["completion"].fill_null(0.0), name=status, marker_color=colour,
                           text=[percent(c) for c in rows["completion"]], textposition="outside")
    if districts.height and districts["expected"][0] is not None:
        figure.add_hline(y=districts["expected"][0], line_dash="dash", line_color="#616161",
                         annotation_text=f"序时进度 {percent(districts['expected'][0])}")
    return _layout(figure, "各区县新建团组织完成率（虚线为序时进度）", margin={"t": 90},
                   xaxis={"categoryorder": "array", "categoryarray": districts["district"].to_list()},
                   yaxis={"title": "完成率（%）", "tickformat": ".0%", "rangemode": "tozero"})


def rates_figure(rates: pl.DataFrame, year: int) -> go.Figure:
    """Reporting and on-time rates per month (报送's chart)."""
    figure = go.Figure()
    for column, name, colour in (("reporting_rate", "报送率", "#1565c0"), ("on_time_rate", "按时报送率", "#2e7d32")):
        figure.add_scatter(x=rates["report_month"], y=rates[column], mode="lines+markers", name=name,
                           line={"color": colour})
    return _layout(figure, f"{year}年各月台账报送率", margin={"t": 90},
                   xaxis={"tickformat": "%-m月", "dtick": "M1"},
                   yaxis={"title": "占应报单位比例（%）", "tickformat": ".0%", "range": [0, 1.05]})


def reply_rate_figure(monthly: pl.DataFrame) -> go.Figure:
    """Youth Voice reply rate per month (青年之声's trend chart for 回复率)."""
    figure = go.Figure()
    figure.add_scatter(x=monthly["month"], y=monthly["reply_rate"], mode="lines+markers", name="回复率",
                       line={"color": "#6a1b9a"})
    return _layout(figure, "青年之声各月回复率", margin={"t": 90},
                   xaxis={"tickformat": "%Y年%-m月", "dtick": "M1"},
                   yaxis={"title": "回复率（%）", "tickformat": ".0%", "rangemode": "tozero"})
