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

from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl

from league.db import Database

QUERIES_DIR = Path(__file__).parent / "sql" / "queries"

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

def _progress(db, scope, as_of_month, districts, org_type) -> pl.DataFrame:
    return _run(
        db, "progress", scope=scope, as_of_month=_month(as_of_month),
        districts=_districts(districts), org_type=_org_type(org_type),
    )


def progress_by_unit(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None,
) -> pl.DataFrame:
    """One row per reporting unit: new organisations this year against its target at the as-of month.

    Columns: unit, district, ledger_month (the ledger it stands on; null when it
    has none yet), carried_forward, done, target, completion, expected, status,
    short_of_expected (organisations still to build to reach the planned share
    now), milestone_date and milestone_share (the milestone the month works
    toward), short_of_milestone, and done_/target_ for enterprise, social and
    direct. `done`/`target` follow `org_type` (None = enterprises and social
    organisations together). Laggards first: behind, then slightly behind, by
    how far short they are.
    """
    frame = _progress(db, scope, as_of_month, districts, org_type)
    return frame.filter(pl.col("level") == "unit").drop("level", "units", "units_behind")


def progress_by_district(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None,
) -> pl.DataFrame:
    """One row per district: its units' figures added up and judged as one, with units and units_behind.

    A district's shortfall is its own (its total against its targets' sum), so
    a unit ahead makes up for one behind; units_behind says how many are. Laggards first.
    """
    frame = _progress(db, scope, as_of_month, districts, org_type)
    return frame.filter(pl.col("level") == "district").drop("level", "unit")


def progress_total(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None,
) -> pl.DataFrame:
    """One row: the same figures as progress_by_district, for all the units together."""
    frame = _progress(db, scope, as_of_month, districts, org_type)
    return frame.filter(pl.col("level") == "total").drop("level", "unit", "district")


def progress_trend(
    db: Database, scope: str | None, as_of_month: date,
    districts: Sequence[str] | None = None, org_type: str | None = None,
) -> pl.DataFrame:
    """Twelve rows (one per month of the as-of year), more when a month holds two milestones.

    Columns: report_month, month_end, done (null after the as-of month), target,
    expected_share, planned, milestone_date, milestone_share, milestone_planned.
    """
    return _run(
        db, "progress_trend", scope=scope, as_of_month=_month(as_of_month),
        districts=_districts(districts), org_type=_org_type(org_type),
    )


# --- 覆盖: coverage and gaps ---------------------------------------------

def _segment(segment: str) -> str:
    if segment not in COVERAGE_SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}; expected one of {COVERAGE_SEGMENTS}")
    return segment


def coverage(
    db: Database, scope: str | None, as_of_month: date,
    segment: str = "all", districts: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Coverage by district x industry: organisations, with_league_org, coverage, gaps.

    Rows with industry null are a district's total; district null is the total of all.
    """
    return _run(
        db, "coverage", scope=scope, as_of_month=_month(as_of_month),
        segment=_segment(segment), districts=_districts(districts),
    )


def gap_list(
    db: Database, scope: str | None, as_of_month: date,
    segment: str = "all", districts: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The gaps at the as-of month, must_build_now first, with the organisation's particulars."""
    return _run(
        db, "gap_list", scope=scope, as_of_month=_month(as_of_month),
        segment=_segment(segment), districts=_districts(districts),
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

def submission_grid(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Reporting unit x month (January to the as-of month): first_received_at, due_date, timeliness."""
    return _run(db, "submission_grid", scope=scope, as_of_month=_month(as_of_month))


def submission_rates(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Per month: units, submitted, on_time, late, missing, reporting_rate and on_time_rate.

    Counted from submission_grid, so the timeliness rule stays in one place.
    """
    on_time, late, missing = TIMELINESS
    grid = submission_grid(db, scope, as_of_month)
    return (
        grid.group_by("report_month")
        .agg(
            units=pl.len(),
            submitted=(pl.col("timeliness") != missing).sum(),
            on_time=(pl.col("timeliness") == on_time).sum(),
            late=(pl.col("timeliness") == late).sum(),
            missing=(pl.col("timeliness") == missing).sum(),
        )
        .with_columns(
            reporting_rate=pl.col("submitted") / pl.col("units"),
            on_time_rate=pl.col("on_time") / pl.col("units"),
        )
        .sort("report_month")
    )


# --- 下钻: district -> unit -> organisation ------------------------------------

def area_summary(
    db: Database, scope: str | None, as_of_month: date, district: str | None = None,
) -> pl.DataFrame:
    """One row per district (or, given a district, per reporting unit in it) at the as-of month.

    Columns: area, organisations, with_league_org, coverage, gaps, must_build,
    done, target, completion, expected, status.
    """
    return _run(db, "area_summary", scope=scope, as_of_month=_month(as_of_month), district=district)


def unit_organisations(db: Database, scope: str | None, as_of_month: date, unit: str) -> pl.DataFrame:
    """The organisations a unit stands on at the as-of month, gaps and new ones first: the list to check on site."""
    return _run(db, "unit_organisations", scope=scope, as_of_month=_month(as_of_month), unit=unit)


def organisation_history(db: Database, scope: str | None, as_of_month: date, uscc: str) -> pl.DataFrame:
    """One organisation month by month up to the as-of month, as its unit reported it."""
    return _run(db, "organisation_history", scope=scope, as_of_month=_month(as_of_month), uscc=uscc)


# --- 上传: the files received ---------------------------------------------------

def received_files(db: Database, scope: str | None, limit: int | None = 200) -> pl.DataFrame:
    """The latest submissions, accepted or rejected, with the sha256 that finds the raw file (limit None: all)."""
    return _run(db, "received_files", scope=scope, limit=limit)
