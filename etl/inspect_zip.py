"""Step 0, inspect, for a zip (.xlsx): unpack every part by stream and scan the worksheets and shared strings.

`inspect_zip` is called by `etl.inspect.inspect_bytes`; the refusals, messages
and the `Inspection`/`GridScan` it fills come from `etl.inspect`.

The number of parts comes from the end-of-directory record before zipfile
builds its directory; every part is then unpacked by stream, 1 MiB at a time,
from its raw bytes, counting what really comes out (a header may declare 4 KB
for 4 GB), against the total and the packing ratio. Each worksheet is scanned
in chunks for its cells (`<c r="XFD1048576">`, in either case, also without
`r`, with other attribute orders or a namespace prefix) and rows
(`<row r=...>`); the shared-string table for what its `count` and
`uniqueCount` claim and the strings it has. The grid a reader builds runs from
A1 to the furthest cell, so that is what counts against the limits.
`<dimension ref=...>` is only recorded (and logged): calamine does not size its
grid by it (a workbook claiming A1:XFD1048576 around one cell reads in
100 MB), so a claim without the cells costs nothing; the cells decide.
"""

from __future__ import annotations

import html
import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache

from etl.inspect import (DAMAGED, NOT_A_TABLE_TEXT, PASSWORD, ZIP_MAGIC, GridScan, Inspection, UnreadableFile,
                         check_grids, number, refuse, size_text)
from etl.limits import Limits

logger = logging.getLogger(__name__)

CHUNK = 1 << 20  # bytes of XML unpacked and scanned at a time
PACKED_PIECE = 1 << 16  # packed bytes fed to zlib at a time
RATIO_FLOOR = 4 << 20  # parts smaller than this when unpacked are not held to the ratio
LONGEST_TAG = 1 << 20  # an unfinished tag longer than this is dropped, not carried to the next chunk
SMALL_PART = 4 << 20  # of workbook.xml and its rels, read to name the sheets


def inspect_zip(data: bytes, limits: Limits) -> Inspection:
    entries, directory_bytes = _directory_size(data)
    if entries > limits.max_zip_entries or directory_bytes > limits.max_zip_entries * 1024:
        raise refuse(f"工作簿内含 {number(entries)} 个部件，超过上限 {number(limits.max_zip_entries)} 个",
                     "max_zip_entries", entries)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception as exc:  # zipfile raises BadZipFile, but also ValueError, struct.error... on damaged input
        logger.info("zip directory unreadable: %r", exc)
        raise UnreadableFile(DAMAGED) from exc
    if len(infos) > limits.max_zip_entries:
        raise refuse(f"工作簿内含 {number(len(infos))} 个部件，超过上限 {number(limits.max_zip_entries)} 个",
                     "max_zip_entries", len(infos))
    _check_is_workbook([info.filename for info in infos])
    report = Inspection("zip", len(data), parts=len(infos))
    sheets, strings = _parts_to_scan(data, infos, limits)
    for info in infos:
        if info.filename in strings:
            scan = _SharedStringScan()
        elif info.filename in sheets:
            scan = _GridScanner(info.filename, sheets[info.filename], limits)
        else:
            scan = None  # unpacked all the same: its size counts
        for chunk in _unpack(data, info, report, limits):
            if scan:
                scan.feed(chunk)
        if isinstance(scan, _SharedStringScan):
            report.shared_strings = max(report.shared_strings, scan.claimed)
            if scan.claimed > limits.max_shared_strings:
                raise refuse(f"共享字符串表声明或含有 {number(scan.claimed)} 条，超过上限 "
                             f"{number(limits.max_shared_strings)} 条", "max_shared_strings", scan.claimed)
        elif scan:
            report.grids.append(scan.grid)
            if scan.grid.dimension:
                logger.debug("%s (%s) declares dimension %s", info.filename, scan.grid.name, scan.grid.dimension)
    check_grids([(g.name, g.rows, g.columns) for g in report.grids], limits)
    cells = sum(g.cells for g in report.grids)
    if cells > limits.max_cells:
        raise refuse(f"单元格共 {number(cells)} 个，超过上限 {number(limits.max_cells)} 个", "max_cells", cells)
    return report


