"""覆盖: how many organisations have a league organisation, and where the gaps are."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import queries, ui
from league.drill import View

SEGMENT_LABELS = {
    "all": "全部组织",
    "above_scale": "规模以上企业",
    "park": "园区内组织",
    "league_society_member": "团属社团会员单位",
}
TOTAL = "合计"
CELL_COLUMNS = ["district", "industry", "organisations", "with_league_org", "coverage", "gaps"]
GAP_COLUMNS = [
    "must_build_now", "unit", "district", "org_name", "uscc", "industry", "org_type",
    "employees", "youth_employees", "league_members", "has_party_org", "ledger_month", "carried_forward", "signed_off",
]


def filters() -> tuple[str, list[str] | None]:
    districts = ui.fetch(queries.reporting_units)["district"].unique().sort().to_list()
    left, right = st.columns([3, 2])
    segment = left.radio(
        "组织范围", list(SEGMENT_LABELS), format_func=SEGMENT_LABELS.get, horizontal=True, key="segment",
        bind="query-params",
    )
    chosen = right.multiselect("所属区县", districts, placeholder="全部区县", key="district", bind="query-params")
    return segment, chosen or None


def headline(overall: dict) -> None:
    # Three and two to a row, so that every label fits beside the sidebar on a tablet.
    first, second = st.columns(3), st.columns(3)
    first[0].metric("组织数", ui.count(overall["organisations"]))
    first[1].metric("已建团组织", ui.count(overall["with_league_org"]))
    first[2].metric("团组织覆盖率", ui.percent(overall["coverage"]))
    second[0].metric("空白点", ui.count(overall["gaps"]), help="团员数达到建团人数而尚未建立团组织的单位")
    second[1].metric("其中须立即建团", ui.count(overall["must_build"]), help="空白点中已建立党组织的单位")


def heatmap(cells: pl.DataFrame, segment_label: str) -> go.Figure:
    """District x industry, a district's total in the last column."""
    by_district = cells.filter(pl.col("district").is_not_null()).with_columns(pl.col("industry").fill_null(TOTAL))
    districts = by_district["district"].unique().sort().to_list()
    industries = by_district.filter(pl.col("industry") != TOTAL)["industry"].unique().sort().to_list() + [TOTAL]
    lookup = {(row["district"], row["industry"]): row for row in by_district.iter_rows(named=True)}

    def grid(field):
        return [[lookup.get((d, i), {}).get(field) for i in industries] for d in districts]

    coverage = grid("coverage")
    figure = go.Figure(go.Heatmap(
        z=coverage, x=industries, y=districts, zmin=0, zmax=1, colorscale="YlGnBu",  # sequential, readable with colour-vision deficiencies
        # Whole percents in the cells (the hover has the decimal), at a size that stays readable.
        text=[[f"{v:.0%}" if v is not None else "" for v in row] for row in coverage], texttemplate="%{text}",
        textfont={"size": 12},
        customdata=[list(zip(*cols)) for cols in zip(grid("organisations"), grid("with_league_org"), grid("gaps"))],
        hovertemplate=("%{y} · %{x}<br>覆盖率：%{z:.1%}<br>组织数：%{customdata[0]} 个"
                       "<br>已建团组织：%{customdata[1]} 个<br>空白点：%{customdata[2]} 个<extra></extra>"),
        colorbar={"title": {"text": "覆盖率"}, "tickformat": ".0%"}, xgap=2, ygap=2,
    ))
    figure.update_layout(
        title=f"团组织覆盖率（{segment_label}，按区县 × 行业）",
        xaxis={"title": "行业", "type": "category", "dtick": 1, "tickangle": -45},
        yaxis={"title": "所属区县", "type": "category", "autorange": "reversed", "dtick": 1},
        height=max(300, 48 * len(districts) + 260), font={"size": 12},
    )
    return figure


def coverage_grid(cells: pl.DataFrame) -> pl.DataFrame:
    """The heat map as a table for a narrow screen: a row per district, a column per industry, 合计 first."""
    by_district = cells.filter(pl.col("district").is_not_null()).with_columns(pl.col("industry").fill_null(TOTAL))
    grid = by_district.pivot(on="industry", index="district", values="coverage", sort_columns=True).sort("district")
    industries = [name for name in grid.columns if name not in ("district", TOTAL)]
    return grid.select("district", TOTAL, *industries)


def narrow_heatmap(cells: pl.DataFrame, segment_label: str) -> None:
    grid = coverage_grid(cells).rename({"district": "所属区县"})
    shares = [name for name in grid.columns if name != "所属区县"]
    st.markdown(f"**团组织覆盖率（{segment_label}，按区县 × 行业）**")
    st.caption("每行一个区县、每列一个行业，左右滑动查看各行业。")
    st.dataframe(
        grid.with_columns(pl.col(shares) * 100), hide_index=True, placeholder="—", key="coverage_grid",
        column_config={"所属区县": st.column_config.TextColumn(pinned=True)}
        | {name: st.column_config.NumberColumn(format="%.0f%%") for name in shares},
    )
    ui.xlsx_download(grid, f"团组织覆盖率_区县×行业_{as_of:%Y-%m}.xlsx", "coverage_grid", shares)


as_of = ui.require_as_of_month()
st.title("团组织覆盖情况")
st.caption(f"数据截至 {ui.month_label(as_of)}末，各单位当月未报送的沿用此前最近一期台账。{ui.basis_text()}")

segment, districts = filters()
cells = ui.fetch(queries.coverage, as_of_month=as_of, segment=segment, districts=districts)
if cells.is_empty():
    ui.empty_state(f"所选范围内没有“{SEGMENT_LABELS[segment]}”的台账记录，请更换组织范围或区县。")
    st.stop()

overall = cells.filter(pl.col("district").is_null()).row(0, named=True)
headline(overall)
wide, narrow = ui.wide_and_narrow("coverage_heatmap")
with wide:
    st.plotly_chart(heatmap(cells, SEGMENT_LABELS[segment]), key="coverage_heatmap")
with narrow:
    narrow_heatmap(cells, SEGMENT_LABELS[segment])
ui.table_with_download(
    cells.with_columns(pl.col("district").fill_null("全部区县"), pl.col("industry").fill_null(TOTAL)),
    CELL_COLUMNS, f"团组织覆盖率_{SEGMENT_LABELS[segment]}_{as_of:%Y-%m}.xlsx", key="coverage_cells",
)

st.subheader("空白点核查清单")
min_members = int(ui.fetch_reference(queries.plan_settings).filter(pl.col("name") == "gap_min_members")["value"][0])
st.caption(f"团员数达到 {min_members} 人、尚未建立团组织的单位；已建立党组织的排在前面，须立即建团。可下载后到现场核查。")
if not overall["gaps"]:
    ui.empty_state("所选范围内没有空白点。")
else:
    ui.paged_table_with_download(
        queries.gap_list, overall["gaps"], GAP_COLUMNS, f"空白点核查清单_{as_of:%Y-%m}.xlsx", key="coverage_gaps",
        shown_as=lambda gaps: gaps.with_columns(must_build_now=ui.gap_flag(pl.col("must_build_now"), pl.lit(True))),
        drill=lambda row: View(row["district"], row["unit"], row["uscc"]),
        as_of_month=as_of, segment=segment, districts=districts,
    )
