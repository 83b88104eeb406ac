"""Shared fixtures: real databases built in temporary folders.

The demo database is built once per test session (through the same ETL path
the app's first start uses) and shared read-only by the tests that need it.
For local iteration only, LEAGUE_TEST_DEMO_DIR may name a folder holding an
already built demo (`python -m etl demo --db DIR/league.duckdb`) to copy
instead of building one (a minute or more).

LEAGUE_TEST_STORE=ducklake runs the suite on DuckLake stores instead of
DuckDB files (tests/stores.py).
"""

import os
import shutil
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager

from league import db as store
from league.db import Database
from tests.postgres import Cluster
from tests.stores import ON_LAKE, cluster, copy_store, stop_cluster, store_at

CASES_DIR = Path(__file__).parent / "cases"


@pytest.fixture
def empty_db(tmp_path) -> Database:
    db = store_at(tmp_path / "league.duckdb")
    db.migrate()
    return db


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Database:
    """The demo city built once as a DuckDB file, through the same ETL path as the app's first start."""
    from etl.demo import build_demo

    db = Database(tmp_path_factory.mktemp("demo") / "league.duckdb")
    if prebuilt := os.environ.get("LEAGUE_TEST_DEMO_DIR"):
        shutil.copytree(prebuilt, db.data_dir, ignore=shutil.ignore_patterns("*.lock", "*.wal"), dirs_exist_ok=True)
        db.migrate()  # as the app's start does: macros and views are the checkout's, not the prebuilt's
    else:
        build_demo(db)
    return db


@pytest.fixture(scope="session")
def demo_db(demo_file, tmp_path_factory) -> Database:
    """The demo city on the store the suite runs on: the file itself, or on DuckLake a copy of it (building it
    there would take minutes)."""
    if not ON_LAKE:
        return demo_file
    return copy_store(demo_file, tmp_path_factory.mktemp("demo_lake") / "league.duckdb", beside=True)


@pytest.fixture(scope="session")
def postgres() -> Cluster:
    """A private PostgreSQL cluster for DuckLake stores' catalogs, stopped when the session ends."""
    return cluster()


def pytest_sessionfinish(session):
    stop_cluster()


@pytest.fixture
def new_lake(postgres, tmp_path):
    """Makes new, empty DuckLake stores: (address, data folder) each time it is called."""
    made = iter(range(1_000))

    def make() -> tuple[str, Path]:
        name = f"{tmp_path.name.lower().replace('-', '_')[:40]}_{next(made)}"
        return postgres.create_database(name), tmp_path / f"lake-{name}"

    return make


@pytest.fixture(autouse=True)
def databases_let_go():
    """An app run by AppTest takes its database for the process, as a server does; let it go after each
    test, so the next test (or a command it starts) finds every file as a fresh process would."""
    yield
    store.release()


@pytest.fixture(autouse=True)
def reruns_go_through_app_py(monkeypatch):
    """Let every rerun run app.py, as a server does.

    A server decides once per process whether it is a legacy pages/-folder app
    and st.navigation turns that off on the first run. AppTest (streamlit 1.67)
    decides again before every run and, since our pages live in pages/, would
    rerun the page alone, without app.py's sidebar.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
