"""The app's process holds the database: reads never wait, a write is seen whole or not at all, and the
command line loads through the app while it holds the file."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from etl import handoff
from etl.pipeline import load_file
from league import db as store
from league import ui
from league.db import Database
from league.units import save_unit_tree
from tests.stores import file_only, store_at

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases" / "pipeline"
UNIT = "东湖区和平街道团工委"
WAIT_SECONDS = 120  # generous: CI machines may be busy


@pytest.fixture
def held(tmp_path) -> Database:
    """A small league's database held by this process as the app holds it, the command line handed to it."""
    setup = store_at(tmp_path / "league.duckdb")
    setup.migrate()
    with setup.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    assert load_file(setup, CASES / "ledger_2025-03.csv").status == "accepted"
    db = ui._open_database.__wrapped__(setup.address)  # what the app's first page run does
    yield db
    store.release(setup.address)


def etl(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          input=stdin, timeout=WAIT_SECONDS)


def march_rows(db: Database) -> int:
    return db.scalar("select count(*) from ledger where report_month = date '2025-03-01'")


def test_reads_go_on_while_a_write_is_open_and_see_the_state_before_it(held):
    opened, finish = threading.Event(), threading.Event()
    failures = []

    def write():
        try:
            with held.transaction() as con:
                con.execute("insert into plan_settings (name, value, description) values ('probe', 1, 'probe')")
                opened.set()
                assert finish.wait(WAIT_SECONDS)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert opened.wait(WAIT_SECONDS)
    # The write is open: a read neither waits for it nor sees it.
    assert held.scalar("select count(*) from plan_settings where name = 'probe'") == 0
    assert march_rows(held) == 4
    finish.set()
    writer.join(WAIT_SECONDS)
    assert not failures
    assert held.scalar("select count(*) from plan_settings where name = 'probe'") == 1


def test_a_reader_sees_a_replaced_ledger_whole_before_or_after_never_a_mix(held):
    """Readers run while a revised March ledger (4 organisations, one changed) replaces the first."""
    seen, stop, failures = [], threading.Event(), []
    before = held.query("select uscc, employees from ledger where report_month = date '2025-03-01' order by uscc")

    def read():
        try:
            while not stop.is_set():
                seen.append(held.query("select uscc, employees, submission_id from ledger"
                                       " where report_month = date '2025-03-01' order by uscc"))
        except BaseException as exc:
            failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    result = load_file(held, CASES / "ledger_2025-03_revised.csv", accept_drop=True)
    stop.set()
    for reader in readers:
        reader.join(WAIT_SECONDS)
    assert result.status == "accepted" and not failures
    after = held.query("select uscc, employees from ledger where report_month = date '2025-03-01' order by uscc")
    assert not after.equals(before)
    for frame in seen:
        assert frame["submission_id"].n_unique() == 1  # one submission's rows, never two
        assert frame.drop("submission_id").equals(before) or frame.drop("submission_id").equals(after)


@file_only  # the hand-off to the process holding a DuckDB file
def test_the_command_line_loads_through_the_app_holding_the_database(held):
    assert handoff.handoff_file(held.path).exists()
    run = etl("load", "--db", str(held.path), "--json", str(CASES / "ledger_2025-04.csv"),
              str(CASES / "targets_2025.csv"))
    assert run.returncode == 0, run.stderr
    assert [(r["file"], r["status"]) for r in json.loads(run.stdout)] == [
        ("ledger_2025-04.csv", "accepted"), ("targets_2025.csv", "accepted")]
    # Loaded into the held file, seen by this process's readers at once.
    assert held.scalar("select count(*) from targets") == 2
    assert held.scalar("select count(*) from ledger where report_month = date '2025-04-01'") > 0

    refused = etl("load", "--db", str(held.path), str(CASES / "ledger_2025-04_bad.csv"))
    assert refused.returncode == 1 and "未载入" in refused.stdout and "第 4 行" in refused.stdout


