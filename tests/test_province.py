"""The synthetic province (`python -m etl province`): a year of ledgers through the loader's own steps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from league import queries
from league.db import Database
from tests.stores import store_at

ROOT = Path(__file__).parent.parent


def build(folder: Path, orgs: int, seed: int) -> tuple[Database, str]:
    db = store_at(folder / "league.duckdb")
    done = subprocess.run([sys.executable, "-m", "etl", "province", "--db", db.address, "--orgs", str(orgs),
                           "--seed", str(seed)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return db, done.stdout


def test_a_small_province_is_a_year_of_accepted_ledgers(tmp_path):
    db, said = build(tmp_path, 2_000, seed=7)
    units = db.scalar("select count(*) from reporting_units")
    assert units == 4 and "2,000 个组织" in said
    assert db.scalar("select count(distinct uscc) from ledger") == 2_000
    months = db.query("select report_month, count(*) as units from ledger_submissions group by 1 order by 1")
    assert months.height == 12 and months["units"].max() <= units
    assert db.scalar("select count(*) from submissions where status <> 'accepted'") == 0
    # the pages' queries answer on it, and the year's new organisations rise toward the targets
    scope = queries.whole_tree(db)
    trend = queries.progress_trend(db, scope, months["report_month"].max())
    assert trend["done"].is_sorted() and trend["done"][-1] > 0
    assert queries.coverage(db, scope, months["report_month"].max())["organisations"].max() > 0


def test_the_same_seed_builds_the_same_province(tmp_path):
    first, _ = build(tmp_path / "a", 500, seed=3)
    second, _ = build(tmp_path / "b", 500, seed=3)
    sql = "select report_month, unit, uscc, league_members, has_league_org from ledger order by all"
    assert first.query(sql).equals(second.query(sql))


def test_it_refuses_a_database_that_holds_data(tmp_path):
    db, _ = build(tmp_path, 500, seed=1)
    again = subprocess.run([sys.executable, "-m", "etl", "province", "--db", db.address, "--orgs", "500"],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 2 and "已有数据" in again.stderr
