"""The query layer against a small league whose figures were worked out by hand.

Every expected number below is derived in tests/cases/small_league/README.md
from the rows in tests/cases/small_league/*.csv.
"""

from datetime import date, datetime

import polars as pl
import pytest

from league import queries
from tests.small_league import build_small_league

APRIL, MAY, JUNE = date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_small_league(tmp_path_factory.mktemp("small") / "league.duckdb")


def by_unit(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["unit"]: row for row in frame.iter_rows(named=True)}


# --- the frame ---------------------------------------------------------------

def test_ledger_months_are_the_months_with_an_accepted_ledger_newest_first(db):
    assert queries.ledger_months(db, queries.whole_tree(db))["report_month"].to_list() == [JUNE, MAY, APRIL]


def test_ledger_months_keep_to_the_scope(db):
    # 丙镇's May ledger was rejected, so 西区 has June only.
    assert queries.ledger_months(db, "西区")["report_month"].to_list() == [JUNE]


def test_ledger_months_say_how_many_units_sent_one(db):
    months = queries.ledger_months(db, queries.whole_tree(db))
    assert months.select("units_reporting", "units_expected").rows() == [(2, 4), (3, 4), (2, 4)]
    assert months["mostly_reported"].to_list() == [True, True, True]  # half of the units is enough


def test_the_default_month_is_the_latest_most_units_reported(db):
    months = queries.ledger_months(db, queries.whole_tree(db))
    assert queries.default_month(months) == JUNE
    # One unit alone sending July does not move everyone onto July.
    early = pl.DataFrame({"report_month": [date(2024, 7, 1)], "units_reporting": [1], "units_expected": [4],
                          "min_share": [0.5], "mostly_reported": [False]}, schema=months.schema)
    assert queries.default_month(pl.concat([early, months])) == JUNE
    # With no month mostly reported, the latest month with any ledger.
    assert queries.default_month(early) == date(2024, 7, 1)
    assert queries.default_month(months.clear()) is None


def test_reporting_units_leave_out_the_city_and_districts(db):
    units = queries.reporting_units(db, queries.whole_tree(db))
    assert set(units["unit"]) == {"东区互联网行业团委", "丙镇", "乙街道", "甲街道"}
    assert queries.reporting_units(db, "东区")["unit"].to_list() == ["东区互联网行业团委", "乙街道", "甲街道"]


# --- progress ------------------------------------------------------------------

def test_progress_by_unit_counts_new_organisations_against_targets(db):
    units = by_unit(queries.progress_by_unit(db, queries.whole_tree(db), JUNE))
    assert {u: (r["done"], r["target"], r["status"]) for u, r in units.items()} == {
        "甲街道": (2, 12, "滞后"),          # 2/12 = 17% < 80% of 50%
        "乙街道": (4, 5, "达到序时进度"),    # 80% >= 50%
        "丙镇": (3, 7, "略有滞后"),          # 43%: between 40% and 50%
        "东区互联网行业团委": (1, 0, "无目标"),
    }
    assert units["丙镇"]["completion"] == pytest.approx(3 / 7)
    assert units["东区互联网行业团委"]["completion"] is None
    assert {r["expected"] for r in units.values()} == {0.5}


def test_progress_by_unit_splits_enterprise_social_and_direct(db):
    jia = by_unit(queries.progress_by_unit(db, queries.whole_tree(db), JUNE))["甲街道"]
    # 甲社工服务中心 was founded in 2023, so it is not new this year.
    assert (jia["done_enterprise"], jia["target_enterprise"]) == (2, 10)
    assert (jia["done_social"], jia["target_social"]) == (0, 2)
    assert (jia["done_direct"], jia["target_direct"]) == (1, 4)


def test_a_unit_without_this_months_ledger_stands_on_its_latest_earlier_one(db):
    units = by_unit(queries.progress_by_unit(db, queries.whole_tree(db), JUNE))
    assert (units["乙街道"]["ledger_month"], units["乙街道"]["carried_forward"]) == (MAY, True)
    assert (units["甲街道"]["ledger_month"], units["甲街道"]["carried_forward"]) == (JUNE, False)


def test_a_unit_with_no_ledger_yet_has_done_nothing(db):
    bing = by_unit(queries.progress_by_unit(db, queries.whole_tree(db), MAY))["丙镇"]
    assert (bing["done"], bing["ledger_month"], bing["status"]) == (0, None, "滞后")


