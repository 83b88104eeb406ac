"""Which field each column of a table is, read from its header by meaning, as a careful reader reads it.

A header names a field with one of three certainties:
  exact    it is a spelling listed for the field in contract.toml (after normalising);
  meaning  it says what the field's declaration says (`means`) and nothing that rules
           the field out (`not`): "在册团员人数" is the member count, "青年团员数" is not;
  similar  it is a near spelling (a typo) of a listed one, by rapidfuzz's plain ratio.
Under a two-row header a sub-header is read with the label of its group
("团组织" over "类型", "建立时间"), as a reader does.

Fields are assigned over the whole header row, the most certain first, one
column per field. A header that could name two fields, or two headers that
could name one field, is not guessed: the column is left for the person to
say (`--map 'HEADER=field'` on the command line, the upload page's mapping
step), and the field it might be counts as not found.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from etl.contract import Kind, contract, header_keys
from etl.report import Problem

EXACT, MEANING, SIMILAR = 3, 2, 1
HOW = {EXACT: "exact", MEANING: "meaning", SIMILAR: "similar"}
# How each header was read, in the words shown to a person (the CLI's --json keeps the English).
HOW_WORDS = {"mapped": "按指定", "exact": "列名一致", "meaning": "按含义识别", "similar": "近似列名",
             "set_aside": "按指定不读取", "unplaced": "无法识别", "ambiguous": "有歧义"}
SIMILAR_CUTOFF = 85  # fuzz.ratio: a slip of the keyboard, not another header that shares words
SIMILAR_MIN_LENGTH = 4  # two- and three-character headers are too short to call a typo
GROUP_LABEL_MAX = 16  # text above a header longer than this is a title, not the label of a group
NOT_A_HEADER = re.compile(r"^[\d\s.,:/\-年月日]*$")  # numbers and dates are data, never a header
SET_ASIDE = ""  # the field an override gives a column that is not to be read
NAMED_AT_MOST = 20  # columns named in one message; a sheet of hundreds of odd columns gets a count


@dataclass(frozen=True)
class HeaderCell:
    """One column's header: its own text and the label of the group above it, if any."""

    column: str  # the grid column, c0, c1, ...
    own: str
    group: str = ""

    @property
    def written(self) -> str:
        """The header as a person reads it: the group's label and the column's own words."""
        return f"{self.group}{self.own}" if self.group and self.own else (self.own or self.group)

    def keys(self) -> set[str]:
        return {k for text in (self.written, self.own) if text for k in header_keys(text)}


@dataclass(frozen=True)
class Reading:
    """How one column was read."""

    column: str
    header: str  # as written
    field: str | None
    how: str  # mapped, exact, meaning, similar; set_aside, unplaced (names no field), ambiguous
    candidates: tuple[str, ...] = ()  # the fields an ambiguous header could be

    def to_json(self) -> dict:
        return {"header": self.header, "field": self.field, "how": self.how, "candidates": list(self.candidates)}


@lru_cache(maxsize=65536)
def _candidates(kind_name: str, text: str, similar: bool) -> dict[str, int]:
    """The fields a header text could name, each with how certainly; only the most certain level is kept."""
    if not text or NOT_A_HEADER.match(text):
        return {}
    kind = contract().kinds[kind_name]
    keys = header_keys(text)
    index = kind.header_index
    exact = {index[k]: EXACT for k in keys if k in index}
    if exact:
        return exact
    meant = dict.fromkeys(kind.fields_meant_by(keys), MEANING)
    if meant or not similar or len(keys[-1]) < SIMILAR_MIN_LENGTH:
        return meant
    found = process.extract(keys[-1], list(index), scorer=fuzz.ratio, score_cutoff=SIMILAR_CUTOFF, limit=None)
    # A near spelling is still ruled out by the field's `not` words: 团组织名称 is not 组织名称 misspelt.
    found = [(index[s], score) for s, score, _ in found if not kind.field(index[s]).rules_out(keys[-1])]
    best = max((score for _, score in found), default=None)
    return {name: SIMILAR for name, score in found if score == best}


def column_candidates(kind: Kind, cell: HeaderCell, similar: bool = True) -> dict[str, int]:
    """A column's candidate fields, reading a sub-header within its group where that says more.

    "类型" alone is the organisation's type; under "团组织情况" it is the league
    organisation's kind. A sub-header that is a listed spelling stands on its own
    unless its group's label points to another field.
    """
    if not (cell.group and cell.own):
        return _candidates(kind.name, cell.written, similar)
    together = _candidates(kind.name, cell.written, similar=False)
    alone = _candidates(kind.name, cell.own, similar=False)
    if EXACT in together.values():
        return together
    if EXACT in alone.values() and (not together or set(alone) & set(together)):
        return alone
    return together or alone or _candidates(kind.name, cell.written, similar)


def _override(cell: HeaderCell, overrides: dict[str, str]) -> str | None:
    return next((overrides[k] for k in cell.keys() if k in overrides), None)


