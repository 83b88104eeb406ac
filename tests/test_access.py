"""Accounts, sign-in, sessions, the audit log, the gateway and uploads within scope (issue 9's foundation)."""

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from etl.pipeline import load_file, prepare
from league import access, gateway, queries
from league.access import AccountError, Actor
from league.db import Database
from league.units import save_unit_tree
from tests.small_league import build_small_league
from tests.stores import store_at

PASSWORD = "correct horse battery"
PIPELINE_CASES = Path(__file__).parent / "cases" / "pipeline"


@pytest.fixture
def db(tmp_path) -> Database:
    return build_small_league(tmp_path / "league.duckdb")


@pytest.fixture
def pipeline_db(tmp_path) -> Database:
    """The pipeline cases' tree (one district, a street and an industry unit) with March's ledger loaded."""
    db = store_at(tmp_path / "pipeline.duckdb")
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, pl.read_csv(PIPELINE_CASES / "units.csv"))
    load_file(db, PIPELINE_CASES / "ledger_2025-03.csv", submitted_by="王芳")
    return db


def test_a_password_is_stored_only_as_an_argon2_hash(db):
    access.add_user(db, "王芳", "unit", "甲街道", PASSWORD, by="test")
    (stored,) = db.query("select password_hash from users where name = '王芳'").row(0)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(AccountError):
        access.add_user(db, "李雷", "unit", "甲街道", "short", by="test")


def test_roles_get_scopes_of_the_right_level(db):
    access.add_user(db, "区县", "district", "东区", PASSWORD, by="test")
    access.add_user(db, "领导", "leadership", None, PASSWORD, by="test")
    with pytest.raises(AccountError):
        access.add_user(db, "错配", "district", "甲街道", PASSWORD, by="test")
    with pytest.raises(AccountError):
        access.add_user(db, "无范围", "unit", None, PASSWORD, by="test")
    users = {row["name"]: row for row in access.list_users(db).iter_rows(named=True)}
    assert (users["区县"]["view_scope"], users["区县"]["submit_scope"]) == ("东区", "东区")
    assert (users["领导"]["view_scope"], users["领导"]["submit_scope"]) == ("示例市", None)


def test_sign_in_starts_a_session_that_ends_when_idle_or_signed_out(db):
    access.add_user(db, "王芳", "unit", "甲街道", PASSWORD, by="test")
    start = datetime(2026, 12, 1, 9, 0)
    signed = access.sign_in(db, "王芳", PASSWORD, address="10.0.0.1", now=start)
    assert signed.actor.view_scope == "甲街道" and signed.actor.can("submit")
    assert access.session_actor(db, signed.token, now=start + timedelta(minutes=29)) == signed.actor
    assert access.session_actor(db, signed.token, now=start + timedelta(minutes=58)) is not None  # touched at 29
    assert access.session_actor(db, signed.token, now=start + timedelta(minutes=120)) is None
    again = access.sign_in(db, "王芳", PASSWORD)
    access.sign_out(db, again.actor, again.token)
    assert access.session_actor(db, again.token) is None
    assert access.session_actor(db, "forged") is None


def test_repeated_failures_are_slowed_down_and_recorded(db):
    access.add_user(db, "王芳", "unit", "甲街道", PASSWORD, by="test")
    now = datetime(2026, 12, 1, 9, 0)
    for _ in range(3):
        assert access.sign_in(db, "王芳", "wrong password", now=now).actor is None
    delayed = access.sign_in(db, "王芳", PASSWORD, now=now)
    assert delayed.actor is None and "秒后再试" in delayed.message
    assert access.sign_in(db, "王芳", PASSWORD, now=now + timedelta(seconds=5)).actor is not None
    actions = access.audit_entries(db)["action"].to_list()
    assert actions.count("sign_in_failed") == 3 and "sign_in_delayed" in actions and "sign_in" in actions


