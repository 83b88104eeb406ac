"""Hostile uploads, built on demand in a folder: each is small or quick to write and meant to exhaust a reader.

Nothing binary is committed; every function writes its file under `folder` and
returns the path. `ALL` names each one for parametrised tests; `python -m
tests.hostile_files DIR` writes them all, to try them by hand.

The workbooks are assembled with zipfile from hand-written XML, so that they
can say what no spreadsheet program would write (a cell at XFD1048576, a row
numbered 4,000,000,000, a shared-string table claiming 4e9 entries).
"""

from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
LEDGER_HEADER = ["序号", "组织名称", "统一社会信用代码", "所属行业", "从业人员数", "35岁以下青年数", "团员数",
                 "是否建立团组织", "建团日期", "团组织书记", "联系电话"]


def sheet_xml(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}">{dim}<sheetData>{rows}</sheetData></worksheet>')


def shared_strings_xml(strings: list[str], count: int | None = None, unique: int | None = None) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    count = len(strings) if count is None else count
    unique = len(strings) if unique is None else unique
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{count}" '
            f'uniqueCount="{unique}">{items}</sst>')


def write_workbook(path: Path, sheet: str, strings: str | None = None) -> Path:
    """A one-sheet .xlsx from its worksheet XML (and shared strings), everything else minimal but valid."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        book.writestr("xl/sharedStrings.xml", strings or shared_strings_xml(["台账"]))
    return path


def small_workbook(folder: Path) -> Path:
    """A harmless two-row workbook written the same way, to show the hand-made XML itself reads."""
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>12</v></c></row>')
    return write_workbook(folder / "small.xlsx", sheet_xml(rows, "A1:B2"))


# --- Workbooks whose few cells claim an enormous grid ------------------------------------


def corner_cells_xlsx(folder: Path) -> Path:
    """Two cells, at A1 and XFD1048576: a reader that allocates the grid between them needs 17 billion cells."""
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    return write_workbook(folder / "corner_cells.xlsx", sheet_xml(rows, "A1:XFD1048576"))


def far_row_xlsx(folder: Path) -> Path:
    """One cell in a row numbered 4,000,000,000 (Excel stops at 1,048,576), the dimension saying only A1."""
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="4000000000"><c r="A4000000000"><v>1</v></c></row>')
    return write_workbook(folder / "far_row.xlsx", sheet_xml(rows, "A1"))


def far_cell_in_near_row_xlsx(folder: Path) -> Path:
    """The far cell hidden in row 2: its row element says 2, its reference says row 4,000,000,000."""
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="2"><c r="B2"><v>1</v></c><c r="C4000000000"><v>1</v></c></row>')
    return write_workbook(folder / "far_cell_in_near_row.xlsx", sheet_xml(rows))


def shared_strings_claim_xlsx(folder: Path) -> Path:
    """A shared-string table that says it holds 4e9 strings and holds one: readers reserve room for the claim."""
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    strings = shared_strings_xml(["台账"], count=4_000_000_000, unique=4_000_000_000)
    return write_workbook(folder / "shared_strings_claim.xlsx", sheet_xml(rows, "A1"), strings)


# --- Zip containers ---------------------------------------------------------------------------


def zip_bomb_xlsx(folder: Path, gigabytes: int = 4, declared: int | None = 4096) -> Path:
    """A worksheet of `gigabytes` GiB (one inline string of "A"s) deflated ~1000:1 into a few MB.

    Deflate blocks ended by a full flush are independent, so one block of 1 MiB of
    "A"s is compressed once and repeated. The entry's header declares `declared`
    bytes (None: the true size, which must fit in 32 bits); its CRC is not computed
    (that alone would take seconds): a reader decompresses everything before it can
    find the CRC wrong. 4 GiB -> 4.1 MB on disk.
    """
    mib = 1 << 20
    head = (sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>', "A1").split("</sheetData>")[0]
            ).encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(b"A" * mib) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(b"A" * mib) + packer.flush(zlib.Z_FULL_FLUSH)
    assert again == block, "deflate blocks after a full flush should repeat"
    last = packer.compress(tail) + packer.flush(zlib.Z_FINISH)
    repeats = gigabytes * 1024
    size = len(head) + repeats * mib + len(tail)
    if declared is None:
        declared = size
    if declared >= 1 << 32:
        raise ValueError("the declared size must fit in 32 bits (no zip64 here)")
    path = folder / f"zip_bomb_{gigabytes}gb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/sharedStrings.xml", shared_strings_xml(["台账"]))):
            book.writestr(name, text)
    # Append the bomb entry by hand: a local header, the deflate stream, then a new central directory.
    with zipfile.ZipFile(path) as book:
        infos = book.infolist()
        directory_at = book.start_dir
    data = bytearray(path.read_bytes()[:directory_at])
    name = b"xl/worksheets/sheet1.xml"
    compressed = len(first) + repeats * len(block) + len(last)
    offset = len(data)
    data += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, 0, compressed, declared, len(name), 0)
    data += name + first + block * repeats + last
    entries = [(info.filename.encode(), info.compress_type, info.CRC, info.compress_size, info.file_size,
                info.header_offset) for info in infos] + [(name, 8, 0, compressed, declared, offset)]
    directory = bytearray()
    for entry_name, method, crc, packed, unpacked, at in entries:
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, packed,
                                 unpacked, len(entry_name), 0, 0, 0, 0, 0, at) + entry_name
    start = len(data)
    data += directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                                    len(directory), start, 0)
    path.write_bytes(bytes(data))
    return path


def many_entries_xlsx(folder: Path, entries: int = 20_000) -> Path:
    """A workbook padded with 20,000 empty parts: a central directory far larger than any real workbook's."""
    path = write_workbook(folder / "many_entries.xlsx", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as book:
        for i in range(entries):
            book.writestr(f"xl/media/pad{i}.bin", b"")
    return path


def truncated_xlsx(folder: Path) -> Path:
    """A real workbook cut in half, as an interrupted download leaves it."""
    whole = small_workbook(folder).read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def garbage_xlsx(folder: Path) -> Path:
    """The zip signature, then noise."""
    path = folder / "garbage.xlsx"
    noise = bytes((i * 7919 + 13) % 251 for i in range(20_000))
    path.write_bytes(b"PK\x03\x04" + noise)
    return path


def garbage_xls(folder: Path) -> Path:
    """The OLE signature of a legacy .xls, then noise."""
    path = folder / "garbage.xls"
    noise = bytes((i * 104729 + 7) % 253 for i in range(20_000))
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise)
    return path