@file_only  # the hand-off to the process holding a DuckDB file
def test_the_command_line_finds_the_app_by_the_environment_and_passes_a_password_on(held, monkeypatch):
    monkeypatch.setenv("LEAGUE_DASHBOARD_DB", str(held.path))
    added = etl("users", "add", "交接测试", "--role", "leadership", stdin="handoff-password-2026\n")
    assert added.returncode == 0, added.stderr
    from league import access

    assert access.sign_in(held, "交接测试", "handoff-password-2026").token
    mismatch = etl("users", "add", "交接测试二", "--role", "leadership", stdin="one-password-2026\nother-2026\n")
    assert mismatch.returncode == 1 and "不一致" in mismatch.stderr


@file_only  # the hand-off to the process holding a DuckDB file
def test_a_file_left_by_a_process_that_died_is_ignored(tmp_path):
    setup = Database(tmp_path / "league.duckdb")
    setup.migrate()
    with setup.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    handoff.handoff_file(setup.path).write_text(json.dumps({"port": 9, "token": "x", "pid": 1}))
    run = etl("load", "--db", str(setup.path), str(CASES / "targets_2025.csv"))
    assert run.returncode == 0, run.stderr
    assert setup.scalar("select count(*) from targets") == 2


@file_only  # the hand-off to the process holding a DuckDB file
def test_letting_go_stops_the_handoff_and_another_process_may_open_the_file(held):
    store.release(held.path)
    assert not handoff.handoff_file(held.path).exists()
    run = etl("load", "--db", str(held.path), str(CASES / "targets_2025.csv"))
    assert run.returncode == 0, run.stderr
    assert held.scalar("select count(*) from targets") == 2  # held again on its next use
    assert handoff.handoff_file(held.path).exists()


def test_work_after_commits_runs_once_more_for_the_commits_made_while_it_ran(held):
    running, go, runs = threading.Event(), threading.Event(), []

    def work(db):
        runs.append(db.scalar("select count(*) from plan_settings where name like 'probe%'"))
        running.set()
        assert go.wait(WAIT_SECONDS)

    def probe(number):
        with held.transaction() as con:
            con.execute("insert into plan_settings (name, value, description) values (?, 1, 'probe')",
                        [f"probe{number}"])

    stop = held.after_commits(work)
    probe(1)
    assert running.wait(WAIT_SECONDS)
    probe(2)
    probe(3)
    go.set()
    deadline = time.monotonic() + WAIT_SECONDS
    while runs[-1] != 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop()
    assert runs == [1, 3]  # two commits while the first run ran: one run more, which saw both


@file_only  # the hand-off to the process holding a DuckDB file
def test_the_overview_forecast_is_made_after_a_load_before_anyone_asks_for_it(held, monkeypatch):
    from league import forecast, queries

    made = []  # (the thread that made a forecast, the data version it was made for)
    projection = forecast.projection

    def noted(*args):
        made.append((threading.current_thread().name, held.data_version()))
        return projection(*args)

    monkeypatch.setattr(forecast, "projection", noted)
    run = etl("load", "--db", str(held.path), str(CASES / "ledger_2025-04.csv"))
    assert run.returncode == 0, run.stderr
    loaded = (f"after-commits:{held.path.name}", held.data_version())
    deadline = time.monotonic() + WAIT_SECONDS
    while loaded not in made and time.monotonic() < deadline:
        time.sleep(0.05)
    assert loaded in made, "the app did not make the forecast after the load"
    queries.warm_forecast(held)  # as the background does: waits for that making to end (a visitor would not)
    scope = queries.whole_tree(held)
    month = queries.default_month(queries.ledger_months(held, scope))
    assert month.month == 4  # the load moved the overview onto April
    before = len(made)
    shown = queries.milestone_forecast(held, scope, month)  # a visitor now: finds it made
    assert len(made) == before
    assert shown.equals(forecast.by_next_milestone(queries.monthly_built(held, scope, month),
                                                   queries.forecast_milestones(held, scope, month)))
