"""随机抽查: draw a reproducible spot-check pack of a unit's organisations for the visit, take it away as
.xlsx (to fill in) or PDF (to print), and see the verification factors of the findings loaded back on 上传."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from league import gateway, queries, spotcheck, ui

PACK_KEY = "spotcheck_pack"  # the pack drawn or chosen last in this session
SEED_KEY = "spotcheck_seed"  # the seed offered until the inspector types another
DEFAULT_SIZE = 10
ITEM_COLUMNS = ["position", "stratum", "org_name", "uscc", "street", "employees", "league_members", "has_league_org",
                "league_org_kind", "league_org_date", "directly_managed", "leader_name", "leader_phone"]
PACK_COLUMNS = ["pack_id", "unit", "district", "report_month", "seed", "size", "organisations", "pack_state",
                "organisations_checked", "created_by", "created_at", "findings_received_at", "findings_submitted_by"]
DISTRICT_COLUMNS = ["district", "period", "units_checked", "units_outside_band", *ui.VERIFICATION_COLUMNS[1:]]
UNIT_COLUMNS = ["unit", "district", *ui.VERIFICATION_COLUMNS]
FORMAT_BUTTONS = {".xlsx": "下载抽查包（Excel，现场填写后上传）", ".pdf": "下载抽查包（PDF，打印带到现场）"}


def draw_form(as_of) -> None:
    """Unit, month, size and seed; drawing stores the pack and makes it the one shown."""
    units = ui.fetch(queries.reporting_units)["unit"].to_list()
    months = [m for m in ui.fetch(queries.ledger_months)["report_month"].to_list() if m <= as_of]
    with st.form("spotcheck_draw"):
        unit_cell, month_cell, size_cell, seed_cell = st.columns([3, 2, 1.2, 1.5])
        unit = unit_cell.selectbox("被抽查单位", units, index=None, placeholder="选择报送单位")
        month = month_cell.selectbox("台账月份", months, format_func=ui.month_label)
        size = size_cell.number_input("抽取组织数", 1, spotcheck.MAX_SIZE, DEFAULT_SIZE)
        seed = seed_cell.number_input("随机种子", 0, None, st.session_state.setdefault(SEED_KEY, spotcheck.new_seed()),
                                      help="同一单位、月份、数量和种子，总是抽到同样的组织、同样的顺序；记下种子即可复核。")
        drawn = st.form_submit_button("生成抽查包", type="primary", icon=":material/casino:")
    if not drawn:
        return
    if unit is None or month is None:
        st.error("请选择被抽查单位和台账月份。")
        return
    try:
        pack = spotcheck.draw_pack(ui.database(), ui.actor(), unit, month, int(size), int(seed), ui.address())
    except (spotcheck.SpotCheckError, gateway.AccessDenied) as exc:
        st.error(str(exc))
        return
    ui.data_changed()
    st.session_state[PACK_KEY] = pack.pack_id
    st.session_state.pop(SEED_KEY)  # the next pack is offered a fresh seed


def pack_view(pack: spotcheck.Pack) -> None:
    st.subheader(pack.title)
    st.caption(f"{pack.describe()}。每个抽样类别至少抽 1 个（组织够时），其余按各类组织数的比例分配。")
    missing = spotcheck.missing_tools()
    for cell, (suffix, label) in zip(st.columns(2), FORMAT_BUTTONS.items()):
        if suffix in missing:
            cell.warning(missing[suffix])
            continue
        name = spotcheck.file_name(pack, suffix)
        cell.download_button(
            label, data=ui.audited(lambda s=suffix: spotcheck.to_bytes(pack, s), f"抽查包：{name}",
                                   pack.items.height, unit=pack.unit),
            file_name=name, mime=spotcheck.MIME[suffix], icon=":material/download:", on_click="ignore",
            key=f"spotcheck_pack{suffix}")
    ui.table_with_download(pack.items, ITEM_COLUMNS, f"抽查名单_{pack.pack_id}.xlsx", key="spotcheck_items")


def factors_figure(units: pl.DataFrame, band: tuple[float, float]) -> go.Figure:
    """Each checked unit's two factors against the acceptable band."""
    figure = go.Figure([go.Scatter(x=units[column], y=units["unit"], mode="markers", name=ui.COLUMN_LABELS[column],
                                   marker={"size": 10, "symbol": symbol, "color": colour})
                        for column, symbol, colour in (("org_factor", "circle", "#0072B2"),
                                                       ("member_factor", "diamond", "#E69F00"))])
    figure.add_vrect(x0=band[0], x1=band[1], fillcolor="#009E73", opacity=0.15, line_width=0,
                     annotation_text="可接受范围", annotation_position="top left")
    figure.update_layout(title={"text": "各单位核实系数（年初至今）", **ui.TOP_TITLE}, legend=ui.TOP_LEGEND,
                         xaxis={"tickformat": ".0%", "title": "现场核实数 ÷ 台账填报数"},
                         yaxis={"autorange": "reversed", "title": None},
                         height=max(260, 40 + 28 * units.height), font={"size": 12})
    return figure


