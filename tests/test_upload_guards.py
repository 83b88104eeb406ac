"""What a file would do to the figures is told before it loads, and nothing a person sends can misplace data.

The template's example row, a month that shrinks to under half, a month already
loaded, a report month in the future, a file refused before its unit was read,
a rejected file sent again after its cause was fixed, hostile file names and a
data folder that cannot be written.
"""

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from etl.pipeline import StorageError, load_file, prepare, save_header_map
from etl.templates import template_xlsx
from league.units import save_unit_tree
from tests.corpus_clerks import CLERK_REJECTS

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases" / "pipeline"
UNIT = "东湖区和平街道团工委"
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
TODAY = date(2025, 4, 28)
EXAMPLE_COMPANY = "江城云帆网络科技有限公司"


@pytest.fixture
def db(empty_db):
    with empty_db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    return empty_db


def filled_template(folder: Path, name: str = "台账.xlsx") -> Path:
    """The downloaded template with March's four organisations typed below its example row, title left as is."""
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("ledger")))
    sheet = book.worksheets[0]
    march = pl.read_csv(CASES / "ledger_2025-03.csv", skip_rows=1, infer_schema=False)
    for offset, row in enumerate(march.iter_rows()):
        for column, value in enumerate(row, start=1):
            sheet.cell(4 + offset, column, value)
    path = folder / name
    book.save(path)
    return path


def organisations(db) -> list[str]:
    return sorted(db.query("select org_name from ledger")["org_name"].to_list())


def test_the_templates_example_row_holds_the_load_and_is_never_loaded(db, tmp_path):
    path = filled_template(tmp_path)
    refused = load_file(db, path, unit=UNIT, month=MARCH, today=TODAY)
    assert refused.status == "rejected"
    [held] = [p for p in refused.errors if p.rule == "template_example"]
    assert held.rows == [3] and "--accept-drop" in held.message
    assert "template_title" in {p.rule for p in refused.warnings}
    assert organisations(db) == []
    loaded = load_file(db, path, unit=UNIT, month=MARCH, today=TODAY, accept_drop=True)
    assert loaded.status == "accepted" and loaded.row_count == 4
    assert EXAMPLE_COMPANY not in organisations(db) and len(organisations(db)) == 4


def test_a_month_with_under_half_the_organisations_needs_confirming(db, tmp_path):
    assert load_file(db, CASES / "ledger_2025-03.csv", today=TODAY).status == "accepted"
    lines = (CASES / "ledger_2025-04.csv").read_text(encoding="utf-8").splitlines()
    shrunk = tmp_path / "ledger_2025-04_one_row.csv"
    shrunk.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    prepared = prepare(db, shrunk, today=TODAY)
    assert prepared.status == "ready" and [p.rule for p in prepared.to_confirm] == ["large_drop"]
    assert prepared.changes.against_last_month.before == 4 and prepared.changes.against_last_month.after == 1
    assert load_file(db, shrunk, today=TODAY).status == "rejected"
    assert load_file(db, shrunk, today=TODAY, accept_drop=True).status == "accepted"


def test_replacing_a_loaded_month_says_when_it_arrived_and_what_changes(db):
    load_file(db, CASES / "ledger_2025-03.csv", today=TODAY)
    prepared = prepare(db, CASES / "ledger_2025-03_revised.csv", today=TODAY)
    assert prepared.status == "ready" and prepared.changes.replaces_received_at is not None
    diff = prepared.changes.against_replaced
    assert (diff.before, diff.after, diff.added, diff.removed) == (4, 5, 1, 0) and diff.changed == 1
    assert "新增 1 个" in diff.text()


def test_a_report_month_in_the_future_is_refused(db):
    result = load_file(db, CASES / "ledger_2025-03.csv", month=date(2099, 12, 1), today=TODAY)
    assert result.status == "rejected"
    assert "month_in_future" in {p.rule for p in result.errors}
    assert organisations(db) == []


def test_a_file_refused_before_reading_keeps_the_unit_and_month_chosen(db, tmp_path):
    pdf = tmp_path / "台账.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    result = load_file(db, pdf, kind="ledger", unit=UNIT, month=MARCH, today=TODAY)
    assert result.status == "rejected"
    logged = db.query("select u.name, s.report_month, s.kind from submissions s left join units u using (unit_id)")
    assert logged.rows() == [(UNIT, MARCH, "ledger")]


