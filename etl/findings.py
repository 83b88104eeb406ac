"""A filled spot-check pack coming back: which pack it is, and which of its organisations were checked.

The pack (league/spotcheck.py) holds one row per organisation drawn, with four
columns for what the inspector finds. An organisation whose four cells are all
left blank was not checked: it is set aside with a warning rather than loaded,
so that a column of 是 with gaps (where the loader reads a blank as 否) never
turns an organisation nobody visited into one that does not exist.
"""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl

from etl.locate import EXCEL_ROW, Table
from etl.report import Problem

FINDINGS = ("org_exists", "league_org_confirmed", "members_counted", "remarks")


def _written(table: Table, field: str) -> pl.Expr:
    """Whether the person wrote anything in the field's cell."""
    if field not in table.rows.columns:
        return pl.lit(False)
    return pl.col(field).str.strip_chars().fill_null("") != ""


def split_unchecked(table: Table, typed: pl.DataFrame) -> tuple[Table, pl.DataFrame, list[Problem]]:
    """The table and its rows without the organisations left unchecked, and a warning naming them."""
    unchecked = table.rows.filter(~pl.any_horizontal(_written(table, f) for f in FINDINGS))[EXCEL_ROW]
    if unchecked.len() == 0:
        return table, typed, []
    kept = ~pl.col(EXCEL_ROW).is_in(unchecked.implode())
    return dataclasses.replace(table, rows=table.rows.filter(kept)), typed.filter(kept), [Problem(
        "warning", "spot_check_unchecked",
        f"这 {unchecked.len()} 个组织的核查结果四栏都没有填写，视为未核查，不载入；如已核查，请填写后重新上传",
        sheet=table.sheet, rows=unchecked.to_list())]


def pack_items(con: duckdb.DuckDBPyConnection, typed: pl.DataFrame) -> pl.DataFrame:
    """The items of the packs the rows name (pack_id, uscc) with each pack's unit_id, unit and report_month;
    a pack number that is no pack has no rows here."""
    named = typed["pack_id"].drop_nulls().unique().to_list() if "pack_id" in typed.columns else []
    return con.execute(
        "select i.pack_id, i.uscc, p.unit_id, u.name as unit, p.report_month"
        " from spot_check_items i join spot_check_packs p using (pack_id) join units u on u.unit_id = p.unit_id"
        " where list_contains(?::bigint[], i.pack_id) order by i.pack_id, i.position",
        [named],
    ).pl()
