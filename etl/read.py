"""Step 1, read: any submitted file -> its sheets as grids of text cells.

Nothing is interpreted here. Each sheet becomes a polars frame of strings with
columns c0, c1, ...; row i of the frame is Excel row i + 1, so every message can
name the row a person sees. The format is told by the file's content, not its
name: units rename .xls files to .xlsx and save CSVs as .xls.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl
from charset_normalizer import from_bytes

GUESS_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


class UnreadableFile(ValueError):
    """The file is not a spreadsheet or text table we can open."""


@dataclass(frozen=True)
class Sheet:
    name: str
    cells: pl.DataFrame  # all String columns c0..cN; row i is Excel row i + 1
    visible: bool = True  # a hidden sheet often keeps last month's copy or working notes


# Files people send by mistake, told by their first bytes, named in the message.
NOT_A_TABLE = {b"%PDF": "PDF 文件", b"\x89PNG": "图片", b"\xff\xd8\xff": "图片", b"GIF8": "图片",
               b"Rar!": "压缩包", b"7z\xbc\xaf": "压缩包", b"{\\rtf": "RTF 文档"}


def read_sheets(path: Path) -> list[Sheet]:
    data = path.read_bytes()
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return _read_workbook(data)
    what = next((name for magic, name in NOT_A_TABLE.items() if data.startswith(magic)), None)
    if what is None and b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        what = "二进制文件"
    if what:
        raise UnreadableFile(f"该文件是{what}，不是表格。请上传 Excel 台账（.xlsx 或 .xls）或 CSV 文件。")
    return [Sheet(name=path.stem, cells=_csv_grid(decode_text(data)))]


def _read_workbook(data: bytes) -> list[Sheet]:
    """An .xlsx or .xls workbook, told by its content: calamine would go by the (often wrong) file name."""
    # skip_rows=0 keeps leading empty rows, so frame rows line up with Excel rows.
    options = {"header_row": None, "skip_rows": 0, "dtypes": "string"}
    try:
        reader = fastexcel.read_excel(data)
        if len(reader.sheet_names) == 1:  # the common case; straight to Arrow is ~15% faster
            [name] = reader.sheet_names
            return [Sheet(name, _numbered(pl.from_arrow(reader.load_sheet_eager(name, **options))))]
        sheets = []
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, **options)
            sheets.append(Sheet(name, _numbered(sheet.to_polars()), visible=sheet.visible == "visible"))
        return sheets
    except Exception as exc:  # calamine raises several types for damaged or encrypted files
        raise UnreadableFile(f"无法打开该工作簿（{exc}），请用 Excel 或 WPS 另存为 .xlsx 后重新上传。") from exc


def _numbered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})


def decode_text(data: bytes) -> str:
    """Decode a text file whose encoding nobody wrote down.

    A BOM decides; valid UTF-8 is taken as UTF-8 (other encodings of Chinese
    text almost never happen to be valid UTF-8); otherwise charset-normalizer
    guesses, which tells GB18030/GBK from Big5 and UTF-16.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # The first 64 KB, cut at a line end, tell the encoding as well as the whole file, much faster.
    sample = data if len(data) <= GUESS_BYTES else data[: data.rfind(b"\n", 0, GUESS_BYTES) + 1 or GUESS_BYTES]
    best = from_bytes(sample).best()
    if best is None:
        raise UnreadableFile("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx 后重新上传。")
    encoding = "gb18030" if best.encoding in ("gbk", "gb2312", "hz") else best.encoding
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx 后重新上传。") from exc


def _csv_grid(text: str) -> pl.DataFrame:
    """A CSV's cells as a grid: every line a row (blank lines too), short lines padded with nulls.

    polars parses it; the header it is given names as many columns as the longest
    line could hold. A line holding more (a quoted line break) falls back to the csv
    module. ="0791-8612…" (Excel's way to keep a leading zero in a CSV) counts as its text.
    """
    first_lines = text[:4096]
    delimiter = "\t" if first_lines.count("\t") > first_lines.count(",") else ","
    width = max((line.count(delimiter) for line in text.splitlines()), default=0) + 1
    header = delimiter.join(f"c{i}" for i in range(width))
    try:
        grid = pl.read_csv(io.StringIO(f"{header}\n{text}"), separator=delimiter, infer_schema=False,
                           quote_char='"', raise_if_empty=False)
    except pl.exceptions.ComputeError:
        grid = _grid(list(csv.reader(io.StringIO(text), delimiter=delimiter)))
    return grid.with_columns(pl.all().str.replace(r'^="(.*)"$', "$1").replace("", None))


def _grid(rows: list[list[str]]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    columns = {f"c{i}": [(r[i] if i < len(r) and r[i] != "" else None) for r in rows] for i in range(width)}
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})
