"""Who may see and change what: accounts, roles, scopes on the unit tree, sign-in sessions and the audit log.

As in DHIS2, a user has two scopes on the unit tree, each covering a node's
whole subtree: where they may view and where they may submit. As in datasette,
the actor is resolved once per request and every capability asks one question,
`actor.can(action, unit_path)`. Nothing here imports streamlit: the sign-in
form is `league.signin`, the reads that use the actor are `league.gateway`.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import argon2
import duckdb
import polars as pl

from league.db import Database, next_ids

ROLES = {"leadership": "领导", "inspector": "督导", "district": "区县团委", "unit": "基层单位", "admin": "管理员"}
# What each role may do; a scope says where. spot_check (draw packs, load their findings) is
# within the view scope: an inspector checks the whole tree, a district its own units.
ROLE_ACTIONS = {
    "leadership": frozenset({"view"}),
    "inspector": frozenset({"view", "see_personal", "spot_check"}),
    "district": frozenset({"view", "submit", "review", "spot_check"}),
    "unit": frozenset({"view", "submit"}),
    "admin": frozenset({"manage_users", "read_audit"}),
}
# The level of unit a role's scope must be (None: any unit).
# A district account scoped to the city is the city committee's desk: it reviews and reopens every district's units.
SCOPE_LEVELS = {"leadership": None, "inspector": None, "district": ("city", "district"),
                "unit": ("street", "industry"), "admin": None}
MIN_PASSWORD_LENGTH = 10
FAILURE_WINDOW = timedelta(minutes=15)  # failures older than this are forgotten
MAX_SIGN_IN_DELAY_SECONDS = 15 * 60
SESSION_TOUCH_SECONDS = 60  # how stale a session's last_seen may get before it is written again
DEMO_ACCOUNTS_FILE = "demo-accounts.txt"
DEMO_ACCOUNTS = (("领导", "leadership", None), ("督导", "inspector", None), ("区县团委", "district", "district"),
                 ("基层单位", "unit", "street"), ("管理员", "admin", None))

_hasher = argon2.PasswordHasher()


def command_line_actor() -> str:
    """Who a command-line upload or account change is recorded as made by: the operating-system user."""
    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):  # a container user with no name
        return "命令行"


class AccountError(ValueError):
    """A request about an account that cannot be done, said in Chinese."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user as every capability sees them.

    Scopes are unit names with their tree paths ('/city/district/'); a null
    scope covers nothing.
    """

    name: str
    role: str
    view_scope: str | None = None
    view_path: str | None = None
    submit_scope: str | None = None
    submit_path: str | None = None

    def can(self, action: str, unit_path: str | None = None) -> bool:
        """Whether the role allows the action and, given a unit's path, whether the unit is in that scope."""
        if action not in ROLE_ACTIONS.get(self.role, ()):
            return False
        scope_path = {"view": self.view_path, "submit": self.submit_path, "review": self.submit_path,
                      "see_personal": self.view_path, "spot_check": self.view_path}.get(action, "/")
        if scope_path is None:
            return False
        return unit_path is None or unit_path.startswith(scope_path)

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def reader(self) -> Actor:
        """The same reading rights without the name: what a cached read may be shared on."""
        return Actor("", self.role, self.view_scope, self.view_path)


# --- accounts ------------------------------------------------------------------

def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    return _hasher.hash(password)


def _scopes(con: duckdb.DuckDBPyConnection, role: str, scope: str | None) -> tuple[int | None, int | None]:
    """The (view, submit) scope unit ids a role gets from the one unit it is given."""
    if role not in ROLES:
        raise AccountError(f"未知角色“{role}”，应为 {'、'.join(ROLES)} 之一。")
    if role == "admin":
        if scope:
            raise AccountError("管理员不查看数据，不需要范围。")
        return None, None
    if scope is None:
        if SCOPE_LEVELS[role] is not None:
            raise AccountError(f"{ROLES[role]}账号须用 --scope 指定所属单位。")
        row = con.execute("select unit_id, level from units where parent_id is null").fetchone()
    else:
        row = con.execute("select unit_id, level from units where name = ?", [scope]).fetchone()
    if row is None:
        raise AccountError(f"单位“{scope}”不存在。")
    unit_id, level = row
    if SCOPE_LEVELS[role] is not None and level not in SCOPE_LEVELS[role]:
        raise AccountError(f"{ROLES[role]}账号的范围须是{'或'.join(SCOPE_LEVELS[role])}级单位，“{scope}”不是。")
    return unit_id, (unit_id if "submit" in ROLE_ACTIONS[role] else None)


