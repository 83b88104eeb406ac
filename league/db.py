"""The one gateway to DuckDB: connections, migrations and the single write path.

DuckDB lets only one process open a database file for writing. The app's
process takes the file once and keeps it (`Database(path, hold=True)`): every
read is a cursor on that one connection (a fraction of a millisecond, no lock,
so no read waits for another), writes take turns inside the process, and a
reader sees the state before a write until it commits (DuckDB's MVCC). A
process that holds the file also runs the hand-off the command line uses to
load while the app is up (`serve`, see etl.handoff). Any other process (the
command line when no app is running, the tests, the benchmarks) opens the
file for each unit of work under an inter-process file lock and closes it
again, so it never holds the file from the app for longer than one load.

A DuckLake store (league.store) is shared by several processes at once: no
file lock, and every process keeps one connection to it, as the app keeps
its file. DuckLake's snapshots keep readers apart from writers; writers of
every process take turns (store.WriterTurn).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from filelock import FileLock, Timeout

from league import flags, marts, schema, store

LOCK_TIMEOUT_SECONDS = 60
# The plan's numbers and dates the rules read: a change of any moves the data version, so no page shows
# figures kept from before it.
PLAN_TABLES = ("plan_settings", "plan_due_dates", "plan_milestones", "default_milestones", "plan_priority_industries",
               "plan_size_bands")
BACKGROUND_NICENESS = 19  # work after commits (the forecast's warm-up) yields the CPU to every read


def next_ids(con: duckdb.DuckDBPyConnection, name: str, count: int = 1) -> range:
    """`count` new ids of the kind `name` (a row of id_counters), taken in the caller's transaction.

    Both stores: a DuckLake store has no sequences, and two writers raising
    the same counter conflict there, so ids never repeat.
    """
    con.execute("update id_counters set last = last + ? where name = ?", [count, name])
    last = con.execute("select last from id_counters where name = ?", [name]).fetchone()[0]
    return range(last - count + 1, last + 1)


def replace_row(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], row: list) -> None:
    """Insert `row` (every column, in order) into `table`, replacing the row with the same key: the columns
    named in `key`, which come first.

    INSERT OR REPLACE needs a primary key, which a DuckLake store does not
    have; the write path keeps the key unique itself.
    """
    con.execute(f"delete from {table} where " + " and ".join(f"{c} = ?" for c in key), row[:len(key)])
    con.execute(f"insert into {table} values ({', '.join('?' * len(row))})", row)


class DatabaseBusy(RuntimeError):
    """Another process held the database for longer than we are willing to wait."""

    def __init__(self, name: str):
        super().__init__(f"数据库 {name} 正被其他上传或命令占用，请稍后重试。")


@dataclass
class _Held:
    """A database file this process has taken: its connection, the lock that keeps other processes out,
    the turn writers take, and what to stop when it is let go (the hand-off server)."""

    connection: duckdb.DuckDBPyConnection
    file_lock: FileLock | None
    turn: store.WriterTurn | None  # a DuckLake store's writers' turn, across processes
    writing: threading.RLock = field(default_factory=threading.RLock)
    stop: Callable[[], None] | None = None
    commits: int = 0  # writes committed since the file was taken, for work that follows them
    committed: threading.Condition = field(default_factory=threading.Condition)
    released: bool = False

    def note(self, *, commit: bool = False, release: bool = False) -> None:
        with self.committed:
            self.commits += commit
            self.released |= release
            self.committed.notify_all()


_HELD: dict[str, _Held] = {}
_HOLDING = threading.Lock()  # two sessions starting together take the file once


def _key(address: Path | str) -> str:
    return str(address) if store.is_lake(address) else os.path.abspath(address)


def _open(address: Path | str, data_dir: Path) -> duckdb.DuckDBPyConnection:
    """The store opened (a file's folder made already, for its lock file), with the functions the rules call."""
    con = store.connect(address, data_dir)
    # The p-value functions of flags.sql's rules, registered before any transaction: a registration
    # rolled back with one cannot be made again on that connection (duckdb 1.5). Cursors inherit them.
    flags.register(con)
    return con


def _file_lock(address: Path | str) -> FileLock | None:
    """What keeps other processes out of a DuckDB file; a DuckLake store needs nothing of the kind."""
    return None if store.is_lake(address) else FileLock(f"{address}.lock", timeout=LOCK_TIMEOUT_SECONDS)


def release(path: Path | str | None = None) -> None:
    """Let go of a held database file (every one when path is None): stop what it serves, checkpoint, close.

    A Database made with hold=True takes the file again on its next use.
    """
    with _HOLDING:
        keys = list(_HELD) if path is None else [k for k in [_key(path)] if k in _HELD]
        for key in keys:
            held = _HELD[key]
            with held.writing:  # a write in progress finishes first
                held.note(release=True)
                if held.stop is not None:
                    held.stop()  # still registered: what it stops may finish a read on the held file
                del _HELD[key]
                held.connection.close()
                if held.file_lock is not None:
                    held.file_lock.release(force=True)
                if held.turn is not None:
                    held.turn.close()


atexit.register(release)


class Database:
    def __init__(self, address: Path | str, *, hold: bool = False,
                 serve: Callable[[Database], Callable[[], None]] | None = None, data_path: Path | str | None = None):
        """address: a DuckDB file's path or a DuckLake address (league.store).

        hold: take the store for this process and keep it (the app); otherwise open it per unit of work.
        serve: started when this process takes the store, returning what stops it (the app's hand-off).
        data_path: a DuckLake store's data folder, else $LEAGUE_DASHBOARD_DATA_PATH.
        """
        self.lake = store.is_lake(address)
        self.address = str(address)
        # A file's path; None for a DuckLake store, which is no file.
        self.path = None if self.lake else Path(address)
        # Where everything kept beside the data lives (raw files, keys): the file's folder, or the lake's data path.
        self.data_dir = store.lake_data_path(self.address, data_path) if self.lake else self.path.parent
        self.key = _key(self.address)  # the store's identity for what this process keeps per store
        self.name = self.address if self.lake else self.path.name  # as messages and thread names show it
        self.hold = hold
        self._serve = serve
        self._lock = _file_lock(self.address)
        self._session = threading.local()  # the connection a batch job holds, per thread

    def _held(self) -> _Held | None:
        """This process's hold on the file: taken now if this Database is the holding kind."""
        held = _HELD.get(self.key)
        # A DuckLake store keeps nobody out, so every process keeps its connection (attaching costs a
        # PostgreSQL connection and the extensions' loading); a file is held only by the process that asks.
        if held is not None or not (self.hold or self.lake):
            return held
        with _HOLDING:
            if (held := _HELD.get(self.key)) is None:
                lock = _file_lock(self.address)
                self.data_dir.mkdir(parents=True, exist_ok=True)
                try:
                    lock is None or lock.acquire()
                except Timeout as exc:
                    raise DatabaseBusy(self.name) from exc
                try:
                    held = _Held(_open(self.address, self.data_dir), lock,
                                 store.WriterTurn(self.address) if self.lake else None)
                except BaseException:
                    lock is None or lock.release(force=True)
                    raise
                _HELD[self.key] = held
                if self._serve is not None:
                    held.stop = self._serve(self)
        return held

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one unit of work: a cursor on the held file, else the file opened under the lock."""
        batch = getattr(self._session, "con", None)
        if batch is not None:
            yield batch
            return
        held = self._held()
        if held is not None:
            cursor = held.connection.cursor()
            try:
                if self.lake:
                    cursor.execute(f"use {store.LAKE_CATALOG}")  # a cursor starts in the in-memory catalog
                yield cursor
            finally:
                cursor.close()
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._lock is None or self._lock.acquire()
        except Timeout as exc:
            raise DatabaseBusy(self.name) from exc
        try:
            con = _open(self.address, self.data_dir)
            try:
                yield con
            finally:
                con.close()
        finally:
            self._lock is None or self._lock.release()

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
        """The one write path: everything inside lands together or not at all.

        Writers take turns (readers do not wait for them): the checks a load
        makes before writing (the latest submission it replaces, the review
        lock) stay true until it commits.
        """
        held = self._held()
        turn = held.turn if held is not None and held.turn is not None else None
        with held.writing if held is not None else nullcontext(), self._turn(turn), self.connect() as con:
            con.begin()
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()
        if held is not None:
            held.note(commit=True)

    @contextmanager
    def _turn(self, turn: store.WriterTurn | None) -> Iterator[None]:
        """A DuckLake store's writers' turn (none for a file, whose lock or held connection is the turn)."""
        if turn is None:
            yield
            return
        try:
            with turn.taken():
                yield
        except store.WriterBusy as exc:
            raise DatabaseBusy(self.name) from exc

    def maintain(self, keep_days: int) -> dict[str, int]:
        """A DuckLake store's files tidied (store.maintain) in the writers' turn, while the app goes on reading.

        A DuckDB file tidies itself as it checkpoints: nothing to do.
        """
        if not self.lake:
            return {}
        held = self._held()
        with held.writing, self._turn(held.turn), self.connect() as con:
            return store.maintain(con, keep_days)

    def after_commits(self, work: Callable[[Database], None]) -> Callable[[], None]:
        """Run `work` in a thread of its own after writes commit, returning what stops it.

        For a holding process (every write here goes through it; the app's
        migration at its start is one): writes that commit while the work runs
        are followed by one more run, not one each. An error in the work is
        logged and waits for the next commit. On Linux the thread runs at the
        lowest CPU priority, so pages being read are served first.
        """
        held = self._held()
        stopped = threading.Event()
        seen = held.commits

        def follow() -> None:
            nonlocal seen
            if sys.platform == "linux":  # a thread's own priority: the work takes only what readers leave
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
            while True:
                with held.committed:
                    held.committed.wait_for(lambda: held.commits != seen or held.released or stopped.is_set())
                    if held.released or stopped.is_set():
                        return
                    seen = held.commits
                try:
                    work(self)
                except Exception:  # noqa: BLE001 - the next commit tries again; a page makes it itself meanwhile
                    logging.getLogger(__name__).exception("work after a commit failed")

        thread = threading.Thread(target=follow, name=f"after-commits:{self.name}", daemon=True)
        thread.start()

        def stop() -> None:
            stopped.set()
            held.note()
            if thread is not threading.current_thread():
                thread.join()

        return stop

    def query(self, sql: str, params: list | dict | None = None) -> pl.DataFrame:
        with self.connect() as con:
            return con.execute(sql, params or []).pl()

    def scalar(self, sql: str, params: list | dict | None = None):
        with self.connect() as con:
            row = con.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def migrate(self) -> list[str]:
        """Apply pending schema migrations in order, then refresh views and rules.

        Returns the names of the migrations applied now. A new DuckLake store
        gets the schema the migrations build in an in-memory catalog beside it
        (store.copy_tables: DuckDB writes one catalog per transaction); one
        already made must be at the latest version.
        """
        with self.session():  # one connection throughout: the in-memory catalog is attached to it
            with self.connect() as con:
                new_lake = self.lake and not schema.has_table(con, "schema_migrations")
                if new_lake:
                    applied_now = schema.migrate_scratch(con)
            try:
                with self.transaction() as con:
                    if new_lake:
                        store.copy_tables(con, schema.SCRATCH_CATALOG, store.LAKE_CATALOG)
                    elif self.lake:
                        applied_now = schema.refuse_pending(con)
                    else:
                        applied_now = schema.apply_migrations(con)
                    schema.make_views(con)
                    marts.rebuild_if_settings_changed(con)  # a database older than the marts gets them here
                    if flags.MIGRATION in applied_now:
                        flags.refresh_all(con)  # a database loaded before flags existed gets them for every month
            finally:
                if new_lake:
                    with self.connect() as con:
                        con.execute(f"detach {schema.SCRATCH_CATALOG}")
        return applied_now

    def set_plan_setting(self, name: str, value: float) -> None:
        """Change one of the plan's numbers; the marts counted with it are rebuilt in the same transaction."""
        with self.transaction() as con:
            if not con.execute("select count(*) from plan_settings where name = ?", [name]).fetchone()[0]:
                raise KeyError(name)
            con.execute("update plan_settings set value = ? where name = ?", [value, name])
            marts.rebuild_if_settings_changed(con)

    def data_version(self) -> int:
        """Changes whenever anything a page shows may have changed; the key of every page cache."""
        return self.scalar(
            "select (hash(coalesce(max(submission_id), 0), (select count(*) from units),"
            " (select coalesce(max(review_id), 0) from review_actions), (select count(*) from unit_periods),"
            " (select max(updated_at) from unit_contacts), (select max(built_at) from mart_state), "
            + ", ".join(f"(select sum(hash(t)) from {table} t)" for table in PLAN_TABLES)
            + ") >> 1)::bigint from submissions"
        )
