"""Each downloadable template loads as it is (its example row is valid) and explains every column."""

from datetime import date

import openpyxl
import polars as pl
import pytest

from etl.contract import contract
from etl.pipeline import load_file
from etl.templates import template_xlsx
from league.units import save_unit_tree
from tests.test_pipeline import CASES, UNIT


@pytest.mark.parametrize("kind", sorted(contract().kinds))
def test_template_example_row_loads_and_every_column_is_explained(empty_db, tmp_path, kind):
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(template_xlsx(kind))
    result = load_file(empty_db, path, kind=kind, unit=UNIT, month=date(2025, 3, 1), today=date(2025, 3, 26))
    assert (result.status, result.row_count, result.errors) == ("accepted", 1, [])
    guide = openpyxl.load_workbook(path)["填表说明"]
    explained = [row[0] for row in guide.iter_rows(min_row=2, values_only=True)]
    assert explained == [f.label for f in contract().kinds[kind].fields]
