"""Step 0, inspect: refuse a file whose structure would exhaust the reader, before anything parses it.

This module is the entry points and what they share: the refusal types and
their messages, the file's size, its format told by content, the grid limits,
and the inspection of text tables. A zip (.xlsx) is inspected by
`etl.inspect_zip`.

Pure Python and bounded work: the file is read once (after its size is checked
on disk) and nothing in it is believed that is cheap to lie about.

- A zip (.xlsx): see `etl.inspect_zip` (parts unpacked by stream and counted,
  worksheets and the shared-string table scanned).
- A text table: its size, its lines, the fields of its widest line (commas and
  tabs counted in the bytes) and rows x fields.
- A legacy .xls (OLE), and .xlsb or .ods parts, cannot be inspected this way:
  their size is checked here, the rest is left to the worker's limits.

What is refused raises `RefusedFile`; what cannot be a table or is damaged
raises `UnreadableFile`. Messages are for the person who uploaded the file:
Chinese, and saying what to do; library and parser text goes to the log.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.limits import Limits

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx (also .xlsb, .ods)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or a password-protected .xlsx
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Files people send by mistake, told by their first bytes, named in the message.
NOT_A_TABLE = {b"%PDF": "PDF 文件", b"\x89PNG": "图片", b"\xff\xd8\xff": "图片", b"GIF8": "图片",
               b"Rar!": "压缩包", b"7z\xbc\xaf": "压缩包", b"{\\rtf": "RTF 文档"}
NOT_A_TABLE_TEXT = "该文件是{what}，不是表格。请上传 Excel 台账（.xlsx 或 .xls）或 CSV 文件。"
DAMAGED = "无法打开该工作簿：文件已损坏或不是 Excel 格式。请用 Excel 或 WPS 打开后另存为 .xlsx 再重新上传。"
PASSWORD = "该工作簿设有打开密码，无法读取。请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后重新上传。"
REFUSED_PREFIX = "文件过大或结构异常，已拒收"
REFUSED = REFUSED_PREFIX + "（{reason}）"

EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


class UnreadableFile(ValueError):
    """The file is not a spreadsheet or text table we can open; the message says what to do."""


class RefusedFile(UnreadableFile):
    """The file is, or would become while parsed, larger than a limit allows; it is not parsed (further).

    `reason` says which limit, in Chinese with its number, and goes in the message
    文件过大或结构异常，已拒收（reason）; a reason that is already such a message is kept
    whole. `limit` names the field of Limits, `value` what the file came to.
    """

    def __init__(self, reason: str, limit: str | None = None, value: int | None = None):
        super().__init__(reason if reason.startswith(REFUSED_PREFIX) else REFUSED.format(reason=reason))
        self.reason, self.limit, self.value = reason, limit, value


@dataclass
class GridScan:
    """What one worksheet part holds, as far as its XML tells."""

    part: str
    name: str | None = None  # the sheet's name, when the workbook says which part it is
    cells: int = 0  # <c> elements
    last_row: int = 0  # the furthest row a cell reference names
    last_column: int = 0  # the furthest column (1 = A)
    rows_without_ref: int = 0
    cells_without_ref: int = 0
    last_row_element: int = 0  # the largest <row r=...>: where cells without a reference go
    dimension: str | None = None

    @property
    def rows(self) -> int:
        """Rows of the grid a reader builds: up to the furthest cell (empty formatted rows do not count)."""
        if self.rows_without_ref or self.cells_without_ref:  # placed one after another from the last known row
            return max(self.last_row, self.last_row_element) + self.rows_without_ref
        return self.last_row

    @property
    def columns(self) -> int:
        # Cells without a reference extend their row by one each; a row's count is not tracked, so those are
        # bounded by `cells` here and by the worker's check of the parsed sheet.
        return self.last_column


@dataclass
class Inspection:
    """What the inspection found; `format` is "zip", "ole" or "text"."""

    format: str
    size: int
    unpacked: int = 0  # zip: bytes actually unpacked from every part
    parts: int = 0
    grids: list[GridScan] = field(default_factory=list)
    shared_strings: int = 0  # the largest of count, uniqueCount and the strings present
    rows: int = 0  # text: lines
    columns: int = 0  # text: fields in the widest line


def refuse(reason: str, limit: str | None = None, value: int | None = None) -> RefusedFile:
    logger.warning("refused: %s (%s=%s)", reason, limit, value)
    return RefusedFile(reason, limit, value)


def number(n: int) -> str:
    return f"{n:,}"


def size_text(n: float) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{n:.0f} 字节"


# --- Entry points -----------------------------------------------------------------------------------


def inspect_file(path: Path, limits: Limits) -> tuple[Inspection, bytes]:
    """Check a file on disk; its size first, before reading it. Returns what was found and the bytes."""
    size = path.stat().st_size
    check_file_size(size, limits)
    data = path.read_bytes()
    return inspect_bytes(data, limits), data


def check_file_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise refuse(f"文件大小 {size_text(size)}，超过上限 {size_text(limits.max_file_bytes)}",
                     "max_file_bytes", size)


def inspect_bytes(data: bytes, limits: Limits) -> Inspection:
    check_file_size(len(data), limits)
    kind = detect_format(data)
    if kind == "zip":
        # Imported here, not at the top: etl.inspect_zip imports what it shares with this module (refusals,
        # messages, Inspection, GridScan, check_grids) from here, so a top-level import would be a cycle.
        # An import at the bottom of this module works only if etl.inspect is imported first (importing
        # etl.inspect_zip first would fail); here it works in either order, at a sys.modules look-up a call.
        from etl.inspect_zip import inspect_zip

        return inspect_zip(data, limits)
    if kind == "ole":
        if _utf16(b"EncryptedPackage") in data:  # an .xlsx saved with a password is an OLE file holding it
            raise UnreadableFile(PASSWORD)
        return Inspection("ole", len(data))
    return inspect_text(data, limits)


def detect_format(data: bytes) -> str:
    """"zip", "ole" or "text", told by the content: units rename .xls to .xlsx and save CSVs as .xls."""
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    what = next((name for magic, name in NOT_A_TABLE.items() if data.startswith(magic)), None)
    if what is None and b"\x00" in data[:4096] and not data.startswith(UTF16_BOMS):
        what = "二进制文件"
    if what:
        raise UnreadableFile(NOT_A_TABLE_TEXT.format(what=what))
    return "text"


def check_grids(grids: list[tuple[str | None, int, int]], limits: Limits) -> None:
    """Refuse sheets of (name, rows, columns) beyond the limits: each sheet's rows and columns, all cells."""
    total = 0
    for name, rows, columns in grids:
        label = f"工作表“{name}”" if name else "工作表"
        if rows > limits.max_rows:
            raise refuse(f"{label}有 {number(rows)} 行，超过上限 {number(limits.max_rows)} 行", "max_rows", rows)
        if columns > limits.max_columns:
            raise refuse(f"{label}有 {number(columns)} 列，超过上限 {number(limits.max_columns)} 列",
                         "max_columns", columns)
        total += rows * columns
    if total > limits.max_cells:
        raise refuse(f"单元格共 {number(total)} 个，超过上限 {number(limits.max_cells)} 个", "max_cells", total)


