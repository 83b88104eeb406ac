"""The page edge: the only module in `league` that imports streamlit.

It holds what every page shares: the one Database per process, cached reads
through the gateway keyed on (database, data version, the viewer's reading
rights, arguments), the "数据截至" month chosen in the sidebar, Chinese column
labels, and the table-with-download and empty-state helpers. The viewer is
the actor league.signin put in the session; with none, nothing is read.
"""

from __future__ import annotations

import inspect
import io
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl
import streamlit as st

from league import access, gateway, member_queries, queries, spotcheck
from league import drill as drill_view
from league.access import Actor
from league.config import database_address, is_first_start
from league.db import Database
from league.flags import FLAG_NAMES

AS_OF_KEY = "month"  # the 数据截至 month, in the session and in the address bar (?month=2025-06)
ACTOR_KEY = "actor"  # the signed-in Actor, put in the session by league.signin
STATIC_DIR = Path(__file__).parent / "static"
UPLOAD_MONTHS_BACK = 24  # how far back the upload page offers report months

# English column names of query frames -> the Chinese headers users see.
COLUMN_LABELS = {
    "unit": "单位", "district": "所属区县", "level": "层级",
    "ledger_month": "台账月份", "carried_forward": "沿用此前台账",
    "done": "已新建", "target": "年度目标", "completion": "完成率", "expected": "序时进度",
    "status": "进度状态", "short_of_expected": "距序时进度还差（个）", "short_of_milestone": "距节点还差（个）",
    "units_behind": "滞后单位数",
    "done_enterprise": "非公企业已新建", "target_enterprise": "非公企业目标",
    "done_social": "社会组织已新建", "target_social": "社会组织目标",
    "done_direct": "直接联系管理已新建", "target_direct": "直接联系管理目标",
    "report_month": "月份", "month_end": "月末", "expected_share": "序时进度",
    "planned": "序时目标数", "milestone_date": "节点日期", "milestone_share": "节点比例",
    "milestone_planned": "节点目标数",
    "industry": "行业", "organisations": "组织数", "with_league_org": "已建团组织数",
    "coverage": "覆盖率", "gaps": "空白点数",
    "must_build_now": "核查提示", "org_name": "组织名称", "uscc": "统一社会信用代码",
    "org_type": "组织类型", "employees": "从业人员数", "youth_employees": "35岁以下青年数",
    "league_members": "团员数", "has_party_org": "已建党组织",
    "month": "月份", "units_reporting": "报送单位数",
    "terminals": "网络终端数", "visits": "访问量", "questions": "咨询求助及问题反映数",
    "effective_replies": "有效回复数", "reply_rate": "回复率", "alliances": "线下服务联盟数",
    "experts": "专家数", "activities": "线下服务活动场次", "youth_reached": "覆盖青年人次",
    "weibo_accounts": "微博账号数", "wechat_accounts": "微信公众号数",
    "first_received_at": "首次报送时间", "due_date": "截止日期", "timeliness": "报送情况",
    "must_build": "须立即建团", "is_gap": "空白点", "is_new": "今年新建", "street": "所属街镇",
    "park": "所在园区", "has_league_org": "已建团组织", "league_org_kind": "团组织类型",
    "league_org_date": "建团日期", "directly_managed": "直接联系管理", "build_mode": "建团方式",
    "build_path": "建团路径", "leader_name": "团组织负责人", "leader_phone": "联系电话", "note": "备注",
    "received_at": "收到时间", "submitted_by": "报送人", "file_name": "文件名", "kind": "种类",
    "rows": "行数", "error_count": "错误数", "outcome": "处理结果",
    "units": "应报单位数", "submitted": "已报送", "on_time": "按时", "late": "逾期",
    "missing": "未报送", "reporting_rate": "报送率", "on_time_rate": "按时报送率",
    "signed_off": "已审核", "review_state": "审核状态", "review_reason": "退回或重新开放原因",
    "days_late": "逾期天数", "accepted_submissions": "报送次数", "latest_received_at": "最近报送时间",
    "warning_count": "提示数", "last_actor": "最近处理人", "last_acted_at": "最近处理时间",
    "last_reason": "处理意见", "contact_name": "联系人", "contact_phone": "联系电话",
    "happened_at": "时间", "step": "环节", "actor": "操作人", "detail": "文件或意见",
    "period": "期间", "resubmitted": "重新报送待审核", "sent_back": "已退回修改", "reopened": "已重新开放",
    "alerts": "提醒原因", "short_of_passed_milestone": "距已过节点还差（个）", "missing_months": "今年未报送月数",
    "missing_this_month": "本月未报送", "severe_flags": "严重数据质量提示（条）",
    "code": "提示类型", "severity": "严重程度", "message": "情况及现场核查要点", "evidence": "依据（数值和月份）",
    "severe": "严重", "warning": "警示", "hint": "提示",
}
REVIEW_ICONS = {"missing": "❌", "submitted": "🕒", "resubmitted": "🔁", "sent_back": "↩️", "reopened": "🔓",
                "signed_off": "🔒"}
