"""Each role, signed in through the form: which pages, which units and which fields it sees, and what it may do.

AppTests sign in as a person does (用户名, 密码, 登录) on the demo city; a
direct test runs every named query through the gateway under a narrow scope.
"""

import inspect
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from league import access, circular_queries, gateway, member_queries, queries, question_queries
from league.access import Actor
from league.config import DB_ENV_VAR
from tests.accounts import PASSWORD, account, button, sign_in, text_input

APP = Path(__file__).parent.parent / "app.py"
DATA_PAGES = ["pages/progress.py", "pages/coverage.py", "pages/youth_voice.py", "pages/members.py",
              "pages/targets.py", "pages/drilldown.py", "pages/submissions.py"]
PAGES = {
    "leadership": DATA_PAGES, "inspector": [*DATA_PAGES, "pages/upload.py", "pages/spotcheck.py"],
    "district": [*DATA_PAGES, "pages/upload.py", "pages/spotcheck.py"], "unit": [*DATA_PAGES, "pages/upload.py"],
    "admin": ["pages/admin.py"],
}
ALL_PAGES = sorted({page for pages in PAGES.values() for page in pages})
SCOPES = {"leadership": None, "inspector": None, "district": "东湖区", "unit": "东湖区和平街道团工委", "admin": None}
DISTRICT, UNIT = SCOPES["district"], SCOPES["unit"]


def app(monkeypatch, db, address: dict | None = None) -> AppTest:
    monkeypatch.setenv(DB_ENV_VAR, db.address)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(address or {})
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in(monkeypatch, db, role: str, address: dict | None = None) -> AppTest:
    return sign_in(app(monkeypatch, db, address), account(db, role, SCOPES[role]))


def shown_data(at: AppTest) -> bool:
    return bool(at.dataframe or at.metric or at.get("plotly_chart") or at.download_button)


def units_in(db, scope: str) -> set[str]:
    return set(db.query("select name from units_in_scope(?)", [scope])["name"])


def test_nothing_is_shown_before_sign_in_on_any_page(demo_db, monkeypatch):
    at = app(monkeypatch, demo_db)
    for page in [*DATA_PAGES, "pages/upload.py"]:
        at.switch_page(page).run()
        assert [t.label for t in at.text_input] == ["用户名", "密码"], page
        assert not shown_data(at), page
        assert not at.sidebar.selectbox, page  # no 数据截至 month either


def test_a_wrong_password_is_refused_and_recorded(tmp_path, demo_db, monkeypatch):
    name = account(demo_db, "leadership")
    at = sign_in(app(monkeypatch, demo_db), name, "not-the-password")
    assert [e.value for e in at.error] == ["用户名或密码不正确。"]
    assert not shown_data(at)
    failures = access.audit_entries(demo_db, actor=name, actions=["sign_in_failed"])
    assert failures.height >= 1


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_can_open_exactly_its_pages(demo_db, monkeypatch, role):
    at = signed_in(monkeypatch, demo_db, role)
    for page in ALL_PAGES:
        if page in PAGES[role]:
            at.switch_page(page).run()
            assert not at.exception, (page, at.exception)
            assert at.title, page
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


@pytest.mark.parametrize("role", ["district", "unit"])
def test_a_narrow_role_sees_only_its_part_of_the_tree_on_every_page(demo_db, monkeypatch, role):
    scope = SCOPES[role]
    allowed = units_in(demo_db, scope)
    at = signed_in(monkeypatch, demo_db, role)
    for page in DATA_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        tables = [t.value for t in at.dataframe]
        assert tables, page
        for table in tables:
            for column, within in (("单位", allowed), ("所属区县", allowed | {DISTRICT, "全部区县"})):
                if column in table.columns:
                    assert set(table[column].dropna()) - {""} <= within, (page, column)
    if role == "unit":  # the drill-down offers only the unit's own district and the unit itself
        at.switch_page("pages/drilldown.py").run()
        assert at.selectbox(key="drill_district").options == [DISTRICT]
        at.selectbox(key="drill_district").set_value(DISTRICT).run()
        assert at.selectbox(key="drill_unit").options == [UNIT]


def drilled_to_unit(monkeypatch, db, role: str) -> pl.DataFrame:
    at = signed_in(monkeypatch, db, role, {"drill_district": DISTRICT, "drill_unit": UNIT})
    at.switch_page("pages/drilldown.py").run()
    assert not at.exception, at.exception
    return pl.from_pandas(next(t.value for t in at.dataframe if "联系电话" in t.value.columns))


def test_contacts_are_masked_except_for_roles_that_may_see_them(demo_db, monkeypatch):
    full = drilled_to_unit(monkeypatch, demo_db, "inspector")
    phones = [p for p in full["联系电话"] if p]
    assert phones and not any("*" in p for p in phones)
    for role in ("leadership", "district", "unit"):
        masked = drilled_to_unit(monkeypatch, demo_db, role)
        assert masked.height == full.height
        assert all(p.count("*") == 4 and len(p) == len(f) for p, f in zip(masked["联系电话"], full["联系电话"]) if f)
        assert all(n[1:] == "*" * (len(n) - 1) for n in masked["团组织负责人"] if n), role


@pytest.mark.parametrize("role", ["district", "unit"])
def test_the_upload_page_offers_only_units_of_the_submit_scope(demo_db, monkeypatch, role):
    at = signed_in(monkeypatch, demo_db, role)
    at.switch_page("pages/upload.py").run()
    offered = next(s for s in at.selectbox if s.label == "报送单位").options
    expected = demo_db.query("select name from units_in_scope(?) order by path", [SCOPES[role]])["name"].to_list()
    assert offered == expected
    assert set(offered) <= units_in(demo_db, SCOPES[role])


