"""The downloadable check report marks the offending cells of the unit's own sheet, in the words a clerk acts on."""

import csv
import io
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from etl.pipeline import prepare
from etl.problem_report import PROBLEM_COLUMNS, cell_value, problem_report_xlsx, problems_frame
from etl.report import RULE_NAMES, Problem
from league.units import save_unit_tree
from tests.test_pipeline import CASES, UNIT


@pytest.fixture
def db(empty_db):
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    return empty_db


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_report_lists_problems_and_marks_the_cells(db):
    checked = prepare(db, CASES / "ledger_2025-04_bad.csv")
    listing, marked = workbook(problem_report_xlsx(checked.problems, checked.table)).worksheets
    rows = list(listing.iter_rows(values_only=True))
    assert rows[0] == tuple(PROBLEM_COLUMNS)
    assert {(r[3], r[4]) for r in rows[1:]} >= {("4", "35岁以下青年数"), ("6", "建团日期")}
    assert {(r[3], r[4]) for r in rows[1:] if r[0].startswith("错误") and r[3]} == {
        ("4", "35岁以下青年数"), ("6", "建团日期")}
    # Row 4 / the 35岁以下青年数 column (L) and row 6 / 建团日期 (S), as in the unit's file.
    assert marked["L4"].value == 999 and marked["L4"].fill.fgColor.rgb.endswith("F8B4B4")
    assert "35岁以下青年数" in marked["L4"].comment.text
    assert marked["S6"].value == "2025-04-31" and marked["S6"].comment is not None
    assert marked["B3"].comment is None
    # Codes and phone numbers stay as written, even when they are all digits.
    assert marked["C3"].value == "91420100MA4K00020T" and marked["V3"].value == "13800001111"


def test_problems_are_listed_whole_file_first_then_by_row_errors_and_warnings_together():
    """On the same row (or the whole file) errors come before warnings."""
    problems = [
        Problem("warning", "count_jump", "人数骤增", sheet="台账", column="团员数", rows=[9]),
        Problem("error", "date_unreadable", "日期无法识别", sheet="台账", column="建团日期", rows=[5, 12]),
        Problem("warning", "unknown_columns", "有未识别的列", sheet="台账"),
        Problem("error", "required", "必填", sheet="台账", column="单位名称", rows=[7]),
        Problem("error", "month_mismatch", "月份不一致"),
        Problem("warning", "same_as_last_month", "与上月相同", sheet="台账", column="单位名称", rows=[5]),
    ]
    frame = problems_frame(problems)
    assert frame.columns == PROBLEM_COLUMNS and "原填内容" in frame.columns
    assert frame["规则"].to_list() == [RULE_NAMES[r] for r in (
        "month_mismatch", "unknown_columns", "date_unreadable", "same_as_last_month", "required", "count_jump")]
    assert frame["行号"].to_list() == ["", "", "5、12", "5", "7", "9"]
    # The number of rows only where rows are involved: empty, not 0, for the whole file.
    assert frame["涉及行数"].to_list() == [None, None, 2, 1, 1, 1]
    listing = workbook(problem_report_xlsx(problems, None)).worksheets[0]
    assert [r[7] for r in listing.iter_rows(min_row=2, values_only=True)] == [None, None, 2, 1, 1, 1]


def test_rule_names_say_organisation_for_a_ledger_row():
    assert RULE_NAMES["duplicate_organisation"] == "组织重复"
    assert RULE_NAMES["organisation_vanished"] == "组织未再出现"
    for rule in ("column_missing", "header_unplaced", "header_ambiguous", "template_example", "template_title",
                 "large_drop", "month_in_future", "file_refused", "uscc_changed", "replaces_month"):
        assert rule in RULE_NAMES
    assert Problem("warning", "large_drop", "…").rule_name == "组织数骤减"


def test_a_date_read_from_excel_is_shown_as_a_date():
    problem = Problem("error", "org_date_in_future", "建团日期在未来", sheet="台账", column="建团日期",
                      rows=[3], values=["2027-03-01 00:00:00"])
    assert "“2027-03-01”" in problem.text() and "00:00:00" not in problem.text()
    assert problems_frame([problem])["原填内容"].to_list() == ["2027-03-01"]
    assert problem.values == ["2027-03-01 00:00:00"]  # kept as read, for the log


