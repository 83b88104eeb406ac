"""Data-quality and integrity flags: each rule on hand-made ledgers, firing when it should and silent
when it should not; the robust z-score's MAD = 0 fallback; the G-test and Benjamini-Hochberg correction
against an independent computation; and the flags kept in step with loads through the pipeline.

Ledgers go straight into the tables (one accepted submission per unit-month) and the flags are
recomputed as the pipeline does, with flags.refresh over flags.months_from.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from scipy import stats

from etl.pipeline import load_file
from league import flags, marts, queries
from league.db import Database, next_ids
from league.units import save_unit_tree

CASES = Path(__file__).parent / "cases"
APRIL, MAY, JUNE = date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)
UNITS = pl.DataFrame({
    "name": ["示例市", "东区", "西区", "甲街道", "乙街道", "丙镇"],
    "level": ["city", "district", "district", "street", "street", "street"],
    "parent": [None, "示例市", "示例市", "东区", "东区", "西区"],
})
LEDGER_COLUMNS = ("org_name", "uscc", "district", "employees", "youth_employees", "league_members",
                  "has_league_org", "league_org_date", "note")


@pytest.fixture
def db(empty_db) -> Database:
    with empty_db.transaction() as con:
        save_unit_tree(con, UNITS)
    return empty_db


def org(n: int, **values) -> dict:
    """An organisation of the test ledgers: 组织n, with 20 employees unless told otherwise."""
    return {"org_name": f"组织{n}", "uscc": f"USCC{n:04d}", "district": "东区", "employees": 20,
            "youth_employees": None, "league_members": None, "has_league_org": False,
            "league_org_date": None, "note": None} | values


def add_ledger(db: Database, unit: str, month: date, rows: list[dict], only_its_unit: bool = False) -> None:
    """One accepted ledger for the unit-month, and the flags recomputed: every unit's, or as a load does,
    its own unit's and the month-wide ones."""
    with db.transaction() as con:
        (submission_id,) = next_ids(con, "submission")
        con.execute(
            "insert into submissions (submission_id, kind, unit_id, report_month, file_name, sha256, received_at,"
            " submitted_by, rows, status) select ?, 'ledger', unit_id, ?, 'test.xlsx', 'sha', ?, 'test', ?, 'accepted'"
            " from units where name = ?",
            [submission_id, month, datetime(month.year, month.month, 20), len(rows), unit])
        con.executemany(
            f"insert into ledger_rows (submission_id, {', '.join(LEDGER_COLUMNS)})"
            f" values (?{', ?' * len(LEDGER_COLUMNS)})",
            [[submission_id, *(row[c] for c in LEDGER_COLUMNS)] for row in rows])
        marts.add(con, [submission_id])
        unit_ids = [con.execute("select unit_id from units where name = ?", [unit]).fetchone()[0]]
        flags.refresh(con, flags.months_from(con, "ledger", month), unit_ids if only_its_unit else None)


def add_youth_voice(db: Database, unit: str, values: list[int], first: date = date(2024, 1, 1)) -> None:
    """A Youth Voice report of one unit: youth_reached for consecutive months from `first`."""
    with db.transaction() as con:
        (submission_id,) = next_ids(con, "submission")
        con.execute(
            "insert into submissions (submission_id, kind, file_name, sha256, received_at, submitted_by, rows, status)"
            " values (?, 'youth_voice', 'yv.xlsx', 'sha', ?, 'test', ?, 'accepted')",
            [submission_id, datetime(2024, 12, 20), len(values)])
        unit_id = con.execute("select unit_id from units where name = ?", [unit]).fetchone()[0]
        months = [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
                  for i in range(len(values))]
        con.executemany("insert into youth_voice_rows (submission_id, unit_id, month, youth_reached) values (?, ?, ?, ?)",
                        [[submission_id, unit_id, m, v] for m, v in zip(months, values)])
        flags.refresh(con, flags.months_from(con, "youth_voice", first))


