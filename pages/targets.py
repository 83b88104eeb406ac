"""专项目标: the circulars' targets beyond the yearly count of new organisations.

Above-scale full coverage by the plan's deadline, party-led synchronisation
(党建带团建), which pathways and build modes produce new organisations, the
priority sectors and parks against the rest, and coverage by size band (抓大带小).
Each section says its rule; every table downloads. The section is in the
address bar.
"""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import circular_queries, drill, queries, ui

SECTIONS = {"above_scale": "规上全覆盖", "party_led": "党建带团建", "pathways": "建团路径与方式",
            "sectors": "重点领域与园区", "size": "抓大带小"}
COVERAGE_COLUMNS = ["district", "unit", "above_scale_enterprises", "with_league_org", "coverage", "target_share",
                    "remaining", "months_left", "needed_per_month"]
UNCOVERED_COLUMNS = ["district", "unit", "org_name", "uscc", "industry", "park", "employees", "youth_employees",
                     "league_members", "has_party_org", "ledger_month"]
SYNC_COLUMNS = ["district", "unit", "party_led_due", "synchronised", "synchronised_share"]
UNSYNCED_COLUMNS = ["since_month", "months_unsynced", "district", "unit", "org_name", "uscc", "industry", "org_type",
                    "employees", "league_members", "ledger_month"]
GROUP_COLUMNS = ["district", "group_name", "member", "organisations", "with_league_org", "coverage", "new_orgs", "gaps"]



def bars(frame: pl.DataFrame, x: str, y: str, title: str, colour_by: str | None = None, percent: bool = True
         ) -> go.Figure:
    """Bars across, one trace per value of `colour_by` (districts take their own colours): shares side by
    side, counts stacked."""
    figure = go.Figure()
    colours = ui.district_colours()
    groups = frame.partition_by(colour_by, maintain_order=True) if colour_by else [frame]
    for group in groups:
        name = group[colour_by][0] if colour_by else None
        figure.add_bar(y=group[y], x=group[x], name=name, orientation="h",
                       marker_color=colours.get(name, "#0072B2"),
                       text=[ui.percent(v) if percent else v for v in group[x]],
                       textposition="outside" if percent else "inside", cliponaxis=False)
    bands = frame[y].n_unique() * (len(groups) if percent else 1)
    figure.update_layout(
        title={"text": title, **ui.TOP_TITLE}, barmode="group" if percent else "stack", legend=ui.TOP_LEGEND,
        xaxis={"tickformat": ".0%", "range": [0, 1.2]} if percent else {"title": "个"},
        yaxis={"title": None, "type": "category", "autorange": "reversed"},
        height=max(300, 34 * bands + 180), margin={"t": 110},
    )
    return figure


def table_or_none(frame: pl.DataFrame, columns: list[str], file_name: str, key: str, none: str, drill=None) -> None:
    """A list to act on, or a sentence saying there is nothing on it."""
    if frame.is_empty():
        ui.empty_state(none)
    else:
        ui.table_with_download(frame, columns, file_name, key=key, drill=drill)