# --- Text tables ----------------------------------------------------------------------------


def commas_csv(folder: Path, size: int) -> Path:
    """One line of `size` commas: a grid one row high and `size + 1` columns wide."""
    path = folder / f"commas_{size}.csv"
    path.write_bytes(b"," * size)
    return path


def commas_100k_csv(folder: Path) -> Path:
    return commas_csv(folder, 100_000)


def commas_1m_csv(folder: Path) -> Path:
    return commas_csv(folder, 1_000_000)


def wide_csv(folder: Path, columns: int = 10_000, rows: int = 50) -> Path:
    """A ledger header followed by 10,000 columns, and 50 rows of numbers across them all."""
    path = folder / f"wide_{columns}.csv"
    header = LEDGER_HEADER + [f"备用{i}" for i in range(columns - len(LEDGER_HEADER))]
    lines = [",".join(header)] + [",".join(str((r * columns + c) % 97) for c in range(columns)) for r in range(rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def million_rows_csv(folder: Path, rows: int = 1_000_000) -> Path:
    """A ledger of a million organisations (about 60 MB): five times the busiest unit's month, and more."""
    path = folder / f"ledger_{rows}_rows.csv"
    industries = ["信息传输、软件和信息技术服务业", "批发和零售业", "制造业", "住宿和餐饮业"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("东湖区和平街道团工委2025年3月两新组织团建工作台账\r\n" + ",".join(LEDGER_HEADER) + "\r\n")
        for i in range(1, rows + 1):
            out.write(f"{i},和平街道第{i}号企业,91360102MA{i:08d},{industries[i % 4]},{i % 300 + 3},{i % 50},"
                      f"{i % 20},{'是' if i % 3 else '否'},2019-0{i % 9 + 1}-1{i % 9},张{i % 97},1387912{i % 10000:04d}\r\n")
    return path


def short_rows_csv(folder: Path, rows: int = 1_000_000) -> Path:
    """A million short lines (about 8 MB, under the size limit): only the row count is too much."""
    path = folder / f"short_rows_{rows}.csv"
    path.write_bytes(b"\xe5\xba\x8f\xe5\x8f\xb7,1\n" + b"".join(b"%d,1\n" % i for i in range(1, rows)))
    return path


def quoted_newlines_csv(folder: Path, repeats: int = 5_000) -> Path:
    """Every line has three commas, but quoted line breaks join them all into one record of 20,000 fields."""
    path = folder / "quoted_newlines.csv"
    path.write_bytes(b',,,"\n"' * repeats + b"\n")
    return path


# --- Formats the inspection cannot see into: the worker's limits stop them ------------------------


def ods_repeated_cells(folder: Path, rows: int = 2_000, columns: int = 100_000) -> Path:
    """An OpenDocument sheet (calamine reads .ods too, whatever the name) of `rows` rows, each one cell
    repeated `columns` times: 1 KB that expands to rows x 16,384 cells (calamine caps the columns)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="台账"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>序号</text:p></table:table-cell></table:table-row>'
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{columns}" office:value-type="string"><text:p>1</text:p>'
        '</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>'
        '</office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    path = folder / f"ods_{rows}x{columns}.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        book.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        book.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


ALL: dict[str, Callable[[Path], Path]] = {
    "corner_cells_xlsx": corner_cells_xlsx,
    "far_row_xlsx": far_row_xlsx,
    "far_cell_in_near_row_xlsx": far_cell_in_near_row_xlsx,
    "shared_strings_claim_xlsx": shared_strings_claim_xlsx,
    "zip_bomb_xlsx": zip_bomb_xlsx,
    "many_entries_xlsx": many_entries_xlsx,
    "truncated_xlsx": truncated_xlsx,
    "garbage_xlsx": garbage_xlsx,
    "garbage_xls": garbage_xls,
    "commas_100k_csv": commas_100k_csv,
    "commas_1m_csv": commas_1m_csv,
    "wide_csv": wide_csv,
    "million_rows_csv": million_rows_csv,
    "short_rows_csv": short_rows_csv,
    "quoted_newlines_csv": quoted_newlines_csv,
    "ods_repeated_cells": ods_repeated_cells,
}


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, build in ALL.items():
        path = build(out)
        print(f"{name:<28} {path.stat().st_size:>12,} bytes  {path}")


if __name__ == "__main__":
    main(sys.argv[1])
