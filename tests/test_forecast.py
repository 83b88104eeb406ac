"""The milestone forecast: hand-computed cases, the levels' consistency, edge cases and the backtest.

Hand-made units are rows shaped like `monthly_built` and `forecast_milestones`
over the real plan curve (the default 20/50/80/100% milestones of 2024); the
edge cases run through the queries on the small league (tests/cases/small_league).
"""

import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from scipy import stats

from league import forecast, queries
from tests.small_league import build_small_league
from tests.stores import store_at

YEAR = 2024
MAY, JUNE, OCTOBER, DECEMBER = (date(YEAR, m, 1) for m in (5, 6, 10, 12))
JUNE_30, SEPTEMBER_30, DECEMBER_31 = date(YEAR, 6, 30), date(YEAR, 9, 30), date(YEAR, 12, 31)
QUIET = forecast.Model(month_shocks=False)  # no factor shared by the months: the closed form applies


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> tuple[pl.DataFrame, pl.DataFrame]:
    db = store_at(tmp_path_factory.mktemp("plan") / "league.duckdb")
    db.migrate()
    return (db.query("select * from plan_curve(?)", [YEAR]),
            db.query("select due_date, share from milestones_for(?) order by due_date", [YEAR]))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_small_league(tmp_path_factory.mktemp("small") / "league.duckdb")


