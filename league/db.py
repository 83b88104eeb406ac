"""The one gateway to DuckDB: connections, migrations and the single write path.

DuckDB lets only one process hold a database file at a time, and the app, the
command line and a second browser session may all want it. So nothing keeps a
connection open: each unit of work takes an inter-process file lock, opens the
file, does its work and closes it again (about 10 ms of overhead). A writer
therefore never sees another writer half-way, readers never see a partial
write, and a process that cannot get the lock in time is told to retry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
from filelock import FileLock, Timeout

from league import flags

SQL_DIR = Path(__file__).parent / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
# Views and macros are code, not data: they are replaced on every start.
VIEW_FILES = ("staging.sql", "rules.sql", "flags.sql", "flags_unit_month.sql", "youth_voice_questions.sql",
              "flags_raised.sql", "members.sql", "circular_targets.sql")
LOCK_TIMEOUT_SECONDS = 60


class DatabaseBusy(RuntimeError):
    """Another process held the database for longer than we are willing to wait."""

    def __init__(self, path: Path):
        super().__init__(f"数据库 {path.name} 正被其他上传或命令占用，请稍后重试。")


class Database:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = FileLock(f"{self.path}.lock", timeout=LOCK_TIMEOUT_SECONDS)
        self._session = threading.local()  # the connection a batch job holds, per thread

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection held under the inter-process lock, closed on exit."""
        held = getattr(self._session, "con", None)
        if held is not None:
            yield held
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise DatabaseBusy(self.path) from exc
        try:
            con = duckdb.connect(str(self.path))
            try:
                # The p-value functions of flags.sql's rules, registered before any transaction: a
                # registration rolled back with one cannot be made again on that connection (duckdb 1.5).
                flags.register(con)
                yield con
            finally:
                con.close()
        finally:
            self._lock.release()

    @contextmanager
    def session(self) -> Iterator[Database]:
        """Hold one connection, and so the lock, across many units of work.

        Opening the file and checkpointing on close cost a few tens of
        milliseconds each time; a batch job (the demo's 470 files) holds one
        connection for a run of work and lets other processes in between runs.
        """
        with self.connect() as con:
            self._session.con = con
            try:
                yield self
            finally:
                self._session.con = None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The one write path: everything inside lands together or not at all."""
        with self.connect() as con:
            con.begin()
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()

    def query(self, sql: str, params: list | dict | None = None) -> pl.DataFrame:
        with self.connect() as con:
            return con.execute(sql, params or []).pl()

    def scalar(self, sql: str, params: list | dict | None = None):
        with self.connect() as con:
            row = con.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def migrate(self) -> list[str]:
        """Apply pending schema migrations in order, then refresh views and rules.

        Returns the names of the migrations applied now.
        """
        applied_now = []
        with self.transaction() as con:
            con.execute(
                "create table if not exists schema_migrations ("
                " version integer primary key, name varchar not null,"
                " applied_at timestamp not null default current_timestamp)"
            )
            done = {v for (v,) in con.execute("select version from schema_migrations").fetchall()}
            for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
                version = int(path.name.split("_", 1)[0])
                if version in done:
                    continue
                con.execute(path.read_text(encoding="utf-8"))
                con.execute("insert into schema_migrations (version, name) values (?, ?)", [version, path.stem])
                applied_now.append(path.stem)
            for name in VIEW_FILES:
                con.execute((SQL_DIR / name).read_text(encoding="utf-8"))
            if flags.MIGRATION in applied_now:
                flags.refresh_all(con)  # a database loaded before flags existed gets them for every month
        return applied_now

    def data_version(self) -> int:
        """Changes whenever anything a page shows may have changed; the key of every page cache."""
        return self.scalar(
            "select (hash(coalesce(max(submission_id), 0), (select count(*) from units),"
            " (select coalesce(max(review_id), 0) from review_actions), (select count(*) from unit_periods),"
            " (select max(updated_at) from unit_contacts)) >> 1)::bigint from submissions"
        )
