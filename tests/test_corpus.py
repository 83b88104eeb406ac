"""The corpus (tests/corpus.py, cases in tests/corpus_cases.py) through the whole pipeline.

Every messy variant must load to exactly the clean template's rows; every bad
file must be rejected with the errors a careful reader would raise, leaving
the loaded data as it was and the file itself kept.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from stdnum.cn import uscc

from etl.normalise import uscc_passes
from etl.pipeline import load_file
from league.db import Database
from league.units import save_unit_tree
from tests.corpus import CLEAN, MONTH, UNIT, UNIT_TREE, USCC_ALPHABET, Case, expected_ledger, make_records, template_case
from tests.corpus_cases import BAD_FILES, VARIANTS
from tests.corpus_clerks import CLERK_REJECTS, CLERK_VARIANTS
from tests.corpus_clerks_more import MORE_CLERK_VARIANTS
from tests.stores import copy_store, store_at

LEDGER = "select * exclude (submission_id) from ledger order by uscc"


@pytest.fixture(scope="session")
def blank_db(tmp_path_factory) -> Database:
    """A migrated database knowing the unit tree; copied, never used in place."""
    db = store_at(tmp_path_factory.mktemp("blank") / "league.duckdb")
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, UNIT_TREE)
    return db


@pytest.fixture(scope="session")
def template_db(blank_db, tmp_path_factory) -> Database:
    """The blank database with the clean template loaded."""
    folder = tmp_path_factory.mktemp("template")
    db = copy_db(blank_db, folder)
    result = load_file(db, template_case().write(folder))
    assert result.status == "accepted", [p.text() for p in result.errors]
    return db


@pytest.fixture(scope="session")
def template_rows(template_db) -> pl.DataFrame:
    return template_db.query(LEDGER)


def copy_db(source: Database, folder: Path) -> Database:
    return copy_store(source, folder / "league.duckdb")


def identity(case: Case) -> dict:
    """Unit and month as the uploader would choose them, unless the file itself must tell them."""
    return {"unit": UNIT, "month": MONTH} if case.identity == "args" else {}


def first_differences(actual: pl.DataFrame, expected: pl.DataFrame, shown: int = 5) -> list[str]:
    if actual.height != expected.height:
        return [f"{actual.height} rows loaded, {expected.height} expected"]
    found = []
    for got, want in zip(actual.to_dicts(), expected.to_dicts()):
        found += [f"{want['uscc']} {k}: {got[k]!r} != {v!r}" for k, v in want.items() if got[k] != v]
    return found[:shown]


def test_template_loads_as_written(template_rows):
    """The clean template reads back as the values it was written from (the baseline every variant meets)."""
    expected = expected_ledger().select(template_rows.columns)
    assert first_differences(template_rows, expected) == []
    assert template_rows.height == len(CLEAN) == 30


@pytest.mark.parametrize("case", VARIANTS + CLERK_VARIANTS + MORE_CLERK_VARIANTS, ids=lambda c: c.name)
def test_variant_loads_like_template(case: Case, blank_db, template_rows, tmp_path):
    db = copy_db(blank_db, tmp_path)
    result = load_file(db, case.write(tmp_path), **identity(case))
    assert result.status == "accepted", [p.text() for p in result.errors]
    assert (result.unit, result.month) == (UNIT, MONTH)
    assert {p.rule for p in result.warnings} == set(case.warnings), [p.text() for p in result.warnings]
    assert first_differences(db.query(LEDGER), template_rows) == []
    if case.layout.extra:
        assert extra_of(db) == {r["uscc"]: {x.header: str(x.make(i)) for x in case.layout.extra
                                            if x.make(i) is not None} for i, r in enumerate(CLEAN)}


def extra_of(db: Database) -> dict[str, dict]:
    rows = db.query("select uscc, extra from ledger_rows join ledger using (uscc, submission_id)")
    return {r["uscc"]: json.loads(r["extra"]) if r["extra"] else {} for r in rows.iter_rows(named=True)}


@pytest.mark.parametrize("case", BAD_FILES + CLERK_REJECTS, ids=lambda c: c.name)
def test_bad_file_rejected(case: Case, template_db, template_rows, tmp_path):
    db = copy_db(template_db, tmp_path)
    accepted = db.query("select * from submissions where status = 'accepted'")
    path = case.write(tmp_path)
    result = load_file(db, path, **identity(case))
    assert result.status == "rejected"
    found = sorted((p.rule, tuple(p.rows), p.column) for p in result.errors)
    assert found == sorted((e.rule, e.rows, e.column) for e in case.errors), [p.text() for p in result.errors]
    assert all(p.text() for p in result.errors)
    # Nothing loaded changed; the attempt and the file itself are kept.
    assert db.query(LEDGER).equals(template_rows)
    assert db.query("select * from submissions where status = 'accepted'").equals(accepted)
    sha = result.receipt.sha256
    assert db.scalar("select count(*) from submissions where sha256 = ? and status = 'rejected'", [sha]) == 1
    stored = db.data_dir / db.scalar("select stored_path from raw_files where sha256 = ?", [sha])
    assert stored.is_relative_to(db.data_dir / "raw") and stored.read_bytes() == path.read_bytes()


def test_many_bad_cells_are_one_problem(template_db, tmp_path):
    case = next(c for c in BAD_FILES if c.name == "many_bad_dates")
    result = load_file(copy_db(template_db, tmp_path), case.write(tmp_path), unit=UNIT, month=MONTH)
    [problem] = result.errors
    assert problem.count == 2000 and len(problem.values) <= 5
    assert "等共 2000 行" in problem.text()


def test_same_organisation_twice_loads_last_with_warning(blank_db, tmp_path):
    case = next(c for c in VARIANTS if c.name == "same_organisation_twice")
    result = load_file(copy_db(blank_db, tmp_path), case.write(tmp_path), unit=UNIT, month=MONTH)
    [warning] = [p for p in result.warnings if p.rule == "duplicate_organisation"]
    assert sorted(warning.rows) == sorted([7, 20, 33, 34])


def test_copy_of_last_month_loads_with_warning(blank_db, tmp_path):
    db = copy_db(blank_db, tmp_path)
    february = next(c for c in VARIANTS if c.name == "no_title").write(tmp_path)
    assert load_file(db, february, unit=UNIT, month=date(2025, 2, 1)).status == "accepted"
    result = load_file(db, template_case().write(tmp_path))
    assert result.status == "accepted"
    assert "same_as_last_month" in [p.rule for p in result.warnings]


def test_uscc_column_check_agrees_with_stdnum():
    """The vectorised GB 32100 check passes exactly the codes python-stdnum passes."""
    rng = random.Random(32100)
    good = [r["uscc"] for r in make_records(500, seed=11)]
    typos = [c[:i] + rng.choice(USCC_ALPHABET + "IOSVZ") + c[i + 1:] for c in good for i in [rng.randrange(18)]]
    odd = ["", "91360102MA35ABC12", "91360102MA35ABC1234", "9136010XMA35ABC123", "A" * 18, "0" * 18]
    codes = good + typos + odd
    ours = pl.DataFrame({"uscc": codes}).select(uscc_passes(pl.col("uscc"))).to_series().fill_null(False)
    assert ours.to_list() == [uscc.is_valid(c) for c in codes]
    assert ours.sum() >= len(good)
