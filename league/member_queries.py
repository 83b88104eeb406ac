"""Named queries of new-member entry (团员发展): (db, scope, filters) -> polars frame, as in league.queries.

"人人进系统": a member admitted at a branch meeting is to be entered in the
league's system within `entry_deadline_months` (1); "号号有下落": every member
number issued to a unit is used on its roster or registered unused with a
reason; schools' league-system member counts agree with the education
statistics within `school_gap_max_share` (5%) or say why. The rules are SQL
in `sql/members.sql`; these queries keep to the scope as every other does
(school counts to the districts of the scope). league.queries re-exports
them, so pages read them through the gateway like any named query.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from league.db import Database

ENTRY_COUNTS = ("admitted", "entered_on_time", "entered_late", "not_entered_overdue", "not_entered_in_time")
# The rules' outcomes in the words every page, download and test uses (sql/members.sql says which is which).
ENTRY_STATE_WORDS = {"on_time": "按时录入", "late": "逾期录入", "overdue": "逾期未录入", "pending": "未录入（未到期限）"}
TRACE_WORDS = {"used": "已使用", "unused": "登记未使用", "untraced": "无下落", "outside_range": "号段外使用",
               "duplicate": "重号"}


def _run(db: Database, name: str, **params) -> pl.DataFrame:
    from league.queries import _run as run  # one reader of sql/queries/ for every named query

    return run(db, name, **params)


def member_entry(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Per unit and month of the branch meeting, in the as-of month's year up to its end: members admitted,
    entered on time, entered late, not entered past the deadline and not yet entered but in time."""
    return _run(db, "member_entry", scope=scope, as_of_month=as_of_month)


def entry_rates(entry: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """`member_entry` summed over `by` (e.g. ["district", "unit"], or [] for the whole scope), with the
    entry rate: members entered within the deadline / members admitted."""
    counts = [pl.col(c).sum() for c in ENTRY_COUNTS]
    summed = entry.group_by(by, maintain_order=True).agg(counts) if by else entry.select(counts)
    return summed.with_columns(entry_rate=pl.col("entered_on_time") / pl.col("admitted").replace(0, None))


def members_not_entered(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Members of the year not entered in time as of the month's end: entered late, or not entered with
    the deadline passed (days past it), the longest overdue first."""
    return _run(db, "members_not_entered", scope=scope, as_of_month=as_of_month)


def member_number_summary(db: Database, scope: str | None) -> pl.DataFrame:
    """Per unit: numbers issued in its ranges; used, registered unused, untraced, used outside its
    ranges, used twice; the share of issued numbers accounted for."""
    return _run(db, "member_number_summary", scope=scope)


def member_number_findings(db: Database, scope: str | None) -> pl.DataFrame:
    """The numbers to chase (untraced, outside_range, duplicate) with who used them."""
    return _run(db, "member_number_findings", scope=scope)


def school_gap_list(db: Database, scope: str | None) -> pl.DataFrame:
    """Schools of the districts in scope with their gap, those over the threshold unexplained first."""
    return _run(db, "school_gap_list", scope=scope)


def school_gaps_by_district(db: Database, scope: str | None) -> pl.DataFrame:
    """The schools' counts rolled up per district, with how many schools are over the threshold and unexplained."""
    return _run(db, "school_gaps_by_district", scope=scope)