def above_scale_section(as_of) -> None:
    share, deadline = ui.plan_setting("above_scale_target_share"), int(ui.plan_setting("above_scale_deadline_month"))
    st.caption(f"规模以上非公有制企业（台账“是否规模以上”为是的非公有制企业）的团组织覆盖率应在 {as_of.year}年"
               f"{deadline}月底前达到 {ui.percent(share)}。尚需建立 = 规上企业数 × 目标覆盖率 − 已建；每月还需新建 = "
               "尚需建立 ÷ 距截止的剩余月数（不含当月；已到截止月份的按 1 个月计）。")
    coverage = ui.fetch(queries.above_scale_coverage, as_of_month=as_of)
    if coverage.is_empty() or coverage["above_scale_enterprises"][0] == 0:
        ui.empty_state("所选范围内的台账中没有规模以上非公有制企业。")
        return
    total = coverage.row(0, named=True)
    columns = st.columns(4)
    columns[0].metric("规上非公企业", ui.count(total["above_scale_enterprises"]))
    columns[1].metric("团组织覆盖率", ui.percent(total["coverage"]), help=f"目标：{ui.percent(share)}")
    columns[2].metric("尚需建立", ui.count(total["remaining"]))
    columns[3].metric("每月还需新建", f"{total['needed_per_month']:.1f}", help=f"距截止还有 {total['months_left']} 个月")
    districts = coverage.filter(pl.col("district").is_not_null() & pl.col("unit").is_null())
    st.plotly_chart(bars(districts, "coverage", "district", "各区县规上非公企业团组织覆盖率"), key="above_scale_chart")
    units = coverage.filter(pl.col("unit").is_not_null()).sort("coverage")
    ui.table_with_download(units, COVERAGE_COLUMNS, f"规上企业覆盖_各单位_{as_of:%Y-%m}.xlsx", key="above_scale_units",
                           drill=drill.unit_view)
    st.subheader("尚未建团的规上企业")
    uncovered = total["above_scale_enterprises"] - total["with_league_org"]
    if not uncovered:
        ui.empty_state("所选范围内的规上企业都已建立团组织。")
        return
    ui.paged_table_with_download(queries.above_scale_uncovered, uncovered, UNCOVERED_COLUMNS,
                                 f"尚未建团的规上企业_{as_of:%Y-%m}.xlsx", key="above_scale_uncovered",
                                 drill=lambda row: drill.View(row["district"], row["unit"], row["uscc"]),
                                 as_of_month=as_of)


def party_led_section(as_of) -> None:
    members = int(ui.plan_setting("gap_min_members"))
    st.caption(f"党建带团建：已建立党组织、团员 {members} 人及以上的单位应同步建立团组织。同步建团率 = 其中已建团组织的 ÷ "
               "应同步建团的单位数；各月按当月末各单位所报最近一期台账计算。")
    sync = ui.fetch(queries.party_led_sync, as_of_month=as_of)
    if sync.is_empty():
        ui.empty_state("所选范围内没有已建党组织且团员达标的单位。")
        return
    now = sync.filter(pl.col("month") == pl.col("month").max())
    total = circular_queries.synchronised_share(now, []).row(0, named=True)
    columns = st.columns(3)
    columns[0].metric("应同步建团", ui.count(total["party_led_due"]))
    columns[1].metric("已同步建团", ui.count(total["synchronised"]))
    columns[2].metric("同步建团率", ui.percent(total["synchronised_share"]))
    trend = circular_queries.synchronised_share(sync, ["month", "district"]).sort("month")
    figure = go.Figure()
    for district in trend.partition_by("district", maintain_order=True):
        figure.add_scatter(x=district["month"], y=district["synchronised_share"], name=district["district"][0],
                           mode="lines+markers", line_color=ui.district_colours().get(district["district"][0]))
    figure.update_layout(title={"text": "各区县同步建团率（按月）", **ui.TOP_TITLE}, legend=ui.TOP_LEGEND,
                         yaxis={"tickformat": ".0%", "range": [0, 1.05]}, xaxis={"tickformat": "%Y-%m", "dtick": "M1"},
                         margin={"t": 110})
    st.plotly_chart(figure, key="party_led_chart")
    by_unit = circular_queries.synchronised_share(now, ["district", "unit"]).sort("synchronised_share")
    ui.table_with_download(by_unit, SYNC_COLUMNS, f"同步建团率_各单位_{as_of:%Y-%m}.xlsx", key="party_led_units",
                           drill=drill.unit_view)
    st.subheader("应同步而未建团的单位")
    st.caption("按持续时间从长到短：自何月起各月台账一直是“有党组织、团员达标、未建团组织”。")
    table_or_none(ui.fetch(queries.party_led_unsynced, as_of_month=as_of), UNSYNCED_COLUMNS,
                  f"应同步未建团单位_{as_of:%Y-%m}.xlsx", "party_led_unsynced", "所选范围内应同步建团的单位都已建立团组织。",
                  drill=lambda row: drill.View(row["district"], row["unit"], row["uscc"]))


