"""The data contract, loaded from contract.toml: kinds of sheet, their fields, and header spellings."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

import polars as pl

CONTRACT_FILE = Path(__file__).with_name("contract.toml")

# Brackets, spaces, stars marking required columns and other decoration people
# put around header text; none of it changes which column is meant.
_HEADER_NOISE = re.compile(r"[\s()\[\]{}<>【】〔〕〈〉《》*＊:：、,，.。\"'“”‘’_\-—]")


# A hint in brackets after the header's words: 从业人员数（人）, 建团日期（年/月/日）, 所在园区【无则空白】.
_BRACKETED_HINT = re.compile(r"[(\[【〔〈<《][^)\]】〕〉>》]*[)\]】〕〉>》]")


def header_key(text: str | None) -> str:
    """The form in which header spellings are compared."""
    if text is None:
        return ""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(text))).lower()


# Full-width ASCII (ＡＢＣ１２３（）：) and the ideographic space, and their half-width forms: what
# NFKC changes in what people type, at a fifth of its cost on a column.
FULL_WIDTH = [chr(c + 0xFEE0) for c in range(0x21, 0x7F)] + ["\u3000"]
HALF_WIDTH = [chr(c) for c in range(0x21, 0x7F)] + [" "]


def fold_width(text: pl.Expr) -> pl.Expr:
    """Full-width letters, digits, punctuation and spaces to half-width, on a whole column."""
    return text.str.replace_many(FULL_WIDTH, HALF_WIDTH)


def width_variants(words) -> list[str]:
    """Each word as typed in half-width or full-width, upper or lower case: for exact matching without folding."""
    return sorted({form for w in words for case in (w.upper(), w.lower()) for form in (case, _widen(case))})


def _widen(word: str) -> str:
    return "".join(FULL_WIDTH[HALF_WIDTH.index(ch)] if ch in HALF_WIDTH else ch for ch in word)


@lru_cache(maxsize=4096)
def header_keys(text: str) -> tuple[str, ...]:
    """The keys a written header is looked up by: as written, then without bracketed hints."""
    full = header_key(text)
    bare = header_key(_BRACKETED_HINT.sub("", unicodedata.normalize("NFKC", text)))
    return (full, bare) if bare and bare != full else (full,)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    headers: tuple[str, ...]
    means: tuple[tuple[re.Pattern, ...], ...] = ()  # ways of saying it; each a set of parts that must all be there
    excludes: re.Pattern | None = None  # words that rule the field out
    absent_ok: bool = False  # a file may leave the column out
    optional: bool = False  # ... even beside columns that name no field (absent_ok asks then)
    personal: bool = False  # about a person: masked for viewers who may not see personal data

    def rules_out(self, key: str) -> bool:
        """Whether a normalised header says something that rules this field out."""
        return self.excludes is not None and bool(self.excludes.search(key))

    def meant_by(self, key: str) -> bool:
        """Whether a normalised header says what this field's declaration says, and nothing ruling it out."""
        return not self.rules_out(key) and any(all(part.search(key) for part in clause) for clause in self.means)

    @property
    def label(self) -> str:
        """The template's header, used to name the field to users."""
        return self.headers[0]


@dataclass(frozen=True)
class Kind:
    """A kind of sheet, declared once in contract.toml: its fields and key, the table its rows land in,
    what one submission of it replaces (`slot`), who may send it (`permission`, an access action) and the
    validation rules it is held to (etl.validate, by name)."""

    name: str
    label: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    table: str = ""
    slot: str = "sheet"  # unit_month: a unit's month (ledger); unit: a unit's (roster); pack; sheet: the file
    permission: str = "submit"
    rules: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def loaded_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.type != "ignore")

    @cached_property
    def header_index(self) -> dict[str, str]:
        """Normalised header spelling -> field name."""
        return {header_key(h): f.name for f in self.fields for h in f.headers}

    @cached_property
    def meaning_words(self) -> re.Pattern:
        """Any clause's first part, of any field: a header matching none means no field (most data cells,
        which the header search reads too, are ruled out by this one search)."""
        return re.compile("|".join(f"(?:{clause[0].pattern})" for f in self.fields for clause in f.means) or "(?!)")

    def fields_meant_by(self, keys: tuple[str, ...]) -> list[str]:
        """The fields, in declared order, whose declaration one of the normalised headers says (Field.meant_by)."""
        keys = tuple(k for k in keys if self.meaning_words.search(k))
        return [f.name for f in self.fields if any(f.meant_by(k) for k in keys)] if keys else []

    def field_named(self, text: str) -> Field | None:
        """The field a person means by a name: its identifier, its template header or a listed spelling."""
        by_name = next((f for f in self.fields if f.name == text), None)
        index = self.header_index
        return by_name or next((self.field(index[k]) for k in header_keys(text) if k in index), None)