def add_user(db: Database, name: str, role: str, scope: str | None, password: str, by: str,
             address: str | None = None, must_change: bool = False) -> None:
    """A new account; `must_change` makes the user set their own password at the first sign-in."""
    name = name.strip()
    if not name:
        raise AccountError("用户名不能为空。")
    password_hash = hash_password(password)
    with db.transaction() as con:
        view, submit = _scopes(con, role, scope)
        if con.execute("select 1 from users where name = ?", [name]).fetchone():
            raise AccountError(f"用户“{name}”已存在。")
        con.execute("insert into users (name, password_hash, role, view_scope, submit_scope, must_change)"
                    " values (?, ?, ?, ?, ?, ?)", [name, password_hash, role, view, submit, must_change])
        audit(con, by, "user_added", None, {"user": name, "role": role, "scope": scope}, address)


def scope_choices(db: Database, role: str) -> list[str]:
    """The units an account of `role` may be scoped to, in the tree's order (none for an admin)."""
    if role == "admin":
        return []
    return db.query("select name from units where $levels::varchar[] is null or list_contains($levels, level)"
                    " order by path", {"levels": list(SCOPE_LEVELS[role]) if SCOPE_LEVELS[role] else None}
                    )["name"].to_list()


def _existing(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if not con.execute("select 1 from users where name = ?", [name]).fetchone():
        raise AccountError(f"用户“{name}”不存在。")


def set_disabled(db: Database, name: str, disabled: bool, by: str, address: str | None = None) -> None:
    """Disable (or enable again) an account; a disabled account's sessions end at once."""
    with db.transaction() as con:
        _existing(con, name)
        con.execute("update users set disabled = ? where name = ?", [disabled, name])
        if disabled:
            con.execute("update sessions set ended_at = now() where name = ? and ended_at is null", [name])
        audit(con, by, "user_disabled" if disabled else "user_enabled", None, {"user": name}, address)


def reset_password(db: Database, name: str, password: str, by: str, address: str | None = None) -> None:
    """Set a new password that must be changed at the next sign-in; the user's sessions end."""
    password_hash = hash_password(password)
    with db.transaction() as con:
        _existing(con, name)
        con.execute("update users set password_hash = ?, must_change = true, password_set_at = now()"
                    " where name = ?", [password_hash, name])
        con.execute("update sessions set ended_at = now() where name = ? and ended_at is null", [name])
        audit(con, by, "password_reset", None, {"user": name}, address)


def change_password(db: Database, actor: Actor, old: str, new: str, address: str | None = None) -> None:
    """The signed-in user's own new password, given the current one."""
    with db.transaction() as con:
        (stored,) = con.execute("select password_hash from users where name = ?", [actor.name]).fetchone()
        if not _verified(stored, old):
            raise AccountError("当前密码不正确。")
        if old == new:
            raise AccountError("新密码不能与当前密码相同。")
        con.execute("update users set password_hash = ?, must_change = false, password_set_at = now()"
                    " where name = ?", [hash_password(new), actor.name])
        audit(con, actor.name, "password_changed", None, None, address)


def list_users(db: Database) -> pl.DataFrame:
    """name, role, view_scope, submit_scope (unit names), disabled, must_change, created_at, last_sign_in."""
    return db.query(
        "select u.name, u.role, v.name as view_scope, s.name as submit_scope, u.disabled, u.must_change,"
        " u.created_at, (select max(started_at) from sessions where sessions.name = u.name) as last_sign_in"
        " from users u left join units v on v.unit_id = u.view_scope left join units s on s.unit_id = u.submit_scope"
        " order by u.role, u.name"
    )


def _verified(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except argon2.exceptions.VerificationError:
        return False
    except argon2.exceptions.InvalidHashError:
        return False


def _actor(con: duckdb.DuckDBPyConnection, name: str) -> Actor | None:
    row = con.execute(
        "select u.role, v.name, v.path, s.name, s.path from users u"
        " left join units v on v.unit_id = u.view_scope left join units s on s.unit_id = u.submit_scope"
        " where u.name = ? and not u.disabled", [name]).fetchone()
    return None if row is None else Actor(name, *row)


# --- signing in ----------------------------------------------------------------

@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: an actor and a session token, or a message saying why not."""

    actor: Actor | None = None
    token: str | None = None
    message: str | None = None
    must_change: bool = False


def sign_in_delay(con: duckdb.DuckDBPyConnection, name: str, now: datetime) -> float:
    """Seconds until the name may try again: none for the first few failures, then doubling."""
    free = int(con.execute("select value from plan_settings where name = 'sign_in_free_failures'").fetchone()[0])
    failures = [at for (at,) in con.execute(
        "select failed_at from sign_in_failures where name = ? and failed_at > ? order by failed_at",
        [name, now - FAILURE_WINDOW]).fetchall()]
    if len(failures) < free:
        return 0.0
    wait = min(2.0 ** (len(failures) - free + 1), MAX_SIGN_IN_DELAY_SECONDS)
    return max(0.0, (failures[-1] + timedelta(seconds=wait) - now).total_seconds())


def sign_in(db: Database, name: str, password: str, address: str | None = None,
            now: datetime | None = None) -> SignIn:
    """Check a name and password; on success start a session. Every attempt is in the audit log."""
    now = now or datetime.now()
    name = name.strip()
    refused = SignIn(message="用户名或密码不正确。")
    with db.transaction() as con:
        delay = sign_in_delay(con, name, now)
        if delay > 0:
            audit(con, name, "sign_in_delayed", None, {"seconds": round(delay)}, address, now)
            return SignIn(message=f"该用户名登录失败次数过多，请 {delay:.0f} 秒后再试。")
        row = con.execute("select password_hash, disabled, must_change from users where name = ?", [name]).fetchone()
        if row is None or row[1] or not _verified(row[0], password):
            con.execute("insert into sign_in_failures values (?, ?, ?)", [name, now, address])
            audit(con, name if row else None, "sign_in_failed",
                  None, {"name": name, "reason": "disabled" if row and row[1] else "password"}, address, now)
            return refused
        if _hasher.check_needs_rehash(row[0]):
            con.execute("update users set password_hash = ? where name = ?", [_hasher.hash(password), name])
        token = secrets.token_urlsafe(32)
        con.execute("insert into sessions values (?, ?, ?, ?, null, ?)", [_token_hash(token), name, now, now, address])
        con.execute("delete from sign_in_failures where name = ?", [name])
        audit(con, name, "sign_in", None, None, address, now)
        return SignIn(actor=_actor(con, name), token=token, must_change=row[2])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_actor(db: Database, token: str | None, now: datetime | None = None) -> Actor | None:
    """The actor of a live session: signed in, not signed out, not idle too long, the account enabled."""
    if not token:
        return None
    now = now or datetime.now()
    token_hash = _token_hash(token)
    with db.connect() as con:
        row = con.execute(
            "select s.name, s.last_seen from sessions s join users u using (name)"
            " where s.token_sha256 = ? and s.ended_at is null and not u.disabled"
            " and s.last_seen > ? - to_minutes((select value from plan_settings"
            "     where name = 'session_idle_minutes')::integer)",
            [token_hash, now]).fetchone()
        if row is None:
            return None
        if (now - row[1]).total_seconds() > SESSION_TOUCH_SECONDS:
            con.execute("update sessions set last_seen = ? where token_sha256 = ?", [now, token_hash])
        return _actor(con, row[0])


def must_change_password(db: Database, name: str) -> bool:
    return bool(db.scalar("select must_change from users where name = ?", [name]))


def sign_out(db: Database, actor: Actor, token: str | None, address: str | None = None) -> None:
    with db.transaction() as con:
        if token:
            con.execute("update sessions set ended_at = now() where token_sha256 = ?", [_token_hash(token)])
        audit(con, actor.name, "sign_out", None, None, address)


# --- the audit log -----------------------------------------------------------

AUDIT_ACTIONS = {
    "sign_in": "登录", "sign_in_failed": "登录失败", "sign_in_delayed": "登录被延时", "sign_out": "退出登录",
    "password_changed": "修改密码", "password_reset": "重置密码", "user_added": "添加用户",
    "user_disabled": "停用用户", "user_enabled": "启用用户",
    "upload_checked": "上传检查通过", "upload_rejected": "上传被拒", "upload_confirmed": "确认载入",
    "upload_refused": "超出报送范围", "upload_limited": "上传过于频繁", "download": "下载",
    "sign_off": "审核通过", "send_back": "退回修改", "reopen": "重新开放", "contact_saved": "保存联系人",
    "spot_check_drawn": "生成抽查包",
}


def audit(con: duckdb.DuckDBPyConnection, actor: str | None, action: str, unit: str | None = None,
          detail: dict | None = None, address: str | None = None, at: datetime | None = None) -> None:
    """Append one entry to the audit log, inside the caller's transaction."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    (audit_id,) = next_ids(con, "audit")
    con.execute("insert into audit_log (audit_id, logged_at, actor, action, unit, detail, address)"
                " values (?, ?, ?, ?, ?, ?, ?)",
                [audit_id, at or datetime.now(), actor, action, unit,
                 None if detail is None else json.dumps(detail, ensure_ascii=False, default=str), address])


def record(db: Database, actor: str | None, action: str, unit: str | None = None, detail: dict | None = None,
           address: str | None = None) -> None:
    """One audit entry in a transaction of its own."""
    with db.transaction() as con:
        audit(con, actor, action, unit, detail, address)


def audit_entries(db: Database, since: datetime | None = None, until: datetime | None = None,
                  actor: str | None = None, actions: list[str] | None = None, limit: int = 5000) -> pl.DataFrame:
    """The audit log, newest first, filtered: audit_id, logged_at, actor, action, unit, detail, address."""
    return db.query(
        "select audit_id, logged_at, actor, action, unit, detail::varchar as detail, address from audit_log"
        " where ($since::timestamp is null or logged_at >= $since)"
        " and ($until::timestamp is null or logged_at < $until)"
        " and ($actor::varchar is null or actor = $actor)"
        " and ($actions::varchar[] is null or list_contains($actions, action))"
        " order by audit_id desc limit $limit",
        {"since": since, "until": until, "actor": actor, "actions": actions, "limit": limit})


def audit_actors(db: Database) -> list[str]:
    """Everyone the audit log names, for filtering it."""
    return db.query("select distinct actor from audit_log where actor is not null order by actor")["actor"].to_list()


def uploads_in_last_hour(db: Database, name: str, now: datetime | None = None) -> int:
    return db.scalar(
        "select count(*) from audit_log where actor = ? and action in ('upload_checked', 'upload_rejected')"
        " and logged_at > ?", [name, (now or datetime.now()) - timedelta(hours=1)])


# --- the demo's accounts -----------------------------------------------------

def create_demo_accounts(db: Database) -> list[tuple[str, str, str | None, str]]:
    """One account per role with a random password, written to a file beside the database only its owner reads.

    Returns (name, role, scope, password) of each. The district and the unit
    accounts get the first district and the first street unit of the tree.
    """
    first = dict(db.query("select level, min(name) as name from units group by level").iter_rows())
    accounts = []
    for name, role, level in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        add_user(db, name, role, first[level] if level else None, password, by="演示数据")
        accounts.append((name, role, first[level] if level else None, password))
    path = db.data_dir / DEMO_ACCOUNTS_FILE
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("# 演示账号（每个角色一个，密码随机生成）。正式使用前请按 README 停用并建立真实账号。\n")
        file.write("# 用户名\t角色\t范围\t密码\n")
        for name, role, scope, password in accounts:
            file.write(f"{name}\t{role}\t{scope or '全市'}\t{password}\n")
    return accounts


def read_demo_accounts(folder: Path) -> dict[str, str]:
    """name -> password from a demo database folder's accounts file (for tests and the person setting up)."""
    lines = (folder / DEMO_ACCOUNTS_FILE).read_text(encoding="utf-8").splitlines()
    return {parts[0]: parts[3] for line in lines if not line.startswith("#") and len(parts := line.split("\t")) == 4}
