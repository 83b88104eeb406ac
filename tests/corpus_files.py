"""Spreadsheets as cells, written the ways units save them: .xlsx, legacy .xls and CSV in several encodings.

Used by the messy-ledger corpus (tests/corpus.py); knows nothing about ledgers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Formula:
    text: str
    value: object


@dataclass
class Grid:
    """One sheet as cells; merges are (first_row, first_col, last_row, last_col), all 0-based."""

    name: str
    rows: list[list]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)
    hidden_sheet: bool = False


def write_xlsx(path: Path, grids: list[Grid]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for grid in grids:
        sheet = book.add_worksheet(grid.name)
        if grid.hidden_sheet:
            sheet.hide()
        else:
            sheet.activate()
        for r in grid.hidden:
            sheet.set_row(r, None, None, {"hidden": True})
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if any(m[0] == r and m[1] == c for m in grid.merges):
                    continue
                if isinstance(value, Formula):
                    sheet.write_formula(r, c, value.text, None, value.value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, str(value))
        for r1, c1, r2, c2 in grid.merges:
            sheet.merge_range(r1, c1, r2, c2, grid.rows[r1][c1])
    book.close()


def write_xls(path: Path, grids: list[Grid]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for grid in grids:
        sheet = book.add_sheet(grid.name)
        merged = {(m[0], m[1]): m for m in grid.merges}
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                value = value.value if isinstance(value, Formula) else value
                if (r, c) in merged:
                    r1, c1, r2, c2 = merged[(r, c)]
                    sheet.write_merge(r1, r2, c1, c2, value)
                elif isinstance(value, date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
        for r in grid.hidden:
            sheet.row(r).hidden = True
    book.save(str(path))


def csv_text(grid: Grid, delimiter: str = ",") -> str:
    def text(value) -> str:
        value = value.value if isinstance(value, Formula) else value
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([[text(v) for v in row] for row in grid.rows])
    return out.getvalue()


WRITERS: dict[str, Callable[[Path, list[Grid]], None]] = {
    "xlsx": write_xlsx,
    "xls": write_xls,
    "csv": lambda p, g: p.write_bytes(csv_text(g[0]).encode("utf-8")),
    "csv-bom": lambda p, g: p.write_bytes(csv_text(g[0]).encode("utf-8-sig")),
    "csv-gb18030": lambda p, g: p.write_bytes(csv_text(g[0]).encode("gb18030")),
    "csv-gbk": lambda p, g: p.write_bytes(csv_text(g[0]).encode("gbk")),
    "tsv": lambda p, g: p.write_bytes(csv_text(g[0], "\t").encode("utf-8")),
    # Lines joined by hand, as some systems export: ="0791-…" stays unquoted (no cell may hold a comma).
    "csv-unquoted": lambda p, g: p.write_bytes(
        "".join(",".join(line) + "\r\n" for line in csv.reader(io.StringIO(csv_text(g[0])))).encode("utf-8")),
}


def xl_col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