def test_the_received_files_list_keeps_to_the_view_scope(demo_db, monkeypatch):
    at = signed_in(monkeypatch, demo_db, "unit")
    at.switch_page("pages/submissions.py").run()
    files = next(t.value for t in at.dataframe if "文件名" in t.value.columns)
    assert len(files) > 0 and set(files["单位"]) == {UNIT}
    original = next(s for s in at.selectbox if s.label == "下载原件")
    assert len(original.options) == len(files)


def test_sign_out_change_password_and_sign_in_again(empty_db, monkeypatch):
    from league.units import save_unit_tree
    from tests.test_pipeline import CASES

    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    name = account(empty_db, "leadership")
    at = sign_in(app(monkeypatch, empty_db), name)
    assert any(name in c.value for c in at.sidebar.caption)
    new = "a-new-password-2026"
    text_input(at, "当前密码").input(PASSWORD)
    text_input(at, "新密码").input(new)
    text_input(at, "再次输入新密码").input(new)
    button(at, "保存新密码").click().run()
    assert [s.value for s in at.success] == ["密码已修改。"]
    button(at, "退出登录").click().run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert "已退出登录。" in [i.value for i in at.info]
    assert [e.value for e in sign_in(at, name).error] == ["用户名或密码不正确。"]  # the old password
    assert not sign_in(at, name, new).error
    actions = access.audit_entries(empty_db, actor=name)["action"].to_list()
    assert actions[::-1] == ["sign_in", "password_changed", "sign_out", "sign_in_failed", "sign_in"]


def test_a_reset_password_must_be_changed_before_any_page_shows(demo_db, monkeypatch):
    name = account(demo_db, "inspector", "江北区")
    access.reset_password(demo_db, name, "reset-by-admin-1", by="测试")
    at = sign_in(app(monkeypatch, demo_db), name, "reset-by-admin-1")
    assert [t.value for t in at.title] == ["请修改密码"]
    assert not shown_data(at)
    text_input(at, "当前密码").input("reset-by-admin-1")
    text_input(at, "新密码").input(PASSWORD)
    text_input(at, "再次输入新密码").input(PASSWORD)
    button(at, "保存新密码").click().run()
    button(at, "进入系统").click().run()
    assert not at.exception and shown_data(at)


def test_the_admin_adds_a_user_and_reads_the_audit_log_but_no_data(demo_db, monkeypatch):
    at = signed_in(monkeypatch, demo_db, "admin")
    assert [t.value for t in at.title] == ["用户与审计日志"]
    at.selectbox(key="new_user_role").set_value("unit").run()
    at.text_input(key="new_user_name").input("新单位联络员")
    at.selectbox(key="new_user_scope").set_value(UNIT)
    at.text_input(key="new_user_password").input("first-password-1")
    at.text_input(key="new_user_password_again").input("first-password-1")
    button(at, "添加用户").click().run()
    assert not at.error, [e.value for e in at.error]
    added = access.list_users(demo_db).filter(pl.col("name") == "新单位联络员").row(0, named=True)
    assert (added["role"], added["view_scope"], added["submit_scope"], added["must_change"]) == ("unit", UNIT, UNIT,
                                                                                                 True)
    log = next(t.value for t in at.dataframe if "操作" in t.value.columns)
    assert "添加用户" in set(log["操作"]) and "登录" in set(log["操作"])
    assert not at.sidebar.selectbox  # no 数据截至: the admin reads no unit's data


def example_arguments(db, query, outside_unit: str, outside_uscc: str) -> dict | None:
    """Arguments for a named query, naming a unit and an organisation outside the scope where it takes one."""
    month = queries.default_month(queries.ledger_months(db, queries.whole_tree(db)))
    values = {"as_of_month": month, "unit": outside_unit, "uscc": outside_uscc, "grouping": "size_band"}
    parameters = list(inspect.signature(query).parameters.values())[2:]
    return {p.name: values[p.name] for p in parameters if p.default is inspect.Parameter.empty}


def named_queries() -> list:
    """Every named query: those of league.queries and those it re-exports (league.member_queries)."""
    return [q for name, q in inspect.getmembers(queries, inspect.isfunction)
            if q.__module__ in (queries.__name__, member_queries.__name__, circular_queries.__name__,
                                question_queries.__name__) and not name.startswith("_")
            and list(inspect.signature(q).parameters)[:2] == ["db", "scope"]]


@pytest.mark.parametrize("query", named_queries(), ids=lambda q: q.__name__)
def test_every_named_query_under_a_narrow_scope_returns_nothing_outside_it(demo_db, query):
    reader = Actor("", "unit", UNIT, demo_db.scalar("select path from units where name = ?", [UNIT]))
    allowed = units_in(demo_db, UNIT)
    outside_unit = "东湖区东亭街道团工委"
    outside_uscc = demo_db.scalar("select min(uscc) from ledger where unit = ?", [outside_unit])
    frame = gateway.read(demo_db, reader, query, **example_arguments(demo_db, query, outside_unit, outside_uscc))
    for column in ("unit", "district", "area"):
        if column in frame.columns:
            assert set(frame[column].drop_nulls()) <= allowed | {DISTRICT}, column
    if "unit" in frame.columns:
        assert set(frame["unit"].drop_nulls()) <= allowed
    if "uscc" in frame.columns:
        inside = set(demo_db.query("select uscc from ledger where unit = ?", [UNIT])["uscc"])
        assert set(frame["uscc"].drop_nulls()) <= inside
