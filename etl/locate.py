"""Step 2, locate: find the sheet, the header and the data rows of a table.

Submissions carry title rows, headers merged over two rows, notes and totals.
A sheet's header is the row (or pair of rows) whose cells match the most known
header spellings; the sheet whose header matches best is the table. Below the
header, empty rows, total rows and note or signature lines are skipped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import polars as pl

from etl.contract import Kind, contract, header_key
from etl.read import Sheet
from etl.report import Problem

HEADER_SEARCH_ROWS = 30
EXCEL_ROW = "excel_row"


@dataclass(frozen=True)
class HeaderMatch:
    kind: Kind
    sheet: Sheet
    first_header_row: int  # 0-based index of the first header row
    last_header_row: int  # 0-based index of the last header row
    columns: dict[str, str]  # grid column -> field name
    headers: dict[str, str]  # grid column -> header text as written

    @property
    def score(self) -> int:
        return len(set(self.columns.values()))

    @property
    def missing_required(self) -> list[str]:
        found = set(self.columns.values())
        return [f.label for f in self.kind.fields if f.required and f.name not in found]


@dataclass(frozen=True)
class Table:
    """The data rows of one table, still as text, with columns renamed to field names."""

    kind: Kind
    sheet: str
    headers: dict[str, str]  # field name -> header text as written
    extra_headers: dict[str, str]  # grid column -> header text of columns the contract does not know
    rows: pl.DataFrame  # excel_row, one String column per field found, extra grid columns
    title: str  # text above the header (names the unit and month in many files)
    grid: pl.DataFrame  # the whole sheet as read, to mark problems on a copy of it
    header_columns: dict[str, str]  # header text as written -> grid column


class LayoutError(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(problem.text())
        self.problem = problem


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def _match_header(kind: Kind, sheet: Sheet, top: list[tuple], row: int, two_rows: bool) -> HeaderMatch:
    index = kind.header_index
    columns, headers = {}, {}
    upper_used = False  # a two-row header needs its upper row to name at least one field
    upper, lower = top[row], (top[row + 1] if two_rows else None)
    for i, name in enumerate(sheet.cells.columns):
        parent, child = _text(upper[i]), _text(lower[i]) if lower else ""
        # Merged parent cells carry their text only in the first column they span,
        # so try the child alone, the parent alone, and the two together.
        for written in (child, parent, parent + child):
            field = index.get(header_key(written)) if written else None
            if field and field not in columns.values():
                columns[name], headers[name] = field, written
                upper_used = upper_used or written != child
                break
        else:
            if child or parent:
                headers[name] = (parent + child) if two_rows else parent
    if two_rows and not upper_used:
        columns = {}
    return HeaderMatch(kind, sheet, row, row + (1 if two_rows else 0), columns, headers)


def find_header(sheets: list[Sheet], kind_name: str | None = None) -> HeaderMatch:
    kinds = [contract().kinds[kind_name]] if kind_name else list(contract().kinds.values())
    best: HeaderMatch | None = None
    for sheet in sheets:
        top = sheet.cells.head(HEADER_SEARCH_ROWS).rows()
        for kind in kinds:
            for row in range(len(top)):
                for two_rows in (False, True):
                    if two_rows and row + 1 >= len(top):
                        continue
                    match = _match_header(kind, sheet, top, row, two_rows)
                    if best is None or (match.score, -len(match.missing_required)) > (
                        best.score, -len(best.missing_required)
                    ):
                        best = match
    if best is None or best.score < 2:
        wanted = contract().kinds[kind_name].label if kind_name else "台账、任务分解表或青年之声月报"
        raise LayoutError(Problem(
            "error", "header_not_found",
            f"没有找到{wanted}的表头。请确认表头包含模板中的列名（如“单位名称”“统一社会信用代码”），"
            "或下载模板对照填写。",
        ))
    if best.missing_required:
        raise LayoutError(Problem(
            "error", "required_column_missing",
            "缺少必填列：" + "、".join(f"“{c}”" for c in best.missing_required) + "。请按模板补上这些列后重新上传。",
            sheet=best.sheet.name, rows=[best.last_header_row + 1],
        ))
    return best


def extract_table(match: HeaderMatch) -> Table:
    """The rows under the header that hold data, with their Excel row numbers."""
    cells = match.sheet.cells.with_row_index(EXCEL_ROW, offset=1)
    body = cells.slice(match.last_header_row + 1)
    grid_columns = match.sheet.cells.columns
    stripped = [pl.col(c).str.strip_chars() for c in grid_columns]
    filled = pl.sum_horizontal([(s.is_not_null() & (s != "")).cast(pl.Int32) for s in stripped])
    first_text = pl.coalesce([pl.when(s != "").then(s) for s in stripped]).fill_null("")
    first_text = first_text.str.normalize("NFKC").str.replace_all(r"\s", "")
    note_prefixes = [unicodedata.normalize("NFKC", p) for p in contract().note_prefixes]
    is_note = pl.any_horizontal([first_text.str.starts_with(p) for p in note_prefixes])
    key_columns = [c for c, f in match.columns.items() if f in match.kind.key]
    key_filled = pl.any_horizontal([pl.col(c).str.strip_chars().fill_null("") != "" for c in key_columns])
    totals = contract().total_markers
    is_total = pl.any_horizontal(
        [pl.col(c).str.replace_all(r"\s", "").is_in(totals).fill_null(False) for c in grid_columns[:4]]
    )
    body = body.filter(
        (filled > 0) & ~is_total
        # A data row has its key, or enough cells filled to be an incomplete
        # record; a note or signature line is neither, wherever it wandered.
        & (key_filled | (filled >= 3)) & ~is_note
    )
    extra = {c: h for c, h in match.headers.items() if c not in match.columns}
    rows = body.select(
        pl.col(EXCEL_ROW).cast(pl.Int32),
        *[pl.col(c).alias(f) for c, f in match.columns.items()],
        *[pl.col(c) for c in extra],
    )
    title_rows = match.sheet.cells.head(match.first_header_row)
    title = " ".join(_text(v) for row in title_rows.rows() for v in row if _text(v))
    return Table(
        kind=match.kind,
        sheet=match.sheet.name,
        headers={f: match.headers[c] for c, f in match.columns.items()},
        extra_headers=extra,
        rows=rows,
        title=title,
        grid=match.sheet.cells,
        header_columns={text: column for column, text in match.headers.items()},
    )


def locate(sheets: list[Sheet], kind_name: str | None = None) -> Table:
    return extract_table(find_header(sheets, kind_name))
