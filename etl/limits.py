"""The limits a submitted file must keep (settings in limits.toml, explained there)."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LIMITS_FILE = Path(__file__).with_name("limits.toml")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    max_shared_strings: int
    max_zip_entries: int
    worker_memory_bytes: int
    worker_seconds: float
    max_workers: int

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"limit {f.name} must be a positive number, not {value!r}")

    @classmethod
    def default(cls) -> Limits:
        """The limits of etl/limits.toml, read once."""
        return _default()

    @classmethod
    def from_toml(cls, path: Path) -> Limits:
        return cls.from_dict(tomllib.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, values: dict) -> Limits:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown, missing = sorted(set(values) - names), sorted(names - set(values))
        if unknown or missing:
            raise ValueError(f"limits: unknown keys {unknown}, missing keys {missing}")
        return cls(**values)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@cache
def _default() -> Limits:
    return Limits.from_toml(LIMITS_FILE)
