"""Named queries of the circulars' other targets (专项目标): (db, scope, filters) -> polars frame.

Above-scale full coverage by the plan's deadline, party-led synchronisation
(党建带团建), new organisations by pathway and build mode, coverage in the
priority sectors and parks, and by size band (抓大带小). Each rule is one SQL
definition in `sql/circular_targets.sql` with its numbers and lists in the
plan (plan_settings, plan_priority_industries, plan_size_bands); these
queries keep to the scope and the basis like every other, and league.queries
re-exports them so pages read them through the gateway.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from league.db import Database

GROUPINGS = ("priority", "park", "size_band")


def _run(db: Database, name: str, **params) -> pl.DataFrame:
    from league.queries import _run as run  # one reader of sql/queries/ for every named query

    return run(db, name, **params)


def _pathway_names(frame: pl.DataFrame) -> pl.DataFrame:
    """The pathway's name beside its number (etl/contract.toml's list)."""
    from etl.contract import contract

    names = {n: f"{n}. {name}" for n, name in contract().pathways.items()}
    return frame.with_columns(pathway=pl.col("build_path").replace_strict(names, default=None, return_dtype=pl.String))


def above_scale_coverage(db: Database, scope: str | None, as_of_month: date,
                         signed_off_only: bool = False) -> pl.DataFrame:
    """Above-scale enterprises with a league organisation per unit, per district (unit null) and for the scope
    (both null), against the plan's share by its deadline month: remaining and needed per month left."""
    return _run(db, "above_scale_coverage", scope=scope, as_of_month=as_of_month, signed_off_only=signed_off_only)


def above_scale_uncovered(db: Database, scope: str | None, as_of_month: date,
                          signed_off_only: bool = False, limit: int | None = None, offset: int = 0) -> pl.DataFrame:
    """The above-scale enterprises without a league organisation, the largest first (`limit` rows from
    `offset`: a page of them; above_scale_coverage's total row says how many there are)."""
    return _run(db, "above_scale_uncovered", scope=scope, as_of_month=as_of_month, signed_off_only=signed_off_only,
                limit=limit, offset=offset)


def party_led_sync(db: Database, scope: str | None, as_of_month: date, signed_off_only: bool = False) -> pl.DataFrame:
    """Per month of the year up to the as-of month and unit: organisations due to build with their party
    organisation, and how many have (synchronised)."""
    return _run(db, "party_led_sync", scope=scope, as_of_month=as_of_month, signed_off_only=signed_off_only)


def synchronised_share(sync: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """`party_led_sync` summed over `by`, with the share synchronised."""
    counts = [pl.col("party_led_due").sum(), pl.col("synchronised").sum()]
    summed = sync.group_by(by, maintain_order=True).agg(counts) if by else sync.select(counts)
    return summed.with_columns(synchronised_share=pl.col("synchronised") / pl.col("party_led_due").replace(0, None))


def party_led_unsynced(db: Database, scope: str | None, as_of_month: date,
                       signed_off_only: bool = False) -> pl.DataFrame:
    """Organisations with a party organisation and enough members but no league organisation, oldest first
    by the month since which they have been so."""
    return _run(db, "party_led_unsynced", scope=scope, as_of_month=as_of_month, signed_off_only=signed_off_only)


def new_orgs_by_pathway(db: Database, scope: str | None, as_of_month: date,
                        signed_off_only: bool = False) -> pl.DataFrame:
    """New league organisations of the year by district, month founded, pathway (with its name) and mode."""
    found = _run(db, "new_orgs_by_pathway", scope=scope, as_of_month=as_of_month, signed_off_only=signed_off_only)
    return _pathway_names(found)


def unused_pathways(db: Database, scope: str | None, as_of_month: date, signed_off_only: bool = False) -> pl.DataFrame:
    """Per district, the pathways by which nothing was built this year."""
    found = _run(db, "unused_pathways", scope=scope, as_of_month=as_of_month, signed_off_only=signed_off_only)
    return _pathway_names(found)


def coverage_by_group(db: Database, scope: str | None, as_of_month: date, grouping: str,
                      signed_off_only: bool = False) -> pl.DataFrame:
    """Coverage, new organisations and gaps by priority sector (`priority`), park (`park`) or size band
    (`size_band`): per district and group (and member: the industry or the park), and per group over the scope
    (district null)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}; expected one of {GROUPINGS}")
    return _run(db, "coverage_by_group", scope=scope, as_of_month=as_of_month, grouping=grouping,
                signed_off_only=signed_off_only)


def priority_industries(db: Database) -> pl.DataFrame:
    """The plan's priority sectors (no unit's data: read unscoped, like the plan's settings)."""
    return _run(db, "priority_industries")
