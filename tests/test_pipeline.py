"""The pipeline as a whole: accept, reject, replace, idempotence, atomicity, concurrent uploads."""

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from etl import load as load_step
from etl.pipeline import commit, load_file, prepare
from league.config import raw_files_dir
from league.db import Database
from league.units import save_unit_tree
from tests.stores import ON_LAKE

CASES = Path(__file__).parent / "cases" / "pipeline"
UNIT = "东湖区和平街道团工委"
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)


@pytest.fixture
def db(empty_db) -> Database:
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    return empty_db


def ledger_state(db: Database) -> pl.DataFrame:
    return db.query("select * exclude (submission_id) from ledger order by report_month, uscc")


def test_ledger_is_accepted_with_unit_and_month_from_its_title(db):
    result = load_file(db, CASES / "ledger_2025-03.csv", today=date(2025, 3, 20))
    assert (result.status, result.unit, result.month, result.row_count) == ("accepted", UNIT, MARCH, 4)
    ledger = ledger_state(db)
    assert ledger.height == 4
    assert ledger.schema["report_month"] == pl.Date and ledger.schema["has_league_org"] == pl.Boolean
    assert ledger.schema["league_org_date"] == pl.Date and ledger.schema["employees"] == pl.Int32
    row = ledger.filter(pl.col("org_name") == "江城速达快递服务有限公司").row(0, named=True)
    assert row["league_org_date"] == date(2025, 3, 5) and row["build_path"] == 3 and row["unit"] == UNIT


def test_loading_the_same_file_twice_changes_nothing(db):
    load_file(db, CASES / "ledger_2025-03.csv")
    before = db.query("select * from submissions")
    again = load_file(db, CASES / "ledger_2025-03.csv")
    assert again.status == "unchanged"
    assert db.query("select * from submissions").equals(before)


def test_reloading_a_month_replaces_it_and_keeps_the_earlier_version(db):
    load_file(db, CASES / "ledger_2025-03.csv")
    revised = load_file(db, CASES / "ledger_2025-03_revised.csv")
    assert revised.status == "accepted"
    assert ledger_state(db).height == 5
    history = db.query("select status from submissions where report_month = ? order by submission_id", [MARCH])
    assert history["status"].to_list() == ["accepted", "accepted"]
    assert db.query("select count(*) as n from ledger_rows")["n"][0] == 9


def test_rejected_file_changes_no_figures_names_rows_and_columns_and_is_kept(db):
    load_file(db, CASES / "ledger_2025-03.csv")
    before = ledger_state(db)
    result = load_file(db, CASES / "ledger_2025-04_bad.csv")
    assert result.status == "rejected"
    found = {(p.rule, p.row, p.column) for p in result.errors}
    assert found == {("youth_within_employees", 4, "35岁以下青年数"), ("date_unreadable", 6, "建团日期")}
    assert ledger_state(db).equals(before)
    kept = db.scalar("select stored_path from raw_files where first_file_name = 'ledger_2025-04_bad.csv'")
    assert (db.data_dir / kept).read_bytes() == (CASES / "ledger_2025-04_bad.csv").read_bytes()
    assert (db.data_dir / kept).parent.parent == raw_files_dir(db.address)
    logged = db.query("select status, errors from submissions where status = 'rejected'")
    assert logged.height == 1 and "35岁以下青年数" in logged["errors"][0]


def test_targets_and_youth_voice_are_recognised_by_their_headers(db):
    assert load_file(db, CASES / "targets_2025.csv").kind == "targets"
    assert load_file(db, CASES / "youth_voice_2025.csv").kind == "youth_voice"
    targets = db.query("select unit, target_enterprise, target_direct from targets order by unit")
    assert targets.rows() == [("东湖区互联网行业团委", 6, 2), (UNIT, 4, 1)]
    voice = db.query("select sum(questions) as q, sum(effective_replies) as r from youth_voice")
    assert voice.row(0) == (330, 155)


def test_a_failure_half_way_through_the_write_leaves_nothing_behind(db, monkeypatch):
    load_file(db, CASES / "ledger_2025-03.csv")
    before = db.query("select * from submissions")

    def crash(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_step, "insert_rows", crash)
    with pytest.raises(RuntimeError):
        load_file(db, CASES / "ledger_2025-04.csv")
    assert db.query("select * from submissions").equals(before)
    assert ledger_state(db).height == 4


def test_an_upload_checked_before_another_landed_is_not_applied_over_it(db):
    first = prepare(db, CASES / "ledger_2025-03.csv")
    second = prepare(db, CASES / "ledger_2025-03_revised.csv")
    assert commit(db, second).status == "accepted"
    assert commit(db, first).status == "conflict"
    assert ledger_state(db).height == 5


