"""Step 2, locate: find the sheet, the header and the data rows of a table.

Submissions carry title rows, headers merged over two rows, notes and totals.
A sheet's header is the row (or pair of rows) whose cells match the most known
header spellings; the sheet whose header matches best is the table. Below the
header, empty rows, total rows and note or signature lines are skipped, and a
cell that only says "does not apply" ("/", "—", "无") is taken as blank.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from etl.contract import Field, Kind, contract, fold_width, width_variants
from etl.headers import Reading, header_cells, read_headers
from etl.read import Sheet
from etl.report import Problem

HEADER_SEARCH_ROWS = 30
MIN_HEADER_FIELDS = 2  # a row naming fewer known fields is not taken for a header
EXCEL_ROW = "excel_row"


@dataclass(frozen=True)
class HeaderMatch:
    kind: Kind
    sheet: Sheet
    first_header_row: int  # 0-based index of the first header row
    last_header_row: int  # 0-based index of the last header row
    readings: tuple[Reading, ...]  # how each column with a header was read

    @property
    def columns(self) -> dict[str, str]:
        """grid column -> field name, for the columns read as a field."""
        return {r.column: r.field for r in self.readings if r.field}

    @property
    def headers(self) -> dict[str, str]:
        """grid column -> header text as written, for every column with a header."""
        return {r.column: r.header for r in self.readings}

    @property
    def score(self) -> int:
        return len({r.field for r in self.readings if r.field})

    @property
    def rank(self) -> tuple:
        """Better headers first: recognisable at all, on a sheet a person sees, naming more fields,
        missing fewer required ones."""
        return self.score >= MIN_HEADER_FIELDS, self.sheet.visible, self.score, -len(self.missing_required)

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
    extra_headers: dict[str, str]  # grid column -> header text of columns not read as a field
    rows: pl.DataFrame  # excel_row, one String column per field found, extra grid columns
    title: str  # text above the header (names the unit and month in many files)
    grid: pl.DataFrame  # the whole sheet as read, to mark problems on a copy of it
    header_columns: dict[str, str]  # header text as written -> grid column
    readings: tuple[Reading, ...] = ()  # how each header was read, in column order
    header_row: int = 1  # Excel row of the (last) header row


class LayoutError(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(problem.text())
        self.problem = problem


def _match_header(kind: Kind, sheet: Sheet, top: list[tuple], row: int, two_rows: bool,
                  overrides: dict[str, str], similar: bool = False) -> HeaderMatch:
    cells = header_cells(sheet.cells.columns, top[row], top[row + 1] if two_rows else None)
    readings = tuple(read_headers(kind, cells, overrides, similar))
    return HeaderMatch(kind, sheet, row, row + (1 if two_rows else 0), readings)


def _has_text(cells: pl.DataFrame) -> bool:
    def any_text(frame: pl.DataFrame) -> bool:
        return bool(frame.select(pl.any_horizontal(pl.all().str.strip_chars() != "")).to_series().any())
    return cells.width > 0 and (any_text(cells.head(HEADER_SEARCH_ROWS)) or any_text(cells))


def _filled(row: tuple) -> int:
    return sum(1 for v in row if v is not None and str(v).strip())


def find_header(sheets: list[Sheet], kind_name: str | None = None,
                overrides: dict[str, str] | None = None) -> HeaderMatch:
    """The header row of the table, found first; then every header read against the whole row.

    The row (or pair of rows) whose headers name the most fields is the header;
    a pair is taken only when it names more than either row alone, and only when
    its upper row has several cells (a title is one merged cell).
    """
    if not any(_has_text(s.cells) for s in sheets):
        raise LayoutError(Problem("error", "empty_file",
                                  "文件是空的，没有任何内容。请确认选择的是填写好的台账文件后重新上传。"))
    overrides = overrides or {}
    kinds = [contract().kinds[kind_name]] if kind_name else list(contract().kinds.values())
    best: HeaderMatch | None = None
    for sheet in sheets:
        top = sheet.cells.head(HEADER_SEARCH_ROWS).rows()
        for kind in kinds:
            for row in range(len(top)):
                for two_rows in (False, True):
                    if two_rows and (row + 1 >= len(top) or _filled(top[row]) < 2):
                        continue
                    match = _match_header(kind, sheet, top, row, two_rows, overrides)
                    if best is None or match.rank > best.rank:
                        best = match
    if best is None or best.score < MIN_HEADER_FIELDS:
        wanted = contract().kinds[kind_name].label if kind_name else "、".join(k.label for k in contract().kinds.values())
        raise LayoutError(Problem(
            "error", "header_not_found",
            f"没有找到{wanted}的表头。请确认表头包含模板中的列名（如“单位名称”“统一社会信用代码”），"
            "或下载模板对照填写。",
        ))
    top = best.sheet.cells.head(HEADER_SEARCH_ROWS).rows()
    return _match_header(best.kind, best.sheet, top, best.first_header_row,
                         best.last_header_row > best.first_header_row, overrides, similar=True)


def _starts_with_any(text: pl.Expr, words) -> pl.Expr:
    return text.str.contains("^(?:" + "|".join(re.escape(unicodedata.normalize("NFKC", w)) for w in words) + ")")


def _row_facts(rows: pl.DataFrame, match: HeaderMatch, columns: list[str]) -> pl.DataFrame:
    """What tells a record from a total, a note or a signature line, judged on the given columns."""
    layout = contract()
    cells = [pl.col(c).str.strip_chars() for c in columns]
    written = [pl.when(s != "").then(s) for s in cells]
    key_columns = [c for c, f in match.columns.items() if f in match.kind.key]
    facts = rows.select(
        pl.col(EXCEL_ROW),
        filled=pl.sum_horizontal([s.is_not_null().cast(pl.Int32) for s in written]),
        first_text=fold_width(pl.coalesce(written)).fill_null("").str.replace_all(r"\s", ""),
        key_filled=pl.any_horizontal([pl.col(c).str.strip_chars().fill_null("") != "" for c in key_columns])
        if key_columns else pl.lit(False),
        total_cell=pl.any_horizontal(
            [s.str.replace_all(r"\s", "").is_in(list(layout.total_markers)).fill_null(False) for s in cells[:4]]),
        # "填表人：王芳  审核人：李伟  日期：…" spread over cells: every cell a "label: value".
        all_labelled=pl.all_horizontal([s.is_null() | s.str.contains("[:：]") for s in written]),
    )
    first_text = pl.col("first_text")
    return facts.with_columns(
        is_total=pl.col("total_cell") | _starts_with_any(first_text, layout.total_markers),
        is_note=_starts_with_any(first_text, layout.note_prefixes) | (~pl.col("key_filled") & pl.col("all_labelled")),
    )


def _data_rows(body: pl.DataFrame, match: HeaderMatch) -> pl.DataFrame:
    """The rows under the header that are records: not empty, not totals, notes or signature lines.

    Nearly every row has its key (the credit code) and is judged on its first few cells
    and the key; the few without one are judged on all their cells, and kept when
    enough is filled to be an incomplete record worth an error.
    """
    grid_columns = match.sheet.cells.columns
    key_columns = [c for c, f in match.columns.items() if f in match.kind.key]
    keyed = _row_facts(body, match, list(dict.fromkeys(grid_columns[:4] + key_columns)))
    loose = _row_facts(body.filter(~keyed["key_filled"]), match, grid_columns)
    loose_kept = loose.filter((pl.col("filled") >= 3) & ~pl.col("is_total") & ~pl.col("is_note"))[EXCEL_ROW]
    record = pl.col("key_filled") & ~pl.col("is_total") & ~pl.col("is_note")
    kept = keyed.select(record | pl.col(EXCEL_ROW).is_in(loose_kept.implode())).to_series()
    return body.filter(kept)


def _as_written(column: str, field: Field) -> pl.Expr:
    """The cell's text, with the marks people put in cells that do not apply ("/", "—", "无") made blank."""
    words = contract().true_words | contract().false_words if field.type == "bool" else frozenset()
    placeholders = width_variants(p for p in contract().blank_placeholders if p.upper() not in words)
    return pl.when(pl.col(column).str.strip_chars().is_in(placeholders)).then(None).otherwise(pl.col(column))


