"""The tree of units: city -> district -> reporting unit (street/town or industry committee)."""

from __future__ import annotations

import duckdb
import polars as pl

from league.db import replace_row

REPORTING_LEVELS = ("street", "industry")  # the levels that submit ledgers


def path_segment(name: str) -> str:
    """A unit's name as one segment of a tree path: with "/" (and "%") escaped, a unit named
    "甲街道/东片" is not inside 甲街道's subtree, whose scope is the path prefix "/…/甲街道/"."""
    return name.replace("%", "%25").replace("/", "%2F")


def save_unit_tree(con: duckdb.DuckDBPyConnection, units: pl.DataFrame) -> int:
    """Add units that are not there yet; return how many were added.

    `units` has columns name, level (city/district/street/industry) and parent
    (the parent's name, null for the city), parents listed before children.
    Existing units are left as they are, so running it twice changes nothing.
    Optional columns first_month and last_month (dates, or YYYY-MM-DD text) set
    the months a unit is expected to report: created mid-year, merged or closed.
    """
    known = {name: (uid, path, district) for uid, name, path, district in
             con.execute("select unit_id, name, path, district from units").fetchall()}
    next_id = (con.execute("select coalesce(max(unit_id), 0) from units").fetchone()[0]) + 1
    added = 0
    for row in units.iter_rows(named=True):
        if row["name"] in known:
            continue
        parent = known.get(row["parent"]) if row["parent"] else None
        if row["parent"] and parent is None:
            raise ValueError(f"上级单位“{row['parent']}”不存在，无法添加“{row['name']}”")
        parent_id, parent_path, parent_district = parent if parent else (None, "/", None)
        district = row["name"] if row["level"] == "district" else parent_district
        path = f"{parent_path}{path_segment(row['name'])}/"
        con.execute(
            "insert into units (unit_id, name, level, parent_id, district, path) values (?, ?, ?, ?, ?, ?)",
            [next_id, row["name"], row["level"], parent_id, district, path],
        )
        known[row["name"]] = (next_id, path, district)
        next_id += 1
        added += 1
    if {"first_month", "last_month"} & set(units.columns):
        periods = units.select("name", *[pl.col(c).cast(pl.Date) if c in units.columns else pl.lit(None, pl.Date).alias(c)
                                         for c in ("first_month", "last_month")])
        for name, first, last in periods.filter(pl.col("first_month").is_not_null() | pl.col("last_month").is_not_null()
                                                ).iter_rows():
            replace_row(con, "unit_periods", ("unit_id",), [known[name][0], first, last])
    return added