def verification_view(as_of) -> None:
    districts = ui.fetch(queries.verification_by_district, as_of_month=as_of)
    units = ui.fetch(queries.verification_by_unit, as_of_month=as_of)
    st.subheader("核实系数")
    if units.is_empty():
        ui.empty_state(f"{as_of.year}年截至{ui.month_label(as_of)}还没有载入任何抽查结果。")
        return
    band = (units["band_low"][0], units["band_high"][0])
    outside = units.filter(pl.col("outside_band") & (pl.col("period") == "year_to_date")).height
    st.caption(f"核实系数 = 现场核实数 ÷ 台账填报数（世界卫生组织数据质量核查的口径），{band[0]:.0%}–{band[1]:.0%} 为可接受；"
               f"团组织按台账填报已建团组织的被抽查组织计，团员按全部被抽查组织计（现场找不到的组织计 0 人）。"
               f"每个单位每月以最近一个已载入结果的抽查包为准。年初至今有 {outside} 个单位超出可接受范围，排在前面。")
    year_to_date = units.filter(pl.col("period") == "year_to_date")
    st.plotly_chart(factors_figure(ui.chart_rows(year_to_date, "单位"), band), key="spotcheck_factors_chart")
    st.markdown("**各区县**")
    ui.table_with_download(districts, DISTRICT_COLUMNS, f"各区县核实系数_{as_of:%Y-%m}.xlsx", key="spotcheck_districts")
    st.markdown("**各单位**")
    ui.table_with_download(units, UNIT_COLUMNS, f"各单位核实系数_{as_of:%Y-%m}.xlsx", key="spotcheck_units")


as_of = ui.require_as_of_month()
st.title("随机抽查")
viewer = ui.actor()
if not viewer.can("spot_check"):
    st.error("您的账号没有抽查权限。")
    st.stop()
st.caption("按单位和月份随机抽取组织，带抽查包到现场核对；填好的 Excel 抽查包在“上传”页面（种类选“随机抽查结果”）载入，"
           "下方即显示各单位的核实系数。")
draw_form(as_of)

# Read afresh, not from the page cache: drawing a pack changes no submission, so not the data version either.
packs = gateway.read(ui.database(), viewer, queries.spot_check_packs, as_of)
st.subheader(f"抽查包（{packs.height} 个）")
if packs.is_empty():
    st.caption(f"截至{ui.month_label(as_of)}还没有生成抽查包。")
else:
    labels = {row["pack_id"]: f"{row['pack_id']}：{row['unit']} {ui.month_label(row['report_month'])}，种子 {row['seed']}"
              for row in packs.iter_rows(named=True)}
    ids = list(labels)
    chosen = st.selectbox("查看抽查包", ids, index=ids.index(st.session_state[PACK_KEY])
                          if st.session_state.get(PACK_KEY) in ids else 0, format_func=labels.get)
    pack_view(spotcheck.read_pack(ui.database(), viewer, chosen))
    ui.table_with_download(packs.with_columns(pl.col("seed", "pack_id").cast(pl.String)), PACK_COLUMNS,
                           f"抽查包_{as_of:%Y-%m}.xlsx", key="spotcheck_packs")
verification_view(as_of)
