"""Each downloadable template is recognised as it is (its example row is never loaded), explains every
column and checks in Excel what is typed into each."""

import io
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
from openpyxl.utils import get_column_letter

from etl.contract import contract
from etl.pipeline import load_file
from etl.templates import template_xlsx
from league.units import save_unit_tree
from tests.test_pipeline import CASES, UNIT


@pytest.mark.parametrize("kind", sorted(contract().kinds))
def test_template_example_row_is_recognised_and_every_column_is_explained(empty_db, tmp_path, kind):
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(template_xlsx(kind))
    result = load_file(empty_db, path, kind=kind, unit=UNIT, month=date(2025, 3, 1), today=date(2025, 3, 26))
    # The example row is valid data, but it is the template's: it is named, never loaded.
    assert (result.status, [p.rule for p in result.errors]) == ("rejected", ["no_rows"])
    assert [p.rows for p in result.warnings if p.rule == "template_example"] == [[3]]
    guide = openpyxl.load_workbook(path)["填表说明"]
    explained = [row[0] for row in guide.iter_rows(min_row=2, values_only=True)]
    assert explained == [f.label for f in contract().kinds[kind].fields]


def sheets(kind: str) -> tuple:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(kind)))
    return book, book.worksheets[0]


def validations(sheet) -> dict[str, object]:
    """Column letter -> the data validation on it."""
    found = {}
    for dv in sheet.data_validations.dataValidation:
        for cells in dv.sqref.ranges:
            assert cells.min_col == cells.max_col
            found[get_column_letter(cells.min_col)] = (dv, cells)
    return found


def column_format(sheet, index: int) -> str:
    """The number format of the index-th column (1-based); neighbours of one format share a <col> range."""
    return next((d.number_format for d in sheet.column_dimensions.values() if d.min <= index <= d.max), "General")


def listed(book, formula: str) -> list[str]:
    """The values a drop-down offers, read from the cells its source names."""
    sheet_name, cells = formula.split("!")
    sheet = book[sheet_name.strip("'")]
    return [c.value for row in sheet[cells.replace("$", "")] for c in row]


@pytest.mark.parametrize("kind", sorted(contract().kinds))
def test_title_header_and_example_stay_on_rows_1_to_3(kind):
    _, sheet = sheets(kind)
    fields = contract().kinds[kind].fields
    assert contract().kinds[kind].label in sheet["A1"].value
    assert [c.value for c in sheet[2]][: len(fields)] == [f.label for f in fields]
    assert any(c.value not in (None, "") for c in sheet[3])
    assert sheet.max_row == 3


@pytest.mark.parametrize("kind", sorted(contract().kinds))
def test_every_checkable_column_checks_what_is_typed_into_it(kind):
    book, sheet = sheets(kind)
    checks = validations(sheet)
    for c, field in enumerate(contract().kinds[kind].fields, start=1):
        column = get_column_letter(c)
        if field.type in ("text", "unit", "district", "ignore", "phone", "month"):
            continue
        dv, cells = checks[column]
        assert (cells.min_row, cells.max_row >= 2000) == (3, True), field.name
        assert dv.showErrorMessage and dv.error and dv.errorTitle, field.name
        assert field.label in dv.error, field.name
        if field.type == "category":
            assert dv.type == "list" and listed(book, dv.formula1) == list(contract().categories[field.name])
            assert "、".join(contract().categories[field.name]) in dv.error
        elif field.type == "bool":
            assert dv.type == "list" and listed(book, dv.formula1) == ["是", "否"]
        elif field.type == "pathway":
            assert (dv.type, dv.formula1, dv.formula2) == ("whole", "1", "11")
            assert all(name in dv.prompt for name in contract().pathways.values())
        elif field.type == "int":
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        elif field.type == "date":
            assert dv.type == "date"
            assert column_format(sheet, c) == "yyyy-mm-dd"
            assert isinstance(sheet[f"{column}3"].value, datetime)
    for c, field in enumerate(contract().kinds[kind].fields, start=1):
        if field.type in ("month", "uscc", "phone"):
            column = get_column_letter(c)
            assert column_format(sheet, c) == "@", field.name
            assert field.type != "month" or checks[column][0].prompt


def test_the_lists_are_on_a_hidden_sheet_and_the_guide_says_a_drop_down_is_offered():
    book, _ = sheets("ledger")
    assert book["选项"].sheet_state == "hidden" and book.worksheets[0].sheet_state == "visible"
    guide = {row[0]: row for row in book["填表说明"].iter_rows(min_row=2, values_only=True)}
    industry = guide[contract().kinds["ledger"].field("industry").label]
    assert "下拉" in industry[3] and "金融服务" in industry[3]
    assert "是、否" in guide["是否建立团组织"][3]
    assert "整数" in guide["从业人员数"][3] and "日期" in guide["建团日期"][3]
