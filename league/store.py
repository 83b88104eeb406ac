"""Where the league's data is kept: a DuckDB file (the default) or a DuckLake store.

`$LEAGUE_DASHBOARD_DB` is either a DuckDB file's path or a DuckLake address,
`ducklake:postgres:dbname=… host=… port=… user=…`: the catalog in PostgreSQL,
the data as Parquet files under `$LEAGUE_DASHBOARD_DATA_PATH`, so that several
app servers and loaders share one store. Both are queried by the same DuckDB
with the same SQL; a DuckLake store is attached to an in-memory DuckDB as
the catalog `lake` and made the default, so no query names it.

DuckLake has no primary keys, unique or check constraints, sequences or
indexes. Its tables are made from the DuckDB schema the migrations build
(`lake_table_ddl`): the columns, their types, defaults and NOT NULL, without
the rest, which the write path guarantees itself (ids from `id_counters`,
league.db.next_ids; one latest submission per unit-month, etl.load).

Writers take turns across every process and machine (`WriterTurn`, a
PostgreSQL advisory lock), as the processes of a file take turns at its lock
and its threads at the held connection: every write reads its checks
(the submission it replaces, the review lock) and writes in one turn, so
they hold until it commits. Every write touches the same marts and counters,
so DuckLake's own conflict detection would refuse all but one of any writes
that overlap; taking turns loses no work to refusals. A file's inspection,
parsing and header reading run beside other loads; its checks against the
store, which record the raw file, take the turn as the write does. Readers
take no turn.

Extensions come from pinned pip packages and are loaded from their files;
nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg

LAKE_PREFIX = "ducklake:"
CATALOG_PREFIX = "ducklake:postgres:"  # the catalog DuckLake keeps in PostgreSQL: the one kind supported here
DATA_PATH_ENV_VAR = "LEAGUE_DASHBOARD_DATA_PATH"
LAKE_CATALOG = "lake"
# The DuckLake extension and the one its PostgreSQL catalog needs (the `duckdb-extension-postgres` package's
# file lacks the entry point DuckDB looks for; `-postgres-scanner` has it), in the order they are loaded.
EXTENSION_PACKAGES = ("duckdb_extension_postgres_scanner", "duckdb_extension_ducklake")


class StoreMisconfigured(RuntimeError):
    """The store's address or data path cannot be used; the message says why, in Chinese, for the operator."""


def is_lake(address: str | Path) -> bool:
    return str(address).startswith(LAKE_PREFIX)


def lake_data_path(address: str, data_path: str | Path | None = None) -> Path:
    """The folder of a DuckLake store's Parquet files (and the raw files and keys the app keeps beside them):
    `data_path`, else $LEAGUE_DASHBOARD_DATA_PATH, else the folder the store recorded when it was made, so a
    loader or server on another machine that mounts the shared storage at the same place needs the address alone."""
    chosen = data_path or os.environ.get(DATA_PATH_ENV_VAR) or _recorded_data_path(address)
    if not chosen:
        raise StoreMisconfigured(f"使用新的 DuckLake 存储时须以环境变量 {DATA_PATH_ENV_VAR} 指定数据文件夹。")
    return Path(chosen)


_RECORDED_DATA_PATHS: dict[str, str] = {}  # a store's data path never changes once recorded


def _recorded_data_path(address: str) -> str | None:
    """The data path DuckLake recorded in the store's catalog; None for a store not made yet."""
    if address not in _RECORDED_DATA_PATHS:
        try:
            with psycopg.connect(catalog_conninfo(address), connect_timeout=30) as catalog:
                found = catalog.execute("select value from ducklake_metadata where key = 'data_path'").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
        except psycopg.OperationalError as exc:
            raise StoreMisconfigured(f"无法连接 DuckLake 存储的目录数据库：{exc}") from exc
        if found is None:
            return None
        _RECORDED_DATA_PATHS[address] = found[0]
    return _RECORDED_DATA_PATHS[address]


def extension_file(package: str) -> Path:
    """The extension file a pinned pip package ships (one per package, for this DuckDB version)."""
    folder = Path(importlib.import_module(package).__path__[0])
    found = sorted(folder.rglob(f"v{duckdb.__version__}/*.duckdb_extension"))
    if len(found) != 1:
        raise StoreMisconfigured(f"未找到与 DuckDB {duckdb.__version__} 相符的扩展文件（{package}）；"
                                 "请按 requirements.txt 安装。")
    return found[0]


