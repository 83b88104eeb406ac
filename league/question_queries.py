"""Named queries of Youth Voice at question level (青年之声问题明细): (db, scope, as_of_month) -> polars frame.

Every figure is read from the questions as they stood at the as-of month's
end (or now, if sooner): a reply dated later had not come yet. The rules
(answered by then, hours to reply, waiting bands, agreement with the monthly
totals) are SQL in `sql/youth_voice_questions.sql`; league.queries re-exports
these so pages read them through the gateway.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from league.db import Database

WAITING_BANDS = {"waiting_under_day": "不足1天", "waiting_week": "1–7天", "waiting_month": "7–30天",
                 "waiting_over_month": "30天以上"}


def _run(db: Database, name: str, **params) -> pl.DataFrame:
    from league.queries import _run as run  # one reader of sql/queries/ for every named query

    return run(db, name, **params)


def question_reply_times(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """The as-of month's questions per unit, district (unit null) and scope (both null): answered, median and
    90th-percentile hours to the first effective reply, shares answered within a day and within a week."""
    month = as_of_month.replace(day=1)
    return _reply_times(db, scope, as_of_month).filter(pl.col("month") == month).drop("month")


def question_reply_trend(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """The same per month of the year up to the as-of month, for the scope (district null) and per district."""
    return _reply_times(db, scope, as_of_month).filter(pl.col("unit").is_null()).drop("unit")


def _reply_times(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    return _run(db, "question_reply_times", scope=scope, as_of_month=as_of_month)


def question_backlog(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Questions still waiting for an effective reply per unit and for the scope (unit null), by age band."""
    return _run(db, "question_backlog", scope=scope, as_of_month=as_of_month)


def oldest_unanswered(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """The questions waiting longest, oldest first: the list to follow up."""
    return _run(db, "oldest_unanswered", scope=scope, as_of_month=as_of_month)


def question_categories(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Questions and those answered per month of the year, district, unit and service category."""
    return _run(db, "question_categories", scope=scope, as_of_month=as_of_month)


def category_rates(categories: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """`question_categories` summed over `by`, with the reply rate and each group's share of the questions
    within the rest of `by` (the mix: by ["month", "category"], each category's share of its month)."""
    summed = categories.group_by(by, maintain_order=True).agg(pl.col("questions").sum(), pl.col("answered").sum())
    within = [c for c in by if c != "category"]
    total = pl.col("questions").sum().over(within) if within else pl.col("questions").sum()
    return summed.with_columns(reply_rate=pl.col("answered") / pl.col("questions").replace(0, None),
                               question_share=pl.col("questions") / total)


def question_repliers(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """The as-of month's effective replies by who gave them, their share and the mean satisfaction given."""
    return _run(db, "question_repliers", scope=scope, as_of_month=as_of_month)


def question_totals_check(db: Database, scope: str | None, as_of_month: date) -> pl.DataFrame:
    """Per unit-month of the year: the monthly totals against the questions counted, and whether they disagree."""
    return _run(db, "question_totals_check", scope=scope, as_of_month=as_of_month)
