"""管理: accounts (add, disable or enable, reset a password) and the audit log (browse, filter, export).

Only a role that may manage users reaches this page (app.py lists it for no
other); it reads no unit's data. The audit log is read here and never
changed: nothing in the application updates or deletes an entry.
"""

import json
from datetime import date, datetime, time, timedelta

import polars as pl
import streamlit as st

from league import access, ui

USER_LABELS = {"name": "用户名", "role": "角色", "view_scope": "查看范围", "submit_scope": "报送范围",
               "disabled": "已停用", "must_change": "须修改密码", "created_at": "创建时间", "last_sign_in": "最近登录"}
AUDIT_LABELS = {"audit_id": "序号", "logged_at": "时间", "actor": "操作人", "action": "操作", "unit": "单位",
                "detail": "详情", "address": "来源地址"}
AUDIT_DAYS_SHOWN = 7  # the log opens on the last week
# The audit entries' details (JSON with English keys) as an admin reads them.
DETAIL_LABELS = {"user": "用户", "role": "角色", "scope": "范围", "name": "用户名", "reason": "原因", "seconds": "须等待秒数",
                 "file": "文件", "file_name": "文件名", "kind": "种类", "month": "月份", "rows": "行数", "errors": "错误数",
                 "status": "结果", "submission_id": "报送编号", "sha256": "校验值", "bytes": "字节数"}
DETAIL_WORDS = {**access.ROLES, **ui.KIND_WORDS, "password": "密码不正确", "disabled": "账号已停用",
                "ready": "检查通过", "rejected": "未通过检查", "unchanged": "与已载入的相同", "accepted": "已载入",
                "conflict": "已被他人更新", "unconfirmed": "未确认", "refused": "超出报送范围"}


def detail_text(detail: str | None) -> str:
    """An entry's detail in words: 用户：王芳；角色：基层单位 (a file's hash shortened to its first 12 characters)."""
    if not detail:
        return ""
    parts = []
    for key, value in json.loads(detail).items():
        if value is None:
            continue
        shown = value[:12] if key == "sha256" else DETAIL_WORDS.get(value, value) if isinstance(value, str) else value
        parts.append(f"{DETAIL_LABELS.get(key, key)}：{shown}")
    return "；".join(parts)

viewer = ui.actor()
if viewer is None or not viewer.can("manage_users"):
    st.error("您的账号没有管理用户的权限。")
    st.stop()
db = ui.database()
st.title("用户与审计日志")


def password_pair(prefix: str) -> tuple[str, str]:
    first = st.text_input("初始密码", type="password", key=f"{prefix}_password", autocomplete="new-password",
                          help=f"至少 {access.MIN_PASSWORD_LENGTH} 个字符；用户首次登录时须改为自己的密码。")
    second = st.text_input("再次输入初始密码", type="password", key=f"{prefix}_password_again",
                           autocomplete="new-password")
    return first, second


def account_action(action, success: str) -> None:
    """Run one account change, saying in Chinese what happened or why it could not be done."""
    try:
        action()
    except access.AccountError as exc:
        st.error(str(exc))
    else:
        st.success(success)


users_tab, audit_tab = st.tabs(["用户", "审计日志"])

with users_tab:
    role = st.selectbox("角色", list(access.ROLES), format_func=access.ROLES.get, key="new_user_role")
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**添加用户**")
        name = st.text_input("用户名", key="new_user_name")
        choices = access.scope_choices(db, role)
        scope = st.selectbox("范围（可查看和报送该单位及其下属单位）", choices, index=0 if choices else None,
                             disabled=not choices, placeholder="管理员不查看数据，无需范围", key="new_user_scope")
        password, again = password_pair("new_user")
        added = st.form_submit_button("添加用户", type="primary")
    if added:
        if password != again:
            st.error("两次输入的初始密码不一致。")
        else:
            account_action(lambda: access.add_user(db, name, role, scope, password, by=viewer.name,
                                                   address=ui.address(), must_change=True),
                           f"已添加用户“{name.strip()}”（{access.ROLES[role]}）。")

    users = access.list_users(db)
    st.markdown(f"**全部用户（{users.height} 个）**")
    user_table = ui.readable(users.with_columns(pl.col("role").replace_strict(access.ROLES)), USER_LABELS)
    st.dataframe(user_table, hide_index=True, key="users_table")
    ui.xlsx_download(user_table, "用户.xlsx", "users")

    chosen = st.selectbox("选择用户", users["name"].to_list(), index=None, placeholder="选择要停用、启用或重置密码的用户")
    if chosen is not None:
        disabled = users.filter(pl.col("name") == chosen)["disabled"][0]
        if chosen == viewer.name:
            st.caption("不能停用自己的账号；修改自己的密码请用侧栏的“修改密码”。")
        elif disabled:
            if st.button("启用该用户"):
                account_action(lambda: access.set_disabled(db, chosen, False, viewer.name, ui.address()),
                               f"已启用“{chosen}”。")
        elif st.button("停用该用户", help="停用后该用户的登录会话立即失效。"):
            account_action(lambda: access.set_disabled(db, chosen, True, viewer.name, ui.address()),
                           f"已停用“{chosen}”，其登录会话已失效。")
        if chosen != viewer.name:
            with st.form("reset_password", clear_on_submit=True):
                st.markdown(f"**重置“{chosen}”的密码**")
                password, again = password_pair("reset")
                reset = st.form_submit_button("重置密码")
            if reset:
                if password != again:
                    st.error("两次输入的初始密码不一致。")
                else:
                    account_action(lambda: access.reset_password(db, chosen, password, viewer.name, ui.address()),
                                   f"已重置“{chosen}”的密码；其登录会话已失效，下次登录时须修改密码。")

with audit_tab:
    today = date.today()
    left, middle, right = st.columns(3)
    period = left.date_input("日期范围", (today - timedelta(days=AUDIT_DAYS_SHOWN - 1), today), max_value=today,
                             format="YYYY-MM-DD", key="audit_period")
    who = middle.selectbox("操作人", access.audit_actors(db), index=None, placeholder="全部", key="audit_actor")
    actions = right.multiselect("操作", list(access.AUDIT_ACTIONS), format_func=access.AUDIT_ACTIONS.get,
                                placeholder="全部", key="audit_actions")
    since = datetime.combine(period[0], time()) if period else None
    until = datetime.combine(period[-1] + timedelta(days=1), time()) if period else None
    entries = access.audit_entries(db, since, until, who, actions or None)
    st.caption(f"共 {entries.height:,} 条，最新的在前。审计日志只能追加，任何人都不能修改或删除其中的记录。")
    entries = entries.with_columns(pl.col("action").replace_strict(access.AUDIT_ACTIONS),
                                   pl.col("detail").map_elements(detail_text, return_dtype=pl.String))
    ui.table_with_download(entries, list(AUDIT_LABELS), f"审计日志_{period[0]:%Y%m%d}-{period[-1]:%Y%m%d}.xlsx"
                           if period else "审计日志.xlsx", key="audit_log", labels=AUDIT_LABELS)