def connect(address: str | Path, data_path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the store: the file opened, or the DuckLake store attached as `lake` and made the default."""
    if not is_lake(address):
        return duckdb.connect(str(address))
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        attach_lake(con, str(address), data_path)
        con.execute(f"use {LAKE_CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def catalog_conninfo(address: str) -> str:
    """The PostgreSQL connection string of a DuckLake address's catalog."""
    if not address.startswith(CATALOG_PREFIX):
        raise StoreMisconfigured(f"DuckLake 地址应以 {CATALOG_PREFIX} 开头（目录保存在 PostgreSQL 中），"
                                 f"而不是“{address}”。")
    return address[len(CATALOG_PREFIX):]


WRITER_LOCK_KEY = 0x1EA6_0E_B0A2D  # the advisory lock every writer of a store takes (one store per catalog database)
WRITER_WAIT = "60s"  # as long as a writer waits for a file's lock (league.db.LOCK_TIMEOUT_SECONDS)


class WriterBusy(RuntimeError):
    """Another writer kept its turn for longer than we are willing to wait."""


class WriterTurn:
    """The turn writers to one DuckLake store take: a PostgreSQL advisory lock on a connection of its own.

    Held for one transaction at a time (`taken`); a process that dies, or
    loses its connection, gives the turn up with its session, so a writer
    killed mid-commit never keeps the others out.
    """

    def __init__(self, address: str):
        self._conninfo = catalog_conninfo(address)
        self._connection: psycopg.Connection | None = None
        self._local = threading.Lock()  # the connection is one session: one thread of this process uses it at a time

    def _session(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed or self._connection.broken:
            # named for its process, so that pg_stat_activity shows an operator who holds the turn
            self._connection = psycopg.connect(self._conninfo, autocommit=True,
                                               application_name=f"league-writer-{os.getpid()}",
                                               options=f"-c lock_timeout={WRITER_WAIT}")
        return self._connection

    @contextmanager
    def taken(self) -> Iterator[None]:
        with self._local:
            session = self._session()
            try:
                session.execute("select pg_advisory_lock(%s)", [WRITER_LOCK_KEY])
            except psycopg.errors.LockNotAvailable as exc:
                raise WriterBusy() from exc
            try:
                yield
            finally:
                try:
                    session.execute("select pg_advisory_unlock(%s)", [WRITER_LOCK_KEY])
                except psycopg.OperationalError:  # the session is gone, and the lock with it
                    session.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def attach_lake(con: duckdb.DuckDBPyConnection, address: str, data_path: Path | None = None, *,
                as_catalog: str = LAKE_CATALOG, read_only: bool = False) -> None:
    """Attach the DuckLake store as the catalog `as_catalog` (its extensions loaded from their pip packages'
    files)."""
    catalog_conninfo(address)
    for package in EXTENSION_PACKAGES:
        con.execute(f"load {_literal(str(extension_file(package)))}")
    folder = lake_data_path(address, data_path)
    folder.mkdir(parents=True, exist_ok=True)
    options = f"data_path {_literal(f'{folder.resolve()}/')}" + (", read_only" if read_only else "")
    con.execute(f"attach {_literal(address)} as {as_catalog} ({options})")


def _literal(text: str) -> str:
    """A SQL string literal (ATTACH takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


# DuckLake's maintenance, in the order its CHECKPOINT runs them: rows kept in the catalog written out as Parquet,
# small files merged, snapshots older than the days kept forgotten, and the files no snapshot needs deleted.
MAINTENANCE = (
    ("inlined_flushed", "ducklake_flush_inlined_data('{lake}')"),
    ("files_merged", "ducklake_merge_adjacent_files('{lake}')"),
    ("snapshots_expired", "ducklake_expire_snapshots('{lake}', older_than => now() - to_days({days}))"),
    ("files_deleted", "ducklake_cleanup_old_files('{lake}', older_than => now() - to_days({days}))"),
)


def maintain(con: duckdb.DuckDBPyConnection, keep_days: int) -> dict[str, int]:
    """Tidy a DuckLake store's files; returns how many things each step did.

    Expiring a snapshot forgets only how the store looked at that moment (time
    travel): every submission, accepted or not, is a row of `submissions` and
    its rows stay in the tables, so the history the dashboard shows is never
    expired. Files are deleted only once no snapshot kept needs them and they
    have waited `keep_days`, so a reader still on an older snapshot finishes.
    """
    # fetchall, not fetchone: a result left unread is abandoned by the next statement, and its work with it
    return {step: con.execute(f"select count(*) from {call.format(lake=LAKE_CATALOG, days=int(keep_days))}")
            .fetchall()[0][0] for step, call in MAINTENANCE}


def base_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """The catalog's tables in the order they were made (so a table comes after the ones it refers to)."""
    return [name for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'"
        " and not temporary order by table_oid", [catalog]).fetchall()]


def lake_table_ddl(con: duckdb.DuckDBPyConnection, catalog: str, table: str, target: str) -> str:
    """`create table target.table` with the columns of `catalog.table` as DuckLake can keep them.

    Read from DuckDB's own catalog, not from the migrations' text: types,
    defaults and NOT NULL carry over; keys, references, checks and the
    sequences' defaults do not (DuckLake has none of them; ids come from
    id_counters).
    """
    columns = []
    for name, data_type, default, nullable in con.execute(
            "select column_name, data_type, column_default, is_nullable from duckdb_columns()"
            " where database_name = ? and schema_name = 'main' and table_name = ? order by column_index",
            [catalog, table]).fetchall():
        column = f'"{name}" {data_type}'
        if default is not None and "nextval(" not in default:
            column += f" default {default}"
        if not nullable:
            column += " not null"
        columns.append(column)
    return f'create table {target}."{table}" ({", ".join(columns)})'


def copy_tables(con: duckdb.DuckDBPyConnection, source: str, target: str) -> list[str]:
    """Every table of catalog `source` made in the DuckLake catalog `target` with its rows; returns their names."""
    tables = base_tables(con, source)
    for table in tables:
        con.execute(lake_table_ddl(con, source, table, target))
        con.execute(f'insert into {target}."{table}" select * from {source}."{table}"')
    return tables
