"""The monthly cycle: deadlines, expected reports over the unit tree, review steps, the lock, the basis."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from etl.pipeline import load_file
from league import access, queries, review
from league.access import Actor
from league.db import Database
from league.gateway import AccessDenied
from league.units import save_unit_tree
from tests.stores import copy_store

CASES = Path(__file__).parent / "cases" / "pipeline"
UNIT, OTHER = "东湖区和平街道团工委", "东湖区互联网行业团委"
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)


@pytest.fixture
def db(empty_db) -> Database:
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
        save_unit_tree(con, pl.DataFrame({"name": ["西湖区", "西湖区某街道团工委"], "level": ["district", "street"],
                                          "parent": ["江城市", "西湖区"]}))
    return empty_db


def actor(db: Database, role: str, scope: str | None) -> Actor:
    name = f"{role}-{scope}"
    access.add_user(db, name, role, scope, "test-password-2026", by="测试")
    return access.sign_in(db, name, "test-password-2026", None).actor


def load_march(db: Database, received_at: datetime, path: str = "ledger_2025-03.csv"):
    return load_file(db, CASES / path, today=received_at.date(), received_at=received_at)


def grid_cell(db: Database, unit: str, month: date, as_of: date = APRIL) -> dict:
    grid = queries.submission_grid(db, queries.whole_tree(db), as_of)
    return grid.filter((pl.col("unit") == unit) & (pl.col("report_month") == month)).row(0, named=True)


# --- deadlines -------------------------------------------------------------------

@pytest.mark.parametrize(("received", "timeliness", "days_late"), [
    (datetime(2025, 3, 25, 9), "按时", 0),
    (datetime(2025, 3, 26, 23, 59), "按时", 0),     # the due day itself counts
    (datetime(2025, 3, 27, 0, 1), "逾期", 1),
    (datetime(2025, 4, 2, 10), "逾期", 7),          # across the month end
])
def test_a_ledger_is_on_time_up_to_and_including_the_due_day(db, received, timeliness, days_late):
    assert load_march(db, received).status == "accepted"
    cell = grid_cell(db, UNIT, MARCH)
    assert (cell["timeliness"], cell["days_late"], cell["due_date"]) == (timeliness, days_late, date(2025, 3, 26))
    assert grid_cell(db, OTHER, MARCH)["timeliness"] == "未报送"


def test_a_due_day_past_the_month_end_falls_on_its_last_day_also_in_a_leap_february(db):
    with db.transaction() as con:
        con.execute("update plan_settings set value = 31 where name = 'ledger_due_day'")
    due = db.query("select due_date('ledger', date '2024-02-10') as leap, due_date('ledger', date '2025-02-10') as common,"
                   " due_date('ledger', date '2025-04-03') as april, due_date('ledger', date '2025-01-31') as january")
    assert due.row(0) == (date(2024, 2, 29), date(2025, 2, 28), date(2025, 4, 30), date(2025, 1, 31))


def test_a_changed_due_day_and_a_plans_own_date_for_one_month_decide_timeliness(db):
    load_march(db, datetime(2025, 3, 24, 10))
    assert grid_cell(db, UNIT, MARCH)["timeliness"] == "按时"
    with db.transaction() as con:
        con.execute("update plan_settings set value = 20 where name = 'ledger_due_day'")
    assert (grid_cell(db, UNIT, MARCH)["timeliness"], grid_cell(db, UNIT, MARCH)["days_late"]) == ("逾期", 4)
    with db.transaction() as con:  # the plan moves March's deadline (a holiday): that month alone
        con.execute("insert into plan_due_dates values ('ledger', date '2025-03-01', date '2025-03-31')")
    assert grid_cell(db, UNIT, MARCH)["due_date"] == date(2025, 3, 31)
    assert grid_cell(db, UNIT, MARCH)["timeliness"] == "按时"
    assert grid_cell(db, UNIT, APRIL)["due_date"] == date(2025, 4, 20)


# --- expected reports over the unit tree -----------------------------------------

def test_a_unit_is_expected_only_within_its_period_so_no_rate_exceeds_one(db):
    with db.transaction() as con:
        save_unit_tree(con, pl.DataFrame({"name": [OTHER, UNIT], "level": ["industry", "street"],
                                          "parent": ["东湖区", "东湖区"], "first_month": [APRIL, None],
                                          "last_month": [None, MARCH]}))
    load_march(db, datetime(2025, 3, 20))
    grid = queries.submission_grid(db, queries.whole_tree(db), APRIL)
    expected = set(grid.select("unit", "report_month").iter_rows())
    assert (OTHER, MARCH) not in expected and (OTHER, APRIL) in expected
    assert (UNIT, MARCH) in expected and (UNIT, APRIL) not in expected
    rates = queries.submission_rates(db, queries.whole_tree(db), APRIL)
    assert rates.filter(pl.col("report_month") == APRIL)["units"].item() == 2  # OTHER and 西湖区某街道
    assert (rates["reporting_rate"] <= 1).all() and (rates["on_time_rate"] <= 1).all()
    ytd = queries.completeness(db, queries.whole_tree(db), APRIL).filter(
        (pl.col("level") == "unit") & (pl.col("period") == "year_to_date") & (pl.col("unit") == UNIT)).row(0, named=True)
    assert (ytd["units"], ytd["submitted"], ytd["reporting_rate"]) == (3, 1, pytest.approx(1 / 3))


def test_completeness_counts_expected_received_and_on_time_per_district_month_and_year(db):
    load_march(db, datetime(2025, 3, 28))
    counted = queries.completeness(db, queries.whole_tree(db), MARCH)
    month = counted.filter((pl.col("level") == "district") & (pl.col("period") == "month")
                           & (pl.col("district") == "东湖区")).row(0, named=True)
    assert (month["units"], month["submitted"], month["on_time"], month["late"], month["missing"]) == (2, 1, 0, 1, 1)
    total = counted.filter((pl.col("level") == "total") & (pl.col("period") == "year_to_date")).row(0, named=True)
    assert (total["units"], total["submitted"]) == (9, 1)  # three units, January to March


# --- review steps and the lock ---------------------------------------------------

def test_sign_off_locks_the_month_until_reopened_with_a_reason_and_the_history_keeps_every_step(db):
    district, unit_user = actor(db, "district", "东湖区"), actor(db, "unit", UNIT)
    first = load_march(db, datetime(2025, 3, 20, 9))
    review.take_step(db, district, "send_back", UNIT, MARCH, first.submission_id, "备注栏请补全",
                     at=datetime(2025, 3, 22, 9))
    queue = queries.review_queue(db, "东湖区", MARCH).filter(pl.col("unit") == UNIT).row(0, named=True)
    assert (queue["review_state"], queue["last_reason"]) == ("sent_back", "备注栏请补全")

    second = load_march(db, datetime(2025, 3, 30, 9), "ledger_2025-03_revised.csv")
    assert second.status == "accepted"
    review.take_step(db, district, "sign_off", UNIT, MARCH, second.submission_id, at=datetime(2025, 3, 30, 15))
    locked = load_march(db, datetime(2025, 3, 31, 9))
    assert locked.status == "rejected" and [p.rule for p in locked.errors] == ["locked"]
    assert "审核确认并锁定" in locked.errors[0].message
    assert db.scalar("select count(*) from ledger where report_month = ?", [MARCH]) == 5  # nothing replaced

    with pytest.raises(review.ReviewError):
        review.take_step(db, district, "reopen", UNIT, MARCH, second.submission_id, "  ")
    review.take_step(db, district, "reopen", UNIT, MARCH, second.submission_id, "组织名称填错",
                     at=datetime(2025, 4, 1, 9))
    third = load_march(db, datetime(2025, 4, 2, 9))
    assert third.status == "accepted"
    cell = grid_cell(db, UNIT, MARCH)
    assert (cell["timeliness"], cell["accepted_submissions"], cell["review_state"]) == ("按时", 3, "resubmitted")

    queue = queries.review_queue(db, "东湖区", MARCH).filter(pl.col("unit") == UNIT).row(0, named=True)
    changes = review.changes_since_sign_off(db, queue["submission_id"], queue["signed_off_submission_id"])
    assert (changes.before, changes.after, changes.removed) == (5, 4, 1)
    assert changes.changed_cells >= changes.changed

    history = queries.review_history(db, "东湖区", MARCH, UNIT)
    assert history["step"].to_list() == ["submit", "send_back", "resubmit", "sign_off", "rejected", "reopen",
                                         "resubmit"]
    assert history.filter(pl.col("step") == "reopen")["detail"].item() == "组织名称填错"
    assert set(history.filter(pl.col("step").is_in(["send_back", "sign_off", "reopen"]))["actor"]) == {district.name}
    audit = db.query("select action from audit_log where action in ('sign_off', 'send_back', 'reopen') order by audit_id")
    assert audit["action"].to_list() == ["send_back", "sign_off", "reopen"]
    # the unit sees the reason of its latest step on its own history
    assert queries.review_history(db, UNIT, MARCH, UNIT).height == history.height
    assert unit_user.can("view")


@pytest.mark.parametrize(("role", "scope", "allowed"), [
    ("district", "东湖区", True),
    ("district", "江城市", True),      # the city's desk reviews every district
    ("district", "西湖区", False),     # another district
    ("unit", UNIT, False),             # a unit never signs off its own ledger
    ("leadership", None, False),
    ("inspector", None, False),
])
def test_who_may_sign_off_send_back_and_reopen(db, role, scope, allowed):
    loaded = load_march(db, datetime(2025, 3, 20))
    who = actor(db, role, scope)
    if not allowed:
        for step in ("sign_off", "send_back"):
            with pytest.raises(AccessDenied):
                review.take_step(db, who, step, UNIT, MARCH, loaded.submission_id, "意见")
        return
    review.take_step(db, who, "sign_off", UNIT, MARCH, loaded.submission_id)
    review.take_step(db, who, "reopen", UNIT, MARCH, loaded.submission_id, "补充材料")
    assert queries.review_queue(db, scope, MARCH).filter(pl.col("unit") == UNIT)["review_state"].item() == "reopened"


def test_a_step_on_a_stale_page_is_refused(db):
    district = actor(db, "district", "东湖区")
    first = load_march(db, datetime(2025, 3, 20))
    load_march(db, datetime(2025, 3, 21), "ledger_2025-03_revised.csv")
    with pytest.raises(review.ReviewError, match="刷新"):
        review.take_step(db, district, "sign_off", UNIT, MARCH, first.submission_id)
    with pytest.raises(review.ReviewError):
        review.take_step(db, district, "reopen", UNIT, MARCH, first.submission_id, "原因")


def test_signed_off_only_counts_locked_months_and_stands_on_the_latest_signed_off_ledger(db):
    district = actor(db, "district", "东湖区")
    march = load_march(db, datetime(2025, 3, 20))
    scope = queries.whole_tree(db)
    assert queries.coverage(db, scope, MARCH, signed_off_only=True)["organisations"].sum() == 0
    review.take_step(db, district, "sign_off", UNIT, MARCH, march.submission_id)
    everything = queries.coverage(db, scope, APRIL).filter(pl.col("district").is_null())["organisations"].item()
    signed = queries.coverage(db, scope, APRIL, signed_off_only=True).filter(
        pl.col("district").is_null())["organisations"].item()
    assert everything == signed == 4
    organisations = queries.unit_organisations(db, scope, APRIL, UNIT, signed_off_only=True)
    assert organisations["signed_off"].all() and (organisations["ledger_month"] == MARCH).all()


def test_the_chase_list_names_the_units_still_owing_with_contacts_masked_for_who_may_not_see_them(db):
    from league import gateway

    district = actor(db, "district", "东湖区")
    review.save_contact(db, district, OTHER, "王芳", "13912345678")
    load_march(db, datetime(2025, 3, 20))
    with pytest.raises(AccessDenied):
        review.save_contact(db, actor(db, "unit", UNIT), OTHER, "李四", "13000000000")
    leader = actor(db, "leadership", None)
    shown = gateway.read(db, leader, queries.chase_list, MARCH)
    assert shown["unit"].to_list() == [OTHER, "西湖区某街道团工委"]
    assert shown.filter(pl.col("unit") == OTHER).select("contact_name", "contact_phone").row(0) == ("王*", "139****5678")
    inspector = actor(db, "inspector", None)
    assert gateway.read(db, inspector, queries.chase_list, MARCH)["contact_phone"][0] == "13912345678"


def test_data_version_moves_on_every_review_step(db):
    district = actor(db, "district", "东湖区")
    march = load_march(db, datetime(2025, 3, 20))
    before = db.data_version()
    review.take_step(db, district, "sign_off", UNIT, MARCH, march.submission_id)
    assert db.data_version() != before


def test_a_changed_due_day_moves_the_data_version_and_the_deadlines_shown(db):
    load_march(db, datetime(2025, 3, 20))
    scope = queries.whole_tree(db)
    before, grid = db.data_version(), queries.submission_grid(db, scope, MARCH)  # kept for this data version
    assert grid.filter(pl.col("unit") == UNIT, pl.col("report_month") == MARCH)["timeliness"].item() == "按时"
    db.set_plan_setting("ledger_due_day", 10)
    assert db.data_version() != before
    moved = queries.submission_grid(db, scope, MARCH).filter(pl.col("unit") == UNIT, pl.col("report_month") == MARCH)
    assert moved.select("due_date", "timeliness").row(0) == (date(2025, 3, 10), "逾期")


def test_a_copy_of_the_demo_runs_a_month_through_the_pages(demo_db, tmp_path, monkeypatch):
    """Sign off on the 审核 page as the district; the unit sees the lock on its upload page."""
    from tests.accounts import button
    from tests.test_pages import open_app, rerun

    db = copy_store(demo_db, tmp_path / "league.duckdb")
    month = queries.default_month(queries.ledger_months(db, queries.whole_tree(db)))
    queue = queries.review_queue(db, "东湖区", month)
    unit = queue.filter(pl.col("review_state") == "submitted")["unit"][0]

    at = open_app(monkeypatch, db, "pages/review.py", role="district", scope="东湖区")
    assert at.title[0].value == f"{month.year}年{month.month}月台账审核"
    at.selectbox(key="review_unit").select(unit)
    rerun(at)
    text_input_area = next(t for t in at.text_area if t.label == "审核意见")
    text_input_area.input("请补充第3行的建团日期")
    button(at, "退回修改").click()
    rerun(at)
    assert any("退回修改" in s.value for s in at.success)
    assert queries.review_queue(db, "东湖区", month).filter(pl.col("unit") == unit)["review_state"].item() == "sent_back"

    unit_page = open_app(monkeypatch, db, "pages/upload.py", role="unit", scope=unit)
    assert unit_page.selectbox[0].value == unit
    assert any("请补充第3行的建团日期" in w.value for w in unit_page.warning)
