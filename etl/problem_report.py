"""The validation report as a workbook a unit can fix its file from.

Sheet 1 lists the problems; sheet 2 is a copy of the submitted sheet with the
offending cells filled red (errors) or yellow (warnings) and the reason as a
cell comment. Very large sheets keep only the header and the rows with problems.
"""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from etl.locate import EXCEL_ROW, Table
from etl.report import Problem

FULL_COPY_MAX_ROWS = 20_000
SEVERITY_TEXT = {"error": "错误（须修改）", "warning": "提示（请核对）"}
PROBLEM_COLUMNS = ["级别", "规则", "工作表", "行号", "列", "说明", "填写内容示例", "涉及行数"]


def problems_frame(problems: list[Problem]) -> pl.DataFrame:
    """One line per problem, as the upload page and the workbook show it."""
    return pl.DataFrame(
        [
            [SEVERITY_TEXT[p.severity], p.rule_name, p.sheet or "", "、".join(map(str, p.rows[:20]))
             + ("…" if len(p.rows) > 20 else ""), p.column or "", p.message, "、".join(map(str, p.values)),
             len(p.rows)]
            for p in problems
        ],
        schema={c: (pl.Int64 if c == "涉及行数" else pl.String) for c in PROBLEM_COLUMNS},
        orient="row",
    )


def problem_report_xlsx(problems: list[Problem], table: Table | None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDDDDD", "text_wrap": True})
    listing = book.add_worksheet("问题清单")
    frame = problems_frame(problems)
    listing.write_row(0, 0, PROBLEM_COLUMNS, bold)
    for r, row in enumerate(frame.iter_rows(), start=1):
        listing.write_row(r, 0, row)
    listing.set_column(0, 4, 14)
    listing.set_column(5, 6, 60)
    if table is not None:
        _marked_copy(book, problems, table)
    book.close()
    return buffer.getvalue()


def _marked_copy(book: xlsxwriter.Workbook, problems: list[Problem], table: Table) -> None:
    fills = {"error": book.add_format({"bg_color": "#F8B4B4"}),
             "warning": book.add_format({"bg_color": "#FCE58D"})}
    marks: dict[tuple[int, int], Problem] = {}
    for p in problems:
        column = table.header_columns.get(p.column or "")
        if column is None:
            continue
        for row in p.rows:
            key = (row, int(column[1:]))
            if key not in marks or p.severity == "error":
                marks[key] = p
    sheet = book.add_worksheet(f"标注-{table.sheet}"[:31])
    marked_rows = {r for r, _ in marks}
    header_last = (table.rows[EXCEL_ROW].min() or 1) - 1
    keep_all = table.grid.height <= FULL_COPY_MAX_ROWS
    out_row = 0
    for index, values in enumerate(table.grid.iter_rows()):
        excel_row = index + 1
        if not (keep_all or excel_row <= header_last or excel_row in marked_rows):
            continue
        for c, value in enumerate(values):
            problem = marks.get((excel_row, c))
            if problem is None:
                sheet.write(out_row, c, value)
            else:
                sheet.write(out_row, c, value, fills[problem.severity])
                sheet.write_comment(out_row, c, problem.message, {"x_scale": 2})
        out_row += 1
