"""The one way data reaches a viewer: every read, export and raw file goes through here with an actor.

A read is the actor's: the query runs for the actor's view scope (the SQL
keeps to `units_in_scope`, which covers nothing for a missing scope), and
personal fields are masked unless the actor may see personal data. No actor,
no data. Pages, downloads and problem reports all come through these
functions, so no page or future capability can forget the viewer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import cache

import polars as pl

from league import personal_ids, queries
from league.access import Actor
from league.db import Database
from league.personal_ids import mask_id


# Whom to call about a unit's report (unit_contacts): personal like the ledger's contacts.
UNIT_CONTACT_FIELDS = frozenset({"contact_name", "contact_phone"})
# A named query shows a roster member's name as member_name: a bare `name` column is a unit's or a user's.
QUERY_COLUMN_OF = {"name": "member_name"}


class AccessDenied(PermissionError):
    """The actor may not do this; the message is for the user, in Chinese."""


@cache
def personal_fields() -> frozenset[str]:
    """Fields the data contract marks `personal`, over every kind of sheet."""
    from etl.contract import contract

    contract_fields = {f.name for kind in contract().kinds.values() for f in kind.fields if f.personal}
    return frozenset(contract_fields | UNIT_CONTACT_FIELDS)


@cache
def id_number_kinds() -> frozenset[str]:
    """Kinds of sheet whose files, as received, hold full ID numbers."""
    from etl.contract import contract

    return frozenset(k.name for k in contract().kinds.values() if any(f.type == "id_number" for f in k.fields))


def mask_phone(value: str | None) -> str | None:
    """138****5678: the first three and last four digits of a long number, else all but the last digit hidden."""
    if value is None or value == "":
        return value
    text = str(value)
    if len(text) >= 8:
        return text[:3] + "****" + text[-4:]
    return "*" * (len(text) - 1) + text[-1:]


def mask_name(value: str | None) -> str | None:
    """张**: the first character, the rest hidden."""
    if value is None or value == "":
        return value
    text = str(value)
    return text[:1] + "*" * max(len(text) - 1, 1)


def mask(field: str, value):
    """A personal field's value as it may be shown to someone who may not see it."""
    if field == "id_number":
        return mask_id(value)
    return mask_phone(value) if re.search("phone", field) else mask_name(value)


def personal_columns() -> dict[str, str]:
    """The personal columns of a named query's frame -> the field each holds."""
    return {QUERY_COLUMN_OF.get(f, f): f for f in personal_fields()}


def personal_labels(kind) -> dict[str, str]:
    """A frame in one kind's field names (an upload's rows): its personal columns -> themselves."""
    return {f.name: f.name for f in kind.fields if f.personal}


def masked(frame: pl.DataFrame, actor: Actor, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """The frame with its personal columns masked, unless the actor may see personal data.

    `labels` names the columns under another name (a problem report's headers).
    """
    if actor.can("see_personal"):
        return frame
    columns = {**personal_columns(), **(labels or {})}
    hidden = [(column, field) for column, field in columns.items()
              if field in personal_fields() and column in frame.columns]
    return frame.with_columns(
        pl.col(column).cast(pl.String).map_elements(lambda v, f=field: mask(f, v), return_dtype=pl.String)
        for column, field in hidden
    )


def masked_check(problems: list, table, actor: Actor) -> tuple[list, object]:
    """A checked upload's problems and sheet as the actor may see them: what the file holds in a
    personal column masked in the problem list, its messages and the marked copy of the sheet.

    `table` is the upload's etl.locate.Table (or None); its headers say which columns are personal.
    """
    if actor.can("see_personal") or table is None:
        return problems, table
    personal = {header: field for field, header in table.headers.items() if field in personal_fields()}
    hidden = []
    for problem in problems:
        field = personal.get(problem.column or "")
        if field is None or not problem.values:
            hidden.append(problem)
            continue
        message = problem.message
        for value in problem.values:
            message = message.replace(str(value), mask(field, str(value)) or "")
        hidden.append(dataclasses.replace(problem, message=message,
                                          values=[mask(field, str(v)) for v in problem.values]))
    grid_columns = {table.header_columns[header]: field for header, field in personal.items()
                    if header in table.header_columns}
    body = pl.int_range(pl.len()) >= table.header_row  # grid row i is Excel row i + 1
    grid = table.grid.with_columns(
        pl.when(body).then(pl.col(column).cast(pl.String).map_elements(
            lambda v, f=field: mask(f, v), return_dtype=pl.String)).otherwise(pl.col(column).cast(pl.String))
        for column, field in grid_columns.items()
    )
    rows = masked(table.rows, actor, personal_labels(table.kind))
    return hidden, dataclasses.replace(table, grid=grid, rows=rows)


def _require(actor: Actor | None, action: str, unit_path: str | None = None) -> Actor:
    if actor is None:
        raise AccessDenied("请先登录。")
    if not actor.can(action, unit_path):
        raise AccessDenied("您的账号没有这项权限。")
    return actor


def read(db: Database, actor: Actor | None, query: Callable[..., pl.DataFrame], *args, **filters) -> pl.DataFrame:
    """A named query of league.queries run for the actor: their view scope, their fields."""
    actor = _require(actor, "view")
    frame = masked(query(db, actor.view_scope, *args, **filters), actor)
    return personal_ids.revealed(frame, db.data_dir, actor.can("see_personal"))


def unit_path(db: Database, unit: str | None) -> str | None:
    return db.scalar("select path from units where name = ?", [unit]) if unit else None


def submittable_units(db: Database, actor: Actor | None) -> list[str]:
    """The reporting units the actor may upload a ledger for, in the tree's order."""
    if actor is None or not actor.can("submit"):
        return []
    return db.query("select name from units_in_scope(?) order by path", [actor.submit_scope])["name"].to_list()


def raw_file(db: Database, actor: Actor | None, sha256: str) -> bytes | None:
    """A received file as it arrived, if it is one of the actor's view scope (None when only its hash was kept)."""
    from etl.load import read_raw_file

    actor = _require(actor, "view")
    visible = read(db, actor, queries.received_files, limit=None)
    if sha256 not in set(visible["sha256"]):
        raise AccessDenied("这个文件不在您的查看范围内。")
    sent = visible.filter(pl.col("sha256") == sha256)
    if not actor.can("see_personal") and sent["kind"].is_in(list(id_number_kinds())).any() and not any(
            actor.can("submit", unit_path(db, unit)) for unit in sent["unit"].drop_nulls()):
        raise AccessDenied("这个文件含有完整的公民身份号码，只有可查看个人信息的账号或报送单位本身可以下载原件。")
    with db.connect() as con:
        return read_raw_file(con, db.data_dir, sha256)