def test_the_correction_of_a_ledger_is_what_counts(db):
    # The first May ledger of the industry committee had no league organisation; the correction has one.
    assert by_unit(queries.progress_by_unit(db, queries.whole_tree(db), MAY))["东区互联网行业团委"]["done"] == 1


def test_progress_total_adds_up_the_units_and_judges_the_sum(db):
    total = queries.progress_total(db, queries.whole_tree(db), JUNE).row(0, named=True)
    assert (total["done"], total["target"], total["status"]) == (10, 24, "略有滞后")
    assert total["completion"] == pytest.approx(10 / 24)
    assert (total["done_enterprise"], total["target_enterprise"]) == (8, 21)
    assert (total["done_social"], total["target_social"]) == (2, 3)
    assert (total["done_direct"], total["target_direct"]) == (3, 7)


def test_progress_says_how_far_short_each_unit_is_laggards_first(db):
    # June 2024: the plan's 50% milestone falls on 30 June, so expected and milestone shares are both 0.5.
    units = queries.progress_by_unit(db, queries.whole_tree(db), JUNE)
    assert units.select("unit", "status", "short_of_expected", "short_of_milestone").rows() == [
        ("甲街道", "滞后", 4, 4),  # 2 of 12: ceil(12 x 0.5) - 2
        ("丙镇", "略有滞后", 1, 1),  # 3 of 7: ceil(3.5) - 3
        ("东区互联网行业团委", "无目标", 0, 0),
        ("乙街道", "达到序时进度", 0, 0),  # 4 of 5, ahead: never below zero
    ]
    assert set(units["milestone_date"]) == {date(2024, 6, 30)}


def test_progress_by_district_adds_up_its_units_and_counts_those_behind(db):
    districts = queries.progress_by_district(db, queries.whole_tree(db), JUNE)
    assert districts.select("district", "done", "target", "status", "short_of_expected", "units",
                            "units_behind").rows() == [
        ("东区", 7, 17, "略有滞后", 2, 3, 1),  # 乙街道 ahead makes up part of 甲街道's shortfall
        ("西区", 3, 7, "略有滞后", 1, 1, 1),
    ]
    total = queries.progress_total(db, queries.whole_tree(db), JUNE).row(0, named=True)
    assert (total["short_of_expected"], total["units"], total["units_behind"]) == (2, 4, 2)


def test_after_a_milestone_the_shortfall_is_to_the_next_one(db):
    total = queries.progress_total(db, queries.whole_tree(db), date(2024, 8, 1)).row(0, named=True)
    assert (total["milestone_date"], total["milestone_share"]) == (date(2024, 9, 30), 1.0)
    assert total["short_of_milestone"] == 24 - 10


def test_filtering_by_org_type_measures_against_that_types_target(db):
    units = by_unit(queries.progress_by_unit(db, queries.whole_tree(db), JUNE, org_type="社会组织"))
    assert {u: (r["done"], r["target"], r["status"]) for u, r in units.items()} == {
        "甲街道": (0, 2, "滞后"),
        "乙街道": (1, 0, "无目标"),
        "丙镇": (1, 1, "达到序时进度"),
        "东区互联网行业团委": (0, 0, "无目标"),
    }
    total = queries.progress_total(db, queries.whole_tree(db), JUNE, org_type="社会组织").row(0, named=True)
    assert (total["done"], total["target"], total["status"]) == (2, 3, "达到序时进度")


def test_filtering_by_district_keeps_its_units_only(db):
    assert queries.progress_by_unit(db, queries.whole_tree(db), JUNE, districts=["西区"])["unit"].to_list() == ["丙镇"]
    total = queries.progress_total(db, queries.whole_tree(db), JUNE, districts=["西区"]).row(0, named=True)
    assert (total["done"], total["target"]) == (3, 7)


def test_a_scope_restricts_progress_to_its_subtree(db):
    assert queries.progress_by_unit(db, "乙街道", JUNE)["unit"].to_list() == ["乙街道"]
    assert queries.progress_total(db, "东区", JUNE)["done"].to_list() == [7]


def test_unknown_org_type_is_refused(db):
    with pytest.raises(ValueError, match="org_type"):
        queries.progress_by_unit(db, queries.whole_tree(db), JUNE, org_type="企业")


