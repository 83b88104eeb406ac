"""The validation report as a workbook a unit can fix its file from.

Sheet 1 lists the problems in row order; sheet 2 is a copy of the submitted
sheet with the offending cells filled red (errors) or yellow (warnings) and the
reason as a cell comment. Very large sheets keep only the header and the rows
with problems.

Nothing in it is live: what the unit typed is written as text, never as a
formula or a link, whatever it starts with. Cells that held real dates or
numbers in the unit's workbook are dates and numbers again in the copy.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

import polars as pl
import xlsxwriter

from etl.locate import EXCEL_ROW, Table
from etl.report import Problem, in_row_order, shown

FULL_COPY_MAX_ROWS = 20_000
SEVERITY_TEXT = {"error": "错误（须修改）", "warning": "提示（请核对）"}
PROBLEM_COLUMNS = ["级别", "规则", "工作表", "行号", "列", "说明", "原填内容", "涉及行数"]
ROWS_LISTED = 20

# User text stays text: "=…" is not a formula, "http://…" not a link, "12" typed as text not a number.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}

# The forms calamine gives a real Excel date or number read as text; nothing else is converted.
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$")
_NUMBER = re.compile(r"^-?(?:0|[1-9]\d{0,9})(?:\.\d+)?$")  # ten digits at most: phone numbers stay text
TEXT_TYPES = {"text", "unit", "district", "uscc", "phone", "month", "id_number", "member_no"}  # digits never made a number
DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "hh:mm:ss"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def problems_frame(problems: list[Problem]) -> pl.DataFrame:
    """One line per problem, as the upload page and the workbook show it: the whole file first, then by row."""
    return pl.DataFrame(
        [
            [SEVERITY_TEXT[p.severity], p.rule_name, p.sheet or "",
             "、".join(map(str, p.rows[:ROWS_LISTED])) + ("…" if len(p.rows) > ROWS_LISTED else ""),
             p.column or "", shown(p.message), "、".join(p.shown_values), len(p.rows) if p.rows else None]
            for p in in_row_order(problems)
        ],
        schema={c: (pl.Int64 if c == "涉及行数" else pl.String) for c in PROBLEM_COLUMNS},
        orient="row",
    )


def problem_report_xlsx(problems: list[Problem], table: Table | None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    bold = book.add_format({"bold": True, "bg_color": "#DDDDDD", "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    listing = book.add_worksheet("问题清单")
    frame = problems_frame(problems)
    listing.write_row(0, 0, PROBLEM_COLUMNS, bold)
    for r, row in enumerate(frame.iter_rows(), start=1):
        listing.write_row(r, 0, row, wrap)
    listing.set_column(0, 4, 14)
    listing.set_column(5, 5, 60)
    listing.set_column(6, 6, 40)
    listing.set_column(7, 7, 10)
    listing.freeze_panes(1, 0)
    listing.autofilter(0, 0, max(frame.height, 1), len(PROBLEM_COLUMNS) - 1)
    if table is not None:
        _marked_copy(book, problems, table)
    book.close()
    return buffer.getvalue()


def cell_value(text: str | None, numbers: bool = True) -> str | float | int | datetime | None:
    """A grid cell as it was in the unit's workbook: a real date or number again, anything else text.

    Only the forms calamine writes for dates ("2027-03-01 00:00:00") and numbers ("320", "3.25")
    are converted; long digit strings (phone numbers, credit codes) and "0791" stay text.
    """
    if text is None or text == "":
        return None
    if (match := _DATE.match(text)) is not None:
        try:
            value = datetime.fromisoformat(f"{match[1]}T{match[2]}")
        except ValueError:
            return text
        return value if value >= datetime(1899, 12, 31) else text
    if numbers and _NUMBER.match(text):
        if "." not in text:
            return int(text)
        value = float(text)
        return value if repr(value) == text else text  # "0.10" was typed as text
    return text


def _number_format(value) -> str | None:
    if not isinstance(value, datetime):
        return None
    if value.date() == datetime(1899, 12, 31).date():  # a time of day alone
        return TIME_FORMAT
    return DATE_FORMAT if value.time() == datetime.min.time() else DATETIME_FORMAT


def _sheet_name(name: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("_", f"标注-{name}")[:31].rstrip("'")


def _marked_copy(book: xlsxwriter.Workbook, problems: list[Problem], table: Table) -> None:
    fills = {None: {}, "error": {"bg_color": "#F8B4B4"}, "warning": {"bg_color": "#FCE58D"}}
    formats: dict[tuple, object] = {}

    def cell_format(severity: str | None, number_format: str | None):
        key = (severity, number_format)
        if key not in formats:
            properties = fills[severity] | ({"num_format": number_format} if number_format else {})
            formats[key] = book.add_format(properties) if properties else None
        return formats[key]

    marks: dict[tuple[int, int], list[Problem]] = {}
    for p in in_row_order(problems):
        column = table.header_columns.get(p.column or "")
        if column is None:
            continue
        for row in p.rows:
            marks.setdefault((row, int(column[1:])), []).append(p)
    text_columns = {
        int(table.header_columns[header][1:])
        for name, header in table.headers.items()
        if header in table.header_columns and table.kind.field(name).type in TEXT_TYPES
    }

    sheet = book.add_worksheet(_sheet_name(table.sheet))
    marked_rows = {r for r, _ in marks}
    header_last = (table.rows[EXCEL_ROW].min() or 1) - 1
    keep_all = table.grid.height <= FULL_COPY_MAX_ROWS
    out_row = 0
    for index, values in enumerate(table.grid.iter_rows()):
        excel_row = index + 1
        if not (keep_all or excel_row <= header_last or excel_row in marked_rows):
            continue
        for c, text in enumerate(values):
            value = cell_value(text, numbers=c not in text_columns)
            here = marks.get((excel_row, c), [])
            severity = ("error" if any(p.severity == "error" for p in here) else "warning") if here else None
            fmt = cell_format(severity, _number_format(value))
            if value is None:
                if fmt is not None:
                    sheet.write_blank(out_row, c, None, fmt)
            elif isinstance(value, str):
                sheet.write_string(out_row, c, value, fmt)
            elif isinstance(value, datetime):
                sheet.write_datetime(out_row, c, value, fmt)
            else:
                sheet.write_number(out_row, c, value, fmt)
            if here:
                comment = "\n".join(f"{SEVERITY_TEXT[p.severity]}：{shown(p.message)}" for p in here)
                sheet.write_comment(out_row, c, comment, {"x_scale": 2, "y_scale": 1 + len(here)})
        out_row += 1