def test_a_disabled_account_loses_its_sessions_and_a_reset_must_be_changed(db):
    access.add_user(db, "王芳", "unit", "甲街道", PASSWORD, by="test")
    signed = access.sign_in(db, "王芳", PASSWORD)
    access.set_disabled(db, "王芳", True, by="admin")
    assert access.session_actor(db, signed.token) is None
    assert access.sign_in(db, "王芳", PASSWORD).actor is None
    access.set_disabled(db, "王芳", False, by="admin")
    access.reset_password(db, "王芳", "temporary password", by="admin")
    signed = access.sign_in(db, "王芳", "temporary password")
    assert signed.must_change
    access.change_password(db, signed.actor, "temporary password", "my own new password")
    assert not access.must_change_password(db, "王芳")
    changes = access.audit_entries(db, actor="admin")["action"].to_list()
    assert changes == ["password_reset", "user_enabled", "user_disabled"]


def test_a_missing_or_unknown_scope_sees_nothing(db):
    june = date(2024, 6, 1)
    assert queries.progress_by_unit(db, None, june).is_empty()
    assert queries.progress_by_unit(db, "不存在的单位", june).is_empty()
    assert queries.received_files(db, None).is_empty()
    with pytest.raises(gateway.AccessDenied):
        gateway.read(db, None, queries.progress_by_unit, june)
    with pytest.raises(gateway.AccessDenied):
        gateway.read(db, Actor("管理员", "admin"), queries.progress_by_unit, june)


def test_the_gateway_keeps_to_the_view_scope_and_masks_personal_fields(pipeline_db):
    db, march = pipeline_db, date(2025, 3, 1)
    unit = "东湖区和平街道团工委"
    other = Actor("李雷", "unit", "东湖区互联网行业团委", "/江城市/东湖区/东湖区互联网行业团委/")
    leadership = Actor("领导", "leadership", "江城市", "/江城市/")
    inspector = Actor("督导", "inspector", "江城市", "/江城市/")
    assert gateway.read(db, other, queries.unit_organisations, march, unit=unit).is_empty()
    assert gateway.read(db, other, queries.progress_by_unit, march)["unit"].to_list() == ["东湖区互联网行业团委"]
    organisations = queries.unit_organisations(db, queries.whole_tree(db), march, unit)["uscc"].to_list()
    seen = pl.concat(gateway.read(db, inspector, queries.organisation_history, march, uscc=u) for u in organisations)
    shown = pl.concat(gateway.read(db, leadership, queries.organisation_history, march, uscc=u) for u in organisations)
    assert gateway.read(db, other, queries.organisation_history, march, uscc=organisations[0]).is_empty()
    phones = [p for p in seen["leader_phone"].to_list() if p]
    assert phones and not any("*" in p for p in phones)
    assert all(p.count("*") == 4 for p in shown["leader_phone"].to_list() if p)
    assert all("*" in n for n in shown["leader_name"].to_list() if n)


def test_masks_keep_only_what_identifies_nothing():
    assert gateway.mask_phone("13812345678") == "138****5678"
    assert gateway.mask_name("张三丰") == "张**"
    frame = pl.DataFrame({"leader_name": ["李四"], "leader_phone": ["13900001111"], "org_name": ["某公司"]})
    assert gateway.masked(frame, Actor("领导", "leadership", "示例市", "/示例市/")).row(0) == (
        "李*", "139****1111", "某公司")


def test_a_raw_file_outside_the_view_scope_is_refused(pipeline_db):
    db = pipeline_db
    sha = queries.received_files(db, queries.whole_tree(db))["sha256"][0]
    street = "/江城市/东湖区/东湖区和平街道团工委/"
    industry = "/江城市/东湖区/东湖区互联网行业团委/"
    assert gateway.raw_file(db, Actor("a", "unit", "东湖区和平街道团工委", street), sha)
    with pytest.raises(gateway.AccessDenied):
        gateway.raw_file(db, Actor("b", "unit", "东湖区互联网行业团委", industry), sha)


