"""Milestone forecast: how likely each unit, district and the city is to reach the milestones still ahead.

The model, in plain words. Units build new league organisations in bursts
timed by the plan: little in the first months, a rush before each milestone
(the demo city built 62 in May, 265 in June and 284 in July). So a unit's pace
is measured against what the plan asked of it, not per calendar month: its
*exposure* over a stretch of time is its year target times the rise of the
plan curve over that stretch (the plan's own count for it: 30% of a target of
20 in June is 6). A unit's pace rho is how many organisations it builds per
organisation the plan asks for (1 = exactly on plan).

- Counts given the pace are Poisson: in a stretch with exposure e a unit
  builds Poisson(rho x e) organisations.
- Paces differ between units, so rho is drawn from a Gamma(a, b) prior shared
  by similar units: one prior per level (streets and towns; industry
  committees) when the level has at least MIN_GROUP_UNITS units with a target,
  else one for all of them. The prior is fitted by the method of moments to
  the units' counts so far (Marshall's estimator: the spread of the units'
  paces beyond what Poisson noise alone would give); it never claims the paces
  differ by less than MIN_PRIOR_CV, since a few months of small counts cannot
  show that they are the same. A scope of fewer than MIN_GROUP_UNITS units
  with a target (a unit's own account, a small district) cannot show how much
  paces differ at all: its prior takes the units' mean pace and a spread of
  FEW_UNITS_PRIOR_CV, so a unit alone is judged on its own months, not
  falsely sure of them.
- Each unit's pace is then Gamma(a + built so far, b + exposure so far):
  a unit with few organisations yet is pulled toward its group, a unit with
  many is judged mostly on its own.
- Some months move every unit together (a city-wide push, a holiday). The
  city's monthly counts so far say how much more they vary than the units'
  paces explain; each remaining month gets one factor for every unit, with
  mean 1 and that variance (none when the months varied no more than Poisson
  noise), so district and city intervals are not falsely narrow.
- Monte Carlo with a fixed seed (DRAWS draws): a pace per unit from its
  posterior, a factor per month, Poisson counts for each remaining stretch
  (each month, split at a milestone due inside it). A district's draw is the
  sum of its units' draws and the city's the sum of all, so the three levels
  agree: a district's probability is read from its summed draws, never from
  its units' probabilities or medians.
- From the draws: the probability of having built what each remaining
  milestone asks (target x share, rounded up, by its due date) and the whole
  target by 31 December; the median and an 80% prediction interval (10th and
  90th percentiles of the draws) of the count at each; and, from the plan, the
  organisations a month still needed for the next milestone.

After the year's last milestone (100% by 30 September) the plan asks for
nothing more, so the rush cannot say what units build then. Those months are
a second season with a pace of its own per calendar month (per organisation
of target), judged on its months so far or, before October, on the months
before the first milestone's month, when no deadline pressed either. Until
October nobody knows how far those months will differ from the opening ones,
so every draw gets one factor for all units in that season (mean 1, spread
BORROWED_SEASON_CV): the year-end interval says the forecast is unsure of it.

A unit without a target has nothing to measure its pace against: it gets no
probability (null, not 0 or 1) and is carried at what it has built. A unit
past a milestone already has probability 1 for it, since counts only grow.
A unit with no ledger yet has shown nothing (its 0 is not a count): it takes
its group's prior. Before any unit with a target has a ledger there is no pace
to judge by: nothing is forecast (null), only what the plan asks.
`backtest` measures how good all this is on a past year (bench/forecast_backtest.py).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from league import queries
from league.db import Database

DRAWS = 4000
COUNT = np.int32  # a unit's count in a draw: half the memory of int64 for a province's draws
SEED = 20250531  # fixed: the same data give the same forecast on every page and run
INTERVAL = (0.1, 0.9)  # the 80% prediction interval: 10th and 90th percentiles of the draws
MIN_GROUP_UNITS = 8  # a level with fewer units with a target borrows the prior of all units
MIN_PRIOR_CV = 0.25  # the prior never says units' paces differ by less than this (see the backtest)
FEW_UNITS_PRIOR_CV = 0.5  # the spread of paces assumed where too few units to measure it
BORROWED_SEASON_CV = 0.5  # how far a season judged on other months may differ from them, for all units at once
PACES = ("plan", "flat")  # exposure: the plan's count (target x plan curve), or calendar months
LEVEL_ORDER = {"total": 0, "district": 1, "unit": 2}


@dataclass(frozen=True)
class Model:
    """The choices of the model; the defaults are the one the pages use (see the backtest)."""

    pace: str = "plan"  # 'flat': a steady rate per calendar month, for comparison in the backtest
    month_shocks: bool = True  # one factor per month shared by all units
    min_prior_cv: float = MIN_PRIOR_CV
    draws: int = DRAWS
    seed: int = SEED


MODEL = Model()


@dataclass(frozen=True)
class Gamma:
    """Gamma(shape, rate) distributions of paces, one per unit (arrays) or one for a group (floats)."""

    shape: np.ndarray | float
    rate: np.ndarray | float


@dataclass(frozen=True)
class Draws:
    """The simulated counts: units x draws x points, each the unit's cumulative new organisations.

    `units` (unit, district, level, target, done) is in the order of the first axis, `dates` (the
    points' due dates) of the last. `judged` is false when no unit with a target has a ledger yet:
    the counts are then only what was built, and nothing is forecast from them.
    """

    units: pl.DataFrame
    dates: list[date]
    counts: np.ndarray
    judged: bool


# --- the model ----------------------------------------------------------------

def fit_prior(built: np.ndarray, exposure: np.ndarray, min_cv: float = MIN_PRIOR_CV) -> Gamma:
    """Gamma prior of the pace from units' counts and exposures so far, by the method of moments.

    Marshall's estimator: the mean pace m is all built over all exposure; the
    variance between units is the exposure-weighted spread of their own paces
    less what Poisson noise alone would give (m over the mean exposure),
    floored at (min_cv x m)^2. A group that has built nothing yet is
    given half an organisation, so it is not forecast never to build.
    """
    built = np.asarray(built, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    mean = max(built.sum(), 0.5) / exposure.sum()
    spread = (exposure * (built / exposure - mean) ** 2).sum() / exposure.sum()
    variance = max(spread - mean / exposure.mean(), (min_cv * mean) ** 2)
    return Gamma(shape=mean**2 / variance, rate=mean / variance)


def posterior(prior: Gamma, built: np.ndarray, exposure: np.ndarray) -> Gamma:
    """Each unit's pace after its own counts: Gamma(a + built so far, b + exposure so far)."""
    return Gamma(shape=prior.shape + np.asarray(built, dtype=float), rate=prior.rate + np.asarray(exposure, dtype=float))


def month_shock_variance(built: np.ndarray, expected: np.ndarray) -> float:
    """The variance of a factor shared by all units in a month, from the months so far.

    built and expected are the group's counts and the model's expected counts
    per month; what their squared differences exceed Poisson variance by,
    relative to the expected counts squared (0 when they do not exceed it).
    """
    built, expected = np.asarray(built, dtype=float), np.asarray(expected, dtype=float)
    kept = expected > 0
    if not kept.any():
        return 0.0
    excess = ((built[kept] - expected[kept]) ** 2 - expected[kept]).sum()
    return max(excess / (expected[kept] ** 2).sum(), 0.0)


def draw_shocks(months: np.ndarray, variance: float, draws: int, rng: np.random.Generator) -> np.ndarray:
    """A factor per draw and stretch ahead, mean 1 and the given variance, shared by stretches of one month."""
    months = np.asarray(months)
    if variance <= 0 or not months.size:
        return np.ones((draws, months.size))
    distinct, month_of_stretch = np.unique(months, return_inverse=True)
    return rng.gamma(1.0 / variance, variance, size=(draws, len(distinct)))[:, month_of_stretch]


def draw_counts(pace: Gamma, exposure: np.ndarray, shocks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New organisations per unit, draw and stretch ahead (units x draws x stretches, not yet cumulative).

    A pace per unit and draw from its Gamma, then Poisson(pace x shock x exposure)
    in each stretch; exposure is units x stretches, shocks draws x stretches.
    """
    draws = shocks.shape[0]
    rates = rng.gamma(pace.shape, 1.0 / pace.rate, size=(draws, len(exposure))).T
    counts = np.zeros((len(exposure), draws, exposure.shape[1]), dtype=COUNT)
    live = exposure.any(axis=0)  # a season asks nothing of most stretches: no draws there
    counts[:, :, live] = rng.poisson(rates[:, :, None] * shocks[None, :, live] * exposure[:, None, live])
    return counts


# --- from the query's rows to draws -----------------------------------------------

@dataclass(frozen=True)
class _Season:
    """A part of the year with a pace of its own: its exposure (per unit of a unit's scale) in each month
    so far and each stretch ahead; `own` is false when it borrows another season's months to judge its pace."""

    so_far: np.ndarray
    ahead: np.ndarray
    own: bool


def _months_elapsed(day: date, year: int) -> float:
    """Calendar months since 1 January of `year` at the end of a day (31 January is 1, 15 June is 5.5)."""
    return 12 * (day.year - year) + day.month - 1 + day.day / calendar.monthrange(day.year, day.month)[1]


def _seasons(months: pl.DataFrame, plan: dict[date, float], ends: list[date], pace: str) -> list[_Season]:
    """The seasons of the year: for the 'flat' pace one, by calendar months; for the 'plan' pace the rush
    toward the milestones, by the plan's count, then the months after the last one, by calendar months.

    After the last milestone the plan asks for nothing more, so the rush
    cannot say what units build then: that season's pace is judged on its
    months so far, or, before there are any, on the months before the first
    milestone's month (the other months no deadline pressed).
    """
    if pace not in PACES:
        raise ValueError(f"unknown pace {pace!r}; expected one of {PACES}")
    observed = months["month_end"].to_list()
    year = observed[0].year
    starts = [date(year - 1, 12, 31)] + observed[:-1]  # each month so far runs from the end of the one before
    before = [observed[-1]] + ends[:-1]  # and so does each stretch ahead
    elapsed = lambda start, end: _months_elapsed(end, year) - _months_elapsed(start, year)  # noqa: E731
    if pace == "flat":
        return [_Season(np.array([elapsed(*span) for span in zip(starts, observed)]),
                        np.array([elapsed(*span) for span in zip(before, ends)]), own=True)]
    share = lambda day: plan.get(day, 0.0)  # noqa: E731 - the plan starts from 0 on 1 January
    final = plan[max(plan)]
    rush = _Season(np.array([share(end) - share(start) for start, end in zip(starts, observed)]),
                   np.array([share(end) - share(start) for start, end in zip(before, ends)]), own=True)
    after_ahead = np.array([elapsed(start, end) if share(start) >= final else 0.0 for start, end in zip(before, ends)])
    after_so_far = np.array([elapsed(start, end) if share(start) >= final else 0.0 for start, end in zip(starts, observed)])
    if after_so_far.any():
        return [rush, _Season(after_so_far, after_ahead, own=True)]
    due = months.filter(pl.col("milestone_due"))["report_month"].min()
    opening = np.array([due is None or month < due for month in months["report_month"]], dtype=float)
    return [rush, _Season(opening, after_ahead, own=False)]


def _fit_groups(levels: np.ndarray, built: np.ndarray, exposure: np.ndarray, min_cv: float) -> Gamma:
    """Each unit's prior: its level's when the level has MIN_GROUP_UNITS units with exposure, else all units'
    (with a spread of at least FEW_UNITS_PRIOR_CV when even all of them are fewer)."""
    fitted = exposure > 0
    shape, rate = np.full(len(levels), np.nan), np.full(len(levels), np.nan)
    if not fitted.any():
        return Gamma(shape, rate)
    enough = fitted.sum() >= MIN_GROUP_UNITS
    pooled = fit_prior(built[fitted], exposure[fitted], min_cv if enough else max(min_cv, FEW_UNITS_PRIOR_CV))
    for level in np.unique(levels):
        members = fitted & (levels == level)
        prior = fit_prior(built[members], exposure[members], min_cv) if members.sum() >= MIN_GROUP_UNITS else pooled
        shape[levels == level], rate[levels == level] = prior.shape, prior.rate
    return Gamma(shape, rate)


def _draw_ahead(seasons: list[_Season], built: np.ndarray, scale: np.ndarray, levels: np.ndarray,
                observed: np.ndarray, ends: list[date], model: Model) -> np.ndarray:
    """New organisations per paced unit (scale > 0), draw and stretch ahead (not yet cumulative).

    Each season's pace per unit is its posterior from the months so far; a unit
    with no ledger yet (not observed) has shown nothing, so it takes its group's prior.
    """
    rng = np.random.default_rng(model.seed)
    # A season with no months to judge it by (no months before a January milestone) adds nothing.
    seasons = [season for season in seasons if season.so_far.sum() > 0]
    paces = []
    for season in seasons:
        exposure = scale * season.so_far.sum() * observed
        built_in_season = np.clip((built * (season.so_far > 0)).sum(axis=1), 0, None)
        prior = _fit_groups(levels, built_in_season, exposure, model.min_prior_cv)
        paces.append(posterior(prior, built_in_season, exposure))
    paced, fitted = scale > 0, (scale > 0) & observed
    expected = sum(np.nansum((pace.shape / pace.rate * scale)[fitted]) * season.so_far
                   for pace, season in zip(paces, seasons) if season.own)
    variance = month_shock_variance(built[fitted].sum(axis=0), expected) if model.month_shocks else 0.0
    shocks = draw_shocks(np.array([day.month for day in ends]), variance, model.draws, rng)
    counts = np.zeros((paced.sum(), model.draws, len(ends)), dtype=COUNT)
    for pace, season in zip(paces, seasons):
        borrowed = 1.0 if season.own else draw_shocks(np.zeros(1), BORROWED_SEASON_CV**2, model.draws, rng)
        counts += draw_counts(Gamma(pace.shape[paced], pace.rate[paced]),
                              scale[paced, None] * season.ahead[None, :], shocks * borrowed, rng)
    return counts


def simulate(monthly: pl.DataFrame, milestones: pl.DataFrame, model: Model = MODEL) -> Draws:
    """Draws of each unit's count at each remaining point, from `monthly_built` and `forecast_milestones` rows."""
    history = monthly.filter(pl.col("done").is_not_null()).sort("district", "unit", "report_month")
    now = history.filter(pl.col("report_month") == pl.col("report_month").max())
    units = now.select("unit", "district", "level", "target", "done")
    dates = sorted(set(milestones["due_date"]))
    if history.is_empty() or not dates:
        return Draws(units, [], np.zeros((len(units), model.draws, 0), dtype=COUNT), judged=False)
    months = history.select("report_month", "month_end", "milestone_due").unique().sort("report_month")
    built = history["built"].to_numpy().reshape(len(units), len(months)).astype(float)
    plan = dict(monthly.select("month_end", "expected_share").unique().iter_rows())
    plan |= dict(milestones.filter(pl.col("point") == "milestone").select("due_date", "share").unique().iter_rows())
    ends = sorted({day for day in plan if day > months["month_end"][-1]} | set(dates))  # stretches ahead end here
    scale = (units["target"].fill_null(0).clip(lower_bound=0).to_numpy().astype(float) if model.pace == "plan"
             else np.ones(len(units)))
    observed = now["reported"].fill_null(False).to_numpy()
    # A unit with nothing to measure its pace against (no target) builds nothing more in the draws;
    # with no ledger from any unit with a target yet there is no pace to judge by at all.
    paced = scale > 0
    judged = bool((paced & observed).any())
    counts = np.zeros((len(units), model.draws, len(ends)), dtype=COUNT)
    if judged:
        counts[paced] = _draw_ahead(_seasons(months, plan, ends, model.pace), built, scale,
                                    units["level"].to_numpy(), observed, ends, model)
    counts = counts.cumsum(axis=2, dtype=COUNT) + units["done"].to_numpy().astype(COUNT)[:, None, None]
    return Draws(units, dates, counts[:, :, [ends.index(day) for day in dates]], judged)


# --- from draws to what a page shows -----------------------------------------------

def _groups(units: pl.DataFrame) -> pl.DataFrame:
    """The total, the districts and the units, with target and done added up (a district's are its units')."""
    known_sum = pl.when(pl.col("target").is_not_null().any()).then(pl.col("target").sum())
    sums = {"target": known_sum, "done": pl.col("done").sum()}
    districts = (units.group_by("district").agg(**sums)
                 .sort("district").with_columns(level=pl.lit("district"), unit=pl.lit(None, pl.String)))
    total = units.select(**sums).filter(pl.lit(not units.is_empty())).with_columns(  # no units, no total
        level=pl.lit("total"), unit=pl.lit(None, pl.String), district=pl.lit(None, pl.String))
    columns = ["level", "unit", "district", "target", "done"]
    return pl.concat([total.select(columns), districts.select(columns),
                      units.with_columns(level=pl.lit("unit")).select(columns)], how="vertical_relaxed")


def _picked(draws: Draws, groups: pl.DataFrame, group: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The draws of each asked group's count at each asked point (rows x draws); `group` indexes `_groups`' rows.

    A district's or the total's draws are the sums of its units' draws, made once per area.
    """
    areas = groups.filter(pl.col("level") != "unit").select("level", "district").rows()
    unit_district = draws.units["district"].to_numpy()
    sums = [draws.counts.sum(axis=0) if level == "total" else draws.counts[unit_district == district].sum(axis=0)
            for level, district in areas]
    picked = np.empty((len(group), draws.counts.shape[1]), dtype=draws.counts.dtype)
    of_unit = group >= len(areas)
    picked[of_unit] = draws.counts[group[of_unit] - len(areas), :, at[of_unit]]
    for row in np.flatnonzero(~of_unit):
        picked[row] = sums[group[row]][:, at[row]]
    return picked


def summarise(draws: Draws, milestones: pl.DataFrame) -> pl.DataFrame:
    """One row per unit, district and the total x remaining point (see `forecast`)."""
    groups = _groups(draws.units)
    points = (
        groups.with_row_index("group")
        .join(milestones.select("level", "unit", "district", "point", "due_date", "share", "needed", "months_left"),
              on=["level", "unit", "district"], nulls_equal=True)
        .with_columns(at=pl.col("due_date").replace_strict(
            {day: i for i, day in enumerate(draws.dates)}, return_dtype=pl.UInt32))
    )
    group, at = points["group"].to_numpy().astype(np.intp), points["at"].to_numpy().astype(np.intp)
    needed = points["needed"].to_numpy(allow_copy=True).astype(float)  # null (no target) is nan
    picked = _picked(draws, groups, group, at)
    low, median, high = np.quantile(picked, [INTERVAL[0], 0.5, INTERVAL[1]], axis=1, method="inverted_cdf")
    reached = (picked >= needed[:, None]).mean(axis=1)
    forecast = {"p_reach": pl.Series(np.where(np.isnan(needed), np.nan, reached)).fill_nan(None),
                "median": pl.Series(median, dtype=pl.Int64),
                "low": pl.Series(low, dtype=pl.Int64),
                "high": pl.Series(high, dtype=pl.Int64)}
    return points.with_columns(
        **{name: pl.when(pl.lit(draws.judged)).then(pl.lit(values)) for name, values in forecast.items()},
        needed_per_month=((pl.col("needed") - pl.col("done")).clip(lower_bound=0) / pl.col("months_left"))
        .ceil().cast(pl.Int64),
    ).drop("group", "at")


def forecast(monthly: pl.DataFrame, milestones: pl.DataFrame, model: Model = MODEL) -> pl.DataFrame:
    """Every remaining point for each unit, district and the total, from `monthly_built` and `forecast_milestones`.

    Columns: level ('total', 'district', 'unit'), unit, district, target, done,
    point ('milestone' or 'year_end'), due_date, share, needed (what the point
    asks: target x share rounded up; null without a target), months_left,
    p_reach (probability of having built `needed` by the due date; null without
    a target), median, low and high (the 80% prediction interval) of the count
    then, needed_per_month (organisations a month still to build, rounded up).
    """
    return summarise(simulate(monthly, milestones, model), milestones)


NEXT_COLUMNS = {"due_date": "next_milestone_date", "share": "next_milestone_share",
                "needed": "next_milestone_needed", "p_reach": "p_next_milestone", "median": "next_median",
                "low": "next_low", "high": "next_high", "needed_per_month": "needed_per_month"}
YEAR_END_COLUMNS = {"p_reach": "p_year_target", "median": "year_end_median", "low": "year_end_low",
                    "high": "year_end_high"}


def by_next_milestone(monthly: pl.DataFrame, milestones: pl.DataFrame, model: Model = MODEL) -> pl.DataFrame:
    """One row per unit, district and the total: the next point and the year end side by side.

    Columns: level, unit, district, target, done, next_milestone_date,
    next_milestone_share, next_milestone_needed, p_next_milestone, next_median,
    next_low, next_high, needed_per_month, p_year_target, year_end_median,
    year_end_low, year_end_high, projected_short. The next point is the next
    milestone, or the year end once the year's milestones have passed (all
    null in December: nothing is left to forecast); projected_short is how
    many the median falls short of it (0 when it reaches it, null without a
    target). Total first, then districts, then units; within each, the least
    likely to reach the next point first.
    """
    draws = simulate(monthly, milestones, model)
    return next_milestone(_groups(draws.units), summarise(draws, milestones))


def projection(monthly: pl.DataFrame, milestones: pl.DataFrame, model: Model = MODEL
               ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`forecast`'s rows with the groups they are of (`_groups`), for `next_milestone`: one simulation for both."""
    draws = simulate(monthly, milestones, model)
    return _groups(draws.units), summarise(draws, milestones)


def next_milestone(groups: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    """`by_next_milestone`'s rows from `projection`'s."""
    keys = ["level", "unit", "district"]
    upcoming = (points.sort("due_date", pl.col("point") != "milestone")
                .group_by(keys, maintain_order=True).first()
                .select(*keys, *NEXT_COLUMNS).rename(NEXT_COLUMNS))
    year_end = points.filter(pl.col("point") == "year_end").select(*keys, *YEAR_END_COLUMNS).rename(YEAR_END_COLUMNS)
    return (
        groups.join(upcoming, on=keys, how="left", nulls_equal=True)
        .join(year_end, on=keys, how="left", nulls_equal=True)
        .with_columns(projected_short=(pl.col("next_milestone_needed") - pl.col("next_median")).clip(lower_bound=0))
        .sort(pl.col("level").replace_strict(LEVEL_ORDER), "p_next_milestone", pl.col("projected_short"),
              "district", "unit", descending=[False, False, True, False, False], nulls_last=True)
    )


# --- how good it is: forecasts from past months against what was built -----------------

def _outcomes(db: Database, scope: str, year: int, districts: Sequence[str] | None) -> pl.DataFrame:
    """What each unit, district and the total had built by the end of each month of `year` that has ledgers."""
    months = queries.ledger_months(db, scope)["report_month"]
    last = months.filter(months.dt.year() == year).max()
    if last is None:
        raise ValueError(f"no ledgers in {year} to compare the forecasts with")
    monthly = queries.monthly_built(db, scope, last, districts).filter(pl.col("report_month") <= last)
    frames = []
    for (month,), rows in monthly.group_by("report_month"):
        groups = _groups(rows.select("unit", "district", "level", "target", "done"))
        frames.append(groups.select("level", "unit", "district", report_month=pl.lit(month),
                                    outcome=pl.col("done").cast(pl.Int64)))
    return pl.concat(frames)


def backtest(db: Database, scope: str, from_months: Sequence[date], districts: Sequence[str] | None = None,
             model: Model = MODEL) -> pl.DataFrame:
    """The forecasts made at the end of each of `from_months` against what was built by each point they forecast.

    One row per unit, district and the total and point whose month has ledgers now: from_month and the
    columns of `forecast`, with outcome (what was built by the end of the point's month, as monthly_built
    counts it), reached (outcome >= needed; null without a target) and inside (low <= outcome <= high).
    """
    rows = []
    for month in from_months:
        month = month.replace(day=1)
        points = forecast(queries.monthly_built(db, scope, month, districts),
                          queries.forecast_milestones(db, scope, month, districts), model)
        outcomes = _outcomes(db, scope, month.year, districts)
        rows.append(points.with_columns(from_month=pl.lit(month), report_month=pl.col("due_date").dt.truncate("1mo"))
                    .join(outcomes, on=["level", "unit", "district", "report_month"], nulls_equal=True)
                    .drop("report_month"))
    return pl.concat(rows).with_columns(
        reached=pl.col("outcome") >= pl.col("needed"),
        inside=pl.col("outcome").is_between(pl.col("low"), pl.col("high")),
    )


def backtest_scores(compared: pl.DataFrame, by: Sequence[str] = ("from_month", "level")) -> pl.DataFrame:
    """`backtest` rows scored per group: forecasts (n), mean absolute error of the median (mae), mean width of
    the 80% interval, coverage (the share of outcomes inside it, 0.8 if the interval is honest) and the Brier
    score of the probabilities of reaching each point (brier: 0 is perfect, 0.25 is saying 50% every time)."""
    return compared.group_by(*by).agg(
        n=pl.len(),
        mae=(pl.col("median") - pl.col("outcome")).abs().mean(),
        width=(pl.col("high") - pl.col("low")).mean(),
        coverage=pl.col("inside").mean(),
        brier=((pl.col("p_reach") - pl.col("reached").cast(pl.Float64)) ** 2).mean(),
    ).sort(*(pl.col(key).replace_strict(LEVEL_ORDER) if key == "level" else pl.col(key) for key in by))
