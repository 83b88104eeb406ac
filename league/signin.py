"""Sign-in at the page edge: the form, the session cookie, the signed-in user's sidebar.

The actor is resolved once per run (app.py calls `require_actor` before any
page draws) and kept in the Streamlit session, checked against the sessions
table at most every RECHECK_SECONDS, so an expired, signed-out or disabled
session ends within that time. A reload or a link opened in a new tab starts
a new Streamlit session; the browser's session cookie carries the sign-in
there (it holds a random token whose hash is the only thing stored).
"""

from __future__ import annotations

import json
import time

import streamlit as st

from league import access, ui
from league.access import Actor
from league.config import database_address, is_first_start

SESSION_COOKIE = "league_session"
TOKEN_KEY = "session_token"
CHECKED_KEY = "actor_checked_at"  # time.monotonic() of the last check against the sessions table
MUST_CHANGE_KEY = "must_change_password"
COOKIE_KEY = "session_cookie"  # the token the browser's cookie was last set to ("" once cleared)
SIGNED_OUT_KEY = "signed_out_message"
RECHECK_SECONDS = 15


def _forget(message: str | None = None) -> None:
    for key in (ui.ACTOR_KEY, TOKEN_KEY, CHECKED_KEY, MUST_CHANGE_KEY):
        st.session_state.pop(key, None)
    if message:
        st.session_state[SIGNED_OUT_KEY] = message


def _remember(actor: Actor, token: str, must_change: bool) -> None:
    st.session_state[ui.ACTOR_KEY] = actor
    st.session_state[TOKEN_KEY] = token
    st.session_state[CHECKED_KEY] = time.monotonic()
    st.session_state[MUST_CHANGE_KEY] = must_change


def current_actor() -> Actor | None:
    """The signed-in actor of this browser, or None; a session that has ended is forgotten with a word why."""
    actor = st.session_state.get(ui.ACTOR_KEY)
    if actor is not None and time.monotonic() - st.session_state.get(CHECKED_KEY, 0.0) < RECHECK_SECONDS:
        return actor
    if is_first_start(database_address()):  # the first start has not built the database yet
        return None
    db = ui.database()
    token = st.session_state.get(TOKEN_KEY) or (None if COOKIE_KEY in st.session_state else _cookie())
    checked = access.session_actor(db, token)
    if checked is None:
        if actor is not None:
            _forget("登录已过期或已在别处退出，请重新登录。")
        return None
    _remember(checked, token, access.must_change_password(db, checked.name))
    return checked


def _cookie() -> str | None:
    """The session token the browser sent when this Streamlit session began, if any."""
    try:
        token = st.context.cookies.get(SESSION_COOKIE)
    except (AttributeError, RuntimeError):  # no browser behind this session (AppTest)
        return None
    return token if isinstance(token, str) else None


def _set_cookie(token: str) -> None:
    """Tell the browser to keep (or, given "", drop) the session token.

    Drawn on every run, in the same place: an element that comes and goes
    before the page's widgets stops Streamlit 1.67 writing widgets bound to
    the address bar (bind="query-params") into it. A cookie without an expiry
    lasts until the browser closes; the server ends the session itself after
    the idle time, whatever the cookie says.
    """
    st.session_state[COOKIE_KEY] = token
    value = json.dumps(f"{SESSION_COOKIE}={token}; path=/; SameSite=Strict" + ("" if token else "; max-age=0"))
    with st.container(key="session_cookie"):
        st.html(f"<script>document.cookie = {value} + (location.protocol === 'https:' ? '; Secure' : '');</script>",
                unsafe_allow_javascript=True)


def _sign_in_form() -> None:
    st.title("团建看板")
    st.subheader("登录")
    if message := st.session_state.pop(SIGNED_OUT_KEY, None):
        st.info(message)
    with st.form("sign_in"):
        name = st.text_input("用户名", autocomplete="username")
        password = st.text_input("密码", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        outcome = access.sign_in(ui.database(), name, password, ui.address())
        if outcome.actor is None:
            st.error(outcome.message)
        else:
            _remember(outcome.actor, outcome.token, outcome.must_change)
            st.rerun()  # onto the page asked for, with its address unchanged
    if (ui.database().data_dir / access.DEMO_ACCOUNTS_FILE).exists():
        st.caption(f"演示环境：各角色的账号和初始密码在数据库所在文件夹的 {access.DEMO_ACCOUNTS_FILE} 中"
                   "（只有服务器上运行本系统的用户能读取）。")


def _change_password_form(actor: Actor, key: str) -> None:
    with st.form(key, clear_on_submit=True):
        old = st.text_input("当前密码", type="password", autocomplete="current-password")
        new = st.text_input("新密码", type="password", autocomplete="new-password",
                            help=f"至少 {access.MIN_PASSWORD_LENGTH} 个字符。")
        again = st.text_input("再次输入新密码", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("保存新密码")
    if not submitted:
        return
    if new != again:
        st.error("两次输入的新密码不一致。")
        return
    try:
        access.change_password(ui.database(), actor, old, new, ui.address())
    except access.AccountError as exc:
        st.error(str(exc))
        return
    st.session_state[MUST_CHANGE_KEY] = False
    st.success("密码已修改。")


def _sign_out() -> None:
    actor = st.session_state.get(ui.ACTOR_KEY)
    if actor is not None:
        access.sign_out(ui.database(), actor, st.session_state.get(TOKEN_KEY), ui.address())
    _forget("已退出登录。")


def scope_text(actor: Actor) -> str:
    if not actor.can("view"):
        return actor.role_label
    return f"{actor.role_label} · {actor.view_scope}"


def require_actor() -> Actor:
    """The signed-in actor; otherwise the sign-in form (or the forced password change) and the end of the run."""
    actor = current_actor()
    if actor is None:
        _set_cookie("")
        _sign_in_form()
        st.stop()
    _set_cookie(st.session_state[TOKEN_KEY])
    if st.session_state.get(MUST_CHANGE_KEY):
        st.title("请修改密码")
        st.info("这是管理员为您设置的初始密码。请先设置一个只有您知道的新密码，再使用本系统。")
        _change_password_form(actor, "forced_password_change")
        if st.session_state.get(MUST_CHANGE_KEY):
            st.stop()
        st.button("进入系统")
        st.stop()
    return actor


def account_menu(actor: Actor) -> None:
    """The sidebar's foot: who is signed in, 修改密码 and 退出登录."""
    st.sidebar.caption(f"已登录：**{actor.name}**（{scope_text(actor)}）")
    with st.sidebar.expander("修改密码"):
        _change_password_form(actor, "password_change")
    st.sidebar.button("退出登录", on_click=_sign_out, icon=":material/logout:")
