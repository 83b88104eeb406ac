"""The marts (sql/migrations/011_marts.sql, 012-014, 017): per-submission counts and list rows pages read instead of the ledger.

A ledger submission's counts are added in the transaction that writes its rows
(etl.load.insert_rows calls `add`), so a reader sees the rows and their counts
together or neither. Which submission a unit stands on at a month is read from
the submissions at query time (standing_submissions), so a replacement, a
sign-off or a reopening needs nothing here. The counts depend on the plan's
gap threshold and the size bands: `rebuild_if_settings_changed` (run by every
migrate and by Database.set_plan_setting) rebuilds them when these differ from
what they were built with.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

ALL_IDS = 2**31 - 1  # submission_id is an integer
MARTS = {"mart_ledger_new": "mart_new_rows", "mart_ledger_cells": "mart_cell_rows",
         "mart_ledger_watch": "mart_watch_rows", "mart_ledger_pathways": "mart_pathway_rows",
         "mart_ledger_groups": "mart_group_rows"}


def add(con: duckdb.DuckDBPyConnection, submission_ids: Iterable[int]) -> None:
    """Count newly written ledger submissions into the marts, inside the caller's transaction."""
    ids = [int(i) for i in submission_ids]
    if ids:
        _count(con, min(ids), max(ids))


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
    con.execute("delete from mart_state")
    con.execute("insert into mart_state (settings) values (mart_settings())")


def rebuild_if_settings_changed(con: duckdb.DuckDBPyConnection) -> bool:
    built = con.execute("select any_value(settings) from mart_state").fetchone()[0]
    if built is not None and built == con.execute("select mart_settings()").fetchone()[0]:
        return False
    rebuild(con)
    return True