def raised(db: Database, code: str) -> pl.DataFrame:
    return db.query("select unit, report_month, uscc, severity, message, evidence from flags where code = ?"
                    " order by report_month, unit, uscc", [code])


def evidence(frame: pl.DataFrame, row: int = 0) -> dict:
    return json.loads(frame["evidence"][row])


# --- per organisation ---------------------------------------------------------------------------------

def test_a_load_that_drops_a_shared_credit_code_clears_the_other_units_flag_too(db):
    add_ledger(db, "甲街道", APRIL, [org(1), org(2)], only_its_unit=True)
    add_ledger(db, "乙街道", APRIL, [org(2), org(3)], only_its_unit=True)
    assert raised(db, "duplicate_uscc")["unit"].to_list() == ["乙街道", "甲街道"]
    add_ledger(db, "乙街道", APRIL, [org(3)], only_its_unit=True)  # replaced, 组织2 no longer on it
    assert raised(db, "duplicate_uscc").is_empty()
    add_ledger(db, "乙街道", APRIL, [org(1), org(3)], only_its_unit=True)  # and now 组织1 is on both
    assert raised(db, "duplicate_uscc").select("unit", "uscc").rows() == [("乙街道", "USCC0001"), ("甲街道", "USCC0001")]


def test_duplicate_credit_code_is_raised_on_both_units_of_the_month(db):
    add_ledger(db, "甲街道", APRIL, [org(1), org(2)])
    add_ledger(db, "乙街道", APRIL, [org(2), org(3)])
    add_ledger(db, "甲街道", MAY, [org(1), org(2)])
    add_ledger(db, "乙街道", MAY, [org(3)])  # 组织2 now only on 甲街道's ledger
    found = raised(db, "duplicate_uscc")
    assert found.select("unit", "report_month", "uscc").rows() == [("乙街道", APRIL, "USCC0002"),
                                                                    ("甲街道", APRIL, "USCC0002")]
    assert "同时列在甲街道的台账中" in found["message"][0] and evidence(found)["units"] == ["乙街道", "甲街道"]


def test_a_flag_names_the_organisation_as_its_own_units_newest_ledger_does(db):
    add_ledger(db, "甲街道", APRIL, [org(2, org_name="江城甲公司")])
    add_ledger(db, "乙街道", APRIL, [org(2, org_name="江城甲有限公司")])
    add_ledger(db, "甲街道", MAY, [org(2, org_name="江城甲科技公司")])  # renamed on 甲街道's later ledger
    named = db.query("select unit, org_name from flags where code = 'duplicate_uscc' order by unit")
    assert named.rows() == [("乙街道", "江城甲有限公司"), ("甲街道", "江城甲科技公司")]
    assert queries.flag_list(db, "示例市", MAY, unit="乙街道")["org_name"].to_list() == ["江城甲有限公司"]
    assert queries.flag_list(db, "示例市", MAY, uscc="USCC0002")["org_name"].to_list() == ["江城甲有限公司",
                                                                                          "江城甲科技公司"]


def test_count_jump_needs_the_ratio_and_the_change(db):
    add_ledger(db, "甲街道", APRIL, [org(1, employees=20), org(2, employees=20), org(3, employees=4),
                                    org(4, league_members=0), org(5, employees=100)])
    add_ledger(db, "甲街道", MAY, [
        org(1, employees=60),  # three times and 40 more: raised
        org(2, employees=35),  # under twice: silent
        org(3, employees=12),  # three times but only 8 more: silent
        org(4, league_members=15, has_league_org=True, league_org_date=date(2024, 5, 6)),  # built now: silent
        org(5, employees=40),  # down to 40%, 60 fewer: raised
    ])
    found = raised(db, "count_jump")
    assert found["uscc"].to_list() == ["USCC0001", "USCC0005"]
    assert (evidence(found)["before"], evidence(found)["now"], evidence(found)["field"]) == (20, 60, "employees")
    assert "由 20 人（2024年4月）变为 60 人" in found["message"][0]