STEP_WORDS = {"submit": "报送", "resubmit": "重新报送", "rejected": "上传未通过检查", "sign_off": "审核通过",
              "send_back": "退回修改", "reopen": "重新开放"}
PERIOD_WORDS = {"month": "本月", "year_to_date": "年初至今"}
PERCENT_COLUMNS = {
    "completion", "expected", "expected_share", "milestone_share", "coverage",
    "reply_rate", "reporting_rate", "on_time_rate",
}
MONTH_COLUMNS = {"report_month", "ledger_month", "month"}

# Status is shown by colour and by icon and words together, never by colour alone.
STATUS_COLOURS = {"达到序时进度": "#2e7d32", "略有滞后": "#f9a825", "滞后": "#c62828", "无目标": "#9e9e9e"}
OUTCOME_WORDS = {"accepted": "已载入", "rejected": "未通过检查"}
KIND_WORDS = {"ledger": "台账", "targets": "任务分解表", "youth_voice": "青年之声月报"}
STATUS_PATTERNS = {"达到序时进度": "", "略有滞后": "/", "滞后": "x", "无目标": "."}
STATUS_ICONS = {"达到序时进度": "🟢", "略有滞后": "🟡", "滞后": "🔴", "无目标": "⚪"}
# Okabe and Ito's palette: eight colours told apart with the common colour-vision deficiencies.
# Districts take them in name order, so a district has the same colour on every chart.
DISTRICT_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Charts: the title pinned to the top of the figure, the legend between it and the plot (with room to wrap).
TOP_TITLE = {"yref": "container", "y": 1.0, "yanchor": "top", "pad": {"t": 12}, "automargin": True}
TOP_LEGEND = {"title": None, "orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}
TIMELINESS_COLOURS = {"按时": "#2e7d32", "逾期": "#f9a825", "未报送": "#c62828"}
TIMELINESS_ICONS = {"按时": "✅", "逾期": "⏰", "未报送": "❌"}
SEVERITY_ICONS = {"严重": "🔴", "警示": "🟠", "提示": "🔵"}


# --- the page frame: Chinese throughout, one look ------------------------------

def _run_pages_through_app_py() -> None:
    """Make a server's very first request, when it is a link to a page, go through app.py too.

    Until a run has called st.navigation, Streamlit treats an app with a
    pages/ folder as an old-style one and runs the linked page alone: no
    frame, no language, the folder's file names as the navigation. Told
    otherwise, the same request runs again through app.py, onto the page asked for.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()



@cache
def _frame_html() -> str:
    dictionary = (STATIC_DIR / "streamlit_zh.json").read_text(encoding="utf-8")
    script = (STATIC_DIR / "localise.js").read_text(encoding="utf-8").replace("DICTIONARY", dictionary)
    style = (STATIC_DIR / "league.css").read_text(encoding="utf-8")
    return f"<style>{style}</style><script>{script}</script>"


def page_frame() -> None:
    """The page in zh-CN with Streamlit's own words in Chinese, and the layout rules of league.css.

    The script is ours and fixed (no user text reaches it); its container is hidden by league.css.
    """
    with st.container(key="page_frame"):
        st.html(_frame_html(), unsafe_allow_javascript=True)


def wide_and_narrow(key: str) -> tuple:
    """Two containers: the first shown where the main area is wide, the second where it is narrow.

    Both are drawn; league.css shows one by the width of the main area (a
    container query), so a heat map gives way to a table on a phone or beside
    an open sidebar on a tablet rather than shrinking its text.
    """
    return st.container(key=f"wide_{key}"), st.container(key=f"narrow_{key}")


# --- the database and cached queries -------------------------------------

def _serve(db: Database) -> Callable[[], None]:
    """While this process holds the database: `python -m etl …` from a shell runs here (etl.handoff), and the
    overview's forecast is made ahead of its visitors after every write, the start's migration included
    (queries.warm_forecast)."""
    from etl import handoff
    from etl.__main__ import run_handed_off

    stops = [db.after_commits(queries.warm_forecast)]
    if not db.lake:  # every process writes to a DuckLake store itself; only a file is held by one
        stops.append(handoff.serve(db, run_handed_off))
    return lambda: [stop() for stop in stops]


@st.cache_resource(show_spinner=False)
def _open_database(path: str) -> Database:
    db = Database(path, hold=True, serve=_serve)
    db.migrate()
    return db


_FIRST_START = threading.Lock()


def build_demo_on_first_start() -> None:
    """With no database file yet, build the demo city: once, even when several sessions arrive together.

    It is built under another name and moved into place when complete, so a
    start interrupted half-way leaves no half-built database behind.
    """
    path = database_address()
    if not is_first_start(path):
        return
    from etl.demo import build_demo  # only ever needed on a first start

    bar = st.progress(0.0, text="首次启动：正在生成演示数据……")
    with _FIRST_START:
        if not path.exists():
            building = path.with_name(f"{path.name}.building")
            building.unlink(missing_ok=True)
            build_demo(Database(building),
                       progress=lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
            os.replace(building, path)
            Path(f"{building}.lock").unlink(missing_ok=True)
    bar.empty()


def database() -> Database:
    """The process's Database for $LEAGUE_DASHBOARD_DB (else data/league.duckdb), migrated."""
    return _open_database(str(database_address()))


def district_colours() -> dict[str, str]:
    """A colour per district of the viewer's scope (they repeat only past eight districts)."""
    districts = fetch(queries.reporting_units)["district"].drop_nulls().unique().sort().to_list()
    return {name: DISTRICT_PALETTE[i % len(DISTRICT_PALETTE)] for i, name in enumerate(districts)}


def actor() -> Actor | None:
    """The signed-in viewer of this session (None before sign-in)."""
    return st.session_state.get(ACTOR_KEY)


def _reader() -> Actor:
    viewer = actor()
    if viewer is None:
        raise gateway.AccessDenied("请先登录。")
    return viewer.reader()


def address() -> str | None:
    """Where the request comes from, for the audit log (None where Streamlit cannot tell, as in tests)."""
    try:
        where = st.context.ip_address
    except (AttributeError, RuntimeError):
        return None
    return where if isinstance(where, str) else None  # AppTest's context is a stand-in


DATA_VERSION_MAX_AGE = 1.0  # seconds a page may go on showing data another process has just replaced
_data_version_seen: dict[str, tuple[float, int]] = {}  # database path -> (monotonic time read, version)


def data_version() -> int:
    """The database's data version, read at most once a second per process.

    Every cached query is keyed on it; reading it opens the database (about
    20 ms), and a page asks for it once per query. A write through this
    process (an upload) forgets it at once (data_changed); one from the
    command line shows within DATA_VERSION_MAX_AGE.
    """
    db = database()
    now = time.monotonic()
    seen = _data_version_seen.get(db.key)
    if seen is None or now - seen[0] > DATA_VERSION_MAX_AGE:
        seen = _data_version_seen[db.key] = (now, db.data_version())
    return seen[1]


def data_changed() -> None:
    """Forget the data version after a write, so the next page shows it."""
    _data_version_seen.pop(database().key, None)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_read(query_name: str, db_path: str, data_version: int, reader: Actor, args: tuple,
                 kwargs: tuple) -> pl.DataFrame:
    # data_version is part of the key only: a new upload makes every old entry unreachable. The
    # reader (role and view scope, no name) is too: one district is never served another's figures.
    return gateway.read(_open_database(db_path), reader, getattr(queries, query_name), *args, **dict(kwargs))


@st.cache_data(show_spinner=False)
def _cached_reference(query_name: str, db_path: str, data_version: int) -> pl.DataFrame:
    return getattr(queries, query_name)(_open_database(db_path))


def fetch(query: Callable[..., pl.DataFrame], *args, **filters) -> pl.DataFrame:
    """A named query of league.queries read through the gateway as the viewer, cached.

    A query that reads ledgers is read on the sidebar's basis (signed-off only or everything)
    unless the page names one, so no page can forget it.
    """
    return _cached_read(query.__name__, database().key, data_version(), _reader(), args,
                        tuple(sorted(_on_basis(query, filters).items())))


def _on_basis(query: Callable[..., pl.DataFrame], filters: dict) -> dict:
    """The filters with the sidebar's basis added when the query reads ledgers and the page named none."""
    if "signed_off_only" in _parameters(query) and "signed_off_only" not in filters:
        return filters | {"signed_off_only": signed_off_only()}
    return filters


def fetch_reference(query: Callable[..., pl.DataFrame]) -> pl.DataFrame:
    """An unscoped query of the plan itself (its settings: no unit's data), cached."""
    return _cached_reference(query.__name__, database().key, data_version())


@cache
def _parameters(query: Callable) -> frozenset[str]:
    return frozenset(inspect.signature(query).parameters)


# --- the basis: every accepted ledger, or only what the district signed off ------

BASIS_KEY = "signed_off_only"


def basis_toggle() -> None:
    """The sidebar's switch between every accepted ledger (the default) and signed-off ledgers only."""
    st.sidebar.toggle("只计已审核数据", key=BASIS_KEY, bind="query-params",
                      help="打开后，只计区县团委已审核确认（已锁定）的台账；某单位本月未审核时，按其最近一次已审核的台账计。")
    st.sidebar.caption(basis_text())


def signed_off_only() -> bool:
    return bool(st.session_state.get(BASIS_KEY, False))


def basis_text() -> str:
    """Which data the figures count, in words, for every page to say."""
    if signed_off_only():
        return "口径：只计区县团委已审核确认的台账。"
    return "口径：全部已接收的台账，含尚未审核的（表中已标注）。"


def basis_note() -> None:
    st.caption(basis_text())


# --- the "数据截至" month ------------------------------------------------------

def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def addressed_selectbox(container, label: str, options: list, key: str, text: Callable[[Any], str],
                        default: Any = None, **widget) -> Any:
    """A selectbox whose choice is also in the address bar, as ?key=text(choice).

    For choices whose label is not a good address (a month shown as 2025年6月
    is ?month=2025-06; an organisation shown with its flags is its credit
    code) and for a default that is always written out, so a sent link keeps
    meaning the same month after the default has moved (Streamlit's own
    binding uses the label and leaves the default out). The address wins
    over the session: a reload, a link or the browser's back button restores it.
    """
    def put_in_address() -> None:
        chosen = st.session_state.get(key)
        if chosen is None:
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = text(chosen)

    named = st.query_params.get(key)
    addressed = next((option for option in options if text(option) == named), None) if named else None
    if addressed is not None:
        st.session_state[key] = addressed
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default
    chosen = container.selectbox(label, options, key=key, on_change=put_in_address, **widget)
    put_in_address()
    return chosen


def month_text(month: date) -> str:
    return f"{month:%Y-%m}"


def as_of_selector() -> date | None:
    """The sidebar's "数据截至" month, kept in the address bar so a reload or a sent link shows the same month.

    Without one in the address, the default is the latest month most
    reporting units have sent a ledger for (queries.default_month), not the
    latest month anyone has: one unit's early upload does not move everyone.
    """
    months_reported = fetch(queries.ledger_months)
    months = months_reported["report_month"].to_list()
    if not months:
        st.session_state.pop(AS_OF_KEY, None)
        st.sidebar.caption("数据截至：暂无台账数据")
        return None
    default = queries.default_month(months_reported)
    chosen = addressed_selectbox(
        st.sidebar, "数据截至", months, AS_OF_KEY, month_text, default, format_func=month_label,
        help="各页面的数字都按所选月份末的台账计算；某单位当月未报送时沿用其此前最近一期台账。",
    )
    st.sidebar.caption(month_explanation(months_reported, chosen, default))
    return chosen


def month_explanation(months_reported: pl.DataFrame, chosen: date, default: date) -> str:
    """Why the page shows this month, and how many units' ledgers it stands on."""
    row = months_reported.filter(pl.col("report_month") == chosen).row(0, named=True)
    sent = f"{row['units_reporting']}/{row['units_expected']} 个单位报送了{month_label(chosen)}台账"
    if chosen == default and row["mostly_reported"]:
        return f"默认显示{month_label(default)}：已报送台账的单位达到应报单位的{row['min_share']:.0%}的最近一个月（{sent}）。"
    if chosen == default:
        return f"默认显示有台账的最近一个月{month_label(default)}（{sent}），还没有哪个月报送的单位达到{row['min_share']:.0%}。"
    if not row["mostly_reported"]:
        return (f"{sent}，其余单位沿用此前最近一期台账。报送单位达到{row['min_share']:.0%}的最近一个月是"
                f"{month_label(default)}。")
    return f"{sent}。"


def upload_months(today: date | None = None) -> list[date]:
    """Months a ledger may be sent for, newest first: this month and the 23 before it,
    plus any older month that already holds ledgers (so a late correction can still be sent)."""
    current = (today or date.today()).replace(day=1)
    recent = []
    for back in range(UPLOAD_MONTHS_BACK):
        year, month = divmod(current.year * 12 + current.month - 1 - back, 12)
        recent.append(date(year, month + 1, 1))
    held = fetch(queries.ledger_months)["report_month"].to_list()
    return sorted(set(recent) | set(held), reverse=True)


def as_of_month() -> date | None:
    """The month chosen in the sidebar; if app.py's frame did not run, the address bar's or the default month.

    (Streamlit runs a page without app.py when a server's first request is a
    link straight to the page, because our pages live in a folder named pages/.)
    """
    if AS_OF_KEY in st.session_state:
        return st.session_state[AS_OF_KEY]
    months_reported = fetch(queries.ledger_months)
    named = st.query_params.get(AS_OF_KEY)
    addressed = [month for month in months_reported["report_month"] if month_text(month) == named]
    return addressed[0] if addressed else queries.default_month(months_reported)


def require_as_of_month() -> date:
    """The chosen month, or a plain message and the end of the page when there is no ledger yet."""
    month = as_of_month()
    if month is None:
        st.info("还没有任何已接收的台账。请先到“上传”页面上传各单位的月度台账。")
        st.stop()
    return month


# --- tables, downloads and empty states ------------------------------------

def plan_setting(name: str) -> float:
    """A number of the plan (plan_settings), as the rules read it."""
    return fetch_reference(queries.plan_settings).filter(pl.col("name") == name)["value"][0]


def empty_state(message: str) -> None:
    st.info(message)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def is_year_end(due: date) -> bool:
    """Whether a forecast point is the year end (the whole target by 31 December) rather than a milestone."""
    return (due.month, due.day) == (12, 31)


def point_label(due: date) -> str:
    """A forecast point in words: "7月31日节点", or "年底" for the year's target."""
    return "年底（12月31日）" if is_year_end(due) else f"{due.month}月{due.day}日节点"


def chance(probability: float | None) -> str:
    """A forecast's probability in words: whole percent, and no false certainty at either end."""
    if probability is None:
        return "无法估计"
    if probability < 0.01:
        return "不到 1%"
    if probability > 0.99:
        return "超过 99%"
    return f"约 {probability:.0%}"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def status_label(status: str | None) -> str:
    return f"{STATUS_ICONS.get(status, '')} {status}".strip() if status else ""


def review_label(state: str | None) -> str:
    return f"{REVIEW_ICONS.get(state, '')} {queries.REVIEW_STATES.get(state, state)}".strip() if state else ""


def review_notice(unit: str, month: date) -> None:
    """Where the unit-month stands in the district's review, and why it was sent back or reopened."""
    found = fetch(queries.review_queue, month).filter(pl.col("unit") == unit)
    if found.is_empty():
        return
    row = found.row(0, named=True)
    said = (f"（{row['last_actor']}，{row['last_acted_at']:%Y-%m-%d %H:%M}）：{row['last_reason']}"
            if row["last_reason"] else "")
    state, label = row["review_state"], month_label(month)
    if state == "signed_off":
        st.warning(f"“{unit}”{label}的台账已经区县团委审核确认并锁定，不能再上传替换；如确需修改，请联系区县团委重新开放。",
                   icon=":material/lock:")
    elif state == "sent_back":
        st.warning(f"区县团委退回了“{unit}”{label}的台账，请修改后重新上传{said}", icon=":material/undo:")
    elif state == "reopened":
        st.info(f"区县团委已重新开放“{unit}”{label}的台账，请重新上传{said}", icon=":material/lock_open:")
    elif state in ("submitted", "resubmitted"):
        st.caption(f"“{unit}”{label}的台账已报送，等待区县团委审核；审核通过前可以上传替换。")


def severity_label(severity: str | None) -> str:
    """A data-quality flag's severity with its icon (severity is never shown by colour alone)."""
    return f"{SEVERITY_ICONS.get(severity, '')} {severity}".strip() if severity else ""


def timeliness_label(timeliness: str | None) -> str:
    return f"{TIMELINESS_ICONS.get(timeliness, '')} {timeliness}".strip() if timeliness else ""


def gap_flag(must_build_now: pl.Expr, is_gap: pl.Expr) -> pl.Expr:
    """What an inspector should check about an organisation, in words as well as colour."""
    return (
        pl.when(must_build_now).then(pl.lit("🔴 须立即建团（已有党组织）"))
        .when(is_gap).then(pl.lit("🟠 应建未建"))
        .otherwise(pl.lit(""))
    )


# Columns holding codes, and how each is put in words for a table.
CODE_LABELLERS = {"status": status_label, "timeliness": timeliness_label, "review_state": review_label,
                  "severity": severity_label}
ALERT_WORDS = {"behind_passed_milestone": "已过节点仍未完成", "projected_to_miss": "预计达不到下一节点",
               "missing_submission": "本月台账未报送", "severe_flags": "有严重数据质量提示"}
CODE_WORDS = {"kind": KIND_WORDS, "outcome": OUTCOME_WORDS, "step": STEP_WORDS, "period": PERIOD_WORDS,
              "alerts": ALERT_WORDS, "code": FLAG_NAMES}


# --- 随机抽查: spot-check packs and verification factors ---------------------------
# What the unit page shows of queries.verification_by_unit (filtered to the unit), after the unit itself.
VERIFICATION_COLUMNS = ["period", "packs", "organisations_checked", "league_orgs_claimed", "league_orgs_confirmed",
                        "org_factor", "members_claimed", "members_counted", "member_factor", "outside_band"]
COLUMN_LABELS |= {
    "packs": "抽查包数", "organisations_checked": "核查组织数", "league_orgs_claimed": "台账填报已建团组织数",
    "league_orgs_confirmed": "现场核实团组织数", "org_factor": "团组织核实系数", "members_claimed": "台账填报团员数",
    "members_counted": "现场清点团员数", "member_factor": "团员核实系数", "band_low": "可接受下限",
    "band_high": "可接受上限", "outside_band": "超出可接受范围", "units_checked": "抽查单位数",
    "units_outside_band": "超出范围单位数", "pack_id": "抽查包编号", "seed": "随机种子", "size": "要求抽取数",
    "pack_state": "状态", "created_by": "生成人", "created_at": "生成时间", "findings_received_at": "结果载入时间",
    "findings_submitted_by": "结果载入人", "position": "序号", "stratum": "抽样类别",
}
# A factor of 1 is 100%: confirmed on site exactly what the ledger claims.
PERCENT_COLUMNS |= {"org_factor", "member_factor", "band_low", "band_high"}
CODE_WORDS |= {"stratum": spotcheck.STRATUM_WORDS, "pack_state": spotcheck.PACK_STATE_WORDS}
KIND_WORDS |= {spotcheck.KIND: "随机抽查结果"}  # the received-files list


# --- 团员发展: new members' entry, member numbers, schools (league.member_queries) ----------------
COLUMN_LABELS |= {
    "admitted": "发展团员数", "entered_on_time": "按时录入", "entered_late": "逾期录入",
    "not_entered_overdue": "逾期未录入", "not_entered_in_time": "未录入（未到期限）", "entry_rate": "按时录入率",
    "member_name": "姓名", "id_number": "公民身份号码", "member_no": "团员编号", "developing_org": "发展团组织",
    "joined_on": "入团时间", "entry_deadline": "录入期限", "entered_on": "录入日期", "entry_state": "录入情况",
    "days_overdue": "逾期天数", "issued": "发放编号数", "used": "已使用", "unused": "登记未使用",
    "untraced": "无下落", "outside_range": "号段外使用", "duplicate": "重号", "traced_share": "有下落比例",
    "trace": "编号情况", "in_range": "在本单位号段内", "roster_uses": "本单位使用次数",
    "uses_anywhere": "全部使用次数", "first_joined_on": "入团时间", "school": "学校",
    "edu_count": "教育统计团员数", "league_count": "智慧团建团员数", "gap": "差额（团内−教育）",
    "gap_percent": "差异（%）", "over_threshold": "差异超过阈值", "explained": "已书面说明",
    "needs_explanation": "须说明而未说明", "explanation": "差异说明", "schools": "学校数",
    "schools_over_threshold": "差异超过阈值的学校数", "schools_unexplained": "未说明的学校数",
}
PERCENT_COLUMNS |= {"entry_rate", "traced_share"}
CODE_WORDS |= {"entry_state": member_queries.ENTRY_STATE_WORDS, "trace": member_queries.TRACE_WORDS}
KIND_WORDS |= {"roster": "新发展团员名册", "ranges": "团员编号号段", "unused_numbers": "未使用编号登记",
               "schools": "学校团员数量"}


# --- 专项目标: the circulars' other targets (league.circular_queries) ------------------------------
COLUMN_LABELS |= {
    "above_scale_enterprises": "规上非公企业数", "target_share": "目标覆盖率", "remaining": "尚需建立（个）",
    "party_led_due": "有党组织且团员达标",
    "synchronised": "已同步建团", "synchronised_share": "同步建团率", "since_month": "自何月起",
    "months_unsynced": "持续月数", "pathway": "建团路径名称", "new_orgs": "新建团组织数", "group_name": "分组",
    "member": "行业或园区",
}
PERCENT_COLUMNS |= {"target_share", "synchronised_share"}
MONTH_COLUMNS |= {"since_month"}


# --- 青年之声 at question level (league.question_queries) ---------------------------------------------
COLUMN_LABELS |= {
    "answered": "已有效回复", "median_hours": "回复用时中位数（小时）", "p90_hours": "回复用时第90百分位（小时）",
    "within_day_share": "24小时内回复", "within_week_share": "7天内回复", "waiting": "等待回复",
    "oldest_days": "最久已等（天）", "waiting_days": "已等待（天）", "waiting_band": "等待时长", "question_id": "问题编号",
    "asked_at": "提问时间", "category": "服务类别", "question_share": "占问题数", "replier_kind": "回复主体",
    "replies": "有效回复数", "reply_share": "占有效回复", "rated": "作出评价数", "mean_satisfaction": "平均满意度",
    "disagrees": "不一致", "questions_reported": "月报咨询数", "questions_counted": "明细提问数",
    "replies_reported": "月报有效回复数", "replies_counted": "明细有效回复数",
}
PERCENT_COLUMNS |= {"within_day_share", "within_week_share", "question_share", "reply_share"}


# --- 总览: the milestone forecast (queries.milestone_forecast, league.forecast) --------------
# What the overview's unit table shows of the forecast's unit rows, the least likely to make it first.
FORECAST_COLUMNS = ["unit", "district", "target", "done", "next_milestone_date", "next_milestone_needed",
                    "p_next_milestone", "next_median", "next_low", "next_high", "projected_short",
                    "needed_per_month", "p_year_target", "year_end_median", "year_end_low", "year_end_high"]
COLUMN_LABELS |= {
    "next_milestone_date": "下一节点", "next_milestone_share": "下一节点比例",
    "next_milestone_needed": "下一节点要求累计（个）", "p_next_milestone": "达到下一节点的概率",
    "next_median": "下一节点预计累计（个）", "next_low": "预计下限（80%区间）", "next_high": "预计上限（80%区间）",
    "projected_short": "预计差额（个）", "needed_per_month": "每月还需新建（个）",
    "p_year_target": "完成年度目标的概率", "year_end_median": "年底预计累计（个）",
    "year_end_low": "年底预计下限（80%区间）", "year_end_high": "年底预计上限（80%区间）",
    # milestone_forecast_points: one row per remaining point
    "point": "节点类型", "share": "节点比例", "needed": "节点要求累计（个）", "months_left": "剩余月数",
    "p_reach": "达到的概率", "median": "预计累计（个）", "low": "预计下限（80%区间）", "high": "预计上限（80%区间）",
}
PERCENT_COLUMNS |= {"next_milestone_share", "p_next_milestone", "p_year_target", "share", "p_reach"}
CODE_WORDS |= {"point": {"milestone": "时间节点", "year_end": "年底（年度目标）"}}


def readable(frame: pl.DataFrame, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """Column names in Chinese; months as 2024-06, dates as 2024-06-26, yes/no as 是/否, status with its icon.

    Every column that is not a number becomes text with blanks blank, so no
    "None" or "null" reaches a cell; a missing number stays missing (tables
    show it as "—", downloads leave the cell empty).
    """
    labels = COLUMN_LABELS | (labels or {})
    readable = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Datetime:
            column = column.dt.strftime("%Y-%m-%d %H:%M")
        elif name in MONTH_COLUMNS:
            column = column.dt.strftime("%Y-%m")
        elif dtype == pl.Date:
            column = column.dt.strftime("%Y-%m-%d")
        elif dtype == pl.Boolean:
            column = pl.when(column).then(pl.lit("是")).when(~column).then(pl.lit("否"))
        elif name in CODE_LABELLERS:
            column = column.map_elements(CODE_LABELLERS[name], return_dtype=pl.String)
        elif name in CODE_WORDS and isinstance(dtype, pl.List):
            column = column.list.eval(pl.element().replace_strict(CODE_WORDS[name], default=pl.element())).list.join("、")
        elif name in CODE_WORDS:
            column = column.replace_strict(CODE_WORDS[name], default=column)
        if not dtype.is_numeric():
            column = column.cast(pl.String).fill_null("")
        readable.append(column.alias(labels.get(name, name)))
    return frame.select(readable)


def raw_file(sha256: str) -> bytes | None:
    """A received file of the viewer's scope as it arrived, for downloading again (None: only its hash was kept)."""
    return gateway.raw_file(database(), actor(), sha256)


def audited(make: Callable[[], bytes], what: str, rows: int | None = None, unit: str | None = None
            ) -> Callable[[], bytes]:
    """A download's content, made when the button is pressed and recorded in the audit log then.

    The viewer and address are taken now: the button's callback runs outside the page's run.
    """
    viewer, where, db = actor(), address(), database()

    def download() -> bytes:
        content = make()
        access.record(db, viewer.name if viewer else None, "download", unit,
                      {"file": what, "rows": rows, "bytes": len(content)}, where)
        return content

    return download


def xlsx_bytes(frame: pl.DataFrame, percent_columns: Sequence[str] = ()) -> bytes:
    """The frame as an .xlsx download, with nothing live in it.

    polars writes into a workbook we open ourselves, so that text beginning with
    "=" stays text and "http://…" or "mailto:…" a plain string, not a link
    (polars' own workbook turns off formulas only); numbers in text stay text.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False, "nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd;@"}
    with xlsxwriter.Workbook(buffer, options) as book:
        frame.write_excel(
            book, worksheet="数据", autofit=True,
            column_formats={name: "0.0%" for name in percent_columns},
        )
    return buffer.getvalue()


DRILL_ROUND_KEY = "drill_round"  # bumped on every move, so a table opens again with no row selected


def chart_that_drills(figure, key: str, drill: Callable[[dict], drill_view.View | None]) -> None:
    """A chart where clicking a bar or point opens the drill-down at drill(point) (plotly's point: x, y, …)."""
    drill_round = st.session_state.get(DRILL_ROUND_KEY, 0)
    event = st.plotly_chart(figure, key=f"{key}_{drill_round}", on_select="rerun", selection_mode="points")
    points = event["selection"]["points"] if event else []
    view = drill(points[0]) if points else None
    if view is not None:
        st.session_state[DRILL_ROUND_KEY] = drill_round + 1
        drill_view.go_to(view)


# What a person can read on one screen: a chart draws at most this many rows (units, bars), a table shows
# this many rows a page; the rest are a page or a download away, so a province never sends them all at once.
CHART_ROWS = 40
TABLE_PAGE_ROWS = 1000


def chart_rows(frame: pl.DataFrame, what: str) -> pl.DataFrame:
    """The first CHART_ROWS rows of a frame already ordered most pressing first, saying on the page
    how many are left out of the chart (the table below lists them all)."""
    if frame.height <= CHART_ROWS:
        return frame
    st.caption(f"共 {frame.height:,} 个{what}，图中只画排在最前的 {CHART_ROWS} 个；全部见下方表格。")
    return frame.head(CHART_ROWS)


def _page_number(rows: int, key: str) -> int:
    """The offset of the first row of the page of a long table chosen with a page number above it."""
    if rows <= TABLE_PAGE_ROWS:
        return 0
    pages = -(-rows // TABLE_PAGE_ROWS)
    page = st.number_input(f"页码（共 {pages:,} 页，每页 {TABLE_PAGE_ROWS:,} 行；下载表格可得全部 {rows:,} 行）",
                           min_value=1, max_value=pages, value=1, step=1, key=f"{key}_page")
    return (int(page) - 1) * TABLE_PAGE_ROWS


def _table(page: pl.DataFrame, columns: Sequence[str], labels: dict[str, str], key: str,
           drill: Callable[[dict], drill_view.View] | None) -> None:
    """Rows as a table with Chinese headers; with `drill`, choosing a row opens the drill-down at drill(row)."""
    shown = readable(page.select(columns), labels)
    percents = [labels.get(name, name) for name in columns if name in PERCENT_COLUMNS]
    counts = [labels.get(name, name) for name in columns if page.schema[name].is_integer()]
    drill_round = st.session_state.get(DRILL_ROUND_KEY, 0)
    selectable = {"on_select": "rerun", "selection_mode": "single-row"} if drill else {}
    # Shares are fractions in the data and the download; on screen, percent with one decimal everywhere.
    event = st.dataframe(
        shown.with_columns(pl.col(name) * 100 for name in percents), hide_index=True,
        key=f"{key}_table_{drill_round}" if drill else f"{key}_table", placeholder="—",
        column_config={name: st.column_config.NumberColumn(format="%.1f%%") for name in percents}
        | {name: st.column_config.NumberColumn(format="localized") for name in counts},
        **selectable,
    )
    if drill:
        st.caption("点击表格左侧的选择框，查看该行的详情。")
        if event.selection.rows:
            st.session_state[DRILL_ROUND_KEY] = drill_round + 1
            drill_view.go_to(drill(page.row(event.selection.rows[0], named=True)))


def table_with_download(frame: pl.DataFrame, columns: Sequence[str] | None, file_name: str, key: str,
                        labels: dict[str, str] | None = None,
                        drill: Callable[[dict], drill_view.View] | None = None) -> None:
    """The frame's chosen columns as a table with Chinese headers, and the same as an .xlsx download.

    `columns` None shows them all. With `drill`, choosing a row opens the drill-down at the view drill(row) names.
    """
    columns = frame.columns if columns is None else columns
    labels = COLUMN_LABELS | (labels or {})
    offset = _page_number(frame.height, key)
    _table(frame.slice(offset, TABLE_PAGE_ROWS), columns, labels, key, drill)
    percents = [labels.get(name, name) for name in columns if name in PERCENT_COLUMNS]
    _download_button(audited(lambda: xlsx_bytes(readable(frame.select(columns), labels), percents),
                             file_name, frame.height), file_name, key)


def paged_table_with_download(query: Callable[..., pl.DataFrame], rows: int, columns: Sequence[str],
                              file_name: str, key: str, shown_as: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f,
                              drill: Callable[[dict], drill_view.View] | None = None, **filters) -> None:
    """A list too long to read whole (a province's gaps): `rows` of a named query taking limit and offset,
    read a page at a time; its download reads every row when the button is pressed. `shown_as` turns
    the query's rows into what the table shows (codes into words)."""
    if rows <= TABLE_PAGE_ROWS:
        table_with_download(shown_as(fetch(query, **filters)), columns, file_name, key, drill=drill)
        return
    offset = _page_number(rows, key)
    _table(shown_as(fetch(query, limit=TABLE_PAGE_ROWS, offset=offset, **filters)), columns, COLUMN_LABELS, key, drill)
    db, reader, filters = database(), _reader(), _on_basis(query, filters)  # the button's callback runs outside the run

    def everything() -> bytes:
        whole = shown_as(gateway.read(db, reader, query, **filters))
        return xlsx_bytes(readable(whole.select(columns), COLUMN_LABELS),
                          [COLUMN_LABELS.get(name, name) for name in columns if name in PERCENT_COLUMNS])

    _download_button(audited(everything, file_name, rows), file_name, key)


def xlsx_download(shown: pl.DataFrame, file_name: str, key: str, percent_columns: Sequence[str] = ()) -> None:
    """A table already in words (readable) as an .xlsx download, recorded in the audit log when taken."""
    # The workbook is written when the button is pressed, not on every run of the page.
    _download_button(audited(lambda: xlsx_bytes(shown, percent_columns), file_name, shown.height), file_name, key)


def _download_button(content: Callable[[], bytes], file_name: str, key: str) -> None:
    st.download_button(
        "下载表格（Excel）", data=content, file_name=file_name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:", key=f"{key}_download", on_click="ignore",
    )


_run_pages_through_app_py()