def _directory_size(data: bytes) -> tuple[int, int]:
    """Entries and bytes of the central directory, read from the end record (zip64 too) before zipfile does."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or at + 22 > len(data):
        raise UnreadableFile(DAMAGED)
    entries, directory_bytes = struct.unpack_from("<HL", data, at + 10)
    locator = at - 20
    if (entries == 0xFFFF or directory_bytes == 0xFFFFFFFF) and locator >= 0 \
            and data[locator:locator + 4] == b"PK\x06\x07":
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if data[record:record + 4] == b"PK\x06\x06" and record + 56 <= len(data):
            entries, directory_bytes = struct.unpack_from("<QQ", data, record + 32)
    return entries, directory_bytes


def _check_is_workbook(names: list[str]) -> None:
    lower = {n.lower() for n in names}
    if any(n.startswith("xl/") for n in lower) or "content.xml" in lower:  # .xlsx/.xlsm/.xlsb, or .ods
        return
    if "word/document.xml" in lower:
        raise UnreadableFile(NOT_A_TABLE_TEXT.format(what="Word 文档"))
    if "ppt/presentation.xml" in lower:
        raise UnreadableFile(NOT_A_TABLE_TEXT.format(what="PowerPoint 演示文稿"))
    raise UnreadableFile(NOT_A_TABLE_TEXT.format(what="压缩包"))


def _unpack(data: bytes, info: zipfile.ZipInfo, report: Inspection, limits: Limits) -> Iterator[bytes]:
    """A part's content as it really unpacks, in chunks, from its raw bytes; its header is not believed."""
    if info.flag_bits & 0x1:
        raise UnreadableFile(PASSWORD)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # Excel and WPS write only these
        logger.info("zip part %s packed with method %s", info.filename, info.compress_type)
        raise UnreadableFile(DAMAGED)
    at = info.header_offset
    if data[at:at + 4] != ZIP_MAGIC:
        raise UnreadableFile(DAMAGED)
    name_length, extra_length = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_length + extra_length
    packed = memoryview(data)[start:start + info.compress_size]
    if len(packed) < info.compress_size:
        raise UnreadableFile(DAMAGED)  # cut short
    produced = 0

    def count(chunk: bytes, consumed: int) -> bytes:
        nonlocal produced
        produced += len(chunk)
        report.unpacked += len(chunk)
        if report.unpacked > limits.max_uncompressed_bytes:
            raise refuse(f"工作簿解压后超过 {size_text(limits.max_uncompressed_bytes)} 上限", "max_uncompressed_bytes",
                         report.unpacked)
        if produced > RATIO_FLOOR and produced > limits.max_compression_ratio * max(consumed, 1):
            logger.warning("zip part %s unpacks %d bytes from %d", info.filename, produced, consumed)
            raise refuse(f"工作簿内部件的压缩比超过 {number(limits.max_compression_ratio)}:1 上限",
                         "max_compression_ratio", produced // max(consumed, 1))
        return chunk

    if info.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(packed), CHUNK):
            yield count(bytes(packed[offset:offset + CHUNK]), offset + CHUNK)
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    fed = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                piece = inflater.unconsumed_tail
            elif fed < len(packed):
                piece = packed[fed:fed + PACKED_PIECE]
                fed += len(piece)
            else:
                raise UnreadableFile(DAMAGED)  # the stream stops before its end: a cut-off file
            chunk = inflater.decompress(piece, CHUNK)
            if chunk:
                yield count(chunk, fed - len(inflater.unconsumed_tail))
    except zlib.error as exc:
        logger.info("zip part %s does not inflate: %s", info.filename, exc)
        raise UnreadableFile(DAMAGED) from exc