def test_an_organisation_that_disappears_and_reappears(db):
    add_ledger(db, "甲街道", APRIL, [org(1), org(2)])
    add_ledger(db, "甲街道", MAY, [org(1)])
    add_ledger(db, "甲街道", JUNE, [org(1), org(2)])
    gone, back = raised(db, "disappeared"), raised(db, "reappeared")
    assert gone.select("report_month", "uscc").rows() == [(MAY, "USCC0002")]
    assert back.select("report_month", "uscc").rows() == [(JUNE, "USCC0002")]
    assert evidence(back)["last_seen_month"] == "2024-04-01"


def test_a_founding_date_that_moved(db):
    built = {"has_league_org": True, "league_org_date": date(2019, 6, 12)}
    add_ledger(db, "甲街道", APRIL, [org(1, **built), org(2, **built)])
    add_ledger(db, "甲街道", MAY, [org(1, **built), org(2, **built | {"league_org_date": date(2018, 6, 12)})])
    found = raised(db, "founding_date_moved")
    assert found.select("report_month", "uscc").rows() == [(MAY, "USCC0002")]
    assert evidence(found)["before"] == "2019-06-12" and evidence(found)["now"] == "2018-06-12"


def test_a_founding_date_later_than_the_month_first_reported_built(db):
    add_ledger(db, "甲街道", APRIL, [org(1, has_league_org=True, league_org_date=date(2024, 4, 10)),
                                    org(2, has_league_org=True, league_org_date=date(2024, 4, 30))])
    add_ledger(db, "甲街道", MAY, [org(1, has_league_org=True, league_org_date=date(2024, 5, 10)),
                                  org(2, has_league_org=True, league_org_date=date(2024, 4, 30))])
    found = raised(db, "founded_after_built")
    assert found.select("report_month", "uscc", "severity").rows() == [(MAY, "USCC0001", "严重")]
    assert evidence(found)["first_built_month"] == "2024-04-01"


# --- per unit-month -----------------------------------------------------------------------------------

def test_a_copied_ledger_every_row_identical(db):
    rows = [org(n, employees=10 + n) for n in range(12)]
    add_ledger(db, "甲街道", APRIL, rows)
    add_ledger(db, "甲街道", MAY, rows)  # copied: raised
    add_ledger(db, "甲街道", JUNE, rows[:-1] + [org(11, employees=22)])  # one headcount changed: silent
    add_ledger(db, "乙街道", APRIL, rows[:9])
    add_ledger(db, "乙街道", MAY, rows[:9])  # copied, but under flag_copied_min_rows (10) rows: silent
    found = raised(db, "copied_ledger")
    assert found.select("unit", "report_month", "uscc", "severity").rows() == [("甲街道", MAY, None, "严重")]
    assert evidence(found)["rows"] == 12


def test_new_organisations_bunched_before_a_milestone(db):
    """31 May 2024 is the 20% milestone; June's ledger shows every organisation founded in May."""
    bunched = [org(n, has_league_org=True, league_org_date=date(2024, 5, 27 + n % 5)) for n in range(8)]
    spread = [org(10 + n, has_league_org=True, league_org_date=date(2024, 5, 1 + 4 * n)) for n in range(8)]
    for unit, rows in (("甲街道", bunched), ("乙街道", spread)):
        add_ledger(db, unit, MAY, rows[:2])
        add_ledger(db, unit, JUNE, rows)
    found = raised(db, "milestone_bunching")
    assert found.select("unit", "report_month").rows() == [("甲街道", MAY)]
    proof = evidence(found)
    assert (proof["built"], proof["in_last_days"], proof["ledger_month"]) == (8, 8, "2024-06-01")
    assert proof["p_value"] == pytest.approx(stats.binom.sf(7, 8, 5 / 31))


