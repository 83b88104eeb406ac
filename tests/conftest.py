"""Shared fixtures: real databases built in temporary folders.

The demo database is built once per test session (through the same ETL path
the app's first start uses) and shared read-only by the tests that need it.
The demo city takes a minute or more to build, so a session starts building it
(`python -m etl demo`) in a process of its own, and the test modules that use
it run after the others: the build goes on beside them on the second core.
For local iteration, LEAGUE_TEST_DEMO_DIR may name a folder holding an already
built demo (`python -m etl demo --db DIR/league.duckdb`) to copy instead.

LEAGUE_TEST_STORE=ducklake runs the suite on DuckLake stores instead of
DuckDB files (tests/stores.py).
"""

import os
import shutil
import subprocess
import sys
import tempfile
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


DEMO_FIXTURES = {"demo_file", "demo_db"}
_demo_build: dict[str, object] = {}  # the session's background build: its folder and process


def pytest_collection_modifyitems(session, config, items):
    """The modules using the demo run last (each kept whole, so module fixtures are made once), and the demo
    starts building now, beside the tests that run first."""
    uses_demo = {item.module for item in items if DEMO_FIXTURES & set(item.fixturenames)}
    items.sort(key=lambda item: item.module in uses_demo)
    if uses_demo and not os.environ.get("LEAGUE_TEST_DEMO_DIR"):
        folder = Path(tempfile.mkdtemp(prefix="league-test-demo-"))
        _demo_build.update(folder=folder / "demo", log=folder / "build.log")
        with open(_demo_build["log"], "wb") as log:  # the child keeps its own handle
            _demo_build["process"] = subprocess.Popen(
                [sys.executable, "-m", "etl", "demo", "--db", str(_demo_build["folder"] / "league.duckdb")],
                cwd=Path(__file__).parent.parent, stdout=log, stderr=subprocess.STDOUT)


def built_demo() -> Path:
    """The folder of the demo the session has built (waiting for the build) or was given."""
    if prebuilt := os.environ.get("LEAGUE_TEST_DEMO_DIR"):
        return Path(prebuilt)
    if _demo_build["process"].wait() != 0:
        pytest.fail("building the demo failed:\n" + _demo_build["log"].read_text(encoding="utf-8")[-4000:])
    return _demo_build["folder"]


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Database:
    """The demo city as a DuckDB file, built through the same ETL path as the app's first start."""
    db = Database(tmp_path_factory.mktemp("demo") / "league.duckdb")
    shutil.copytree(built_demo(), db.data_dir, ignore=shutil.ignore_patterns("*.lock"), dirs_exist_ok=True)
    db.migrate()  # as the app's start does: macros and views are the checkout's, not a prebuilt one's
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
    if "process" in _demo_build:
        _demo_build["process"].kill()  # a session that never needed it
        _demo_build["process"].wait()
        shutil.rmtree(_demo_build["folder"].parent, ignore_errors=True)


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
