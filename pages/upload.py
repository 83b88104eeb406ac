"""上传: choose what is being sent, upload it, see how its columns were read and what it would change,
and only then load it.

Nothing reaches the dashboard's figures before "确认载入": the check stores the
raw file (under its hash, never its name) and logs a rejection, but a file is
loaded only on confirmation, and a large drop or the template's example row
only once the person ticks that it is meant.

Only units of the signed-in user's submit scope are offered, and the loader
refuses a file naming any other; a filled spot-check pack (kind spot_check,
for users allowed spot checks: inspectors and districts) is held to their
view scope instead. A user may have UPLOADS_PER_HOUR files checked an hour.
What the file holds in personal columns is shown masked to a role that may
not see personal data, here and in the problem report.
"""

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from etl.contract import contract, header_key
from etl.headers import HOW_WORDS, SET_ASIDE
from etl.limits import Limits
from etl.pipeline import StorageError, clear_header_map, commit, prepare, save_header_map, saved_header_map
from etl.problem_report import problem_report_xlsx, problems_frame
from etl.report import in_row_order
from etl.templates import template_xlsx
from league import access, gateway, queries, spotcheck, ui

PREPARED_KEY = "upload_prepared"
MAP_KEY = "upload_header_map"  # this session's corrections for kinds not sent by one unit
REVISION_KEY = "upload_map_revision"  # bumped when a correction is saved, so the file is checked again
ERROR_KEY = "upload_storage_error"
NOT_READ = "（不读取）"
STATUS_MESSAGES = {
    "ready": ("success", "检查通过，可以载入。请核对下方列的识别、将发生的变化和数据预览后点击“确认载入”。"),
    "rejected": ("error", "文件未通过检查，没有载入任何数据。请按下表修改后重新上传（可下载标注了问题单元格的检查报告）。"),
    "unchanged": ("info", "这个文件与已载入的版本完全相同，无需再次载入。"),
    "accepted": ("success", "已载入。各页面的数字已按新数据更新。"),
    "conflict": ("warning", "在您核对期间，该单位该月的数据已被他人更新。请重新上传文件再核对一次。"),
    "unconfirmed": ("warning", "尚未载入：请先勾选下方的确认项。"),
    "held": ("warning", "检查通过，但有须您确认的情况（见下方“✋ 须确认”），确认是有意为之并勾选“我已核对，确认按此载入”后才能载入。"),
}
PREFIXES = {"error": "❌ 错误", "warning": "⚠️ 提示", "held": "✋ 须确认"}

st.title("上传报送文件")
db = ui.database()
actor = ui.actor()
if actor is None or not (actor.can("submit") or actor.can("spot_check")):
    st.error("您的账号没有报送权限。")
    st.stop()
kinds = contract().kinds
offered = [k for k in kinds if actor.can(kinds[k].permission)]
kind = st.radio("文件种类", offered, format_func=lambda k: kinds[k].label, horizontal=True)
if kind == spotcheck.KIND:  # a pack is drawn, never filled in from a blank form
    st.caption("抽查包在“随机抽查”页面生成；现场填写后在此上传，系统按抽查包编号核对单位、月份和所抽的组织。")
