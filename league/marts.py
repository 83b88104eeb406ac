"""The marts (sql/migrations/011_marts.sql, 012-014, 017-020): counts and list rows pages read instead of the
ledger, kept per ledger submission, and per unit what pages would otherwise work out from every submission.

A ledger submission's counts are added in the transaction that writes its rows
(etl.load.insert_rows calls `add`), so a reader sees the rows and their counts
together or neither. The unit marts are worked out again for the unit in that
transaction too, and in the one of each review step (`restand`): where its
months stand in review (mart_ledger_review, read by the view ledger_review),
which submission it stands on at each month (mart_standing, read by
standing_submissions), which organisations it has ever listed (mart_org_units)
and since when those its ledgers list as must build now have been so
(mart_unsynced_since). The counts depend on the plan's gap threshold and the
size bands: `rebuild_if_settings_changed` (run by every migrate and by
Database.set_plan_setting) rebuilds them when these differ from what they
were built with.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

ALL_IDS = 2**31 - 1  # submission_id is an integer
MARTS = {"mart_ledger_new": "mart_new_rows", "mart_ledger_cells": "mart_cell_rows",
         "mart_ledger_watch": "mart_watch_rows", "mart_ledger_pathways": "mart_pathway_rows",
         "mart_ledger_groups": "mart_group_rows"}
# Per unit-month, each worked out for some units at a time: the table and the macro making its rows (review first:
# what stands on signed-off ledgers reads it).
UNIT_MARTS = {"mart_ledger_review": "ledger_review_rows", "mart_standing": "mart_standing_rows",
              "mart_org_units": "mart_org_unit_rows", "mart_unsynced_since": "mart_unsynced_rows"}
TABLES = (*MARTS, *UNIT_MARTS)


def add(con: duckdb.DuckDBPyConnection, submission_ids: Iterable[int]) -> None:
    """Count newly written ledger submissions into the marts, and work their units' marts out afresh, inside
    the caller's transaction."""
    ids = [int(i) for i in submission_ids]
    if ids:
        _count(con, min(ids), max(ids))
        restand(con, [unit_id for (unit_id,) in con.execute(
            "select distinct unit_id from submissions where submission_id between ? and ?", [min(ids), max(ids)]
        ).fetchall()])


def restand(con: duckdb.DuckDBPyConnection, unit_ids: Iterable[int] | None = None) -> None:
    """The unit marts of these units (None: every unit) worked out afresh inside the caller's transaction:
    after a ledger is accepted, or a review step signs one off, sends it back or reopens it. Every unit's
    standing when the ledgers now span other months than the mart does (each stands on a new month too)."""
    ids = None if unit_ids is None else sorted({int(i) for i in unit_ids})
    for table, rows in UNIT_MARTS.items():
        these = ids
        if table == "mart_standing" and ids is not None and con.execute(
                "select (select [min(month), max(month)] from mart_standing)"
                " <> (select [min(report_month), max(report_month)] from ledger_submissions)").fetchone()[0]:
            these = None
        con.execute(f"delete from {table} where $ids::integer[] is null or list_contains($ids::integer[], unit_id)",
                    {"ids": these})
        con.execute(f"insert into {table} by name select * from {rows}($ids::integer[])", {"ids": these})


def _count(con: duckdb.DuckDBPyConnection, first_id: int, last_id: int) -> None:
    """The marts' rows of submissions first_id..last_id counted afresh (any between them too: the same counts)."""
    for table, rows in MARTS.items():
        con.execute(f"delete from {table} where submission_id between $first and $last",
                    {"first": first_id, "last": last_id})
        con.execute(f"insert into {table} by name select * from {rows}($first, $last)",
                    {"first": first_id, "last": last_id})


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Every submission counted again, from the ledger rows: after a change of the plan's settings,
    or for rows written without the loader."""
    _count(con, 0, ALL_IDS)
    restand(con)
    con.execute("delete from mart_state")
    con.execute("insert into mart_state (settings) values (mart_settings())")


def rebuild_if_settings_changed(con: duckdb.DuckDBPyConnection) -> bool:
    built = con.execute("select any_value(settings) from mart_state").fetchone()[0]
    if built is not None and built == con.execute("select mart_settings()").fetchone()[0]:
        return False
    rebuild(con)
    return True