def test_an_upload_outside_the_submit_scope_is_refused_and_recorded(tmp_path):
    db = store_at(tmp_path / "league.duckdb")
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, pl.read_csv(PIPELINE_CASES / "units.csv"))
    refused = prepare(db, PIPELINE_CASES / "ledger_2025-03.csv", submitted_by="李雷",
                      submit_scope="东湖区互联网行业团委", address="10.0.0.9")
    assert refused.status == "rejected" and refused.errors[0].rule == "outside_scope"
    targets = prepare(db, PIPELINE_CASES / "targets_2025.csv", submitted_by="李雷", submit_scope="东湖区互联网行业团委")
    assert targets.status == "rejected" and any(p.rule == "outside_scope" and p.rows for p in targets.errors)
    allowed = load_file(db, PIPELINE_CASES / "ledger_2025-03.csv", submitted_by="王芳", submit_scope="东湖区")
    assert allowed.status == "accepted"
    log = access.audit_entries(db)
    assert log.filter(pl.col("actor") == "李雷")["action"].to_list() == ["upload_refused", "upload_refused"]
    assert log.filter(pl.col("actor") == "李雷")["address"].to_list()[-1] == "10.0.0.9"
    assert log.filter(pl.col("actor") == "王芳")["action"].to_list() == ["upload_confirmed", "upload_checked"]
    assert queries.ledger_months(db, "东湖区互联网行业团委").is_empty()


def test_users_are_managed_from_the_command_line_with_the_password_on_standard_input(db):
    def users(*args, password=None):
        return subprocess.run([sys.executable, "-m", "etl", "users", "--db", db.address, *args],
                              input=password, capture_output=True, text=True, check=False)

    assert users("add", "王芳", "--role", "unit", "--scope", "甲街道", password=PASSWORD + "\n").returncode == 0
    assert access.sign_in(db, "王芳", PASSWORD).actor is not None
    mismatch = users("reset", "王芳", password="one new password\nanother password\n")
    assert mismatch.returncode == 1 and "不一致" in mismatch.stderr
    assert users("disable", "王芳").returncode == 0
    listed = users("list")
    assert "王芳" in listed.stdout and "已停用" in listed.stdout
    assert users("add", "x", "--role", "district", "--scope", "甲街道", password=PASSWORD).returncode == 1
    assert "user_added" in access.audit_entries(db)["action"].to_list()


def test_the_demo_has_one_account_per_role_in_a_file_only_its_owner_reads(demo_db):
    path = demo_db.data_dir / access.DEMO_ACCOUNTS_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    accounts = access.read_demo_accounts(demo_db.data_dir)
    roles = {row["name"]: row["role"] for row in access.list_users(demo_db).iter_rows(named=True)
             if row["name"] in accounts}  # other tests add accounts of their own to the shared demo
    assert sorted(roles.values()) == sorted(access.ROLES) and len(accounts) == len(access.ROLES)
    for name, password in accounts.items():
        assert access.sign_in(demo_db, name, password).actor is not None


def test_a_unit_whose_name_extends_another_with_a_slash_is_not_in_its_scope(tmp_path):
    db = store_at(tmp_path / "league.duckdb")
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, pl.DataFrame({"name": ["江城市", "东湖区", "和平街道团工委", "和平街道团工委/东片"],
                                          "level": ["city", "district", "street", "street"],
                                          "parent": [None, "江城市", "东湖区", "东湖区"]}))
    assert queries.reporting_units(db, "和平街道团工委")["unit"].to_list() == ["和平街道团工委"]


def test_nothing_in_the_application_edits_or_deletes_an_audit_entry():
    root = Path(__file__).parent.parent
    sources = [*root.glob("*.py"), *root.glob("league/**/*.py"), *root.glob("league/**/*.sql"),
               *root.glob("etl/**/*.py"), *root.glob("pages/*.py")]
    changing = re.compile(r"\b(update|delete\s+from|truncate|drop\s+table|alter\s+table)\s+audit_log\b", re.I)
    assert [str(path.relative_to(root)) for path in sources if changing.search(path.read_text(encoding="utf-8"))] == []
