"""The schema: migrations in order, then the views and macros (code, made again when the checkout's differ).

A DuckDB file applies its pending migrations in the writing transaction of
`Database.migrate`. A new DuckLake store cannot hold what some migrations
make (keys, sequences), so every migration is applied to an in-memory catalog
beside it first (`migrate_scratch`) and the tables are copied
(league.store.copy_tables); a store made by an older release is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from league import store

SQL_DIR = Path(__file__).parent / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
# Views and macros are code, not data: replaced at a start whenever the checkout's differ (make_views).
VIEW_FILES = ("staging.sql", "rules.sql", "marts.sql", "flags.sql", "flags_unit_month.sql", "youth_voice_questions.sql",
              "flags_raised.sql", "members.sql", "circular_targets.sql")
SCRATCH_CATALOG = "scratch"  # where a new DuckLake store's schema is built first


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("select count(*) from duckdb_tables() where database_name = current_database()"
                       " and schema_name = 'main' and table_name = ?", [name]).fetchone()[0] > 0


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    done = {v for (v,) in con.execute("select version from schema_migrations").fetchall()}
    return [path.stem for path in sorted(MIGRATIONS_DIR.glob("*.sql")) if int(path.name.split("_", 1)[0]) not in done]


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the pending migrations to the current catalog; returns their names."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null,"
        " applied_at timestamp not null default current_timestamp)"
    )
    pending = pending_migrations(con)
    for name in pending:
        con.execute((MIGRATIONS_DIR / f"{name}.sql").read_text(encoding="utf-8"))
        con.execute("insert into schema_migrations (version, name) values (?, ?)", [int(name.split("_", 1)[0]), name])
    return pending


def make_views(con: duckdb.DuckDBPyConnection) -> None:
    """The checkout's views and macros, made unless the database holds these already (migration 016)."""
    code = [(SQL_DIR / name).read_text(encoding="utf-8") for name in VIEW_FILES]
    sha256 = hashlib.sha256("\0".join(code).encode("utf-8")).hexdigest()
    if con.execute("select any_value(sha256) from view_code").fetchone()[0] == sha256:
        return
    for text in code:
        con.execute(text)
    con.execute("delete from view_code")
    con.execute("insert into view_code values (?)", [sha256])


def migrate_scratch(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every migration applied to a new in-memory catalog `scratch`, the schema a new DuckLake store copies."""
    con.execute(f"attach ':memory:' as {SCRATCH_CATALOG}")
    con.execute(f"use {SCRATCH_CATALOG}")
    try:
        return apply_migrations(con)
    finally:
        con.execute(f"use {store.LAKE_CATALOG}")


def refuse_pending(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A DuckLake store made by an older release: its tables lack what a migration since would have made."""
    if pending := pending_migrations(con):
        raise store.StoreMisconfigured(f"DuckLake 存储的结构早于本程序（缺少 {'、'.join(pending)}）；"
                                       "请用 python -m etl migrate-store 迁入一个新的存储。")
    return []