# --- Text tables -------------------------------------------------------------------------------------

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def inspect_text(data: bytes, limits: Limits) -> Inspection:
    """Lines, and fields of the widest line, counted in the bytes.

    In UTF-8 and GB18030 (and GBK, Big5) a byte 0x0A, 0x0D, 0x2C or 0x09 is always
    that character, never part of another; UTF-16 is turned into UTF-8 first.
    Both delimiters are counted, as the reader picks one later. A line break inside
    quotes makes one row of two lines: counting lines over-counts rows, never under.
    """
    if data.startswith(UTF16_BOMS):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    rows = max(data.count(b"\n"), data.count(b"\r")) + 1
    if rows > limits.max_rows:
        raise refuse(f"文件有 {number(rows)} 行，超过上限 {number(limits.max_rows)} 行", "max_rows", rows)
    widest, widest_at = 0, 0
    for at, line in enumerate(_LINE_BREAK.split(data), start=1):
        fields = max(line.count(b","), line.count(b"\t")) + 1
        if fields > widest:
            widest, widest_at = fields, at
            if widest > limits.max_columns:
                raise refuse(f"第 {number(widest_at)} 行有 {number(widest)} 列，超过上限 {number(limits.max_columns)} 列",
                             "max_columns", widest)
    if rows * widest > limits.max_cells:
        raise refuse(f"{number(rows)} 行 × {number(widest)} 列共 {number(rows * widest)} 个单元格，"
                     f"超过上限 {number(limits.max_cells)} 个", "max_cells", rows * widest)
    return Inspection("text", len(data), rows=rows, columns=widest)


def _utf16(text: bytes) -> bytes:
    return text.decode("ascii").encode("utf-16-le")
