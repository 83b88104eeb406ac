"""The store the tests run on: a DuckDB file, or with LEAGUE_TEST_STORE=ducklake a DuckLake store.

Tests name a store by the path a DuckDB file would have (`tmp_path /
"league.duckdb"`) and ask `store_at(path)` for it. On a file that is the
file. On DuckLake it is a store of its own in the session's PostgreSQL
cluster, its catalog database named after the path (so the same path is the
same store each time) and its data folder the path's folder, where the file's
raw files, keys and logs would be. Commands get `db.address` for `--db`; a
DuckLake store's data path is recorded in its catalog, so they need nothing more.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import psycopg
import pytest

from etl.migrate_store import copy_beside
from league import store
from league.config import demo_files_dir
from league.db import Database, release
from tests.postgres import Cluster

STORE_ENV_VAR = "LEAGUE_TEST_STORE"
KINDS = ("file", "ducklake")
KIND = os.environ.get(STORE_ENV_VAR) or "file"
if KIND not in KINDS:
    raise pytest.UsageError(f"{STORE_ENV_VAR} must be one of {', '.join(KINDS)}, not {KIND!r}")
ON_LAKE = KIND == "ducklake"

# What only a DuckDB file has (its lock, the hand-off to the app holding it, the first start's demo, the
# file's bytes): tests of that run on the file alone.
file_only = pytest.mark.skipif(ON_LAKE, reason="a DuckDB file's own behaviour")

_cluster: Cluster | None = None
_template: Path | None = None  # the data folder of the migrated store new ones are cloned from


def cluster() -> Cluster:
    """The session's PostgreSQL cluster, started when first asked for (tests/conftest.py stops it)."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster.start()
    return _cluster


def stop_cluster() -> None:
    global _cluster, _template
    if _cluster is not None:
        _cluster.stop()
        _cluster = None
    if _template is not None:
        shutil.rmtree(_template, ignore_errors=True)
        _template = None


TEMPLATE = "league_template"


def _migrated_template() -> Path:
    """A migrated, empty store made once a session; a new store is a copy of its catalog database (PostgreSQL's
    CREATE DATABASE … TEMPLATE, a file copy) and of its few Parquet files, instead of the migrations run again."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="league-template-"))
        address = cluster().create_database(TEMPLATE)
        Database(address, data_path=folder).migrate()
        release(address)  # PostgreSQL copies only a database nobody is connected to
        _template = folder
    return _template


def store_at(path: Path) -> Database:
    """The test store named by `path`: that DuckDB file, or the DuckLake store kept for that path (`path` may
    also be a store's address, as a test's fixture gives it to commands). A new DuckLake store is migrated
    already; migrating it again changes nothing."""
    if not ON_LAKE or store.is_lake(path):
        return Database(path)
    path = Path(path).resolve()
    name = _catalog_name(path)
    if not _exists(name):
        _new_catalog(name, path.parent, template=_migrated_template())
    return Database(cluster().address(name), data_path=path.parent)


def _catalog_name(path: Path) -> str:
    return "t_" + hashlib.sha1(str(path).encode()).hexdigest()[:20]


def _exists(name: str) -> bool:
    with cluster().session() as session:
        return session.execute("select 1 from pg_database where datname = %s", [name]).fetchone() is not None


def _new_catalog(name: str, folder: Path, template: Path | None = None) -> None:
    """A new catalog database `name` for a store whose data lives in `folder`: empty, or the template's copy."""
    with cluster().session() as session:
        session.execute(f"create database {name}" + (f" template {TEMPLATE}" if template else ""))
    if template:
        # the template's files are named relative to its data path, which the copy records as its own
        shutil.copytree(template, folder, dirs_exist_ok=True)
        with psycopg.connect(store.catalog_conninfo(cluster().address(name)), autocommit=True) as catalog:
            catalog.execute("update ducklake_metadata set value = %s where key = 'data_path'", [f"{folder}/"])


def copy_store(source: Database, path: Path, *, beside: bool = False) -> Database:
    """A copy of `source`'s tables (and with `beside`, of what its data folder keeps beside them: raw files,
    the ID key, the demo's accounts and files) as the store named by `path`, its views and rules made anew."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not ON_LAKE:
        with source.connect() as con:
            con.execute("checkpoint")
            shutil.copyfile(source.path, path)
    else:
        _new_catalog(_catalog_name(path.resolve()), path.parent.resolve())
        copy = store_at(path)
        with duckdb.connect() as con:
            if source.lake:
                store.attach_lake(con, source.address, as_catalog="origin", read_only=True)
            else:  # the demo is built as a file (much faster) and copied
                con.execute(f"attach '{source.path}' as origin (read_only)")
            store.attach_lake(con, copy.address, copy.data_dir)
            con.begin()
            store.copy_tables(con, "origin", store.LAKE_CATALOG)
            con.execute(f"delete from {store.LAKE_CATALOG}.view_code")  # views and rules: made by migrate, below
            con.commit()
    if beside:
        copy_beside(source.data_dir, path.parent)
        if demo_files_dir(source.data_dir).is_dir():
            shutil.copytree(demo_files_dir(source.data_dir), demo_files_dir(path.parent), dirs_exist_ok=True)
    copy = store_at(path)
    copy.migrate()
    return copy