def test_progress_trend_reads_each_month_from_the_ledgers_standing_then(db):
    trend = queries.progress_trend(db, queries.whole_tree(db), JUNE)
    assert trend["done"].to_list() == [0, 0, 0, 3, 6, 10] + [None] * 6
    assert trend["target"].unique().to_list() == [24]
    june = trend.filter(pl.col("report_month") == JUNE).row(0, named=True)
    assert june["planned"] == pytest.approx(12.0)


def test_progress_trend_marks_the_plans_milestones(db):
    milestones = queries.progress_trend(db, queries.whole_tree(db), JUNE).filter(pl.col("milestone_date").is_not_null())
    assert milestones.select("milestone_date", "milestone_share", "milestone_planned").rows() == [
        (date(2024, 5, 31), 0.2, pytest.approx(4.8)),
        (date(2024, 6, 30), 0.5, pytest.approx(12.0)),
        (date(2024, 7, 31), 0.8, pytest.approx(19.2)),
        (date(2024, 9, 30), 1.0, pytest.approx(24.0)),
    ]


# --- the alert list -------------------------------------------------------------

def test_the_alert_list_names_each_unit_once_with_every_reason(tmp_path):
    db = build_small_league(tmp_path / "league.duckdb")
    # One severe flag on 乙街道's June ledger, as the flag rules would store it.
    with db.transaction() as con:
        con.execute("insert into quality_flags select unit_id, ?, null, 'copied_ledger', '严重', '测试', '{}',"
                    " current_timestamp from units where name = '乙街道'", [JUNE])
    alerts = by_unit(queries.unit_alerts(db, queries.whole_tree(db), JUNE))
    # By hand (tests/cases/small_league/README.md): at June's end the milestone passed is 30 June's 50%;
    # 甲街道 has built 2 of 12 (6 due) and 丙镇 3 of 7 (ceil(3.5) = 4 due). 乙街道 and 东区互联网行业团委 sent
    # no June ledger.
    assert set(alerts) == {"甲街道", "丙镇", "乙街道", "东区互联网行业团委"}
    assert alerts["甲街道"]["alerts"] == ["behind_passed_milestone", "projected_to_miss"]
    assert alerts["甲街道"]["short_of_passed_milestone"] == 6 - 2
    assert alerts["丙镇"]["short_of_passed_milestone"] == 4 - 3
    assert alerts["乙街道"]["alerts"] == ["missing_submission", "severe_flags"]
    assert alerts["乙街道"]["severe_flags"] == 1
    assert alerts["东区互联网行业团委"]["alerts"] == ["missing_submission"]  # no target: no forecast to miss
    assert list(alerts)[:2] == ["甲街道", "丙镇"]  # more reasons, then further behind, first


def test_the_alert_list_keeps_to_the_districts_asked(db):
    assert set(queries.unit_alerts(db, queries.whole_tree(db), JUNE, districts=["西区"])["unit"]) == {"丙镇"}


# --- coverage and gaps ---------------------------------------------------------

def coverage_cells(frame: pl.DataFrame) -> dict[tuple, tuple]:
    return {(r["district"], r["industry"]): (r["organisations"], r["with_league_org"]) for r in frame.iter_rows(named=True)}


def test_coverage_by_district_and_industry_with_totals(db):
    cells = queries.coverage(db, queries.whole_tree(db), JUNE)
    counts = coverage_cells(cells)
    assert counts[("东区", "互联网")] == (3, 3)
    assert counts[("东区", "快递服务")] == (2, 1)
    assert counts[("东区", None)] == (12, 8)
    assert counts[("西区", None)] == (4, 4)
    assert counts[(None, None)] == (16, 12)
    overall = cells.filter(pl.col("district").is_null()).row(0, named=True)
    assert overall["coverage"] == pytest.approx(0.75)
    assert overall["gaps"] == 3


@pytest.mark.parametrize(("segment", "organisations", "with_league_org"), [
    ("all", 16, 12),
    ("above_scale", 4, 3),
    ("park", 4, 3),  # 甲制造厂's park is a blank cell: not in a park
    ("league_society_member", 3, 3),
])
def test_coverage_segments(db, segment, organisations, with_league_org):
    assert coverage_cells(queries.coverage(db, queries.whole_tree(db), JUNE, segment=segment))[(None, None)] == (
        organisations, with_league_org)


def test_unknown_segment_is_refused(db):
    with pytest.raises(ValueError, match="segment"):
        queries.coverage(db, queries.whole_tree(db), JUNE, segment="parks")


