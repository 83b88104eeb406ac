"""python -m etl load: exit codes and the --json report that scripts rely on."""

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from league.units import save_unit_tree
from tests.stores import store_at

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases" / "pipeline"


@pytest.fixture
def db_path(empty_db) -> str:
    """The address of a store with the pipeline cases' units."""
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    return empty_db.address


def etl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_all_loaded_exits_0_and_reports_rows(db_path):
    run = etl("load", "--db", str(db_path), "--json", str(CASES / "ledger_2025-03.csv"),
              str(CASES / "targets_2025.csv"))
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert [(r["file"], r["status"], r["rows"]) for r in report] == [
        ("ledger_2025-03.csv", "accepted", 4), ("targets_2025.csv", "accepted", 2)]


def test_any_rejected_exits_1_and_each_error_has_sheet_row_column_message(db_path):
    run = etl("load", "--db", str(db_path), "--json", str(CASES / "ledger_2025-04_bad.csv"),
              str(CASES / "targets_2025.csv"))
    assert run.returncode == 1
    bad, good = json.loads(run.stdout)
    assert (bad["status"], good["status"]) == ("rejected", "accepted")
    errors = {(e["sheet"], e["row"], e["column"]) for e in bad["errors"]}
    assert errors == {("ledger_2025-04_bad", 4, "35岁以下青年数"), ("ledger_2025-04_bad", 6, "建团日期")}
    assert all(e["message"] for e in bad["errors"])


def test_human_output_is_chinese(db_path):
    run = etl("load", "--db", str(db_path), str(CASES / "ledger_2025-04_bad.csv"))
    assert run.returncode == 1
    assert "未载入" in run.stdout and "第 4 行" in run.stdout and "“35岁以下青年数”列" in run.stdout


@pytest.mark.parametrize("args", [
    ["load"],
    ["load", "--kind", "nonsense", str(CASES / "targets_2025.csv")],
    ["load", "--month", "March", str(CASES / "ledger_2025-03.csv")],
    ["load", "no-such-file.xlsx"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(db_path, args):
    run = etl(*args[:1], "--db", str(db_path), *args[1:]) if args[0] == "load" else etl(*args)
    assert run.returncode == 2


def test_database_comes_from_the_environment_variable(db_path, monkeypatch):
    monkeypatch.setenv("LEAGUE_DASHBOARD_DB", str(db_path))
    run = etl("load", str(CASES / "targets_2025.csv"))
    assert run.returncode == 0
    assert store_at(db_path).scalar("select count(*) from targets") == 2
