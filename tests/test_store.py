"""The same dashboard on a DuckLake store (catalog in PostgreSQL, Parquet data files) as on a DuckDB file."""

import inspect
from contextlib import closing
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from etl.pipeline import commit, load_file, prepare, save_header_map
from league import access, circular_queries, member_queries, queries, question_queries
from league.config import DB_ENV_VAR
from league.db import Database, next_ids
from league.store import DATA_PATH_ENV_VAR, StoreMisconfigured, connect
from league.units import save_unit_tree
from tests.accounts import PASSWORD, account, sign_in

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "cases" / "pipeline"
JUNE = date(2025, 6, 1)
# What the named queries that need more than a scope and a month are asked about.
GROUPINGS = ("priority", "park", "size_band")


def etl(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=600)


def every_named_query(db: Database) -> dict[str, pl.DataFrame]:
    """Every page's named query over the whole tree from June, with a unit and an organisation for those that ask."""
    scope = queries.whole_tree(db)
    unit = db.scalar("select unit from ledger where report_month <= ? group by unit order by count(*) desc, unit"
                     " limit 1", [JUNE])
    uscc = db.scalar("select min(uscc) from ledger where unit = ?", [unit])
    asked = {}
    for module in (queries, member_queries, question_queries, circular_queries):
        for name, query in inspect.getmembers(module, inspect.isfunction):
            parameters = list(inspect.signature(query).parameters)
            if query.__module__ != module.__name__ or name.startswith("_") or parameters[:2] != ["db", "scope"]:
                continue
            month = [JUNE] if "as_of_month" in parameters else []
            if "grouping" in parameters:
                for grouping in GROUPINGS:
                    asked[f"{name}:{grouping}"] = query(db, scope, *month, grouping=grouping)
                continue
            extra = {k: v for k, v in (("unit", unit), ("uscc", uscc)) if k in parameters}
            asked[name] = query(db, scope, *month, **extra)
            if "unit" in parameters and name not in ("review_history", "spot_check_frame", "unit_organisations"):
                asked[f"{name}:unit"] = query(db, scope, *month, unit=unit)
    return asked


@pytest.fixture
def moved(demo_file, new_lake, tmp_path) -> tuple[Database, Database]:
    """A copy of the demo city's file and the DuckLake store `migrate-store` moved it into."""
    folder = tmp_path / "file"
    shutil.copytree(demo_file.data_dir, folder, ignore=shutil.ignore_patterns("*.lock", "*.wal", "demo"))
    address, lake_folder = new_lake()
    run = etl("migrate-store", "--from", str(folder / "league.duckdb"), "--to", address,
              env={**_environ(), DATA_PATH_ENV_VAR: str(lake_folder)})
    assert run.returncode == 0, run.stderr
    assert "已迁入 DuckLake 存储" in run.stdout and "Traceback" not in run.stderr
    return Database(folder / "league.duckdb"), Database(address, data_path=lake_folder)


def _environ() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in (DB_ENV_VAR, DATA_PATH_ENV_VAR)}


def test_a_deployment_moved_into_ducklake_gives_every_named_query_the_same_figures(moved):
    file, lake = moved
    assert lake.lake and not file.lake
    on_file, on_lake = every_named_query(file), every_named_query(lake)
    assert on_file.keys() == on_lake.keys() and len(on_file) > 50
    for name, frame in on_file.items():
        try:
            assert_frame_equal(frame, on_lake[name], check_exact=False, rel_tol=1e-9)
        except AssertionError as differs:
            raise AssertionError(f"{name}: {differs}") from None
    assert file.data_version() == lake.data_version()
    for table in ("submissions", "raw_files", "review_actions", "audit_log", "users"):
        assert_frame_equal(file.query(f"select * from {table} order by all"),
                           lake.query(f"select * from {table} order by all"))
    # the raw files the records point to came along, and the key that seals ID numbers
    stored = lake.query("select stored_path from raw_files where stored_path is not null")["stored_path"]
    assert stored.len() > 0 and all((lake.data_dir / path).is_file() for path in stored)
    assert (lake.data_dir / "id-key").read_bytes() == (file.data_dir / "id-key").read_bytes()


