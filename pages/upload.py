"""上传: choose what is being sent, upload it, read the check, and only then load it.

Nothing reaches the dashboard's figures before "确认载入": the check stores the
raw file and logs a rejection, but a file is loaded only on confirmation.
"""

import tempfile
from pathlib import Path

import streamlit as st

from etl.contract import contract
from etl.pipeline import commit, prepare
from etl.problem_report import problem_report_xlsx, problems_frame
from etl.templates import template_xlsx
from league import queries, ui

PREPARED_KEY = "upload_prepared"
STATUS_MESSAGES = {
    "ready": ("success", "检查通过，可以载入。请核对下方预览后点击“确认载入”。"),
    "rejected": ("error", "文件未通过检查，没有载入任何数据。请按下表修改后重新上传（可下载标注了问题单元格的检查报告）。"),
    "unchanged": ("info", "这个文件与已载入的版本完全相同，无需再次载入。"),
    "accepted": ("success", "已载入。各页面的数字已按新数据更新。"),
    "conflict": ("warning", "在您核对期间，该单位该月的数据已被他人更新。请重新上传文件再核对一次。"),
}

st.title("上传报送文件")
db = ui.database()
kinds = contract().kinds
kind = st.radio("文件种类", list(kinds), format_func=lambda k: kinds[k].label, horizontal=True)
st.download_button(
    f"下载空白模板：{kinds[kind].label}（含示例行和填表说明）", data=template_xlsx(kind),
    file_name=f"{kinds[kind].label}模板.xlsx", icon=":material/description:",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

unit = month = None
if kind == "ledger":
    left, right = st.columns(2)
    units = ui.fetch(queries.reporting_units)["unit"].to_list()
    unit = left.selectbox("报送单位", units, index=None, placeholder="请选择报送单位")
    months = ui.upload_months()
    month = right.selectbox("报送月份", months, index=months.index(ui.as_of_month()) if ui.as_of_month() in months
                            else 0, format_func=ui.month_label)

uploaded = st.file_uploader("选择文件（.xlsx、.xls 或 .csv）", type=["xlsx", "xls", "csv"])

if uploaded is None or (kind == "ledger" and unit is None):
    st.caption("选择文件种类" + ("、报送单位和月份" if kind == "ledger" else "") + "后上传文件；系统先检查，确认后才载入。")
    st.stop()

request = (uploaded.file_id, kind, unit, month)
if st.session_state.get(PREPARED_KEY, (None,))[0] != request:
    bar = st.progress(0.0, text="正在读取并检查文件……")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / uploaded.name
        path.write_bytes(uploaded.getvalue())
        checked = prepare(db, path, kind=kind, unit=unit, month=month, submitted_by="上传页面",
                          file_name=uploaded.name, progress=lambda fraction, text: bar.progress(fraction, text=text))
    bar.empty()
    st.session_state[PREPARED_KEY] = (request, checked)
prepared = st.session_state[PREPARED_KEY][1]

level, message = STATUS_MESSAGES[prepared.status]
getattr(st, level)(message)
left, middle, right = st.columns(3)
left.metric("数据行数", prepared.row_count)
middle.metric("错误", len(prepared.errors))
right.metric("提示", len(prepared.warnings))

if prepared.problems:
    st.subheader("检查结果")
    for problem in prepared.errors[:10]:
        st.markdown(f"- ❌ {problem.text()}")
    st.dataframe(problems_frame(prepared.problems), hide_index=True, column_config={
        "说明": st.column_config.TextColumn(width="large"), "填写内容示例": st.column_config.TextColumn(width="medium")})
    st.download_button(
        "下载检查报告（标注问题单元格）", data=problem_report_xlsx(prepared.problems, prepared.table),
        file_name=f"检查报告-{Path(uploaded.name).stem}.xlsx", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

if prepared.rows is not None and prepared.status in ("ready", "accepted"):
    st.subheader("数据预览")
    st.caption(f"工作表“{prepared.sheet}”，共 {prepared.row_count} 行；以下为前 50 行。")
    labels = {f.name: f.label for f in kinds[prepared.kind].fields} | {"excel_row": "行号"}
    preview = prepared.rows.head(50).drop("extra", "unit_id", strict=False)
    st.dataframe(ui.readable(preview, labels), hide_index=True)

# The load runs in the button's callback, before the page is drawn again, so
# everything above already shows the outcome.
st.button("确认载入", type="primary", disabled=prepared.status != "ready", on_click=commit, args=(db, prepared))