def test_round_number_heaping_by_whipples_index(db):
    round_numbers = [org(n, employees=10 + 5 * (n % 20)) for n in range(60)]  # every count a multiple of 5
    honest = [org(n, employees=8 + n) for n in range(60)]  # 8..67, each once
    add_ledger(db, "甲街道", APRIL, round_numbers)
    add_ledger(db, "乙街道", APRIL, honest)
    found = raised(db, "round_heaping")
    assert found["unit"].to_list() == ["甲街道"]
    assert evidence(found)["whipple"] == pytest.approx(500) and found["severity"][0] == "警示"
    assert "惠普尔指数 500" in found["message"][0] and "高于 125 为“粗略”" in found["message"][0]


def local_g_test(values: list[int], min_value: int = 10) -> float:
    """The last-digit G-test of flag_last_digit, computed here in plain Python: each count's expected
    digit spread over x-5 .. x+5 (the ends half), Williams' correction, chi-square with 9 df."""
    observed = [0] * 10
    expected = [0.0] * 10
    for x in values:
        if x >= min_value:
            observed[x % 10] += 1
        for k in range(-5, 6):
            if x + k >= min_value and x >= min_value - 5:
                expected[(x + k) % 10] += 0.05 if abs(k) == 5 else 0.1
    n = sum(observed)
    expected = [e * n / sum(expected) for e in expected]
    g = 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected) if o) / (1 + 11 / (6 * n))
    return stats.chi2.sf(g, 9)


def test_last_digit_preference_with_benjamini_hochberg_across_the_months_units(db):
    sevens = [13 + 10 * (n % 6) + (4 if n % 3 == 0 else 0) for n in range(60)]  # last digits 3 and 7
    honest = list(range(5, 75))  # every value once, 5..74
    leaning = honest[:50] + [23, 33, 43, 53, 63, 13, 23, 33, 43, 53, 63, 13]  # a little heavy on 3
    units = {"甲街道": sevens, "乙街道": honest, "丙镇": leaning}
    for unit, values in units.items():
        add_ledger(db, unit, APRIL, [org(n, employees=v) for n, v in enumerate(values)])
    p_values = {unit: local_g_test(values) for unit, values in units.items()}
    q_values = dict(zip(p_values, stats.false_discovery_control(list(p_values.values()), method="bh")))
    found = raised(db, "last_digit")
    assert found["unit"].to_list() == [u for u in units if q_values[u] < 0.05] == ["甲街道"]
    proof = evidence(found)
    assert proof["p_value"] == pytest.approx(p_values["甲街道"], rel=1e-6)
    assert proof["q_value"] == pytest.approx(q_values["甲街道"], rel=1e-6) and proof["units_tested"] == 3
    assert p_values["乙街道"] > 0.99  # a flat run of values is as uniform as it gets


def test_last_digit_is_silent_on_many_small_honest_organisations(db):
    """More organisations of 10 people than of 19: a plain uniform null would call that preferring 0."""
    declining = [v for v in range(5, 60) for _ in range(max(1, round(12 * math.exp(-v / 15))))]
    add_ledger(db, "甲街道", APRIL, [org(n, employees=v) for n, v in enumerate(declining)])
    assert raised(db, "last_digit").is_empty() and raised(db, "round_heaping").is_empty()


def test_youth_voice_outliers_by_the_modified_z_score(db):
    add_youth_voice(db, "甲街道", [100, 102, 98, 101, 99, 300])  # MAD 1: z = 0.6745 * 200
    add_youth_voice(db, "乙街道", [100, 102, 98, 101, 99, 130])  # far in z, but not twice the median: silent
    add_youth_voice(db, "丙镇", [100, 100, 98, 300])  # three earlier months are too few: silent
    found = raised(db, "youth_voice_outlier")
    assert found.select("unit", "report_month", "uscc").rows() == [("甲街道", JUNE, None)]
    assert evidence(found)["z"] == pytest.approx(0.6745 * 200)
    assert "稳健 z 值 134.9，绝对值超过 3.5 即提示" in found["message"][0]