@dataclass(frozen=True)
class Contract:
    kinds: dict[str, Kind]
    categories: dict[str, tuple[str, ...]]
    category_synonyms: dict[str, dict[str, str]]
    pathways: dict[int, str]
    true_words: frozenset[str]
    false_words: frozenset[str]
    total_markers: tuple[str, ...]
    note_prefixes: tuple[str, ...]
    count_suffixes: tuple[str, ...]
    blank_placeholders: tuple[str, ...]


@cache
def contract() -> Contract:
    raw = tomllib.loads(CONTRACT_FILE.read_text(encoding="utf-8"))
    kinds = {
        name: Kind(
            name=name,
            label=spec["label"],
            key=tuple(spec["key"]),
            fields=tuple(_field(f) for f in spec["fields"]),
            table=spec["table"],
            slot=spec["slot"],
            permission=spec["permission"],
            rules=tuple(spec["rules"]),
        )
        for name, spec in raw["kinds"].items()
    }
    return Contract(
        kinds=kinds,
        categories={k: tuple(v) for k, v in raw["categories"].items()},
        category_synonyms=raw.get("category_synonyms", {}),
        pathways={int(k): v for k, v in raw["pathways"].items()},
        true_words=frozenset(raw["booleans"]["true"]),
        false_words=frozenset(raw["booleans"]["false"]),
        total_markers=tuple(raw["layout"]["total_markers"]),
        note_prefixes=tuple(raw["layout"]["note_prefixes"]),
        count_suffixes=tuple(raw["layout"]["count_suffixes"]),
        blank_placeholders=tuple(unicodedata.normalize("NFKC", p).upper() for p in raw["layout"]["blank_placeholders"]),
    )


def _field(spec: dict) -> Field:
    def clause(text: str) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(part.strip()) for part in text.split(" + "))

    excludes = spec.get("not", [])
    return Field(spec["name"], spec["type"], spec.get("required", False), tuple(spec["headers"]),
                 means=tuple(clause(c) for c in spec.get("means", [])),
                 excludes=re.compile("|".join(map(re.escape, excludes))) if excludes else None,
                 absent_ok=spec.get("absent_ok", False) or spec.get("optional", False),
                 optional=spec.get("optional", False), personal=spec.get("personal", False))


# What to write in a column of each type: the template's guide and the loader's messages say the same.
HOW_TO_FILL = {
    "text": "文字",
    "unit": "报送单位全称",
    "district": "区县全称，如“东湖区”",
    "uscc": "18 位统一社会信用代码",
    "bool": "“是”或“否”（也可填 有/无、√/×、Y/N、1/0）",
    "int": "不小于 0 的整数，如 12",
    "date": "日期，如 2025-05-03",
    "datetime": "日期和时间，如 2025-05-03 14:30",
    "month": "月份，如 2025-03",
    "year": "四位年份，如 2025",
    "phone": "手机号或固定电话，如 13812345678、021-12345678",
    "id_number": "18 位公民身份号码，末位可为 X",
    "member_no": "团员编号（数字），如 360102250001",
    "ignore": "可不填，系统不读取",
}


def how_to_fill(field: Field) -> str:
    if field.type == "category":
        return "以下之一：" + "、".join(contract().categories[field.name])
    if field.type == "pathway":
        return "建团路径编号 1–11：" + "；".join(f"{n} {name}" for n, name in contract().pathways.items())
    return HOW_TO_FILL[field.type]
