"""A small league with figures worked out by hand (tests/cases/small_league/README.md).

The rows go straight into the tables, bypassing the loader, so that the query
tests do not depend on it and every figure is visible in the case files.
"""

from pathlib import Path

import polars as pl

from league import marts
from league.db import Database
from tests.stores import store_at
from league.units import save_unit_tree

CASE_DIR = Path(__file__).parent / "cases" / "small_league"


KINDS = ("ledger", "targets", "youth_voice")


def build_small_league(path: Path, kinds: tuple[str, ...] = KINDS, case_dir: Path = CASE_DIR) -> Database:
    """The small league at `path` (or another hand-made case laid out the same way in `case_dir`);
    `kinds` keeps only the submissions of those kinds."""
    db = store_at(path)
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, pl.read_csv(case_dir / "units.csv"))
        con.execute(
            "insert into submissions by name"
            " select s.submission_id, s.kind, u.unit_id, s.report_month, s.file_name,"
            "  'sha-' || s.submission_id as sha256, s.received_at, 'test' as submitted_by,"
            "  0 as rows, s.status"
            " from read_csv(?) s left join units u on u.name = s.unit"
            " where list_contains(?, s.kind)",
            [str(case_dir / "submissions.csv"), list(kinds)],
        )
        con.execute(
            "insert into ledger_rows by name select * from read_csv(?, all_varchar = true)"
            " where submission_id::integer in (select submission_id from submissions)",
            [str(case_dir / "ledger_rows.csv")],
        )
        for table in ("target_rows", "youth_voice_rows"):
            if not (case_dir / f"{table}.csv").exists():
                continue
            con.execute(
                f"insert into {table} by name"
                " select r.* exclude (unit), u.unit_id"
                " from read_csv(?) r join units u on u.name = r.unit"
                " where r.submission_id in (select submission_id from submissions)",
                [str(case_dir / f"{table}.csv")],
            )
        marts.rebuild(con)  # rows written without the loader are counted as a load counts them
    return db