def test_a_ledger_load_leaves_the_units_youth_voice_flags_be(db):
    add_youth_voice(db, "甲街道", [100, 102, 98, 101, 99, 300])
    before = raised(db, "youth_voice_outlier")
    add_ledger(db, "甲街道", JUNE, [org(1)], only_its_unit=True)
    assert raised(db, "youth_voice_outlier").equals(before) and before.height == 1


def test_youth_voice_when_the_mad_is_zero(db):
    add_youth_voice(db, "甲街道", [100, 100, 100, 100, 130, 300])  # MAD 0, mean absolute deviation 6
    add_youth_voice(db, "乙街道", [100, 100, 100, 100, 100, 300])  # constant: any other value counts
    found = raised(db, "youth_voice_outlier")
    assert found["unit"].to_list() == ["乙街道", "甲街道"]
    by_unit = {u: json.loads(e) for u, e in zip(found["unit"], found["evidence"])}
    assert by_unit["甲街道"]["mad"] == 0 and by_unit["甲街道"]["z"] == pytest.approx(200 / (1.253314 * 6))
    assert by_unit["乙街道"]["z"] is None
    assert "此前 5 个月一直是 100" in found.filter(pl.col("unit") == "乙街道")["message"][0]


# --- the flags as pages read them -------------------------------------------------------------------

def test_flag_list_and_counts_by_scope_severity_and_month(db):
    rows = [org(n, employees=10 + n) for n in range(12)]
    add_ledger(db, "甲街道", APRIL, rows + [org(99)])
    add_ledger(db, "甲街道", MAY, rows)  # 组织99 gone: a hint
    add_ledger(db, "甲街道", JUNE, rows)  # May's, copied: severe
    add_ledger(db, "丙镇", JUNE, [org(99, district="西区")])
    listed = queries.flag_list(db, "示例市", JUNE)
    assert listed.columns == ["district", "unit", "report_month", "uscc", "org_name", "code", "severity",
                              "message", "evidence"]
    assert listed.select("report_month", "code", "severity", "org_name").rows() == [
        (JUNE, "copied_ledger", "严重", None), (MAY, "disappeared", "提示", "组织99")]  # most severe first
    assert queries.flag_list(db, "示例市", MAY)["code"].to_list() == ["disappeared"]  # none after the month
    assert queries.flag_list(db, "西区", JUNE).is_empty()  # 甲街道 is outside 西区
    assert queries.flag_list(db, "示例市", JUNE, uscc="USCC0099")["code"].to_list() == ["disappeared"]
    assert queries.flag_list(db, "示例市", JUNE, unit="乙街道").is_empty()
    assert queries.flag_list(db, "示例市", JUNE, district="东区").height == 2
    counts = queries.flag_counts(db, "示例市", JUNE)
    assert counts.columns == ["district", "unit", "severe", "warning", "hint"]
    assert counts.rows() == [("东区", "甲街道", 1, 0, 0), ("东区", "乙街道", 0, 0, 0), ("西区", "丙镇", 0, 0, 0)]
    assert queries.flag_counts(db, "西区", JUNE).rows() == [("西区", "丙镇", 0, 0, 0)]
    assert set(listed["code"]) <= set(flags.FLAG_NAMES) and set(listed["severity"]) <= set(flags.SEVERITIES)


# --- kept in step with the loads ------------------------------------------------------------------------

@pytest.fixture
def pipeline_db(empty_db) -> Database:
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "pipeline" / "units.csv"))
    return empty_db


