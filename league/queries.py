"""Named queries: (db, scope, filters) -> polars frame, one per question a page asks.

Each query's SQL lives in `sql/queries/<name>.sql`, a chain of named CTEs
ending in `select * from final`. The league's rules (new this year, on track,
a gap, late, reply rate) are macros from `sql/rules.sql`; nothing here
re-implements them.

`scope` is the name of a unit in the tree: every scoped query keeps to
`units_in_scope(scope)`, the unit's subtree. There is no "everything" default:
a missing or unknown scope covers nothing, and the whole tree is its root's
name (`whole_tree`). Pages never call these directly; they read through
`league.gateway`, which passes the viewer's scope and masks what they may not see. `as_of_month` is any date in the
month looked from. Column names are English; pages label them in Chinese.
Nothing here imports streamlit: caching sits at the page edge (`league.ui`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import TypeVar

import polars as pl

from league.db import Database
from league.memo import Memo

QUERIES_DIR = Path(__file__).parent / "sql" / "queries"
Result = TypeVar("Result")

ORG_TYPES = ("非公有制企业", "社会组织")
COVERAGE_SEGMENTS = ("all", "above_scale", "park", "league_society_member")
YOUTH_VOICE_METRICS = (
    "terminals", "visits", "questions", "effective_replies", "reply_rate", "alliances",
    "experts", "activities", "youth_reached", "weibo_accounts", "wechat_accounts",
)
TIMELINESS = ("按时", "逾期", "未报送")


@cache
def _sql(name: str) -> str:
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


# Results several queries share (the three levels of progress; the submission grid, which the overview and
# 报送 read and 报送 counts) or that cost seconds (the forecast), kept in this process per data version: a change
# of data makes every older one unreachable.
_KEPT: Memo[object] = Memo(size=64)


def _once_per_version(db: Database, what: str, key: tuple, make: Callable[[], Result],
                      background: bool = False) -> Result:
    return _KEPT.get((db.key, db.data_version(), what, *key), make, background=background)


def forget() -> None:
    """Drop what _once_per_version kept (the benchmark measures reads as after a change of data)."""
    _KEPT.clear()


def _run(db: Database, name: str, **params) -> pl.DataFrame:
    return db.query(_sql(name), params)


def _month(as_of_month: date) -> date:
    return as_of_month.replace(day=1)


def _districts(districts: Sequence[str] | None) -> list[str] | None:
    return list(districts) if districts else None


def _org_type(org_type: str | None) -> str | None:
    if org_type is not None and org_type not in ORG_TYPES:
        raise ValueError(f"unknown org_type {org_type!r}; expected one of {ORG_TYPES} or None")
    return org_type


# --- the frame every page shares -------------------------------------------

def ledger_months(db: Database, scope: str | None) -> pl.DataFrame:
    """Every month with an accepted ledger in scope, newest first.

    Columns: report_month, units_reporting (units in scope with a ledger that
    month), units_expected (reporting units in scope), min_share (the plan's
    default_month_min_share) and mostly_reported.
    """
    return _run(db, "ledger_months", scope=scope)


def default_month(months: pl.DataFrame) -> date | None:
    """The month a page opens on: the latest mostly reported month of `ledger_months`, else the latest month.

    One unit sending next month's ledger early does not move everyone onto a
    month where nearly nothing has arrived.
    """
    if months.is_empty():
        return None
    mostly = months.filter(pl.col("mostly_reported"))
    return (mostly if not mostly.is_empty() else months)["report_month"].max()


def whole_tree(db: Database) -> str:
    """The root unit's name: the scope that covers every unit (the command line's and the tests')."""
    return db.scalar("select name from units where parent_id is null")


def reporting_units(db: Database, scope: str | None) -> pl.DataFrame:
    """unit, district, level of the reporting units in scope."""
    return _run(db, "reporting_units", scope=scope)


def plan_settings(db: Database) -> pl.DataFrame:
    """name, value, description of the numbers the rules use (not scoped: the plan is the city's)."""
    return db.query(_sql("plan_settings"))


# --- 总览: progress toward the yearly targets ----------------------------

def _progress(db, scope, as_of_month, districts, org_type, signed_off_only) -> pl.DataFrame:
    month, districts, org_type = _month(as_of_month), _districts(districts), _org_type(org_type)
    return _once_per_version(db, "progress", (scope, month, tuple(districts or ()), org_type, signed_off_only),
                             lambda: _run(db, "progress", scope=scope, as_of_month=month, districts=districts,
                                          org_type=org_type, signed_off_only=signed_off_only))


