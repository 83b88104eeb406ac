"""The 上传 page through AppTest: a file is checked first and loaded only on confirmation."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from etl.pipeline import load_file
from league import access
from league.config import DB_ENV_VAR
from league.units import save_unit_tree
from tests.accounts import account, sign_in
from tests.test_pipeline import CASES, UNIT
from tests import hostile_files
from tests.test_upload_guards import filled_template, queried_file

APP = Path(__file__).parent.parent / "app.py"
MARCH = date(2025, 3, 1)


@pytest.fixture
def page(empty_db, monkeypatch) -> tuple[AppTest, object]:
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    load_file(empty_db, CASES / "ledger_2025-03.csv")  # so the app has a month and the page offers March
    monkeypatch.setenv(DB_ENV_VAR, empty_db.address)
    return upload_page(empty_db), empty_db


def upload_page(db, role: str = "district", scope: str = "东湖区") -> AppTest:
    """The 上传 page signed in through the form (a district user by default), March and UNIT chosen."""
    at = sign_in(AppTest.from_file(str(APP), default_timeout=60).run(), account(db, role, scope))
    at.switch_page("pages/upload.py").run()
    selectbox(at, "报送单位").set_value(UNIT)
    selectbox(at, "报送月份").set_value(MARCH)
    return at.run()


def selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def upload(at: AppTest, name: str) -> AppTest:
    at.file_uploader[0].upload(name, (CASES / name).read_bytes()).run()
    assert not at.exception, at.exception
    return at


def accepted_rows(db) -> int:
    return db.scalar("select count(*) from ledger")


def test_a_good_file_is_loaded_only_after_confirmation(page):
    at, db = page
    upload(at, "ledger_2025-03_revised.csv")
    assert "检查通过" in at.success[0].value
    assert accepted_rows(db) == 4  # checked, not loaded
    confirm = next(b for b in at.button if b.label == "确认载入")
    assert not confirm.disabled
    confirm.click().run()
    assert "已载入" in at.success[0].value
    assert accepted_rows(db) == 5


def test_a_bad_file_is_reported_by_row_and_column_and_changes_nothing(page):
    at, db = page
    upload(at, "ledger_2025-04_bad.csv")
    report = next(d.value for d in at.dataframe if "级别" in d.value.columns)
    assert at.error and "未通过检查" in at.error[0].value
    errors = report[report["级别"].str.startswith("错误") & (report["行号"] != "")]
    assert sorted(zip(errors["行号"], errors["列"])) == [("4", "35岁以下青年数"), ("6", "建团日期")]
    assert "报送月份不一致" in report["规则"].tolist()  # its title says April, March was chosen
    assert next(b for b in at.button if b.label == "确认载入").disabled
    assert any(d.label.startswith("下载检查报告") for d in at.get("download_button"))
    assert accepted_rows(db) == 4


def test_the_blank_template_is_offered_for_each_kind(page):
    at, _ = page
    for kind, label in (("targets", "任务分解表"), ("youth_voice", "青年之声运行情况月报")):
        at.radio[0].set_value(kind).run()
        assert any(label in d.label for d in at.get("download_button"))


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def upload_file(at: AppTest, path: Path) -> AppTest:
    at.file_uploader[0].upload(path.name, path.read_bytes()).run()
    assert not at.exception, at.exception
    return at


def test_replacing_a_loaded_month_is_said_before_confirming(page):
    at, db = page
    upload(at, "ledger_2025-03_revised.csv")
    notice = next(w.value for w in at.warning if "将替换" in w.value)
    assert "2025年3月" in notice and "组织数 4 → 5" in notice and "新增 1 个" in notice


def test_the_templates_example_row_blocks_the_confirm_button_until_ticked(page, tmp_path):
    at, db = page
    upload_file(at, filled_template(tmp_path))
    assert any("示例行" in m.value for m in at.markdown)
    assert button(at, "确认载入").disabled
    assert accepted_rows(db) == 4
    next(c for c in at.checkbox if c.label == "我已核对，确认按此载入").check().run()
    assert not button(at, "确认载入").disabled
    button(at, "确认载入").click().run()
    assert "已载入" in at.success[0].value
    names = db.query("select org_name from ledger")["org_name"].to_list()
    assert len(names) == 4 and "江城云帆网络科技有限公司" not in names


def test_a_correction_of_how_a_column_is_read_is_remembered_for_the_unit(page, tmp_path):
    at, db = page
    path = queried_file(tmp_path)
    upload_file(at, path)
    assert at.error and any("未找到“团员数”列" in m.value for m in at.markdown)
    selectbox(at, "表头").set_value("栏目十三")
    selectbox(at, "对应字段").set_value("团员数")
    button(at, "保存并重新检查").click().run()
    assert "检查通过" in at.success[0].value
    # A new session for the same unit reads the column the same way at once.
    fresh = upload_page(db)
    upload_file(fresh, path)
    assert "检查通过" in fresh.success[0].value
    assert any("“栏目十三” → 团员数" in c.value for c in fresh.caption)


@pytest.mark.parametrize("hostile", ["corner_cells_xlsx", "zip_bomb_xlsx", "commas_1m_csv"])
def test_a_hostile_file_is_refused_on_the_page_and_the_app_lives_on(page, tmp_path, hostile):
    at, db = page
    path = getattr(hostile_files, hostile)(tmp_path)
    upload_file(at, path)
    assert at.error and "未通过检查" in at.error[0].value
    assert any("已拒收" in m.value for m in at.markdown)
    assert accepted_rows(db) == 4
    refused = db.scalar("select count(*) from submissions where status = 'rejected' and file_name = ?", [path.name])
    assert refused == 1
    upload(at, "ledger_2025-03_revised.csv")  # the same session goes on to check the next file
    assert "检查通过" in at.success[0].value


def test_a_file_naming_a_unit_outside_the_submit_scope_is_refused_and_recorded(empty_db, monkeypatch):
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    load_file(empty_db, CASES / "ledger_2025-03.csv")
    monkeypatch.setenv(DB_ENV_VAR, empty_db.address)
    at = upload_page(empty_db, "unit", UNIT)
    assert selectbox(at, "报送单位").options == [UNIT]  # the only unit this user may send for
    at.radio[0].set_value("targets").run()
    at.file_uploader[0].upload("targets_2025.csv", (CASES / "targets_2025.csv").read_bytes()).run()
    assert at.error and any("只能报送“东湖区和平街道团工委”及其下属单位" in m.value for m in at.markdown)
    assert empty_db.scalar("select count(*) from target_rows") == 0
    refused = access.audit_entries(empty_db, actions=["upload_refused"])
    assert refused["actor"].to_list() == [account(empty_db, "unit", UNIT)]


def test_what_a_file_holds_in_personal_columns_is_masked_for_a_unit_user(page):
    at, db = page
    upload(at, "ledger_2025-03_revised.csv")
    preview = next(t.value for t in at.dataframe if "联系电话" in t.value.columns)
    phones = [p for p in preview["联系电话"] if p]
    assert phones and all(p.count("*") == 4 for p in phones)
    assert all(n[1:] == "*" * (len(n) - 1) for n in preview["团组织负责人"] if n)
    checked = access.audit_entries(db, actor=account(db, "district", "东湖区"), actions=["upload_checked"])
    assert checked["unit"].to_list() == [UNIT]


def test_uploads_past_the_hourly_limit_are_refused_and_recorded(page):
    at, db = page
    with db.transaction() as con:
        con.execute("update plan_settings set value = '1' where name = 'uploads_per_hour'")
    upload(at, "ledger_2025-03_revised.csv")
    assert "检查通过" in at.success[0].value
    upload(at, "ledger_2025-03.csv")
    assert any("达到上限" in e.value for e in at.error)
    assert access.audit_entries(db, actions=["upload_limited"]).height == 1
