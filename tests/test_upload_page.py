"""The 上传 page through AppTest: a file is checked first and loaded only on confirmation."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from etl.pipeline import load_file
from league.config import DB_ENV_VAR
from league.units import save_unit_tree
from tests.test_pipeline import CASES, UNIT

APP = Path(__file__).parent.parent / "app.py"
MARCH = date(2025, 3, 1)


@pytest.fixture
def page(empty_db, monkeypatch) -> tuple[AppTest, object]:
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    load_file(empty_db, CASES / "ledger_2025-03.csv")  # so the app has a month and the page offers March
    monkeypatch.setenv(DB_ENV_VAR, str(empty_db.path))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("pages/upload.py").run()
    selectbox(at, "报送单位").set_value(UNIT)
    selectbox(at, "报送月份").set_value(MARCH)
    return at.run(), empty_db


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
    report = at.dataframe[0].value
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