def test_the_app_shows_the_same_overview_from_a_ducklake_store_as_from_the_file(moved, monkeypatch):
    shown = []
    for db in moved:
        name = account(db, "leadership")
        monkeypatch.setenv(DB_ENV_VAR, db.address)
        monkeypatch.setenv(DATA_PATH_ENV_VAR, str(db.data_dir))
        at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run(), name, PASSWORD)
        at.switch_page("pages/progress.py").run()
        assert not at.exception, at.exception
        # the tables as text, where a missing figure equals a missing figure (NaN does not equal NaN)
        shown.append(({m.label: m.value for m in at.metric}, [t.value.to_csv() for t in at.dataframe]))
    assert shown[0] == shown[1] and len(shown[0][0]) >= 4


def test_ledgers_load_into_a_new_ducklake_store_as_into_a_file(empty_db, new_lake):
    address, folder = new_lake()
    lake = Database(address, data_path=folder)
    assert lake.migrate()[-1] == empty_db.query(
        "select name from schema_migrations order by version desc limit 1")["name"][0]
    for db in (empty_db, lake):
        with db.transaction() as con:
            save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
        for case in ("ledger_2025-03.csv", "ledger_2025-03_revised.csv", "ledger_2025-04.csv", "targets_2025.csv"):
            assert load_file(db, CASES / case, today=date(2025, 4, 20)).status == "accepted", case
        before = db.query("select * from ledger order by all")
        rejected = load_file(db, CASES / "ledger_2025-04_bad.csv")
        assert rejected.status == "rejected" and {p.column for p in rejected.errors} == {"35岁以下青年数", "建团日期"}
        assert_frame_equal(db.query("select * from ledger order by all"), before)
        assert load_file(db, CASES / "ledger_2025-03_revised.csv").status == "unchanged"
    kept = lake.scalar("select stored_path from raw_files where first_file_name = 'ledger_2025-04_bad.csv'")
    assert (folder / kept).read_bytes() == (CASES / "ledger_2025-04_bad.csv").read_bytes()
    for sql in ("select * exclude (submission_id) from ledger order by all",
                "select kind, report_month, status, rows from submissions order by submission_id",
                "select * from mart_state order by all"):
        assert_frame_equal(empty_db.query(sql).drop("built_at", strict=False),
                           lake.query(sql).drop("built_at", strict=False))
    scope = queries.whole_tree(lake)
    assert_frame_equal(queries.progress_by_unit(empty_db, scope, date(2025, 4, 1)),
                       queries.progress_by_unit(lake, scope, date(2025, 4, 1)))
    ids = lake.query("select submission_id from submissions")["submission_id"]
    assert ids.n_unique() == ids.len()


def lake_with_units(new_lake) -> Database:
    """A new store with the pipeline cases' units."""
    address, folder = new_lake()
    lake = Database(address, data_path=folder)
    lake.migrate()
    with lake.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    return lake


def test_a_load_checked_before_another_process_replaced_the_unit_month_is_told_to_check_again(new_lake):
    lake = lake_with_units(new_lake)
    checked = prepare(lake, CASES / "ledger_2025-03.csv")
    assert checked.status == "ready"
    other = etl("load", "--db", lake.address, str(CASES / "ledger_2025-03_revised.csv"),
                env={**_environ(), DATA_PATH_ENV_VAR: str(lake.data_dir)})
    assert other.returncode == 0, other.stderr
    assert commit(lake, checked).status == "conflict"  # the other process's ledger stands; nothing of this one
    march = lake.query("select distinct submission_id from ledger where report_month = ?", [date(2025, 3, 1)])
    assert march.height == 1 and lake.scalar("select file_name from submissions where submission_id = ?",
                                            [march["submission_id"][0]]) == "ledger_2025-03_revised.csv"


def test_two_writers_taking_ids_at_once_on_a_ducklake_store_never_both_commit(new_lake):
    """A DuckLake store has no sequences or keys: the id counter makes the second writer's commit fail."""
    address, folder = new_lake()
    Database(address, data_path=folder).migrate()
    first, second = connect(address, folder), connect(address, folder)
    try:
        first.begin()
        second.begin()
        taken = [next_ids(first, "audit", 2), next_ids(second, "audit", 2)]
        assert taken[0] == taken[1]  # each saw the counter as it was
        first.commit()
        with pytest.raises(duckdb.TransactionException):
            second.commit()
        assert first.execute("select last from id_counters where name = 'audit'").fetchone()[0] == 2
    finally:
        first.close()
        second.close()


