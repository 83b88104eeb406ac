"""Nothing the project writes to .xlsx is live: text that looks like a formula or a link stays text.

A unit's cell "=HYPERLINK(…)" or "http://evil.example/" comes back in the check
report and in table downloads; opened in Excel it must be the words, not a
formula that runs or a link that opens.
"""

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl
import polars as pl
import pytest

from etl import templates
from etl.contract import contract
from etl.pipeline import prepare
from etl.problem_report import problem_report_xlsx
from etl.report import Problem
from league.units import save_unit_tree
from tests.test_pipeline import CASES, UNIT

HOSTILE = [
    '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
    "http://evil.example/", "https://evil.example/a?b=c", "file:///etc/passwd", "mailto:someone@example.com",
    "{=A1}", "0012", "1e5",
]


def cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_inert(data: bytes, texts: list[str]) -> None:
    """No formula, no link, and each text stored exactly as a string cell."""
    found = cells(data)
    assert not [c.coordinate for c in found if c.data_type == "f"]
    assert not [c.coordinate for c in found if c.hyperlink is not None]
    strings = {c.value for c in found if c.data_type == "s"}
    assert set(texts) <= strings, set(texts) - strings
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            xml = package.read(name).decode("utf-8", errors="replace")
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(r"<f[ >]", xml), name
                assert "<hyperlink" not in xml, name
            if name.endswith(".rels"):
                assert "/hyperlink" not in xml, name


@pytest.mark.parametrize("kind", sorted(contract().kinds))
def test_templates(kind, monkeypatch):
    fields = [f for f in contract().kinds[kind].fields if f.type in ("text", "unit", "district")]
    example = dict(templates.EXAMPLES[kind]["example"]) | {f.name: HOSTILE[i % len(HOSTILE)]
                                                            for i, f in enumerate(fields)}
    monkeypatch.setitem(templates.EXAMPLES, kind, templates.EXAMPLES[kind] | {"example": example})
    assert_inert(templates.template_xlsx(kind), [example[f.name] for f in fields])


@pytest.fixture
def db(empty_db):
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    return empty_db


def test_problem_report_of_a_ledger_with_hostile_cells(db, tmp_path):
    lines = list(csv.reader((CASES / "ledger_2025-03.csv").read_text(encoding="utf-8").splitlines()))
    header = lines[1]
    name, park, note = header.index("单位名称"), header.index("所在园区"), header.index("备注")
    employees, industry = header.index("从业人员数"), header.index("行业")
    rows = [row + [""] * (len(header) - len(row)) for row in lines[2:]]
    for i, text in enumerate(HOSTILE):
        row = list(rows[i % len(rows)])
        row[name], row[park], row[note] = text, text, text
        row[header.index("统一社会信用代码")] = rows[i % len(rows)][2]
        rows.append(row)
    rows[0][employees] = HOSTILE[1]  # unreadable count: quoted in the listing
    rows[1][industry] = HOSTILE[0]  # not an industry: quoted in the listing
    path = tmp_path / "ledger_2025-03.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([lines[0], header, *rows])

    checked = prepare(db, path, unit=UNIT, month=date(2025, 3, 1), today=date(2025, 3, 26))
    quoted = {v for p in checked.problems for v in p.values}
    assert {HOSTILE[0], HOSTILE[1]} <= quoted, [p.text() for p in checked.problems]
    assert checked.table is not None
    assert_inert(problem_report_xlsx(checked.problems, checked.table), HOSTILE)


def test_problem_report_built_from_problems_alone():
    problems = [Problem("error", text, text, sheet=text, column=text, rows=[3], values=[text]) for text in HOSTILE]
    assert_inert(problem_report_xlsx(problems, None), HOSTILE)


def test_table_downloads():
    from league.ui import xlsx_bytes

    frame = pl.DataFrame({"单位": HOSTILE, "完成率": [0.5] * len(HOSTILE), "日期": [date(2025, 3, 1)] * len(HOSTILE)})
    data = xlsx_bytes(frame, ["完成率"])
    assert_inert(data, HOSTILE)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["数据"]
    assert [c.value for c in sheet[1]] == ["单位", "完成率", "日期"]
    assert sheet["B2"].value == 0.5 and sheet["B2"].number_format == "0.0%"
    assert sheet["C2"].is_date