def read_headers(kind: Kind, cells: list[HeaderCell], overrides: dict[str, str] | None = None,
                 similar: bool = True) -> list[Reading]:
    """Assign fields to the columns of one header row (see the module's docstring).

    `overrides` maps a normalised header (contract.header_key) to the field the
    person says it is, or to SET_ASIDE for a column not to be read.
    """
    overrides = overrides or {}
    readings: dict[str, Reading] = {}
    open_fields = {f.name for f in kind.fields}
    for cell in cells:
        target = _override(cell, overrides)
        if target is not None:
            readings[cell.column] = Reading(cell.column, cell.written, target or None,
                                            "mapped" if target else "set_aside")
            open_fields.discard(target)
    options = {c.column: column_candidates(kind, c, similar) for c in cells if c.column not in readings}
    written = {c.column: c.written for c in cells}
    contested: set[str] = set()
    for level in (EXACT, MEANING, SIMILAR):
        while True:
            claims = defaultdict(list)
            for column, found in options.items():
                at_level = [f for f, how in found.items() if how == level and f in open_fields]
                if column not in readings and len(at_level) == 1:
                    claims[at_level[0]].append(column)
            placed = [(field, columns[0]) for field, columns in claims.items() if len(columns) == 1]
            contested |= {field for field, columns in claims.items() if len(columns) > 1}
            for field, column in placed:
                readings[column] = Reading(column, written[column], field, HOW[level])
                open_fields.discard(field)
            if not placed:
                break
        open_fields -= contested
    for column, found in options.items():
        if column not in readings:
            could_be = tuple(f for f in found if f in open_fields or f in contested)
            unclear = len(could_be) > 1 or bool(set(could_be) & contested)
            readings[column] = Reading(column, written[column], None, "ambiguous" if unclear else "unplaced",
                                       could_be if unclear else ())
    return [_named_as_seen(r, cell, cells, kind) for r, cell in ((readings[c.column], c) for c in cells)]


def _named_as_seen(reading: Reading, cell: HeaderCell, cells: list[HeaderCell], kind: Kind) -> Reading:
    """Name a column by the words in its own cell, as a person finds it in the file, where they are
    enough: "建团日期" under "团组织情况"; but "团组织类型" for a "类型" under "团组织"."""
    if not cell.group or not cell.own or sum(c.own == cell.own for c in cells) > 1:
        return reading
    if reading.field and reading.field not in _candidates(kind.name, cell.own, similar=False):
        return reading
    return Reading(reading.column, cell.own, reading.field, reading.how, reading.candidates)


def header_cells(columns: list[str], upper: tuple, lower: tuple | None) -> list[HeaderCell]:
    """The header cells of one row, or of two rows where labels above group the columns below.

    A merged group label carries its text only in the first column it spans, so
    it is carried right over the columns with a sub-header and nothing above;
    a header merged down two rows has text above and nothing below.
    """
    cells, group = [], ""
    for i, column in enumerate(columns):
        top = _text(upper[i])
        own = _text(lower[i]) if lower is not None else ""
        if lower is None or not (top or own):
            group = ""
            if top:
                cells.append(HeaderCell(column, top))
        elif top and own:
            group = top if len(top) <= GROUP_LABEL_MAX else ""
            cells.append(HeaderCell(column, own, group))
        elif top:
            group = ""
            cells.append(HeaderCell(column, top))
        else:
            cells.append(HeaderCell(column, own, group))
    return cells


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def column_problems(kind: Kind, readings: list[Reading], sheet: str, header_row: int) -> list[Problem]:
    """A template column not found is never passed over: the file is queried, naming what is missing
    and the headers that could not be placed; columns set aside are listed."""
    labels = {f.name: f.label for f in kind.fields}
    placed = {r.field for r in readings if r.field}
    missing = [f for f in kind.loaded_fields if f.name not in placed]
    unclear = [r for r in readings if r.how in ("unplaced", "ambiguous")]
    # An absent column that may be left out is asked about only where some header could be it.
    asked = [f for f in missing if not f.absent_ok] or ([f for f in missing if not f.optional] if unclear else [])

    def described(r: Reading) -> str:
        if r.how == "ambiguous":
            return f"“{r.header}”列可能是" + "或".join(f"“{labels[f]}”" for f in r.candidates)
        return f"“{r.header}”列无法识别"

    problems = []
    if asked:
        text = "未找到" + "、".join(f"“{f.label}”" for f in asked) + "列"
        if unclear:
            text += "；" + "；".join(described(r) for r in unclear[:NAMED_AT_MOST])
            text += f" 等共 {len(unclear)} 列无法识别" if len(unclear) > NAMED_AT_MOST else ""
        problems.append(Problem(
            "error", "column_missing",
            text + "。请把列名改成模板中的写法，或说明哪一列是哪一项"
            "（上传页面的“列的识别”；命令行用 --map '表头=字段'），然后重新检查。",
            sheet=sheet, rows=[header_row]))
    elif missing:
        problems.append(Problem("warning", "column_missing",
                                "文件中没有" + "、".join(f"“{f.label}”" for f in missing) + "列，这些项按空白载入。",
                                sheet=sheet, rows=[header_row]))
    aside = [r for r in readings if r.field is None]
    if aside and not asked:
        names = "；".join(described(r) if r.how == "ambiguous" else f"“{r.header}”" for r in aside[:NAMED_AT_MOST])
        names += f" 等共 {len(aside)} 列" if len(aside) > NAMED_AT_MOST else ""
        problems.append(Problem(
            "warning", "unknown_columns",
            f"以下列不是模板中的列，已原样保存但不参与统计：{names}。如其中有模板中的列，"
            "请改用模板列名，或在“列的识别”中指定它是哪一项。", sheet=sheet, rows=[header_row]))
    return problems
