"""Accounts for tests, and signing in through the form as a person does."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from league import access
from league.db import Database

PASSWORD = "test-password-2026"


def account_name(role: str, scope: str | None = None) -> str:
    """The name tests give the account of a role and scope."""
    return f"测试{access.ROLES[role]}{scope or ''}"


def account(db: Database, role: str, scope: str | None = None) -> str:
    """The name of an account with this role and scope in `db`, made on first use (password PASSWORD)."""
    name = account_name(role, scope)
    if not db.scalar("select count(*) from users where name = ?", [name]):
        access.add_user(db, name, role, scope, PASSWORD, by="测试")
    return name


def text_input(at: AppTest, label: str):
    return next(t for t in at.text_input if t.label == label)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill in 用户名 and 密码 and press 登录, as the interface promises scripts may."""
    text_input(at, "用户名").input(name)
    text_input(at, "密码").input(password)
    button(at, "登录").click().run()
    assert not at.exception, at.exception
    return at
