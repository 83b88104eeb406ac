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

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


class UnreadableFile(ValueError):
    """The file is not a spreadsheet or text table we can open."""


@dataclass(frozen=True)
class Sheet:
    name: str
    cells: pl.DataFrame  # all String columns c0..cN; row i is Excel row i + 1


def read_sheets(path: Path) -> list[Sheet]:
    data = path.read_bytes()
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return _read_workbook(path)
    return [Sheet(name=path.stem, cells=_grid(_csv_rows(decode_text(data))))]


def _read_workbook(path: Path) -> list[Sheet]:
    try:
        reader = fastexcel.read_excel(path)
        sheets = []
        for name in reader.sheet_names:
            # skip_rows=0 keeps leading empty rows, so frame rows line up with Excel rows.
            frame = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_polars()
            sheets.append(Sheet(name=name, cells=frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})))
        return sheets
    except Exception as exc:  # calamine raises several types for damaged or encrypted files
        raise UnreadableFile(f"无法打开该工作簿（{exc}），请用 Excel 或 WPS 另存为 .xlsx 后重新上传。") from exc


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
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFile("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx 后重新上传。")
    encoding = "gb18030" if best.encoding in ("gbk", "gb2312", "hz") else best.encoding
    return data.decode(encoding)


def _csv_rows(text: str) -> list[list[str]]:
    first_lines = text[:4096]
    delimiter = "\t" if first_lines.count("\t") > first_lines.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _grid(rows: list[list[str]]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    columns = {f"c{i}": [(r[i] if i < len(r) and r[i] != "" else None) for r in rows] for i in range(width)}
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})