@pytest.mark.parametrize(("text", "value"), [
    ("2027-03-01 00:00:00", datetime(2027, 3, 1)), ("2025-03-05 08:30:00", datetime(2025, 3, 5, 8, 30)),
    ("320", 320), ("-5", -5), ("3.25", 3.25), ("0", 0),
    ("13800001111", "13800001111"), ("91420100MA4K00020T", "91420100MA4K00020T"),
    ("914201001234567890", "914201001234567890"), ("0791", "0791"), ("0.10", "0.10"), ("12人", "12人"),
    ("2025-03-05", "2025-03-05"), ("2025-04-31", "2025-04-31"), ("=1+1", "=1+1"), (None, None),
])
def test_only_what_calamine_writes_for_real_dates_and_numbers_is_converted(text, value):
    assert cell_value(text) == value and type(cell_value(text)) is type(value)


def ledger_xlsx(path, rows: list[list]) -> None:
    """A ledger as Excel keeps it: counts as numbers, dates as real dates, the phone typed as a number."""
    lines = list(csv.reader((CASES / "ledger_2025-03.csv").read_text(encoding="utf-8").splitlines()))
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("台账")
    day = book.add_format({"num_format": "yyyy/m/d"})
    sheet.write_string(0, 0, lines[0][0])
    sheet.write_row(1, 0, lines[1])
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            elif value not in ("", None):
                sheet.write(r, c, value)
    book.close()


def test_marked_copy_keeps_dates_as_dates_and_numbers_as_numbers(db, tmp_path):
    base = list(csv.reader((CASES / "ledger_2025-03.csv").read_text(encoding="utf-8").splitlines()))[2:]
    rows = []
    for line in base:
        row = [int(v) if v.isdigit() and len(v) < 11 else v for v in line]
        row[18] = date.fromisoformat(row[18]) if row[18] else ""
        row[21] = int(row[21]) if row[21] else ""
        rows.append(row)
    rows[1][18] = date(2027, 3, 1)  # in the future: an error on Excel row 4
    path = tmp_path / "ledger_2025-03.xlsx"
    ledger_xlsx(path, rows)
    checked = prepare(db, path, unit=UNIT, month=date(2025, 3, 1), today=date(2025, 3, 26))
    dated = [p for p in checked.errors if p.column == "建团日期"]
    assert dated and all(p.rows == [4] for p in dated), [p.text() for p in checked.problems]
    assert all("2027-03-01" in p.text() and "00:00:00" not in p.text() for p in dated)

    listing, marked = workbook(problem_report_xlsx(checked.problems, checked.table)).worksheets
    shown = {r[6] for r in listing.iter_rows(min_row=2, values_only=True) if r[4] == "建团日期"}
    assert shown == {"2027-03-01"}
    assert marked["S4"].value == datetime(2027, 3, 1) and marked["S4"].number_format == "yyyy-mm-dd"
    assert marked["S4"].fill.fgColor.rgb.endswith("F8B4B4") and marked["S4"].comment is not None
    assert marked["S3"].value == datetime(2019, 6, 12) and marked["S3"].number_format == "yyyy-mm-dd"
    assert marked["K3"].value == 320 and marked["R4"].value == 3
    assert marked["V3"].value == "13800001111" and marked["C3"].value == "91420100MA4K00020T"
    assert marked["B2"].value == "单位名称" and marked["A1"].value.endswith("台账")


def test_a_sheet_name_excel_would_refuse_still_gives_a_marked_copy(db, tmp_path):
    path = tmp_path / "台账[3月]?.csv"
    path.write_bytes((CASES / "ledger_2025-04_bad.csv").read_bytes())
    checked = prepare(db, path)
    book = workbook(problem_report_xlsx(checked.problems, checked.table))
    assert len(book.worksheets) == 2 and book.worksheets[1].title.startswith("标注-")
