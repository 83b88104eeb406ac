"""An inspector on a supervision visit drills down: city → district → unit → organisation.

The spot-check pack taken on the visit is test_spotcheck.py's journey.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

MONTH = re.compile(r"^\d{4}-\d{2}$")
LEDGER_NAME = re.compile(r"^(?P<unit>.+?)\d{4}年\d{1,2}月两新组织团建工作台账\.xlsx$")
# Streamlit marks a keyed element with the CSS class st-key-<key>; ui.table_with_download keys its button.
CHECK_LIST_DOWNLOAD = ".st-key-organisations_download"
SIDE_BY_SIDE_DOWNLOAD = ".st-key-side_by_side_download"


def ledgers_by_unit(month_folder: Path) -> dict[str, Path]:
    return {LEDGER_NAME.match(path.name)["unit"]: path for path in month_folder.glob("*.xlsx")}


def unit_with_a_year_of_ledgers(db_path: Path) -> tuple[str, Path, Path]:
    """A unit that sent demo ledgers in the first and the latest month, and those two files."""
    months = sorted((db_path.parent / "demo" / "台账").iterdir())
    first, last = ledgers_by_unit(months[0]), ledgers_by_unit(months[-1])
    unit = sorted(first.keys() & last.keys())[0]
    return unit, first[unit], last[unit]


def ledger_rows(path: Path) -> list[dict]:
    """A demo ledger's rows by header (title in row 1, header in row 2)."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = book.worksheets[0].iter_rows(min_row=2, values_only=True)
    header = next(rows)
    found = [dict(zip(header, row)) for row in rows if any(row)]
    book.close()
    return found


def test_inspector_drills_down_from_city_to_one_organisation(app, app_db, tmp_path):
    unit, first, last = unit_with_a_year_of_ledgers(app_db)
    latest = ledger_rows(last)
    district = latest[0]["所属区县"]
    all_year = {row["统一社会信用代码"] for row in ledger_rows(first)}
    organisation = next(row["单位名称"] for row in latest if row["统一社会信用代码"] in all_year)

    app.open("/", "新建团组织（全部）")
    app.go_to("下钻", "督导下钻")
    app.shot("city")
    districts = app.table("所属区县")
    assert district in {row["所属区县"] for row in districts}

    app.choose("区县", district)
    app.wait(f"{district}各单位")
    app.shot("district")

    app.choose("单位", unit)
    app.wait(f"{unit}现场核查清单")
    app.shot("unit")
    assert app.table("组织名称"), "the unit's organisation list is empty"
    check_list = app.download("下载表格（Excel）", tmp_path, within=CHECK_LIST_DOWNLOAD)
    assert check_list.suffix == ".xlsx" and unit in check_list.name
    listed = openpyxl.load_workbook(check_list, read_only=True).worksheets[0]
    assert any(organisation in row for row in listed.iter_rows(values_only=True)), organisation

    app.choose("组织", organisation, exact=False)
    app.wait(f"{organisation}逐月记录")
    app.shot("organisation")
    shown = [name for name in app.table("项目")[0] if name != "项目"]  # one column a month
    assert shown and all(MONTH.match(m) for m in shown), shown
    side_by_side = app.download("下载表格（Excel）", tmp_path, within=SIDE_BY_SIDE_DOWNLOAD)
    months = next(openpyxl.load_workbook(side_by_side, read_only=True).worksheets[0].iter_rows(
        max_row=1, values_only=True))
    assert {first.parent.name, last.parent.name} <= set(months), months
