"""The downloadable check report marks the offending cells of the unit's own sheet."""

import io

import openpyxl
import polars as pl

from etl.pipeline import prepare
from etl.problem_report import problem_report_xlsx
from league.units import save_unit_tree
from tests.test_pipeline import CASES


def test_report_lists_problems_and_marks_the_cells(empty_db):
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    checked = prepare(empty_db, CASES / "ledger_2025-04_bad.csv")
    book = openpyxl.load_workbook(io.BytesIO(problem_report_xlsx(checked.problems, checked.table)))
    listing, marked = book.worksheets
    rows = list(listing.iter_rows(values_only=True))
    assert rows[0][:5] == ("级别", "规则", "工作表", "行号", "列")
    assert {(r[3], r[4]) for r in rows[1:]} == {("4", "35岁以下青年数"), ("6", "建团日期")}
    # Row 4 / the 35岁以下青年数 column (L) and row 6 / 建团日期 (S), as in the unit's file.
    assert marked["L4"].value == "999" and marked["L4"].fill.fgColor.rgb.endswith("F8B4B4")
    assert "35岁以下青年数" in marked["L4"].comment.text
    assert marked["S6"].value == "2025-04-31" and marked["S6"].comment is not None
    assert marked["B3"].comment is None
