"""Youth Voice at question level (issue 15), on the hand-made export of tests/cases/questions/.

和平街道 (H) asked Q1–Q5 in March: replies after 2 h, 24 h, 96 h, 16 days (5 April) and none;
互联网行业团委 (I) asked Q6 on 10 February (never answered) and Q7 in March (6 h). The totals
sheet says H had 5 questions and 4 replies in March (as the export), I 12 and 1 (the export has 1).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from etl.pipeline import load_file
from league import gateway, queries, question_queries
from league.access import Actor
from league.db import Database
from league.units import save_unit_tree
from tests.stores import store_at

CASES = Path(__file__).parent / "cases" / "questions"
UNITS = Path(__file__).parent / "cases" / "pipeline" / "units.csv"
H, I = "东湖区和平街道团工委", "东湖区互联网行业团委"
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
TODAY = date(2025, 4, 20)


def city(tmp_path: Path) -> Database:
    db = store_at(tmp_path / "league.duckdb")
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, pl.read_csv(UNITS))
    return db


def load(db: Database, name: str, kind: str = "youth_voice_questions"):
    result = load_file(db, CASES / name, kind=kind, today=TODAY)
    assert result.status == "accepted", [p.text() for p in result.errors]
    return result


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    db = city(tmp_path_factory.mktemp("questions"))
    load(db, "questions.csv")
    load(db, "totals.csv", "youth_voice")
    return db


def leadership(db: Database, scope: str = "江城市") -> Actor:
    return Actor("", "leadership", scope, db.scalar("select path from units where name = ?", [scope]))


def read(db, query, scope: str = "江城市", **filters) -> pl.DataFrame:
    return gateway.read(db, leadership(db, scope), query, **filters)


def by_unit(frame: pl.DataFrame, unit: str | None, district: str | None = "东湖区") -> dict:
    rows = frame.filter(pl.col("unit").eq_missing(unit) & pl.col("district").eq_missing(district))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_time_to_an_effective_reply_odd_and_even_counts(db):
    march = read(db, queries.question_reply_times, as_of_month=MARCH)
    h = by_unit(march, H)
    # At March's end Q4's reply (5 April) had not come: replies 2, 24, 96 h of 5 questions.
    assert (h["questions"], h["answered"], h["median_hours"]) == (5, 3, 24.0)
    assert h["p90_hours"] == pytest.approx(24 + 0.8 * 72, abs=0.05)
    assert (h["within_day_share"], h["within_week_share"]) == (0.4, 0.6)  # 24 h exactly is within a day
    scope = by_unit(march, None, None)  # H's and I's March: 2, 6, 24, 96 h of 6 questions
    assert (scope["questions"], scope["answered"], scope["median_hours"]) == (6, 4, 15.0)
    assert scope["p90_hours"] == pytest.approx(24 + 0.7 * 72, abs=0.05)
    # Seen from April, Q4 was answered (in a later month, counted to March): with I's Q7, 2, 6, 24, 96, 384 h.
    trend = read(db, queries.question_reply_trend, as_of_month=APRIL).filter(pl.col("month") == MARCH)
    later = by_unit(trend.with_columns(unit=pl.lit(None, pl.String)), None)  # district 东湖区
    assert (later["questions"], later["answered"], later["median_hours"]) == (6, 5, 24.0)


def test_the_backlog_by_age_across_month_ends(db):
    backlog = read(db, queries.question_backlog, as_of_month=MARCH)
    h, i = by_unit(backlog, H), by_unit(backlog, I)
    # Q4 (20 March 20:00) has waited 11 days, Q5 (31 March 23:00) under an hour; Q6 since 10 February.
    assert (h["waiting"], h["waiting_under_day"], h["waiting_week"], h["waiting_month"], h["waiting_over_month"]) \
        == (2, 1, 0, 1, 0)
    assert (i["waiting"], i["waiting_over_month"]) == (1, 1) and i["oldest_days"] == pytest.approx(49.6)
    oldest = read(db, queries.oldest_unanswered, as_of_month=MARCH)
    assert oldest["question_id"].to_list() == ["Q6", "Q4", "Q5"]
    april = by_unit(read(db, queries.question_backlog, as_of_month=APRIL), H)
    # Q4 answered by then; Q5, asked at 23:00 on 31 March, has waited just over 30 days at April's last second.
    assert (april["waiting"], april["waiting_month"], april["waiting_over_month"]) == (1, 0, 1)


def test_what_youth_ask_about_and_who_answers(db):
    categories = read(db, queries.question_categories, as_of_month=MARCH)
    march = question_queries.category_rates(categories.filter(pl.col("month") == MARCH), ["category"])
    rates = dict(march.select("category", "reply_rate").rows())
    assert rates == {"就业创业": 1.0, "身心健康": 1.0, "权益维护": 0.0, "婚恋交友": 0.0, "成长成才": 1.0}
    assert dict(march.select("category", "question_share").rows())["就业创业"] == pytest.approx(2 / 6)
    mix = question_queries.category_rates(categories, ["month", "category"])
    assert mix.filter(pl.col("month") == date(2025, 2, 1)).select("category", "question_share").rows() == [("社会融入", 1.0)]
    repliers = {r["replier_kind"]: r for r in read(db, queries.question_repliers, as_of_month=MARCH).iter_rows(named=True)}
    assert {k: (r["replies"], r["rated"]) for k, r in repliers.items()} == {"团组织": (2, 2), "专家": (1, 1), "志愿者": (1, 0)}
    assert repliers["团组织"]["reply_share"] == 0.5 and repliers["团组织"]["mean_satisfaction"] == 4.5
    assert repliers["志愿者"]["mean_satisfaction"] is None


def test_the_totals_check_and_its_flag(db):
    check = read(db, queries.question_totals_check, as_of_month=MARCH)
    rows = {(r["unit"], r["month"]): r for r in check.iter_rows(named=True)}
    assert not rows[H, MARCH]["disagrees"]
    assert rows[I, MARCH]["disagrees"] and (rows[I, MARCH]["questions_reported"], rows[I, MARCH]["questions_counted"]) == (12, 1)
    assert rows[I, date(2025, 2, 1)]["questions_reported"] is None  # no totals sent for February: not compared
    flags = db.query("select unit, report_month, code, severity from flags where code = 'question_totals_mismatch'")
    assert flags.rows() == [(I, MARCH, "question_totals_mismatch", "警示")]


def test_a_later_export_updates_a_question_and_keeps_its_history(tmp_path):
    db = city(tmp_path)
    load(db, "questions.csv")
    load(db, "questions_update.csv")
    q5 = db.query("select effectively_answered, first_effective_reply_at, replier_kind from youth_voice_questions"
                  " where question_id = 'Q5'").row(0)
    assert q5 == (True, datetime(2025, 4, 2, 10), "团组织")
    assert db.scalar("select count(*) from question_rows where question_id = 'Q5'") == 2  # both versions kept
    assert db.scalar("select count(*) from youth_voice_questions") == 8


def test_a_messy_export_reads_as_the_clean_one(tmp_path, db):
    messy = city(tmp_path)
    load(messy, "questions_messy.csv")
    columns = "question_id, unit, asked_at, category, effectively_answered, first_effective_reply_at, replier_kind," \
              " satisfaction"
    sql = f"select {columns} from youth_voice_questions order by question_id"
    assert messy.query(sql).rows() == db.query(sql).rows()


@pytest.mark.parametrize("row, rule, column", [
    ("Q9,东湖区和平街道团工委,2025-03-05 10:00,其他,是,,,", "reply_time_required", "首次有效回复时间"),
    ("Q9,东湖区和平街道团工委,2025-03-05 10:00,其他,是,2025-03-04 10:00,专家,", "reply_before_asked", "首次有效回复时间"),
    ("Q9,东湖区和平街道团工委,2030-03-05 10:00,其他,否,,,", "asked_in_future", "提问时间"),
    ("Q9,东湖区和平街道团工委,昨天下午,其他,否,,,", "datetime_unreadable", "提问时间"),
    ("Q9,东湖区和平街道团工委,2025-03-05 10:00,其他,是,2025-03-05 11:00,专家,9", "satisfaction_range", "满意度"),
    ("Q1,东湖区和平街道团工委,2025-03-05 10:00,其他,否,,,", "duplicate_question", "问题编号"),
])
def test_a_bad_question_row_is_refused_naming_row_and_column(tmp_path, row, rule, column):
    db = city(tmp_path)
    lines = (CASES / "questions_update.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "明细.csv"
    path.write_text("\n".join([lines[0], lines[1].replace("Q5", "Q1"), row]) + "\n", encoding="utf-8")
    result = load_file(db, path, kind="youth_voice_questions", today=TODAY)
    assert result.status == "rejected"
    problem = next(p for p in result.errors if p.rule == rule)
    assert problem.column == column and 3 in problem.rows
    assert db.scalar("select count(*) from youth_voice_questions") == 0


def test_the_page_under_a_unit_role_shows_only_its_questions(monkeypatch, demo_db):
    from tests.test_pages import open_app

    unit = "东湖区和平街道团工委"
    at = open_app(monkeypatch, demo_db, "pages/youth_voice.py", role="unit", scope=unit)
    month = queries.default_month(queries.ledger_months(demo_db, queries.whole_tree(demo_db)))
    reader = Actor("", "unit", unit, demo_db.scalar("select path from units where name = ?", [unit]))
    for section in ("reply_times", "backlog", "categories", "repliers", "totals"):
        at.radio(key="yv_view").set_value(section).run()
        assert not at.exception, (section, at.exception)
        assert at.dataframe and len(at.get("download_button")) >= len(at.dataframe), section
        for table in at.dataframe:
            if "单位" in table.value.columns:
                assert set(table.value["单位"]) <= {unit}, section
    at.radio(key="yv_view").set_value("reply_times").run()
    times = gateway.read(demo_db, reader, queries.question_reply_times, as_of_month=month).row(0, named=True)
    assert {m.label: m.value for m in at.metric}["提问数"] == f"{times['questions']:,}"
    at.radio(key="yv_view").set_value("backlog").run()
    oldest = pl.from_pandas(next(t.value for t in at.dataframe if "问题编号" in t.value.columns))
    assert oldest.height == min(500, gateway.read(demo_db, reader, queries.question_backlog, as_of_month=month)
                                .filter(pl.col("unit").is_null())["waiting"][0])
