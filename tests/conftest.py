"""Shared fixtures: real databases built in temporary folders.

The demo database is built once per test session (through the same ETL path
the app's first start uses) and shared read-only by the tests that need it.
"""

from pathlib import Path

import pytest

from league.db import Database

CASES_DIR = Path(__file__).parent / "cases"


@pytest.fixture
def empty_db(tmp_path) -> Database:
    db = Database(tmp_path / "league.duckdb")
    db.migrate()
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Database:
    from etl.demo import build_demo

    db = Database(tmp_path_factory.mktemp("demo") / "league.duckdb")
    build_demo(db)
    return db