def progress_by_unit(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """One row per reporting unit: new organisations this year against its target at the as-of month.

    Columns: unit, district, ledger_month (the ledger it stands on; null when it
    has none yet), carried_forward, done, target, completion, expected, status,
    short_of_expected (organisations still to build to reach the planned share
    now), milestone_date and milestone_share (the milestone the month works
    toward), short_of_milestone, done_/target_ for enterprise, social and
    direct, and passed_milestone_date, passed_milestone_share and
    short_of_passed_milestone (the latest milestone due by the month's end,
    which the bulletin holds units to; null before the year's first). `done`/`target` follow `org_type` (None = enterprises and social
    organisations together). Laggards first: behind, then slightly behind, by
    how far short they are.
    """
    frame = _progress(db, scope, as_of_month, districts, org_type, signed_off_only)
    return frame.filter(pl.col("level") == "unit").drop("level", "units", "units_behind")


def progress_by_district(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """One row per district: its units' figures added up and judged as one, with units and units_behind.

    A district's shortfall is its own (its total against its targets' sum), so
    a unit ahead makes up for one behind; units_behind says how many are. Laggards first.
    """
    frame = _progress(db, scope, as_of_month, districts, org_type, signed_off_only)
    return frame.filter(pl.col("level") == "district").drop("level", "unit")


def progress_total(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """One row: the same figures as progress_by_district, for all the units together."""
    frame = _progress(db, scope, as_of_month, districts, org_type, signed_off_only)
    return frame.filter(pl.col("level") == "total").drop("level", "unit", "district")


def progress_trend(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """Twelve rows (one per month of the as-of year), more when a month holds two milestones.

    Columns: report_month, month_end, done (null after the as-of month), target,
    expected_share, planned, milestone_date, milestone_share, milestone_planned.
    """
    return _run(
        db, "progress_trend", scope=scope, as_of_month=_month(as_of_month),
        districts=_districts(districts), org_type=_org_type(org_type), signed_off_only=signed_off_only,
    )


# --- 总览: the milestone forecast (the model is league.forecast) ----------------

def monthly_built(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """Twelve rows per reporting unit: the pace the forecast reads, month by month through the as-of year.

    Columns: unit, district, level, target (as progress_by_unit's), report_month,
    month_end, expected_share (the plan curve at the month end), milestone_due
    (a milestone falls due in the month), done (new
    organisations by the month end, as progress_by_unit counts them at that
    month; null after the as-of month), built (the month's increment) and
    reported (the unit had a ledger standing at the month end), both null after it too.
    """
    return _run(
        db, "monthly_built", scope=scope, as_of_month=_month(as_of_month),
        districts=_districts(districts), org_type=_org_type(org_type), signed_off_only=signed_off_only,
    )


def forecast_milestones(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None,
) -> pl.DataFrame:
    """What is still ahead of the as-of month, per unit, district and the total: one row per point.

    Columns: level ('total', 'district', 'unit'), unit, district, target, point
    ('milestone', each due after the month's end, or 'year_end', 31 December and
    the whole target), due_date, share, needed (target x share rounded up; null
    without a target) and months_left (the due month counted).
    """
    return _run(
        db, "forecast_milestones", scope=scope, as_of_month=_month(as_of_month),
        districts=_districts(districts), org_type=_org_type(org_type),
    )


def _projection(db, scope, as_of_month, districts, org_type, signed_off_only,
                background: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(every point, the next milestone's table): the forecast costs seconds at a province (a Monte Carlo over
    every unit), so it is made once per data version, shared by pages, sessions and the app's warm-up after
    each write (warm_forecast), with the overview's table drawn from it."""
    from league import forecast  # not at the top: league.forecast reads its rows through this module

    def make() -> tuple[pl.DataFrame, pl.DataFrame]:
        groups, points = forecast.projection(monthly_built(db, scope, month, districts, org_type, signed_off_only),
                                             forecast_milestones(db, scope, month, districts, org_type))
        return points, forecast.next_milestone(groups, points)

    month, districts, org_type = _month(as_of_month), _districts(districts), _org_type(org_type)
    return _once_per_version(db, "forecast", (scope, month, tuple(districts or ()), org_type, signed_off_only),
                             make, background)


def milestone_forecast_points(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """The forecast at every remaining milestone and the year end, per unit, district and the total.

    Columns as league.forecast.forecast: level, unit, district, target, done, point, due_date,
    share, needed, months_left, p_reach, median, low, high (80% interval), needed_per_month.
    """
    return _projection(db, scope, as_of_month, districts, org_type, signed_off_only)[0]


def milestone_forecast(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """One row per unit, district and the total: the chance of the next milestone and the year target.

    Columns as league.forecast.by_next_milestone: level, unit, district, target,
    done, next_milestone_date, next_milestone_share, next_milestone_needed,
    p_next_milestone, next_median, next_low, next_high (80% interval),
    needed_per_month, p_year_target, year_end_median, year_end_low,
    year_end_high, projected_short. Least likely to make it first within each level.
    """
    return _projection(db, scope, as_of_month, districts, org_type, signed_off_only)[1]


def warm_forecast(db: Database, month: date | None = None, background: bool = True) -> None:
    """Make the forecast the overview opens on (the whole tree, every ledger, the default month unless
    another is named) ahead of its first visitor: the app runs this after every write it commits, in the
    background (a visitor asking meanwhile makes it rather than wait; see league.memo)."""
    scope = whole_tree(db)
    month = month or default_month(ledger_months(db, scope))
    if scope is not None and month is not None:
        _projection(db, scope, month, None, None, False, background)


# --- 总览: the alert list ---------------------------------------------------

# A unit is projected to miss the next milestone when it is less likely than not to reach it.
PROJECTED_MISS_BELOW = 0.5
# Why a unit is on the alert list, in the order the list names them, over unit_alerts' columns.
ALERT_RULES = {
    "behind_passed_milestone": pl.col("short_of_passed_milestone") > 0,
    "projected_to_miss": pl.col("p_next_milestone") < PROJECTED_MISS_BELOW,
    "missing_submission": pl.col("missing_this_month"),
    "severe_flags": pl.col("severe_flags") > 0,
}


def unit_alerts(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """The units leadership should act on at the as-of month, one row each, with every reason that put it there.

    Columns: unit, district, alerts (the codes of ALERT_RULES that apply, in that
    order), short_of_passed_milestone (organisations short of the latest
    milestone due), next_milestone_date, p_next_milestone, projected_short (how
    many the forecast's median falls short of the next milestone), missing_this_month
    (the as-of month's ledger is missing: the one to chase; missing_months counts the
    year's) and severe_flags (flags of severity 严重 in the month).
    Units with more reasons first, then the most behind.
    """
    return alert_list(
        progress_by_unit(db, scope, as_of_month, districts, signed_off_only=signed_off_only),
        milestone_forecast(db, scope, as_of_month, districts, signed_off_only=signed_off_only),
        submission_grid(db, scope, as_of_month), flag_counts(db, scope, as_of_month), as_of_month)


def alert_list(progress: pl.DataFrame, forecast: pl.DataFrame, grid: pl.DataFrame, flags: pl.DataFrame,
               as_of_month: date) -> pl.DataFrame:
    """unit_alerts from the frames of progress_by_unit, milestone_forecast, submission_grid and flag_counts
    (a page that has read them already need not read them twice); the units are progress's."""
    forecast = forecast.filter(pl.col("level") == "unit").select(
        "unit", "next_milestone_date", "p_next_milestone", "projected_short")
    missing = (
        grid.filter(pl.col("timeliness") == TIMELINESS[2])
        .group_by("unit").agg(missing_months=pl.len(),
                              missing_this_month=(pl.col("report_month") == _month(as_of_month)).any())
    )
    return (
        progress.select("unit", "district", "short_of_passed_milestone")
        .join(forecast, on="unit", how="left").join(missing, on="unit", how="left")
        .join(flags.select("unit", severe_flags="severe"), on="unit", how="left")
        .with_columns(pl.col("missing_months", "severe_flags").fill_null(0),
                      pl.col("missing_this_month").fill_null(False))
        .with_columns(alerts=pl.concat_list(
            pl.when(rule.fill_null(False)).then(pl.lit(code)) for code, rule in ALERT_RULES.items()).list.drop_nulls())
        .filter(pl.col("alerts").list.len() > 0)
        .sort(pl.col("alerts").list.len(), "short_of_passed_milestone", "projected_short", "unit",
              descending=[True, True, True, False], nulls_last=True)
        .select("unit", "district", "alerts", "short_of_passed_milestone", "next_milestone_date", "p_next_milestone",
                "projected_short", "missing_months", "missing_this_month", "severe_flags")
    )


# --- 覆盖: coverage and gaps ---------------------------------------------

def _segment(segment: str) -> str:
    if segment not in COVERAGE_SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}; expected one of {COVERAGE_SEGMENTS}")
    return segment


def coverage(
    db: Database, scope: str | None, as_of_month: date,
    segment: str = "all", districts: Sequence[str] | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """Coverage by district x industry: organisations, with_league_org, coverage, gaps and must_build
    (the gaps with a party organisation).

    Rows with industry null are a district's total; district null is the total of all.
    """
    return _run(
        db, "coverage", scope=scope, as_of_month=_month(as_of_month),
        segment=_segment(segment), districts=_districts(districts), signed_off_only=signed_off_only,
    )


def gap_list(
    db: Database, scope: str | None, as_of_month: date,
    segment: str = "all", districts: Sequence[str] | None = None, signed_off_only: bool = False,
    limit: int | None = None, offset: int = 0,
) -> pl.DataFrame:
    """The gaps at the as-of month, must_build_now first, with the organisation's particulars
    (`limit` rows from `offset` in that order: a page of them; coverage's gaps say how many there are)."""
    return _run(
        db, "gap_list", scope=scope, as_of_month=_month(as_of_month),
        segment=_segment(segment), districts=_districts(districts), signed_off_only=signed_off_only,
        limit=limit, offset=offset,
    )


# --- 青年之声 ----------------------------------------------------------------

def youth_voice_by_month(
    db: Database, scope: str | None, as_of_month: date, unit: str | None = None,
) -> pl.DataFrame:
    """Every month up to the as-of month: the metrics summed over the units in scope (or one unit)."""
    return _run(db, "youth_voice_by_month", scope=scope, as_of_month=_month(as_of_month), unit=unit)


def youth_voice_by_unit(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Each unit in scope that reported for the as-of month, with its metrics and reply rate."""
    return _run(db, "youth_voice_by_unit", scope=scope, as_of_month=_month(as_of_month))


# --- 报送: submission timeliness ---------------------------------------------

REVIEW_STATES = {
    "missing": "未报送",
    "submitted": "待审核",
    "resubmitted": "重新报送待审核",
    "sent_back": "已退回修改",
    "reopened": "已重新开放",
    "signed_off": "已审核锁定",
}


def submission_grid(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Reporting unit x month (January to the as-of month) in which the unit is expected to report.

    Columns: unit, district, report_month, first_received_at, due_date, timeliness
    (of the first accepted ledger), days_late, accepted_submissions, review_state
    (a key of REVIEW_STATES), review_reason (of the latest send-back or reopening), submission_id.
    """
    month = _month(as_of_month)  # asked by the overview and twice by 报送 (the grid and its counts): run once
    return _once_per_version(db, "submission_grid", (scope, month),
                             lambda: _run(db, "submission_grid", scope=scope, as_of_month=month))


def _counted(grid: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    on_time, late, missing = TIMELINESS
    return (
        grid.group_by(by, maintain_order=True)
        .agg(
            units=pl.len(),
            submitted=(pl.col("timeliness") != missing).sum(),
            on_time=(pl.col("timeliness") == on_time).sum(),
            late=(pl.col("timeliness") == late).sum(),
            missing=(pl.col("timeliness") == missing).sum(),
            signed_off=(pl.col("review_state") == "signed_off").sum(),
        )
        .with_columns(
            reporting_rate=pl.col("submitted") / pl.col("units"),
            on_time_rate=pl.col("on_time") / pl.col("units"),
        )
    )


def submission_rates(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Per month: units (expected to report), submitted, on_time, late, missing, signed_off,
    reporting_rate and on_time_rate.

    Counted from submission_grid, so the timeliness rule and the expected units stay in one place;
    a rate's denominator is `units`, so no rate exceeds 100%.
    """
    return _counted(submission_grid(db, scope, as_of_month), ["report_month"]).sort("report_month")


def completeness(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """DHIS2-style completeness for the as-of month and the year to date, per unit, per district and in total.

    Columns: level ('unit', 'district', 'total'), unit, district, period ('month' or
    'year_to_date'), units (reports expected), submitted (received), on_time, late,
    missing, signed_off, reporting_rate, on_time_rate.
    """
    grid = submission_grid(db, scope, as_of_month)
    periods = [("month", grid.filter(pl.col("report_month") == _month(as_of_month))), ("year_to_date", grid)]
    frames = []
    for period, rows in periods:
        for level, by in (("unit", ["district", "unit"]), ("district", ["district"]), ("total", [])):
            counted = _counted(rows.with_columns(everything=pl.lit(True)), by or ["everything"])
            frames.append(counted.drop("everything", strict=False).with_columns(
                level=pl.lit(level), period=pl.lit(period)))
    order = {"total": 0, "district": 1, "unit": 2}
    return (
        pl.concat(frames, how="diagonal_relaxed")
        .select("level", "unit", "district", "period", "units", "submitted", "on_time", "late", "missing",
                "signed_off", "reporting_rate", "on_time_rate")
        .sort(pl.col("level").replace_strict(order), "district", "unit", "period", nulls_last=False)
    )


# --- 审核: the district's sign-off ----------------------------------------------

def review_queue(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Each reporting unit in scope expected to report for the month, with its latest accepted ledger
    (submitted_by, file_name, rows, warning_count, warnings), timeliness, days_late,
    accepted_submissions, review_state and the latest step (last_action, last_actor,
    last_acted_at, last_reason); submission_id and signed_off_submission_id. Waiting ones first."""
    return _run(db, "review_queue", scope=scope, as_of_month=_month(as_of_month))


def review_history(db: Database, scope: str | None, as_of_month: date, unit: str) -> pl.DataFrame:
    """Every step of one unit-month, oldest first: happened_at, step (submit, resubmit, rejected,
    sign_off, send_back, reopen), actor, detail (the file, or the reason given), submission_id."""
    return _run(db, "review_history", scope=scope, as_of_month=_month(as_of_month), unit=unit)


def sign_off_by_district(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Per district, how its units stand for the month: units expected and how many are in each
    review state (columns named as the keys of REVIEW_STATES)."""
    queue = review_queue(db, scope, as_of_month)
    return (
        queue.group_by("district", maintain_order=True)
        .agg(units=pl.len(), *[(pl.col("review_state") == state).sum().alias(state) for state in REVIEW_STATES])
        .sort("district")
    )


def chase_list(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Units in scope still owing the month's ledger: unit, district, due_date, contact_name, contact_phone."""
    return _run(db, "chase_list", scope=scope, as_of_month=_month(as_of_month))


# --- 下钻: district -> unit -> organisation ------------------------------------

def area_summary(
    db: Database, scope: str | None, as_of_month: date, district: str | None = None, signed_off_only: bool = False,
) -> pl.DataFrame:
    """One row per district (or, given a district, per reporting unit in it) at the as-of month.

    Columns: area, organisations, with_league_org, coverage, gaps, must_build,
    done, target, completion, expected, status.
    """
    return _run(db, "area_summary", scope=scope, as_of_month=_month(as_of_month), district=district,
                signed_off_only=signed_off_only)


def unit_organisations(db: Database, scope: str | None, as_of_month: date, unit: str,
                       signed_off_only: bool = False) -> pl.DataFrame:
    """The organisations a unit stands on at the as-of month, gaps and new ones first: the list to check on site."""
    return _run(db, "unit_organisations", scope=scope, as_of_month=_month(as_of_month), unit=unit,
                signed_off_only=signed_off_only)


def organisation_history(db: Database, scope: str | None, as_of_month: date, uscc: str,
                         signed_off_only: bool = False) -> pl.DataFrame:
    """One organisation month by month up to the as-of month, as its unit reported it."""
    return _run(db, "organisation_history", scope=scope, as_of_month=_month(as_of_month), uscc=uscc,
                signed_off_only=signed_off_only)


# --- 上传: the files received ---------------------------------------------------

def received_files(db: Database, scope: str | None, limit: int | None = 200) -> pl.DataFrame:
    """The latest submissions, accepted or rejected, with the sha256 that finds the raw file (limit None: all)."""
    return _run(db, "received_files", scope=scope, limit=limit)


# --- 随机抽查: spot-check packs and verification factors ---------------------------

def spot_check_frame(db: Database, scope: str | None, as_of_month: date, unit: str) -> pl.DataFrame:
    """The organisations a spot-check pack for `unit` at the as-of month is drawn from, one row each.

    Columns: stratum_rank (1-4) and stratum (new_this_year, flagged, directly_managed, other: the first
    that applies), uscc, the ledger values a pack shows (org_name … leader_phone), unit, ledger_month
    and submission_id (the ledger it stands on, carried forward when the month's is missing).
    """
    return _run(db, "spot_check_frame", scope=scope, as_of_month=_month(as_of_month), unit=unit)


def spot_check_packs(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """The packs drawn for units in scope for months up to the as-of month, newest first.

    Columns: pack_id, unit, district, report_month, seed, size (asked for), organisations (drawn),
    pack_state (awaiting_findings or findings_loaded), organisations_checked, created_by, created_at,
    findings_received_at, findings_submitted_by.
    """
    return _run(db, "spot_check_packs", scope=scope, as_of_month=_month(as_of_month))


def _verification(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    return _run(db, "verification_factors", scope=scope, as_of_month=_month(as_of_month))


def verification_by_unit(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Per checked reporting unit and period ('month', 'year_to_date'): the spot checks' verification factors.

    Columns: unit, district, period, packs, organisations_checked, league_orgs_claimed,
    league_orgs_confirmed, org_factor (confirmed / claimed), members_claimed, members_counted,
    member_factor (counted / claimed), band_low, band_high and outside_band (either factor outside
    the band). The latest pack with findings of each unit-month counts; units outside the band first.
    """
    return _verification(db, scope, as_of_month).filter(pl.col("level") == "unit").drop(
        "level", "units_checked", "units_outside_band")


def verification_by_district(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Per district and period: the same counts and factors over its checked units, with units_checked and
    units_outside_band; the districts outside the band first."""
    return _verification(db, scope, as_of_month).filter(pl.col("level") == "district").drop("level", "unit")


# --- 数据质量提示: data-quality and integrity flags (the rules are league/sql/flags*.sql) ----------

def flag_list(db: Database, scope: str | None, as_of_month: date, unit: str | None = None,
              uscc: str | None = None, district: str | None = None) -> pl.DataFrame:
    """The flags raised for units in scope in the as-of year up to the as-of month, optionally of one
    district, unit or organisation (credit code).

    Columns: district, unit, report_month, uscc (null for a flag on the whole unit-month), org_name,
    code (the rule, a key of league.flags.FLAG_NAMES), severity (严重 / 警示 / 提示), message (what to
    check on site, in Chinese) and evidence (json: the values and months that raised it). Most severe
    first, then newest.
    """
    # The units as numbers, not a join: a list known when the query is planned lets the lookup of organisation
    # names skip every other unit's ledger rows (10 ms against 160 ms at a million organisations).
    units = _run(db, "flagged_units", scope=scope, unit=unit, uscc=uscc, district=district)["unit_id"].to_list()
    listed = _run(db, "flag_list", units=units, as_of_month=_month(as_of_month))
    # One organisation's flags picked here from its units' few: in the query, the optional code made DuckDB
    # compare every ledger row's code (70 ms against 12 ms at a million organisations).
    return listed if uscc is None else listed.filter(pl.col("uscc") == uscc)


def flag_counts(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """One row per reporting unit in scope: district, unit and how many of the as-of month's flags are
    severe (严重), warning (警示) and hint (提示); units with the most severe flags first."""
    return _run(db, "flag_counts", scope=scope, as_of_month=_month(as_of_month))


# New-member entry (团员发展) has its own module; its queries are named queries like these.
from league.member_queries import (  # noqa: E402
    member_entry,
    member_number_findings,
    member_number_summary,
    members_not_entered,
    school_gap_list,
    school_gaps_by_district,
)

# The circulars' other targets (专项目标) have their own module too.
from league.circular_queries import (  # noqa: E402
    above_scale_coverage,
    above_scale_uncovered,
    coverage_by_group,
    new_orgs_by_pathway,
    party_led_sync,
    party_led_unsynced,
    priority_industries,
    unused_pathways,
)

# Youth Voice at question level (青年之声问题明细).
from league.question_queries import (  # noqa: E402
    oldest_unanswered,
    question_backlog,
    question_categories,
    question_repliers,
    question_reply_times,
    question_reply_trend,
    question_totals_check,
)