# An element's tag, with or without a namespace prefix; attributes in any order and quoting.
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
# A reference's letters and digits are kept to 8 and 15 (more is refused all the same), the rest skipped.
_CELL = re.compile(_PREFIX + rb"c(?:\s[^>]*?\br\s*=\s*[\"']\s*([A-Za-z]{1,8})[A-Za-z]*\s*0*(\d{1,15})|(?=[\s/>]))")
_ROW = re.compile(_PREFIX + rb"row(?:\s[^>]*?\br\s*=\s*[\"']\s*0*(\d{1,15})|(?=[\s/>]))")
_DIMENSION = re.compile(_PREFIX + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']{0,64})")
_SST = re.compile(_PREFIX + rb"sst\b([^>]*)>")
_SI = re.compile(_PREFIX + rb"si[\s/>]")
_COUNT_ATTRIBUTE = re.compile(rb"\b(?:count|uniqueCount)\s*=\s*[\"']\s*(\d{1,30})")


class _Chunks:
    """Turns unpacked chunks into runs of whole tags: a tag cut at a chunk's end waits for the next one."""

    def __init__(self) -> None:
        self.tail = b""

    def whole(self, chunk: bytes) -> bytes:
        buf = self.tail + chunk if self.tail else chunk
        cut = buf.rfind(b">") + 1
        rest = buf[cut:]
        lt = rest.rfind(b"<")
        self.tail = rest[lt:] if 0 <= lt and len(rest) - lt <= LONGEST_TAG else b""
        return buf[:cut]


class _GridScanner(_Chunks):
    """Cells, rows and dimension of a worksheet part, chunk by chunk.

    Most chunks hold only cells written `<c r="B12"...`: for those one search
    confirms that no cell names a column beyond the furthest seen so far, nor a
    row beyond what the limits allow for that many columns, and the furthest row
    is taken from the chunk's last cell (cells come in order; one out of order
    can only be short of the limit). No object is made per cell. The first
    chunk with cells, and any chunk with another cell tag (no `r`, attributes in
    another order, a namespace prefix) or a cell beyond those bounds, is scanned
    cell by cell.
    """

    def __init__(self, part: str, name: str | None, limits: Limits) -> None:
        super().__init__()
        self.grid = GridScan(part, name)
        self.limits = limits
        self.first = True

    def feed(self, chunk: bytes) -> None:
        buf = self.whole(chunk)
        if not buf:
            return
        grid = self.grid
        if self.first:
            self.first = False
            found = _DIMENSION.search(buf)
            if found:
                grid.dimension = found.group(1).decode("ascii", "replace")
        at = buf.rfind(_PLAIN_CELL)
        last = _PLAIN_REF.match(buf, at) if at >= 0 else None
        if last is None or not grid.last_column or _OTHER_CELL_TAG.search(buf) or _PREFIXED_CELL.search(buf):
            self._scan_each(buf)
            return
        rows_allowed = max(min(self.limits.max_rows, self.limits.max_cells // grid.last_column), grid.last_row)
        if _beyond(grid.last_column, rows_allowed).search(buf):
            self._scan_each(buf)
            return
        grid.cells += buf.count(_PLAIN_CELL)
        grid.last_row = max(grid.last_row, int(last.group(2)))

    def _scan_each(self, buf: bytes) -> None:
        grid = self.grid
        cells = _CELL.findall(buf)
        if cells:
            grid.cells += len(cells)
            letters = {c for c, _ in cells}
            if b"" in letters:
                grid.cells_without_ref += sum(1 for c, _ in cells if not c)
                letters.discard(b"")
            if letters:
                grid.last_column = max(grid.last_column, max(column_number(c.decode()) for c in letters))
                grid.last_row = max(grid.last_row, max(int(r) for r in {r for _, r in cells} if r))
        rows = _ROW.findall(buf)
        if rows:
            numbered = set(rows)
            if b"" in numbered:
                grid.rows_without_ref += rows.count(b"")
                numbered.discard(b"")
            if numbered:
                grid.last_row_element = max(grid.last_row_element, max(map(int, numbered)))


# The plain form of a cell tag; any other (`<c>`, `<c s="1" r="A1">`, `<c r='A1'`, `<x:c r=...`) is scanned
# cell by cell.
_PLAIN_CELL = b'<c r="'
_PLAIN_REF = re.compile(rb'<c r="([A-Za-z]{1,8})[A-Za-z]*0*(\d{1,15})')
_OTHER_CELL_TAG = re.compile(rb'<c(?! r="[A-Za-z])[\s/>]')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")


@lru_cache(maxsize=64)
def _beyond(column: int, row: int) -> re.Pattern:
    """A plain cell tag naming a column after `column` or a row after `row`."""
    return re.compile(_PLAIN_CELL + b"(?:" + _letters_above(column) + b"|[A-Za-z]+" + _number_above(row) + b")")


def _number_above(n: int) -> bytes:
    """A regex for a decimal number greater than n (leading zeros allowed)."""
    digits = str(n)
    options = [rb"[1-9]\d{%d,}" % len(digits)]
    for i, ch in enumerate(digits):
        if ch != "9":
            rest = len(digits) - i - 1
            options.append(digits[:i].encode() + b"[%d-9]" % (int(ch) + 1) + (rb"\d{%d}" % rest if rest else b""))
    return b"0*(?:" + b"|".join(options) + rb")(?!\d)"


def _letters_above(column: int) -> bytes:
    """A regex for column letters (either case) naming a column after `column` (0: any), then a digit."""
    if column <= 0:
        return rb"[A-Za-z]+\d"
    letters = column_letters(column)
    options = [rb"[A-Za-z]{%d,}" % (len(letters) + 1)]
    for i, ch in enumerate(letters):
        if ch != "Z":
            after = chr(ord(ch) + 1)
            rest = len(letters) - i - 1
            options.append(b"".join(b"[%s%s]" % (c.encode(), c.lower().encode()) for c in letters[:i])
                           + f"[{after}-Z{after.lower()}-z]".encode() + (rb"[A-Za-z]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(options) + rb")\d"


class _SharedStringScan(_Chunks):
    def __init__(self) -> None:
        super().__init__()
        self.claimed = 0
        self.strings = 0
        self.header_seen = False

    def feed(self, chunk: bytes) -> None:
        buf = self.whole(chunk)
        if not self.header_seen:
            found = _SST.search(buf)
            if found:
                self.header_seen = True
                for value in _COUNT_ATTRIBUTE.findall(found.group(1)):
                    self.claimed = max(self.claimed, int(value))
        if b":si" in buf:  # a namespace prefix
            self.strings += len(_SI.findall(buf))
        else:
            self.strings += buf.count(b"<si>") + buf.count(b"<si ") + buf.count(b"<si/")
        self.claimed = max(self.claimed, self.strings)


def column_number(letters: str) -> int:
    """A1-style column letters to a number: A = 1, Z = 26, AA = 27, XFD = 16384 (any case)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """A column number to its letters: 1 = A, 27 = AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(sheet|Relationship)\s([^>]*)>")
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _parts_to_scan(data: bytes, infos: list[zipfile.ZipInfo], limits: Limits) -> tuple[dict[str, str | None], set[str]]:
    """The worksheet parts (-> the sheet's name, when the workbook says) and the shared-string parts.

    Worksheets are the parts under xl/worksheets/ and those the workbook's
    relationships point to; xl/workbook.xml and its rels are read first (up to
    4 MiB each; they are small) to name them.
    """
    small = {}
    for info in infos:
        if info.filename.lower() in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            pieces, kept = [], 0
            for chunk in _unpack(data, info, Inspection("zip", len(data)), limits):
                pieces.append(chunk)
                kept += len(chunk)
                if kept >= SMALL_PART:
                    break
            small[info.filename.lower()] = b"".join(pieces)
    targets, kinds = {}, {}
    for tag, attributes in _TAG.findall(small.get("xl/_rels/workbook.xml.rels", b"")):
        values = _attributes(attributes)
        if tag == b"Relationship" and "Id" in values and "Target" in values:
            target = values["Target"]
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[values["Id"]], kinds[values["Id"]] = target, values.get("Type", "").rsplit("/", 1)[-1]
    named = {}
    for tag, attributes in _TAG.findall(small.get("xl/workbook.xml", b"")):
        values = _attributes(attributes)
        rid = next((v for k, v in values.items() if k == "id" or k.endswith(":id")), None)
        if tag == b"sheet" and rid in targets and "name" in values:
            named[targets[rid].lower()] = values["name"]
    sheet_targets = {t.lower() for rid, t in targets.items() if kinds[rid] == "worksheet"}
    strings_targets = {t.lower() for rid, t in targets.items() if kinds[rid] == "sharedStrings"}
    sheets, strings = {}, set()
    for info in infos:
        lower = info.filename.lower()
        if lower in strings_targets or lower.endswith("sharedstrings.xml"):
            strings.add(info.filename)
        elif lower in sheet_targets or (lower.startswith("xl/worksheets/") and lower.endswith(".xml")):
            sheets[info.filename] = named.get(lower)
    return sheets, strings


def _attributes(text: bytes) -> dict[str, str]:
    return {key.decode("utf-8", "replace"): html.unescape((double or single).decode("utf-8", "replace"))
            for key, double, single in _ATTRIBUTE.findall(text)} if text else {}