def pathways_section(as_of) -> None:
    st.caption(f"{as_of.year}年 1 月至{ui.month_label(as_of)}末新建的团组织，按台账所填建团路径（11 条）和建团方式统计；"
               "下方列出各区县今年尚未用过的路径。")
    found = ui.fetch(queries.new_orgs_by_pathway, as_of_month=as_of)
    if found.is_empty():
        ui.empty_state("所选范围内今年还没有新建团组织。")
    else:
        by_pathway = found.group_by("district", "build_path", "pathway").agg(pl.col("new_orgs").sum()).sort(
            "build_path", "district")
        st.plotly_chart(bars(by_pathway, "new_orgs", "pathway", "各建团路径新建团组织数", "district", percent=False),
                        key="pathway_chart")
        ui.table_with_download(by_pathway, ["district", "build_path", "pathway", "new_orgs"],
                               f"新建团组织_按建团路径_{as_of:%Y-%m}.xlsx", key="pathways")
        by_mode = found.group_by("district", "build_mode").agg(pl.col("new_orgs").sum()).sort("district", "build_mode")
        ui.table_with_download(by_mode, ["district", "build_mode", "new_orgs"],
                               f"新建团组织_按建团方式_{as_of:%Y-%m}.xlsx", key="modes")
        by_month = found.group_by("month", "build_path", "pathway").agg(pl.col("new_orgs").sum()).sort("month",
                                                                                                         "build_path")
        with st.expander("按月份"):
            ui.table_with_download(by_month, ["month", "build_path", "pathway", "new_orgs"],
                                   f"新建团组织_按月份和路径_{as_of:%Y-%m}.xlsx", key="pathway_months")
    st.subheader("今年尚未用过的建团路径")
    table_or_none(ui.fetch(queries.unused_pathways, as_of_month=as_of), ["district", "build_path", "pathway"],
                  f"未用过的建团路径_{as_of:%Y-%m}.xlsx", "unused_pathways", "各区县今年 11 条建团路径都已用过。")


def grouping_section(as_of, grouping: str, caption: str, title: str) -> None:
    st.caption(caption)
    groups = ui.fetch(queries.coverage_by_group, as_of_month=as_of, grouping=grouping)
    if groups.is_empty():
        ui.empty_state("所选范围内没有台账记录。")
        return
    overall = groups.filter(pl.col("district").is_null())
    st.plotly_chart(bars(overall, "coverage", "group_name", title), key=f"{grouping}_chart")
    ui.table_with_download(overall, ["group_name", "organisations", "with_league_org", "coverage", "new_orgs", "gaps"],
                           f"{title}_{as_of:%Y-%m}.xlsx", key=f"{grouping}_overall")
    with st.expander("各区县明细"):
        ui.table_with_download(groups.filter(pl.col("district").is_not_null()), GROUP_COLUMNS,
                               f"{title}_各区县_{as_of:%Y-%m}.xlsx", key=f"{grouping}_districts")


def sectors_section(as_of) -> None:
    industries = ui.fetch_reference(queries.priority_industries)["industry"].to_list()
    grouping_section(as_of, "priority", f"重点领域（青年集聚的行业）：{'、'.join(industries)}；与其他领域比较团组织覆盖率、"
                     "今年新建数和空白点。", "重点领域与其他领域团组织覆盖率")
    grouping_section(as_of, "park", "园区内（台账填有所在园区）与不在园区的组织比较；明细中每个园区一行。",
                     "园区内外团组织覆盖率")


def size_section(as_of) -> None:
    grouping_section(as_of, "size_band", "抓大带小：按从业人员数分档比较团组织覆盖率，看大企业是否先覆盖。",
                     "各规模档次团组织覆盖率")


as_of = ui.require_as_of_month()
st.title("专项目标")
st.caption(f"数据截至 {ui.month_label(as_of)}末，各单位当月未报送的沿用此前最近一期台账。{ui.basis_text()}")
section = st.radio("查看", list(SECTIONS), format_func=SECTIONS.get, horizontal=True, key="target_view",
                   bind="query-params")
{"above_scale": above_scale_section, "party_led": party_led_section, "pathways": pathways_section,
 "sectors": sectors_section, "size": size_section}[section](as_of)