def case(plan, units: dict[str, tuple], as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """monthly_built and forecast_milestones rows for hand-made units.

    units: name -> (district, target, new organisations in each month up to the as-of month, reported).
    """
    curve, milestones = plan
    monthly = []
    for name, (district, target, built, reported) in units.items():
        for month, row in enumerate(curve.iter_rows(named=True), start=1):
            seen = month <= as_of.month
            monthly.append(row | {"unit": name, "district": district, "level": "street", "target": target,
                                  "milestone_due": month in (5, 6, 7, 9),
                                  "built": built[month - 1] if seen else None,
                                  "done": sum(built[:month]) if seen else None, "reported": reported if seen else None})
    points = ([("milestone", day, share) for day, share in milestones.iter_rows() if day > curve["month_end"][as_of.month - 1]]
              + [("year_end", DECEMBER_31, 1.0)])
    groups = ([("total", None, None, sum(t for _, t, _, _ in units.values()))]
              + [("district", None, d, sum(t for dd, t, _, _ in units.values() if dd == d))
                 for d in sorted({d for d, _, _, _ in units.values()})]
              + [("unit", name, d, t) for name, (d, t, _, _) in units.items()])
    rows = [{"level": level, "unit": unit, "district": district, "target": target, "point": point, "due_date": day,
             "share": share, "needed": math.ceil(target * share) if target else None,
             "months_left": day.month - as_of.month}
            for level, unit, district, target in groups for point, day, share in points]
    return pl.DataFrame(monthly), pl.DataFrame(rows)


def row(frame: pl.DataFrame, level: str, name: str | None = None, due: date | None = None) -> dict:
    key = "unit" if level == "unit" else "district"
    chosen = frame.filter(pl.col("level") == level)
    if name is not None:
        chosen = chosen.filter(pl.col(key) == name)
    if due is not None:
        chosen = chosen.filter(pl.col("due_date") == due)
    assert chosen.height == 1, chosen
    return chosen.row(0, named=True)


# --- the model by hand -----------------------------------------------------------

def test_the_prior_of_three_units_by_the_method_of_moments():
    # Paces 0.5, 1.5, 2.5 over an exposure of 4 each: mean 18/12 = 1.5; spread (4 + 0 + 4)/12 = 2/3,
    # less Poisson noise 1.5/4 = 3/8: variance 7/24; shape 1.5²/(7/24) = 54/7, rate 1.5/(7/24) = 36/7.
    prior = forecast.fit_prior(np.array([2, 6, 10]), np.array([4, 4, 4]))
    assert prior.shape == pytest.approx(54 / 7)
    assert prior.rate == pytest.approx(36 / 7)


def test_the_prior_never_says_the_paces_are_the_same():
    # No spread beyond Poisson noise: the variance is the floor, (0.25 x 1)², so shape = rate = 16.
    prior = forecast.fit_prior(np.array([4, 4, 4]), np.array([4, 4, 4]))
    assert forecast.MIN_PRIOR_CV == 0.25
    assert (prior.shape, prior.rate) == (pytest.approx(16), pytest.approx(16))


def test_the_posterior_pulls_each_unit_toward_its_group():
    prior = forecast.Gamma(54 / 7, 36 / 7)
    pace = forecast.posterior(prior, np.array([2, 6, 10]), np.array([4, 4, 4]))
    # (54/7 + 2) / (36/7 + 4) = 68/64; the middle unit stays at the mean; (54/7 + 10) / (64/7) = 124/64.
    assert (pace.shape / pace.rate).tolist() == pytest.approx([68 / 64, 1.5, 124 / 64])


def test_the_month_factor_is_what_the_months_vary_beyond_poisson_noise():
    # (10 - 20)² - 20 + (30 - 20)² - 20 = 160 over 20² + 20² = 800.
    assert forecast.month_shock_variance(np.array([10, 30]), np.array([20, 20])) == pytest.approx(0.2)
    assert forecast.month_shock_variance(np.array([20, 21]), np.array([20, 20])) == 0.0


def test_a_unit_alone_exactly_on_plan_matches_the_negative_binomial(plan):
    # Target 20, 4 built by 31 May = 20% of it: pace 1. Alone, the prior is its own pace with a spread of
    # 0.5: Gamma(4, 4); after its exposure of 4 (20 x 0.2), Gamma(8, 8). Ahead, June asks 20 x 0.3 = 6 more
    # and September 20 x 0.8 = 16 more: the count ahead is negative binomial(8, 8 / (8 + exposure)).
    monthly, milestones = case(plan, {"甲": ("东区", 20, [1, 1, 0, 1, 1], True)}, MAY)
    model = forecast.Model(month_shocks=False, draws=20_000)
    points = forecast.forecast(monthly, milestones, model)
    for due, ahead, needed in ((JUNE_30, 6, 10), (SEPTEMBER_30, 16, 20)):
        future = stats.nbinom(8, 8 / (8 + ahead))
        got = row(points, "unit", "甲", due)
        assert got["needed"] == needed
        assert got["p_reach"] == pytest.approx(future.sf(needed - 4 - 1), abs=0.015)
        assert got["median"] == pytest.approx(4 + future.ppf(0.5), abs=1)
        assert (got["low"], got["high"]) == (pytest.approx(4 + future.ppf(0.1), abs=1),
                                             pytest.approx(4 + future.ppf(0.9), abs=1))
    # Exactly on plan is a little better than even: the median of a skewed count sits at its mean or below.
    assert 0.5 < row(points, "unit", "甲", JUNE_30)["p_reach"] < 0.6
    # The spread is the posterior's: variance 16 + 16²/8 = 48 by September (Poisson alone would be 16).
    draws = forecast.simulate(monthly, milestones, model)
    september = draws.counts[0, :, draws.dates.index(SEPTEMBER_30)] - 4
    assert september.mean() == pytest.approx(16, rel=0.02)
    assert september.var() == pytest.approx(stats.nbinom(8, 8 / 24).var(), rel=0.06) == pytest.approx(48)


# --- districts and the city from the units' draws ------------------------------------

FIVE_UNITS = {"甲": ("东区", 20, [1, 1, 0, 1, 1], True), "乙": ("东区", 10, [0, 0, 1, 0, 0], True),
              "丙": ("东区", 15, [1, 2, 1, 2, 3], True), "丁": ("西区", 30, [0, 1, 1, 1, 2], True),
              "戊": ("西区", 12, [1, 0, 0, 1, 0], True)}


def test_districts_and_the_city_are_sums_of_their_units_draws(plan):
    monthly, milestones = case(plan, FIVE_UNITS, MAY)
    draws = forecast.simulate(monthly, milestones)
    points = forecast.summarise(draws, milestones)
    june = draws.dates.index(JUNE_30)
    city = row(points, "total", due=JUNE_30)
    summed = draws.counts[:, :, june].sum(axis=0)
    assert city["done"] == 4 + 1 + 9 + 5 + 2
    assert city["p_reach"] == pytest.approx((summed >= city["needed"]).mean())
    assert city["median"] == np.quantile(summed, 0.5, method="inverted_cdf")
    units = draws.units["district"].to_numpy()
    for district in ("东区", "西区"):
        own = draws.counts[units == district, :, june].sum(axis=0)
        got = row(points, "district", district, JUNE_30)
        assert got["p_reach"] == pytest.approx((own >= got["needed"]).mean())
        # every draw of a district is at least each of its units' draws, so its median is at least theirs
        medians = [row(points, "unit", name, JUNE_30)["median"]
                   for name, (d, *_) in FIVE_UNITS.items() if d == district]
        assert got["median"] >= max(medians)


def test_the_same_rows_give_the_same_forecast_and_another_seed_another(plan):
    monthly, milestones = case(plan, FIVE_UNITS, MAY)
    first = forecast.by_next_milestone(monthly, milestones)
    assert first.equals(forecast.by_next_milestone(monthly, milestones))
    assert not first.equals(forecast.by_next_milestone(monthly, milestones, forecast.Model(seed=1)))


def test_a_unit_without_a_ledger_yet_takes_its_groups_pace_not_zero(plan):
    quiet = {"甲": ("东区", 20, [1, 1, 0, 1, 1], True), "乙": ("东区", 20, [0, 0, 0, 0, 0], True)}
    unheard = quiet | {"乙": ("东区", 20, [0, 0, 0, 0, 0], False)}
    said_nothing = row(forecast.forecast(*case(plan, quiet, MAY), QUIET), "unit", "乙", SEPTEMBER_30)
    not_heard = row(forecast.forecast(*case(plan, unheard, MAY), QUIET), "unit", "乙", SEPTEMBER_30)
    assert not_heard["median"] > said_nothing["median"]
    assert not_heard["p_reach"] > said_nothing["p_reach"]


# --- edge cases through the queries on the small league ------------------------------

def by_unit(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["unit"]: r for r in frame.filter(pl.col("level") == "unit").iter_rows(named=True)}


def test_a_unit_without_a_target_gets_no_probability(db):
    industry = by_unit(queries.milestone_forecast(db, queries.whole_tree(db), JUNE))["东区互联网行业团委"]
    assert industry["target"] == 0
    assert [industry[c] for c in ("next_milestone_needed", "p_next_milestone", "p_year_target",
                                  "needed_per_month", "projected_short")] == [None] * 5
    assert industry["next_median"] == industry["done"] == 1  # carried at what it has built


def test_a_unit_past_the_next_milestone_is_sure_of_it(db):
    # 乙街道: 4 new by June against a target of 5; 31 July asks ceil(5 x 0.8) = 4.
    yi = by_unit(queries.milestone_forecast(db, queries.whole_tree(db), JUNE))["乙街道"]
    assert (yi["next_milestone_date"], yi["next_milestone_needed"], yi["done"]) == (date(YEAR, 7, 31), 4, 4)
    assert yi["p_next_milestone"] == 1.0
    assert yi["needed_per_month"] == 0 and yi["projected_short"] == 0
    assert yi["p_year_target"] < 1.0


def test_the_city_row_adds_up_its_districts_and_the_least_likely_come_first(db):
    frame = queries.milestone_forecast(db, queries.whole_tree(db), JUNE)
    assert frame["level"].to_list() == ["total", "district", "district"] + ["unit"] * 4
    city, districts = frame.row(0, named=True), frame.filter(pl.col("level") == "district")
    assert (city["target"], city["done"]) == (12 + 5 + 0 + 7, 2 + 4 + 1 + 3)
    assert (city["target"], city["done"]) == (districts["target"].sum(), districts["done"].sum())
    chances = frame.filter(pl.col("level") == "unit")["p_next_milestone"].to_list()
    assert chances[:3] == sorted(chances[:3]) and chances[3] is None  # no target last


def test_after_september_only_the_year_end_is_left(db):
    frame = queries.milestone_forecast(db, queries.whole_tree(db), OCTOBER)
    assert set(frame["next_milestone_date"]) == {DECEMBER_31}
    assert frame["p_next_milestone"].equals(frame["p_year_target"])
    assert frame["next_median"].equals(frame["year_end_median"])


def test_in_december_nothing_is_left_to_forecast(db):
    frame = queries.milestone_forecast(db, queries.whole_tree(db), DECEMBER)
    assert frame.height == 7
    for column in ("next_milestone_date", "p_next_milestone", "next_median", "p_year_target", "needed_per_month"):
        assert frame[column].is_null().all(), column


def test_before_any_ledger_nothing_is_forecast_but_the_plan_still_asks(db):
    frame = queries.milestone_forecast(db, queries.whole_tree(db), date(YEAR, 3, 1))
    city = frame.row(0, named=True)
    for column in ("p_next_milestone", "next_median", "next_low", "next_high", "p_year_target"):
        assert frame[column].is_null().all(), column
    # 31 May asks ceil(24 x 0.2) = 5 of the city, over April and May: 3 a month
    assert (city["next_milestone_needed"], city["needed_per_month"], city["done"]) == (5, 3, 0)


@pytest.mark.parametrize("narrowed", [{"scope": "东区"}, {"districts": ["东区"]}], ids=["scope", "districts"])
def test_a_scope_of_one_district_totals_that_district(db, narrowed):
    scope = narrowed.get("scope", queries.whole_tree(db))
    frame = queries.milestone_forecast(db, scope, JUNE, districts=narrowed.get("districts"))
    assert set(by_unit(frame)) == {"甲街道", "乙街道", "东区互联网行业团委"}
    total, district = frame.row(0, named=True), frame.row(1, named=True)
    assert (total["level"], district["district"]) == ("total", "东区")
    assert {k: v for k, v in total.items() if k not in ("level", "district")} == \
        {k: v for k, v in district.items() if k not in ("level", "district")}


def test_the_forecast_points_keep_every_remaining_milestone_and_the_year_end(db):
    points = queries.milestone_forecast_points(db, queries.whole_tree(db), MAY)
    city = points.filter(pl.col("level") == "total")
    assert city["due_date"].to_list() == [JUNE_30, date(YEAR, 7, 31), SEPTEMBER_30, DECEMBER_31]
    assert city["needed"].to_list() == [12, 20, 24, 24]
    assert city["median"].to_list() == sorted(city["median"].to_list())  # counts only grow


def test_the_backtest_on_the_small_league(db):
    compared = forecast.backtest(db, queries.whole_tree(db), [MAY])
    # ledgers run to June: only 30 June can be scored, for the city, two districts and four units
    assert set(compared["due_date"]) == {JUNE_30}
    assert compared.height == 7
    outcome = {(r["level"], r["unit"] or r["district"]): r["outcome"] for r in compared.iter_rows(named=True)}
    assert outcome[("unit", "乙街道")] == 4 and outcome[("total", None)] == 10 and outcome[("district", "西区")] == 3
    scores = forecast.backtest_scores(compared)
    assert scores["level"].to_list() == ["total", "district", "unit"]
    assert scores["n"].to_list() == [1, 2, 4]
    assert all(0 <= value <= 1 for value in scores["coverage"]) and all(0 <= value <= 1 for value in scores["brier"])