def test_loading_a_ledger_refreshes_the_flags_and_a_rejected_one_changes_none(pipeline_db):
    db = pipeline_db
    assert load_file(db, CASES / "pipeline" / "ledger_2025-03.csv", today=date(2025, 3, 20)).status == "accepted"
    assert db.scalar("select count(*) from flags") == 0
    jump = load_file(db, CASES / "flags" / "ledger_2025-04_jump.csv", today=date(2025, 4, 20))
    assert jump.status == "accepted"
    found = db.query("select report_month, uscc, code from flags where code = 'count_jump'")
    assert found.rows() == [(date(2025, 4, 1), "91420100MA4K00020T", "count_jump")]
    before = db.query("select * from quality_flags order by all")
    rejected = load_file(db, CASES / "pipeline" / "ledger_2025-04_bad.csv", today=date(2025, 4, 21))
    assert rejected.status == "rejected"
    assert db.query("select * from quality_flags order by all").equals(before)
    fixed = load_file(db, CASES / "pipeline" / "ledger_2025-04.csv", today=date(2025, 4, 22))
    assert fixed.status == "accepted"  # the corrected April replaces the jump, and its flag goes
    assert db.scalar("select count(*) from flags where code = 'count_jump'") == 0


def test_youth_voice_loads_refresh_their_months(pipeline_db):
    db = pipeline_db
    assert load_file(db, CASES / "pipeline" / "youth_voice_2025.csv", today=date(2025, 12, 31)).status == "accepted"
    months = db.query("select distinct month from youth_voice order by 1")["month"].to_list()
    with db.connect() as con:
        assert flags.months_from(con, "youth_voice", months[0]) == months
        assert flags.months_from(con, "targets", months[0]) == []


# --- the demo city and the bulletin ------------------------------------------------------------------

def test_the_demo_raises_every_planted_anomaly(demo_db):
    from etl.demo import DEMO_SEED, DEMO_YEAR
    from etl.demo_world import build_world

    world = build_world(DEMO_SEED, DEMO_YEAR)
    raised_codes = set(demo_db.query("select distinct code from flags")["code"])
    assert {"copied_ledger", "duplicate_uscc", "count_jump", "founding_date_moved", "founded_after_built",
            "disappeared", "reappeared", "milestone_bunching", "youth_voice_outlier"} <= raised_codes
    (copied_unit, copied_month), = world.anomalies.copied
    assert demo_db.query("select unit, month(report_month) as m from flags where code = 'copied_ledger'").rows() \
        == [(copied_unit, copied_month)]  # honest ledgers drift a little each month, so only the planted copy
    (borrower, _), = world.anomalies.borrowed
    assert borrower in set(demo_db.query("select unit from flags where code = 'duplicate_uscc'")["unit"])


def test_the_bulletin_names_each_districts_severe_flags(demo_db):
    from league import bulletin, gateway
    from league.access import Actor

    root = queries.whole_tree(demo_db)
    month = demo_db.scalar("select max(report_month) from flags where severity = '严重'")
    made = bulletin.bulletin(demo_db, Actor("测试", "leadership", root, gateway.unit_path(demo_db, root)), month)
    counts = queries.flag_counts(demo_db, root, month).group_by("district").agg(pl.col("severe").sum())
    assert made.facts["severe_flags_by_district"] == dict(counts.iter_rows())
    section = next(s for s in made.sections if s.heading == "七、数据质量提示")
    severe = int(counts["severe"].sum())
    assert severe > 0 and f"严重数据质量提示 {severe} 条" in section.paragraphs[0]
    table = section.tables[0].frame
    assert table.columns == ["区县", "严重", "警示", "提示", "有严重提示的单位"] and table["严重"].sum() == severe


def test_a_rolled_back_write_leaves_the_connection_able_to_raise_flags(db):
    """A batch holds one connection across writes (Database.session); one that fails must not cost the
    next its p-value functions."""
    with db.session():
        with pytest.raises(RuntimeError), db.transaction() as con:
            flags.refresh(con, [APRIL])
            raise RuntimeError("a write that fails")
        add_ledger(db, "甲街道", APRIL, [org(n, employees=10 + 5 * (n % 20)) for n in range(60)])
    assert raised(db, "round_heaping")["unit"].to_list() == ["甲街道"]
