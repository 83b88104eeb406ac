"""审核: the district checks its units' ledgers for the month, signs each off (locking it) or sends it back,
and reopens a signed-off month with a reason; the city's desk sees every district."""

import json

import polars as pl
import streamlit as st

from league import gateway, queries, review, ui

QUEUE_COLUMNS = ["unit", "district", "review_state", "timeliness", "days_late", "first_received_at",
                 "latest_received_at", "accepted_submissions", "submitted_by", "file_name", "rows", "warning_count",
                 "last_actor", "last_acted_at", "last_reason"]
DISTRICT_COLUMNS = ["district", "units", *queries.REVIEW_STATES]
HISTORY_COLUMNS = ["happened_at", "step", "actor", "detail"]
CHASE_COLUMNS = ["unit", "district", "due_date", "contact_name", "contact_phone"]
DONE_KEY = "review_done"


def warnings_of(row: dict) -> list[str]:
    """The checker's warnings on the ledger, as the unit saw them when it uploaded."""
    return [problem.get("message", "") for problem in json.loads(row["warnings"] or "[]")]


def step_form(row: dict, month) -> None:
    """The step the unit-month is open to, as a form: sign off or send back, or reopen."""
    state, unit = row["review_state"], row["unit"]
    if state in review.ALLOWED_FROM["sign_off"]:
        with st.form(f"review_{unit}"):
            comment = st.text_area("审核意见", help="退回修改时必填，单位在上传页和报送记录中看到这条意见。",
                                   max_chars=review.MAX_REASON_CHARS)
            sign, send = st.columns(2)
            signed = sign.form_submit_button("审核通过", type="primary", icon=":material/lock:")
            sent = send.form_submit_button("退回修改", icon=":material/undo:")
        step = "sign_off" if signed else "send_back" if sent else None
    elif state in review.ALLOWED_FROM["reopen"]:
        with st.form(f"reopen_{unit}"):
            comment = st.text_area("重新开放原因", help="必填；单位在上传页和报送记录中看到这条原因。",
                                   max_chars=review.MAX_REASON_CHARS)
            step = "reopen" if st.form_submit_button("重新开放", icon=":material/lock_open:") else None
    else:
        st.caption({"missing": "该单位本月尚未报送台账，无可审核的内容。",
                    "sent_back": "已退回修改，等待该单位重新报送。",
                    "reopened": "已重新开放，等待该单位重新报送。"}.get(state, ""))
        return
    if step is None:
        return
    try:
        review.take_step(ui.database(), ui.actor(), step, unit, month, row["submission_id"], comment, ui.address())
    except (review.ReviewError, gateway.AccessDenied) as exc:
        st.error(str(exc))
        return
    ui.data_changed()
    st.session_state[DONE_KEY] = f"“{unit}”{ui.month_label(month)}台账：{review.STEP_WORDS[step]}。"
    st.rerun()


def unit_detail(row: dict, month) -> None:
    st.markdown(f"**{row['unit']}** · {ui.review_label(row['review_state'])} · {ui.timeliness_label(row['timeliness'])}"
                + (f"（逾期 {row['days_late']} 天）" if row["days_late"] else ""))
    if row["last_reason"]:
        st.caption(f"最近意见（{row['last_actor']}，{row['last_acted_at']:%Y-%m-%d %H:%M}）：{row['last_reason']}")
    if row["submission_id"] is not None:
        st.caption(f"台账文件：{row['file_name']}，{ui.count(row['rows'])} 个组织，报送人 {row['submitted_by']}，"
                   f"共报送 {row['accepted_submissions']} 次。")
        for warning in warnings_of(row):
            st.warning(warning, icon=":material/warning:")
        changes = review.changes_since_sign_off(ui.database(), row["submission_id"], row["signed_off_submission_id"])
        if changes is not None:
            st.info(f"与上次审核通过的台账相比：组织数 {changes.before:,} → {changes.after:,}，新增 {changes.added:,} 个，"
                    f"减少 {changes.removed:,} 个，信息有变化 {changes.changed:,} 个（共 {changes.changed_cells:,} 项），"
                    "需重新审核。", icon=":material/difference:")
    step_form(row, month)
    history = ui.fetch(queries.review_history, month, unit=row["unit"])
    st.markdown("**本月各环节记录**")
    ui.table_with_download(history, HISTORY_COLUMNS, f"审核记录_{row['unit']}_{month:%Y-%m}.xlsx",
                           key="review_history")


month = ui.require_as_of_month()
st.title(f"{ui.month_label(month)}台账审核")
st.caption("审核通过即锁定该单位本月台账，单位不能再上传替换；退回修改须写明意见；已锁定的月份可写明原因后重新开放。"
           "每一步都记录操作人、时间和原因。")
if done := st.session_state.pop(DONE_KEY, None):
    st.success(done)

queue = ui.fetch(queries.review_queue, month)
if queue.is_empty():
    ui.empty_state("当前范围内本月没有需要报送台账的单位。")
    st.stop()

districts = ui.fetch(queries.sign_off_by_district, month)
if districts.height > 1:
    st.subheader("各区县审核情况")
    ui.table_with_download(districts, DISTRICT_COLUMNS, f"各区县审核情况_{month:%Y-%m}.xlsx", key="review_districts",
                           labels=queries.REVIEW_STATES)

st.subheader("各单位本月台账")
ui.table_with_download(queue, QUEUE_COLUMNS, f"台账审核_{month:%Y-%m}.xlsx", key="review_queue")

rows = {row["unit"]: row for row in queue.iter_rows(named=True)}
chosen = st.selectbox("审核单位", list(rows), index=None, placeholder="选择一个单位查看并审核",
                      format_func=lambda unit: f"{unit}（{ui.review_label(rows[unit]['review_state'])}）",
                      key="review_unit")
if chosen is not None:
    unit_detail(rows[chosen], month)

st.subheader("本月尚未报送")
chase = ui.fetch(queries.chase_list, month)
if chase.is_empty():
    st.caption("本月应报单位都已报送台账。")
else:
    ui.table_with_download(chase, CHASE_COLUMNS, f"未报送单位_{month:%Y-%m}.xlsx", key="chase_list")
    with st.expander("修改单位联系人"):
        with st.form("unit_contact", clear_on_submit=True):
            unit = st.selectbox("单位", list(rows), key="contact_unit")
            name = st.text_input("联系人")
            phone = st.text_input("联系电话")
            if st.form_submit_button("保存联系人"):
                try:
                    review.save_contact(ui.database(), ui.actor(), unit, name, phone, ui.address())
                except (review.ReviewError, gateway.AccessDenied) as exc:
                    st.error(str(exc))
                else:
                    ui.data_changed()
                    st.session_state[DONE_KEY] = f"已保存“{unit}”的联系人。"
                    st.rerun()