else:
    st.download_button(
        f"下载空白模板：{kinds[kind].label}（含示例行、下拉选项和填表说明）", data=template_xlsx(kind),
        file_name=f"{kinds[kind].label}模板.xlsx", icon=":material/description:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

unit = month = None
per_unit = kinds[kind].slot in ("unit_month", "unit")  # a unit's own file: chosen here, corrections kept for it
if per_unit:
    left, right = st.columns(2)
    units = gateway.submittable_units(db, actor)
    unit = left.selectbox("报送单位", units, index=0 if len(units) == 1 else None, placeholder="请选择报送单位",
                          help=f"只能为您的报送范围（{actor.submit_scope}）内的单位报送。")
if kinds[kind].slot == "unit_month":
    months = ui.upload_months()
    month = right.selectbox("报送月份", months, index=months.index(ui.as_of_month()) if ui.as_of_month() in months
                            else 0, format_func=ui.month_label)
    if unit is not None:
        ui.review_notice(unit, month)

limits = Limits.default()
uploaded = st.file_uploader("选择文件（.xlsx、.xls 或 .csv）", type=["xlsx", "xls", "csv"])
st.caption(f"每个文件不超过 {limits.max_file_bytes / 2**20:.0f} MB、{limits.max_rows:,} 行、{limits.max_columns:,} 列，"
           "超过的文件会被拒收。")

if uploaded is None or (per_unit and unit is None):
    chosen = {"unit_month": "、报送单位和月份", "unit": "、报送单位"}.get(kinds[kind].slot, "")
    st.caption(f"选择文件种类{chosen}后上传文件；系统先检查，确认后才载入。")
    st.stop()

session_map = st.session_state.setdefault(MAP_KEY, {})
request = (uploaded.file_id, kind, unit, month, st.session_state.get(REVISION_KEY, 0))
if st.session_state.get(PREPARED_KEY, (None,))[0] != request:
    settings = queries.plan_settings(db)  # read afresh: a changed limit applies at once
    per_hour = int(settings.filter(pl.col("name") == "uploads_per_hour")["value"][0])
    if access.uploads_in_last_hour(db, actor.name) >= per_hour:
        access.record(db, actor.name, "upload_limited", unit, {"file_name": uploaded.name}, ui.address())
        st.error(f"您在过去一小时内已上传 {per_hour} 个文件，达到上限。请稍后再试；如确需大量上传，请联系管理员用命令行载入。")
        st.stop()
    bar = st.progress(0.0, text="正在读取并检查文件……")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"  # the name the person gave is recorded, never used as a path
        path.write_bytes(uploaded.getvalue())
        try:
            checked = prepare(db, path, kind=kind, unit=unit, month=month, submitted_by=actor.name,
                              submit_scope=actor.submit_scope,
                              spot_check_scope=actor.view_scope if actor.can("spot_check") else None,
                              address=ui.address(), file_name=uploaded.name, header_map={} if per_unit else session_map,
                              progress=lambda fraction, text: bar.progress(fraction, text=text))
        except StorageError as exc:
            bar.empty()
            st.error(str(exc))
            st.stop()
    bar.empty()
    st.session_state[PREPARED_KEY] = (request, checked)
prepared = st.session_state[PREPARED_KEY][1]

held = prepared.to_confirm if prepared.status in ("ready", "unconfirmed") else []
level, message = STATUS_MESSAGES["held" if held else prepared.status]
getattr(st, level)(message)
if st.session_state.get(ERROR_KEY):
    st.error(st.session_state.pop(ERROR_KEY))

# -- how each column was read, and the person's corrections ---------------------------------------
if prepared.readings:
    fields = {f.name: f.label for f in kinds[prepared.kind].fields}
    unclear = any(r.how in ("unplaced", "ambiguous") for r in prepared.readings) or any(
        p.rule == "column_missing" for p in prepared.problems)
    with st.expander("列的识别（表头 → 字段）", expanded=unclear):
        st.dataframe([{"表头": r.header, "识别为": fields.get(r.field, NOT_READ), "方式": HOW_WORDS[r.how]}
                      for r in prepared.readings], hide_index=True)
        left, right = st.columns(2)
        header = left.selectbox("表头", [r.header for r in prepared.readings], key="map_header")
        target = right.selectbox("对应字段", [NOT_READ, *fields.values()], key="map_field")
        remembered = "，本单位今后上传时也按此识别" if per_unit else ""
        if st.button("保存并重新检查", help=f"把所选表头按所选字段读取{remembered}。"):
            field = next((name for name, label in fields.items() if label == target), SET_ASIDE)
            if per_unit:
                save_header_map(db, unit, kind, {header: field}, saved_by=actor.name)
            else:
                session_map[header_key(header)] = field
            st.session_state[REVISION_KEY] = st.session_state.get(REVISION_KEY, 0) + 1
            st.rerun()
        saved = saved_header_map(db, unit, kind) if per_unit else {}
        if saved:
            st.caption("本单位已保存的列对应：" + "；".join(f"“{h}” → {fields.get(f, NOT_READ)}" for h, f in saved.items()))
            if st.button("清除本单位保存的列对应"):
                clear_header_map(db, unit, kind)
                st.session_state[REVISION_KEY] = st.session_state.get(REVISION_KEY, 0) + 1
                st.rerun()

# -- what loading it would change ------------------------------------------------------------------
changes = prepared.changes
if changes is not None and prepared.status in ("ready", "unconfirmed", "conflict"):
    if changes.replaces_received_at is not None:
        st.warning(f"将替换 {ui.month_label(prepared.month)}已载入的台账（{changes.replaces_received_at:%m月%d日 %H:%M}"
                   f"收到）：{changes.against_replaced.text()}。")
    if changes.against_last_month is not None:
        st.info(f"与上月（{ui.month_label(changes.last_month)}）相比：{changes.against_last_month.text()}。")

left, middle, right = st.columns(3)
left.metric("数据行数", prepared.row_count)
middle.metric("错误", len(prepared.errors))
right.metric("提示", len(prepared.warnings))

problems, table = gateway.masked_check(prepared.problems, prepared.table, actor)
if problems:
    st.subheader("检查结果")
    ordered = in_row_order(problems)
    for problem in ordered[:15]:
        st.markdown(f"- {PREFIXES['held' if problem in held else problem.severity]}：{problem.text()}")
    st.dataframe(problems_frame(ordered), hide_index=True, column_config={
        "说明": st.column_config.TextColumn(width="large"), "原填内容": st.column_config.TextColumn(width="medium")})
    st.download_button(
        "下载检查报告（标注问题单元格）", file_name=f"检查报告-{Path(uploaded.name).stem}.xlsx",
        data=ui.audited(lambda: problem_report_xlsx(problems, table), f"检查报告：{uploaded.name}", unit=unit), icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

if prepared.rows is not None and prepared.status in ("ready", "accepted", "unconfirmed"):
    st.subheader("数据预览")
    st.caption(f"工作表“{prepared.sheet}”，共 {prepared.row_count} 行；以下为前 50 行。")
    labels = {f.name: f.label for f in kinds[prepared.kind].fields} | {"excel_row": "行号", "id_masked": "公民身份号码"}
    # An ID number is held only sealed from the check on: the preview shows it masked, to every role.
    shown = prepared.rows.head(50).drop("extra", "unit_id", "id_hash", "id_sealed", strict=False)
    preview = gateway.masked(shown, actor, gateway.personal_labels(kinds[prepared.kind]))
    st.dataframe(ui.readable(preview, labels), hide_index=True)

confirmed = True
if held:
    confirmed = st.checkbox("我已核对，确认按此载入", key=f"upload_confirm_{hash(request)}",
                            help="确认后载入；模板示例行在任何情况下都不会载入。")
    st.caption("须确认：" + "、".join(p.rule_name for p in held))


def _confirm() -> None:
    try:
        commit(db, prepared, confirmed=confirmed)
        ui.data_changed()
    except StorageError as exc:
        st.session_state[ERROR_KEY] = str(exc)


# The load runs in the button's callback, before the page is drawn again, so
# everything above already shows the outcome.
st.button("确认载入", type="primary", disabled=prepared.status not in ("ready", "unconfirmed") or not confirmed,
          on_click=_confirm)