def test_two_processes_loading_at_once_land_whole_or_are_told_to_check_again(db, tmp_path):
    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    shutil.copy(CASES / "ledger_2025-03.csv", files[0])
    shutil.copy(CASES / "ledger_2025-03_revised.csv", files[1])
    command = [sys.executable, "-m", "etl", "load", "--db", db.address, "--unit", UNIT, "--month", "2025-03"]
    runs = [subprocess.Popen([*command, str(f)], cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for f in files]
    said = [run.communicate(timeout=120) for run in runs]
    codes = [run.returncode for run in runs]
    # On a DuckDB file each load holds the file from its checks to its commit, so both land, one after the
    # other. On DuckLake both may check before either commits: the second to commit is told to check again.
    assert codes == [0, 0] or (ON_LAKE and sorted(codes) == [0, 1]), said
    assert all(code == 0 or "刚被他人更新" in out for code, (out, _) in zip(codes, said)), said
    accepted = db.query("select submission_id, rows from submissions where status = 'accepted' order by 1")
    assert sorted(accepted["rows"].to_list()) == sorted(r for r, code in zip([4, 5], codes) if code == 0)
    assert ledger_state(db).height == accepted["rows"][-1]


def test_a_process_killed_mid_load_leaves_the_previous_state_readable(db, tmp_path):
    load_file(db, CASES / "ledger_2025-03.csv")
    before = ledger_state(db)
    run = subprocess.Popen(
        [sys.executable, "-m", "etl", "load", "--db", db.address, str(CASES / "ledger_2025-03_revised.csv")],
        cwd=Path(__file__).parent.parent,
    )
    try:
        run.wait(timeout=0.8)
    except subprocess.TimeoutExpired:
        run.kill()
        run.wait()
    after = ledger_state(db)
    # Either the new submission landed whole or not at all; never a mix.
    assert after.equals(before) or after.height == 5
    rows = db.query("select s.rows, count(r.uscc) as n from submissions s join ledger_rows r using (submission_id)"
                    " group by all")
    assert (rows["rows"] == rows["n"]).all()


def test_a_file_titled_for_another_month_or_unit_than_chosen_is_rejected(db):
    result = load_file(db, CASES / "ledger_2025-03.csv", unit="东湖区互联网行业团委", month=APRIL)
    assert result.status == "rejected"
    assert {p.rule for p in result.errors} == {"unit_mismatch", "month_mismatch"}
    assert ledger_state(db).height == 0


@pytest.mark.parametrize(("title", "file_name", "unit", "month"), [
    ("江城市东湖区和平街道团工委2025年3月两新组织团建工作台账", "台账.xlsx", UNIT, MARCH),
    ("和平街道2025年4月两新组织团建工作台帐表", "台账.xlsx", UNIT, APRIL),
    ("两新组织团建工作台账", "东湖区和平街道_2025-03.xlsx", UNIT, MARCH),
    ("东湖区互联网行业团委 2025.04 台账", "x.csv", "东湖区互联网行业团委", APRIL),
    ("两新组织团建工作台账", "台账.xlsx", None, None),
])
def test_unit_and_month_are_read_from_the_title_or_file_name(db, title, file_name, unit, month):
    from etl.identity import infer_month, infer_unit
    from etl.validate import Unit as UnitInfo

    units = {n: UnitInfo(i, n, level, d) for i, (n, level, d) in enumerate([
        ("东湖区和平街道团工委", "street", "东湖区"), ("东湖区互联网行业团委", "industry", "东湖区"),
        ("东湖区", "district", "东湖区")])}
    assert (infer_unit(file_name, title, units), infer_month(file_name, title)) == (unit, month)


def test_every_received_file_can_be_had_again_exactly_as_sent(db):
    from etl.load import read_raw_file
    from league import queries

    load_file(db, CASES / "ledger_2025-03.csv", submitted_by="王芳")
    load_file(db, CASES / "ledger_2025-04_bad.csv", submitted_by="王芳")
    received = queries.received_files(db, queries.whole_tree(db))
    assert received.select("file_name", "outcome", "submitted_by").rows() == [
        ("ledger_2025-04_bad.csv", "rejected", "王芳"), ("ledger_2025-03.csv", "accepted", "王芳")]
    with db.connect() as con:
        for row in received.iter_rows(named=True):
            assert read_raw_file(con, db.data_dir, row["sha256"]) == (CASES / row["file_name"]).read_bytes()
    assert queries.received_files(db, "东湖区互联网行业团委").is_empty()  # another unit's files are not its to see