def test_gap_list_puts_must_build_now_first(db):
    gaps = queries.gap_list(db, queries.whole_tree(db), JUNE)
    assert gaps.select("org_name", "must_build_now", "carried_forward").rows() == [
        ("甲物流有限公司", True, False),   # 5 members, party organisation
        ("乙建筑有限公司", True, True),    # from 乙街道's May ledger
        ("甲餐饮店", False, False),        # 3 members, no party organisation
    ]
    assert gaps["uscc"][0] == "91110101TESTA0004X"


def test_gap_list_follows_segment_and_district(db):
    assert queries.gap_list(db, queries.whole_tree(db), JUNE, segment="park")["org_name"].to_list() == ["甲餐饮店"]
    assert queries.gap_list(db, queries.whole_tree(db), JUNE, districts=["西区"]).is_empty()


# --- Youth Voice ---------------------------------------------------------------

def test_youth_voice_by_month_sums_units_and_rates_the_sums(db):
    monthly = queries.youth_voice_by_month(db, queries.whole_tree(db), JUNE)
    assert monthly["month"].to_list() == [MAY, JUNE]
    june = monthly.row(1, named=True)
    assert (june["units_reporting"], june["terminals"], june["visits"]) == (3, 6, 2000)
    assert (june["questions"], june["effective_replies"]) == (60, 34)
    assert june["reply_rate"] == pytest.approx(34 / 60)
    assert monthly.row(0, named=True)["reply_rate"] == pytest.approx(24 / 50)


def test_youth_voice_for_one_unit(db):
    jia = queries.youth_voice_by_month(db, queries.whole_tree(db), JUNE, unit="甲街道")
    assert jia.select("month", "questions", "effective_replies").rows() == [(MAY, 40, 18), (JUNE, 50, 30)]
    assert queries.youth_voice_by_month(db, "西区", JUNE, unit="甲街道").is_empty()


def test_youth_voice_by_unit_has_no_reply_rate_without_questions(db):
    units = by_unit(queries.youth_voice_by_unit(db, queries.whole_tree(db), JUNE))
    assert units["乙街道"]["reply_rate"] is None
    assert units["丙镇"]["reply_rate"] == pytest.approx(0.4)


def test_youth_voice_stops_at_the_as_of_month(db):
    assert queries.youth_voice_by_month(db, queries.whole_tree(db), APRIL).is_empty()


# --- submissions -----------------------------------------------------------------

def test_submission_grid_judges_the_first_accepted_ledger_of_each_month(db):
    grid = queries.submission_grid(db, queries.whole_tree(db), JUNE)
    assert grid.height == 4 * 6
    cells = {(r["unit"], r["report_month"].month): r["timeliness"] for r in grid.iter_rows(named=True)}
    assert [cells[("甲街道", m)] for m in range(1, 7)] == ["未报送"] * 3 + ["按时", "逾期", "按时"]
    assert [cells[("乙街道", m)] for m in range(4, 7)] == ["按时", "按时", "未报送"]  # 26 April 18:30 is on time
    assert cells[("东区互联网行业团委", 5)] == "按时"  # the late correction does not make it late
    assert [cells[("丙镇", m)] for m in (5, 6)] == ["未报送", "逾期"]  # a rejected file is not a submission
    first = grid.filter((pl.col("unit") == "甲街道") & (pl.col("report_month") == MAY)).row(0, named=True)
    assert (first["first_received_at"], first["due_date"]) == (datetime(2024, 5, 28, 9), date(2024, 5, 26))


def test_submission_rates_per_month(db):
    rates = queries.submission_rates(db, queries.whole_tree(db), JUNE).filter(pl.col("report_month") >= APRIL)
    assert rates.select("units", "submitted", "on_time", "late", "missing").rows() == [
        (4, 2, 2, 0, 2), (4, 3, 2, 1, 1), (4, 2, 1, 1, 2)]
    assert rates["reporting_rate"].to_list() == [0.5, 0.75, 0.5]
    assert rates["on_time_rate"].to_list() == [0.5, 0.5, 0.25]


def test_submission_grid_keeps_to_the_scope(db):
    assert queries.submission_grid(db, "甲街道", MAY)["unit"].unique().to_list() == ["甲街道"]


def test_coverage_of_nothing_is_no_rows(db):
    assert queries.coverage(db, queries.whole_tree(db), JUNE, segment="league_society_member", districts=["西区"]).is_empty()