def test_a_rejected_file_sent_again_after_its_cause_is_fixed_is_checked_again(db, tmp_path):
    industry = "东湖区文化创意行业团委"
    lines = (CASES / "ledger_2025-03.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join([f"{industry}2025年3月两新组织团建工作台账", *lines[1:]]) + "\n", encoding="utf-8")
    first = load_file(db, path, today=TODAY)
    assert first.status == "rejected" and "unit_unknown" in {p.rule for p in first.errors}
    with db.transaction() as con:
        save_unit_tree(con, pl.DataFrame({"name": [industry], "level": ["industry"], "parent": ["东湖区"]}))
    again = load_file(db, path, today=TODAY)
    assert (again.status, again.unit, again.row_count) == ("accepted", industry, 4)


@pytest.mark.parametrize("file_name", ["../../../evil.csv", "/tmp/evil.csv", "..\\..\\evil.csv", "a/../../b.xlsx"])
def test_no_name_a_person_sends_becomes_part_of_a_path(db, tmp_path, file_name):
    before = {p for p in tmp_path.parent.rglob("*")}
    result = prepare(db, CASES / "ledger_2025-03.csv", file_name=file_name, today=TODAY)
    assert result.status == "ready"
    stored = db.scalar("select stored_path from raw_files")
    assert stored == f"raw/{result.receipt.sha256[:2]}/{result.receipt.sha256}"
    assert (db.data_dir / stored).read_bytes() == (CASES / "ledger_2025-03.csv").read_bytes()
    created = {p for p in tmp_path.parent.rglob("*")} - before
    assert all(p.is_relative_to(db.data_dir) for p in created)
    assert db.scalar("select file_name from submissions") is None  # a ready file is logged on confirmation


def test_a_data_folder_that_cannot_be_written_is_said_plainly(db):
    (db.data_dir / "raw").write_text("not a folder")
    with pytest.raises(StorageError, match="数据目录"):
        prepare(db, CASES / "ledger_2025-03.csv", today=TODAY)
    run = subprocess.run([sys.executable, "-m", "etl", "load", "--db", db.address, str(CASES / "ledger_2025-03.csv")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "数据目录" in run.stderr and "Traceback" not in run.stderr and str(db.data_dir) not in run.stderr


def queried_file(folder: Path) -> Path:
    """The clean ledger with its member count headed 栏目十三 (tests/corpus_clerks.py)."""
    case = next(c for c in CLERK_REJECTS if c.name == "clerk_reject_column_thirteen")
    return case.write(folder)


def etl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_an_unplaced_header_is_named_and_map_says_what_it_means(db, tmp_path):
    path = queried_file(tmp_path)
    base = ["load", "--db", db.address, "--unit", UNIT, "--month", "2025-03", "--json"]
    refused = etl(*base, str(path))
    assert refused.returncode == 1
    [report] = json.loads(refused.stdout)
    [missing] = [e for e in report["errors"] if e["rule"] == "column_missing"]
    assert "未找到“团员数”列" in missing["message"] and "“栏目十三”列无法识别" in missing["message"]
    assert {"header": "栏目十三", "field": None, "how": "unplaced", "candidates": []} in report["headers"]
    mapped = etl(*base, "--map", "栏目十三=团员数", str(path))
    assert mapped.returncode == 0, mapped.stdout
    [report] = json.loads(mapped.stdout)
    assert {"header": "栏目十三", "field": "league_members", "how": "mapped", "candidates": []} in report["headers"]
    assert db.scalar("select count(*) from ledger where league_members is null") == 0


def test_a_units_saved_correction_is_used_for_its_next_upload(db, tmp_path):
    path = queried_file(tmp_path)
    assert prepare(db, path, unit=UNIT, month=MARCH, today=TODAY).status == "rejected"
    save_header_map(db, UNIT, "ledger", {"栏目十三": "league_members"}, saved_by="王芳")
    again = prepare(db, path, unit=UNIT, month=MARCH, today=TODAY)
    assert again.status == "ready"
    assert next(r for r in again.readings if r.header == "栏目十三").how == "mapped"
    other = prepare(db, path, unit="东湖区互联网行业团委", month=MARCH, today=TODAY)
    assert "column_missing" in {p.rule for p in other.errors}  # another unit's corrections are its own


@pytest.mark.parametrize("bad", ["栏目十三", "栏目十三=不存在的字段", "=团员数"])
def test_a_map_that_names_no_field_is_a_usage_error(db, tmp_path, bad):
    run = etl("load", "--db", db.address, "--map", bad, str(queried_file(tmp_path)))
    assert run.returncode == 2 and "--map" in run.stderr
