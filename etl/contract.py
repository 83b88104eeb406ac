"""The data contract, loaded from contract.toml: kinds of sheet, their fields, and header spellings."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CONTRACT_FILE = Path(__file__).with_name("contract.toml")

# Brackets, spaces, stars marking required columns and other decoration people
# put around header text; none of it changes which column is meant.
_HEADER_NOISE = re.compile(r"[\s()\[\]{}<>【】〔〕〈〉《》*＊:：、,，.。\"'“”‘’_\-—]")


def header_key(text: str | None) -> str:
    """The form in which header spellings are compared."""
    if text is None:
        return ""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(text))).lower()


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    headers: tuple[str, ...]

    @property
    def label(self) -> str:
        """The template's header, used to name the field to users."""
        return self.headers[0]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def loaded_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.type != "ignore")

    @property
    def header_index(self) -> dict[str, str]:
        """Normalised header spelling -> field name."""
        return {header_key(h): f.name for f in self.fields for h in f.headers}


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


@cache
def contract() -> Contract:
    raw = tomllib.loads(CONTRACT_FILE.read_text(encoding="utf-8"))
    kinds = {
        name: Kind(
            name=name,
            label=spec["label"],
            key=tuple(spec["key"]),
            fields=tuple(
                Field(f["name"], f["type"], f.get("required", False), tuple(f["headers"]))
                for f in spec["fields"]
            ),
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
    )