def test_saving_a_row_twice_keeps_one_per_key_on_a_ducklake_store(new_lake):
    lake = lake_with_units(new_lake)
    unit = "东湖区和平街道团工委"
    save_header_map(lake, unit, "ledger", {"栏目十三": "members"}, "测试")
    save_header_map(lake, unit, "ledger", {"栏目十三": "youth", "栏目十四": ""}, "测试")
    saved = lake.query("select header, field from header_mappings order by header")
    assert saved.rows() == [("栏目十三", "youth"), ("栏目十四", "")]
    name = account(lake, "admin")
    access.set_disabled(lake, name, True, by="测试")
    audit_ids = lake.query("select audit_id from audit_log")["audit_id"]
    assert audit_ids.n_unique() == audit_ids.len() == 2


def snapshot_count(lake: Database) -> int:
    """The store's snapshots as a new connection sees them (one attached earlier keeps the list it read)."""
    with closing(connect(lake.address, lake.data_dir)) as con:
        return con.execute("select count(*) from ducklake_snapshots('lake')").fetchone()[0]


def test_maintenance_tidies_the_files_while_the_app_reads_and_keeps_every_submission(moved):
    file, lake = moved
    for role in ("inspector", "admin", "leadership"):  # small writes, each a snapshot and a few small files
        account(lake, role)
    before, history = every_named_query(lake), lake.query("select * from submissions order by all")
    kept_snapshots = snapshot_count(lake)
    run = etl("maintain", "--db", lake.address, "--keep-days", "0",
              env={**_environ(), DATA_PATH_ENV_VAR: str(lake.data_dir)})
    assert run.returncode == 0 and "已整理" in run.stderr + run.stdout, run.stderr
    assert snapshot_count(lake) < kept_snapshots
    # the app's connection, held throughout, reads on: the same figures, every submission still there
    after = every_named_query(lake)
    for name, frame in before.items():
        assert_frame_equal(after[name], frame)
    assert_frame_equal(lake.query("select * from submissions order by all"), history)
    assert etl("maintain", "--db", str(file.path)).returncode == 0  # a file needs none; the command says so


def test_moving_refuses_a_store_that_is_not_new_or_not_ducklake(moved, new_lake, tmp_path):
    file, lake = moved
    env = {**_environ(), DATA_PATH_ENV_VAR: str(lake.data_dir)}
    again = etl("migrate-store", "--from", str(file.path), "--to", lake.address, env=env)
    assert again.returncode == 1 and "已有数据表" in again.stderr and "Traceback" not in again.stderr
    wrong = etl("migrate-store", "--from", str(file.path), "--to", str(tmp_path / "other.duckdb"), env=env)
    assert wrong.returncode == 1 and "DuckLake 地址" in wrong.stderr
    new_store, _ = new_lake()
    no_folder = etl("migrate-store", "--from", str(file.path), "--to", new_store, env=_environ())
    assert no_folder.returncode == 1 and DATA_PATH_ENV_VAR in no_folder.stderr and "Traceback" not in no_folder.stderr


def test_a_store_once_made_needs_its_address_alone(moved):
    """The data path the store recorded when it was made serves a command given no LEAGUE_DASHBOARD_DATA_PATH."""
    _, lake = moved
    listed = etl("users", "--db", lake.address, "list", env=_environ())
    assert listed.returncode == 0, listed.stderr
    assert set(access.read_demo_accounts(lake.data_dir)) <= {line.split("\t")[0] for line in listed.stdout.splitlines()}


def test_a_store_made_by_an_older_release_is_refused_with_a_reason(new_lake):
    address, folder = new_lake()
    lake = Database(address, data_path=folder)
    lake.migrate()
    with lake.transaction() as con:
        con.execute("delete from schema_migrations where version = (select max(version) from schema_migrations)")
    with pytest.raises(StoreMisconfigured, match="migrate-store"):
        Database(address, data_path=folder).migrate()
