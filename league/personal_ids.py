"""Citizen ID numbers (公民身份号码): stored so they can be matched, never shown in full but to a role allowed.

A roster row keeps three things for an ID number, never the number itself:
`id_hash`, a keyed hash (HMAC-SHA256) that matches the same person across
files without revealing the number; `id_masked`, the number as everyone may
see it (4101**********123X); and `id_sealed`, the number encrypted (Fernet:
AES-128 in CBC mode with an HMAC) so that a role allowed to see personal data
can be shown it. The key is a file beside the database (or at
$LEAGUE_DASHBOARD_ID_KEY), readable by its owner only: a copy of the database
without the key reveals no number. Losing the key loses the full numbers, not
the dashboard's figures (they use the hash only within one key's life).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from functools import cache
from pathlib import Path

import polars as pl
from cryptography.fernet import Fernet, InvalidToken

KEY_FILE = "id-key"
KEY_ENV = "LEAGUE_DASHBOARD_ID_KEY"
SEALED_COLUMNS = {"id_number": "id_sealed"}  # a query's shown column -> the sealed value behind it


def key_path(data_folder: Path) -> Path:
    return Path(os.environ.get(KEY_ENV) or Path(data_folder) / KEY_FILE)


@cache
def _keys(path: Path) -> tuple[bytes, Fernet]:
    """(hash key, cipher) from the key file, written once (owner-only) when there is none."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        content = json.dumps({"hash": secrets.token_hex(32), "seal": Fernet.generate_key().decode()})
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as f:
                f.write(content)
    stored = json.loads(path.read_text(encoding="utf-8"))
    return bytes.fromhex(stored["hash"]), Fernet(stored["seal"].encode())


def mask_id(value: str | None) -> str | None:
    """4101**********123X: the first four and last four characters, the rest hidden."""
    if value is None or value == "":
        return value
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def id_hash(data_folder: Path, number: str) -> str:
    hash_key, _ = _keys(key_path(data_folder))
    return hmac.new(hash_key, number.encode(), hashlib.sha256).hexdigest()


def seal(data_folder: Path, number: str) -> str:
    return _keys(key_path(data_folder))[1].encrypt(number.encode()).decode()


def unseal(data_folder: Path, token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return _keys(key_path(data_folder))[1].decrypt(token.encode()).decode()
    except InvalidToken:  # sealed under another key (a restored database without its key file)
        return None


def sealed_rows(rows: pl.DataFrame, data_folder: Path, column: str = "id_number") -> pl.DataFrame:
    """Rows with their ID numbers replaced by id_hash, id_masked and id_sealed, as roster_rows stores them."""
    numbers = rows[column].to_list()
    return rows.drop(column).with_columns(
        id_hash=pl.Series([None if n is None else id_hash(data_folder, n) for n in numbers], dtype=pl.String),
        id_masked=pl.Series([mask_id(n) for n in numbers], dtype=pl.String),
        id_sealed=pl.Series([None if n is None else seal(data_folder, n) for n in numbers], dtype=pl.String),
    )


def revealed(frame: pl.DataFrame, data_folder: Path, allowed: bool) -> pl.DataFrame:
    """A query's frame as a viewer sees it: the full number in place of the masked one where `allowed`,
    and the sealed values dropped always."""
    for shown, sealed in SEALED_COLUMNS.items():
        if sealed not in frame.columns:
            continue
        if allowed and shown in frame.columns:
            frame = frame.with_columns(pl.col(sealed).map_elements(
                lambda token: unseal(data_folder, token), return_dtype=pl.String).alias(shown))
        frame = frame.drop(sealed)
    return frame