def extract_table(match: HeaderMatch) -> Table:
    """The rows under the header that hold data, with their Excel row numbers."""
    cells = match.sheet.cells.with_row_index(EXCEL_ROW, offset=1)
    body = _data_rows(cells.slice(match.last_header_row + 1), match)
    extra = {c: h for c, h in match.headers.items() if c not in match.columns}
    rows = body.select(
        pl.col(EXCEL_ROW).cast(pl.Int32),
        *[_as_written(c, match.kind.field(f)).alias(f) for c, f in match.columns.items()],
        *[pl.col(c) for c in extra],
    )
    title_rows = match.sheet.cells.head(match.first_header_row)
    title = " ".join(str(v).strip() for row in title_rows.rows() for v in row if v is not None and str(v).strip())
    return Table(
        kind=match.kind,
        sheet=match.sheet.name,
        headers={f: match.headers[c] for c, f in match.columns.items()},
        extra_headers=extra,
        rows=rows,
        title=title,
        grid=match.sheet.cells,
        header_columns={text: column for column, text in match.headers.items()},
        readings=match.readings,
        header_row=match.last_header_row + 1,
    )


def locate(sheets: list[Sheet], kind_name: str | None = None, overrides: dict[str, str] | None = None) -> Table:
    return extract_table(find_header(sheets, kind_name, overrides))
