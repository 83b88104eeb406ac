"""SQL stays parameterised and nothing a unit types comes back live: hostile text through every text field.

SQL-looking, formula-looking, placeholder-looking and markup text (HOSTILE) is
typed into every text field of every sheet kind of the contract, loaded through
the real pipeline (`load_file`: read, located, normalised, validated, written;
the accepted files are read in the worker process as uploads are, the rejected
ones in this process to keep the file fast) and read back. Proven here:

- Free text (fields of type "text": a ledger's organisation name, district,
  street, park, leader and note) takes any text: the file is accepted, the text
  is stored exactly as the loader reads free text (runs of white space made one
  space, the ends trimmed; nothing else changes) and a parameterised select finds
  it; a column the template does not know keeps it verbatim in `extra`, and the
  file's name is recorded verbatim. Both a CSV and an .xlsx of text cells.
- Text of a set form (a credit code, a phone number, a unit that must be in the
  tree) is refused when the text is not of that form: the file is rejected, its
  problems quote the text exactly as written, the log of the attempt is all that
  is new, and every table, view and macro is still there. A unit the admins named
  with such text is a valid value: it is stored and found under that name.
- The page queries, given such text as scope, district, unit or credit code
  (all of which a person can put in the address bar), return nothing and change
  nothing.
- The exports are inert: the table downloads (`league.ui.xlsx_bytes` of the
  pages' frames) and the check report (`etl.problem_report.problem_report_xlsx`)
  give every such text back as a string cell, identical to what was stored or
  typed, with no formula and no link anywhere in the workbook.
- The app writes no CSV of its own, and Streamlit's table toolbar, which would
  write cells as they are (and unrecorded), offers no "下载为 CSV"
  (client.disableDataExport).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from stdnum.cn import uscc as credit_codes

from etl.contract import contract
from etl.pipeline import Prepared, load_file
from etl.problem_report import problem_report_xlsx, problems_frame
from league.personal_ids import mask_id
from league import marts, queries
from league.db import Database
from league.units import save_unit_tree
from tests.test_nothing_live import assert_inert
from tests.stores import copy_store, store_at

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases" / "pipeline"
STREET_UNIT, INDUSTRY_UNIT, DISTRICT = "东湖区和平街道团工委", "东湖区互联网行业团委", "东湖区"
MARCH = date(2025, 3, 1)
TODAY = date(2025, 4, 28)

HOSTILE = {
    "sql-close-and-drop": "'); drop table ledger_rows; --",
    "sql-always-true": '" or 1=1 --',
    "sql-quoted-true": "' or '1'='1",
    "sql-placeholders": "? $1 $scope :unit",
    "formula-hyperlink": '=HYPERLINK("http://evil.example","x")',
    "formula-sum": "=1+2",
    "formula-dde": "+cmd|' /C calc'!A0",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(A1)",
    "formula-after-tab": "\t=1",
    "jndi-lookup": "${jndi:ldap://x}",
    "html-script": "<script>alert(1)</script>",
}
EACH_HOSTILE = [pytest.param(text, id=name) for name, text in HOSTILE.items()]
EXTRA_HEADER = "=HYPERLINK(\"http://evil.example\",\"x\"); drop table units; --"  # a column the template lacks

# Field types by what the loader does with text in them.
FREE_TEXT_TYPES = {"text"}  # any text is a value: stored
FORMED_TEXT_TYPES = {"uscc", "phone", "unit", "district", "id_number", "member_no"}  # of a set form: else refused
NOT_TEXT_TYPES = {"int", "bool", "date", "datetime", "month", "year", "category", "pathway", "ignore"}
KINDS = contract().kinds
FREE_TEXT = {kind: [f for f in k.fields if f.type in FREE_TEXT_TYPES] for kind, k in KINDS.items()}
FORMED_TEXT = {kind: [f for f in k.fields if f.type in FORMED_TEXT_TYPES] for kind, k in KINDS.items()}
UNIT_KINDS = [kind for kind, k in KINDS.items() if any(f.type == "unit" for f in k.fields)]

# A valid file of each kind, and the row (0-based) of its header.
VALID_FILES = {"ledger": (CASES / "ledger_2025-03.csv", 1), "targets": (CASES / "targets_2025.csv", 0),
               "youth_voice": (CASES / "youth_voice_2025.csv", 0),
               "spot_check": (CASES.parent / "spotcheck" / "findings.csv", 0),
               "roster": (CASES / "roster_2025.csv", 1), "ranges": (CASES / "ranges_2025.csv", 0),
               "unused_numbers": (CASES / "unused_numbers_2025.csv", 0), "schools": (CASES / "schools_2025.csv", 0),
               "youth_voice_questions": (CASES / "youth_voice_questions_2025.csv", 0)}
ACCEPTED_ADDS = {"submissions": 1, "raw_files": 1, "audit_log": 2}  # checked, then confirmed
REJECTED_ADDS = {"submissions": 1, "raw_files": 1, "audit_log": 1}  # the log of the attempt, nothing else


def as_read(text: str) -> str:
    """Free text as the loader keeps it (etl/normalise.parse_text): white space runs to one space, ends trimmed."""
    return re.sub(r"\s+", " ", text).strip()


# --- files and databases ------------------------------------------------------------------------


def valid_grid(kind: str) -> tuple[list[list[str]], int]:
    """The rows of a valid file of the kind (every row as wide as the header) and its header's index."""
    path, header_at = VALID_FILES[kind]
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    width = len(rows[header_at])
    return [row if i < header_at else row + [""] * (width - len(row)) for i, row in enumerate(rows)], header_at


def write_sheet(path: Path, rows: list[list[str]]) -> Path:
    """The rows as a CSV, or as an .xlsx whose every cell is a text cell (never a formula or a link)."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows)
        return path
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    sheet = book.add_worksheet("台账")
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text != "":
                sheet.write_string(r, c, text)
    book.close()
    return path


def credit_code(series: str, n: int) -> str:
    """A made-up credit code whose GB 32100-2015 check character is right."""
    body = f"91420100{series}{n:05d}"
    return body + credit_codes.calc_check_digit(body)


def relations(db: Database) -> set[tuple[str, str]]:
    """Every table, view and macro of the database."""
    with db.connect() as con:
        tables = con.execute("select table_name, table_type from information_schema.tables"
                             " where table_catalog = current_database()").fetchall()
        macros = con.execute("select distinct function_name, 'MACRO' from duckdb_functions()"
                             " where function_type in ('macro', 'table_macro') and not internal").fetchall()
    return set(tables) | set(macros)


def table_rows(db: Database) -> dict[str, int]:
    """How many rows each base table holds (table names from the catalogue, quoted as identifiers)."""
    with db.connect() as con:
        names = [n for (n,) in con.execute("select table_name from information_schema.tables where table_type = 'BASE TABLE'"
                                           " and table_catalog = current_database() order by 1").fetchall()]
        return {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


def grown(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {n: after[n] - before[n] for n in after if after[n] != before.get(n)}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Database:
    """An empty migrated database as conftest's empty_db builds it, once: each database here is a copy (0.6 s saved)."""
    db = store_at(tmp_path_factory.mktemp("migrated") / "league.duckdb")
    db.migrate()
    return db


def copy_of(migrated: Database, folder: Path, units: pl.DataFrame) -> Database:
    db = copy_store(migrated, folder / "league.duckdb")
    with db.transaction() as con:
        save_unit_tree(con, units)
    return db


TREE = pl.read_csv(CASES / "units.csv")


# --- accepted: free text in every free-text field, units named with hostile text ---------------


# The two ledgers of the hostile city, a street unit's as CSV and an industry unit's as .xlsx, each under a
# hostile file name that names none of the hostile units (a unit named in a file name is taken as its sender).
LEDGERS = {
    "csv": (STREET_UNIT, "MA4H", "'); drop table raw_files; --.csv"),
    "xlsx": (INDUSTRY_UNIT, "MA4J", '=HYPERLINK("http://evil.example","台账").xlsx'),
}
UNIT_FILE_NAMES = {"targets": HOSTILE["formula-dde"] + ".csv", "youth_voice": HOSTILE["html-script"] + ".csv",
                   "ranges": HOSTILE["formula-dde"] + "号段.csv", "unused_numbers": HOSTILE["html-script"] + "编号.csv",
                   "youth_voice_questions": HOSTILE["formula-dde"] + "问题明细.csv"}


def hostile_ledger(folder: Path, fmt: str) -> Path:
    """A March ledger with one organisation per hostile text, that text in every free-text field and in a column
    the template does not know; the other cells copied from the valid March ledger."""
    unit, series, _ = LEDGERS[fmt]
    grid, header_at = valid_grid("ledger")
    header, organisations = grid[header_at], grid[header_at + 1:]
    rows = []
    for i, text in enumerate(HOSTILE.values()):
        row = list(organisations[i % len(organisations)])
        row[header.index("序号")] = str(i + 1)
        row[header.index(KINDS["ledger"].field("uscc").label)] = credit_code(series, i)
        for f in FREE_TEXT["ledger"]:
            row[header.index(f.label)] = text
        rows.append([*row, text])
    title = [f"江城市{unit}2025年3月两新组织团建工作台账"]
    return write_sheet(folder / f"ledger.{fmt}", [title, [*header, EXTRA_HEADER], *rows])


def hostile_units_file(folder: Path, kind: str) -> Path:
    """A targets or Youth Voice sheet with one row per hostile text, the text as the row's unit."""
    grid, header_at = valid_grid(kind)
    header = grid[header_at]
    rows = []
    for i, text in enumerate(HOSTILE.values()):
        rows.append({
            "targets": [text, "2025", str(i + 1), "0", "1"],
            "youth_voice": [text, "2025-03", "1", str(100 + i), "10", "5", "1", "1", "1", "10", "1", "1"],
            "ranges": [str(i + 1), text, str(300000 + 100 * i), str(300009 + 100 * i), "", ""],
            "unused_numbers": [str(i + 1), text, str(300000 + 100 * i), "作废", ""],
            "youth_voice_questions": [str(i + 1), f"QH{i}", text, "2025-03-05 10:00", "其他", "否", "", "", ""],
        }[kind])
    assert all(len(row) == len(header) for row in rows)
    return write_sheet(folder / f"{kind}.csv", [header, *rows])


@dataclass
class City:
    """A database whose accepted files carry every hostile text, and what loading them did."""

    db: Database
    loaded: dict[str, Prepared]
    relations_before: set
    relations_after: set
    rows_before: dict[str, int]
    rows_after: dict[str, int]


@pytest.fixture(scope="module")
def hostile_city(migrated, tmp_path_factory) -> City:
    folder = tmp_path_factory.mktemp("hostile_city")
    hostile_units = pl.DataFrame({"name": [as_read(t) for t in HOSTILE.values()], "level": "industry",
                                  "parent": DISTRICT})
    db = copy_of(migrated, folder, pl.concat([TREE, hostile_units]))
    relations_before, rows_before = relations(db), table_rows(db)
    loaded = {}
    for fmt, (unit, _, file_name) in LEDGERS.items():
        loaded[f"ledger.{fmt}"] = load_file(db, hostile_ledger(folder, fmt), unit=unit, month=MARCH, today=TODAY,
                                            file_name=file_name)
    for kind in UNIT_KINDS:
        loaded[kind] = load_file(db, hostile_units_file(folder, kind), today=TODAY, file_name=UNIT_FILE_NAMES[kind])
    return City(db, loaded, relations_before, relations(db), rows_before, table_rows(db))


def test_every_field_type_is_known_here_as_text_or_not():
    """A type added to the contract must be sorted here, so its fields get hostile text too."""
    types = {f.type for k in KINDS.values() for f in k.fields}
    assert types <= FREE_TEXT_TYPES | FORMED_TEXT_TYPES | NOT_TEXT_TYPES, types
    assert FREE_TEXT["ledger"] and all(FORMED_TEXT.values())


def test_the_hostile_city_is_accepted_whole_and_every_table_view_and_macro_is_still_there(hostile_city):
    city, n = hostile_city, len(HOSTILE)
    assert {name: p.status for name, p in city.loaded.items()} == dict.fromkeys(city.loaded, "accepted"), \
        {name: [e.text() for e in p.errors] for name, p in city.loaded.items()}
    assert city.relations_after == city.relations_before
    adds = {name: ACCEPTED_ADDS[name] * len(city.loaded) for name in ACCEPTED_ADDS}
    ledgers = [p.submission_id for p in city.loaded.values() if p.kind == "ledger"]
    counted = {table: sum(city.db.scalar(f"select count(*) from {rows}(?, ?)", [i, i]) for i in ledgers)
               for table, rows in marts.MARTS.items()}  # the marts grew by the loaded ledgers' own counts
    units = list({city.db.scalar("select unit_id from submissions where submission_id = ?", [i]) for i in ledgers})
    counted |= {table: city.db.scalar(f"select count(*) from {rows}(?)", [units])  # and by their (new) units' months
                for table, rows in marts.UNIT_MARTS.items()}
    assert grown(city.rows_before, city.rows_after) == adds | counted | {
        "ledger_rows": len(LEDGERS) * n, **{KINDS[kind].table: n for kind in UNIT_KINDS},
        # each hostile unit's March totals (10 questions) against its one question exported: flagged, as text
        "quality_flags": n}


@pytest.mark.parametrize("fmt", list(LEDGERS))
@pytest.mark.parametrize("text", EACH_HOSTILE)
def test_hostile_text_in_every_free_text_field_of_a_ledger_is_stored_as_text(hostile_city, fmt, text):
    db = hostile_city.db
    unit, series, file_name = LEDGERS[fmt]
    code = credit_code(series, list(HOSTILE.values()).index(text))
    names = [f.name for f in FREE_TEXT["ledger"]]  # column names from the contract, not from the file
    with db.session():
        stored = db.query(f"select {', '.join(names)}, extra from ledger_rows where uscc = ?", [code])
        # The stored text, given as a parameter, finds its organisation and no other.
        found = {name: db.query(f"select uscc from ledger where {name} = ? and unit = ?",
                                [as_read(text), unit])["uscc"].to_list() for name in names}
        recorded = db.scalar("select file_name from submissions where submission_id = ?",
                             [hostile_city.loaded[f"ledger.{fmt}"].submission_id])
    assert stored.height == 1
    row = stored.row(0, named=True)
    assert {name: row[name] for name in names} == dict.fromkeys(names, as_read(text))
    assert json.loads(row["extra"]) == {as_read(EXTRA_HEADER): text}  # a column set aside keeps the cell verbatim
    assert found == dict.fromkeys(names, [code])
    assert recorded == file_name


@pytest.mark.parametrize("kind", UNIT_KINDS)
@pytest.mark.parametrize("text", EACH_HOSTILE)
def test_a_unit_the_admins_named_with_hostile_text_is_stored_and_found_by_that_name(hostile_city, kind, text):
    db, unit = hostile_city.db, as_read(text)
    i = list(HOSTILE.values()).index(text)
    with db.session():
        named = db.scalar("select count(*) from units where name = ?", [unit])
        found, expected = {
            "targets": (db.query("select year, target_enterprise from targets where unit = ?", [unit]), (2025, i + 1)),
            "youth_voice": (db.query("select month, visits from youth_voice where unit = ?", [unit]),
                            (MARCH, 100 + i)),
            "ranges": (db.query("select first_no, numbers from number_ranges where unit = ?", [unit]),
                       (str(300000 + 100 * i), 10)),
            "unused_numbers": (db.query("select member_no, reason from unused_numbers where unit = ?", [unit]),
                               (str(300000 + 100 * i), "作废")),
            "youth_voice_questions": (db.query("select question_id, category from youth_voice_questions where unit = ?",
                                               [unit]), (f"QH{i}", "其他")),
        }[kind]
        scoped = queries.reporting_units(db, unit)["unit"].to_list()
    assert named == 1
    assert found.rows() == [expected]
    assert scoped == [unit]  # the name as a scope covers that unit's subtree: the unit itself


# --- rejected: text of a set form that is not of that form -------------------------------------


@dataclass
class Rejection:
    prepared: Prepared
    cells: dict[str, int]  # header -> Excel row where the hostile text was typed
    relations_before: set
    relations_after: set
    rows_before: dict[str, int]
    rows_after: dict[str, int]


@dataclass
class Checked:
    """A city with valid files loaded, into which the hostile files are sent one by one (each sent once)."""

    db: Database
    folder: Path
    sent: dict[tuple[str, str], Rejection] = field(default_factory=dict)

    def send(self, kind: str, text: str) -> Rejection:
        """A valid file of the kind with `text` in each formed-text field, each on its own row; for a ledger
        also as a column's header."""
        if (kind, text) not in self.sent:
            grid, header_at = valid_grid(kind)
            cells = {}
            for i, f in enumerate(FORMED_TEXT[kind]):
                header = grid[header_at]
                grid[header_at + 1 + i][header.index(f.label)] = text
                cells[f.label] = header_at + 2 + i  # Excel rows count from 1
            if kind == "ledger":
                grid = [grid[0], [*grid[1], text], *[[*row, "x"] for row in grid[2:]]]
            path = write_sheet(self.folder / f"{kind}_{len(self.sent)}.csv", grid)
            unit = STREET_UNIT if kind == "ledger" else None
            # Parsed in this process (the hostile city's files go through the worker): 33 files, 20 s saved.
            with self.db.session():
                before = relations(self.db), table_rows(self.db)
                prepared = load_file(self.db, path, unit=unit, month=MARCH if unit else None, today=TODAY,
                                     trusted=True)
                after = relations(self.db), table_rows(self.db)
            self.sent[kind, text] = Rejection(prepared, cells, before[0], after[0], before[1], after[1])
        return self.sent[kind, text]


@pytest.fixture(scope="module")
def checked_city(migrated, tmp_path_factory) -> Checked:
    folder = tmp_path_factory.mktemp("checked_city")
    db = copy_of(migrated, folder, TREE)
    for name in ("ledger_2025-03.csv", "targets_2025.csv", "youth_voice_2025.csv"):
        assert load_file(db, CASES / name, today=TODAY).status == "accepted"
    return Checked(db, folder)


FORMED = [pytest.param(kind, id=kind) for kind in KINDS if FORMED_TEXT[kind]]


@pytest.mark.parametrize("kind", FORMED)
@pytest.mark.parametrize("text", EACH_HOSTILE)
def test_hostile_text_where_a_code_phone_or_known_unit_belongs_is_rejected_cleanly(checked_city, kind, text):
    sent = checked_city.send(kind, text)
    result = sent.prepared
    assert result.status == "rejected"
    for header, excel_row in sent.cells.items():
        # An ID number is quoted masked whatever was typed (it may be a near-real person's).
        typed = mask_id(text) if KINDS[kind].field_named(header).type == "id_number" else text
        quoting = [p for p in result.errors if p.column == header and excel_row in p.rows and typed in p.values]
        assert quoting, (header, [p.text() for p in result.errors])  # the text as typed, not a reading of it
        assert all(f"“{shown}”" in p.text() for p in quoting for shown in p.shown_values)
    assert sent.relations_after == sent.relations_before
    assert grown(sent.rows_before, sent.rows_after) == REJECTED_ADDS
    logged = checked_city.db.query("select status, errors from submissions where submission_id = ?",
                                   [result.submission_id])
    assert logged["status"].to_list() == ["rejected"]
    assert any(text in e["values"] for e in json.loads(logged["errors"][0]))  # the log quotes it as text too


@pytest.mark.parametrize("kind", FORMED)
@pytest.mark.parametrize("text", EACH_HOSTILE)
def test_the_check_report_of_a_rejected_file_gives_its_hostile_text_back_as_text(checked_city, kind, text):
    sent = checked_city.send(kind, text)
    result = sent.prepared
    report = problem_report_xlsx(result.problems, result.table)
    assert_inert(report, [text])  # no formula, no link; the text a string cell
    book = openpyxl.load_workbook(io.BytesIO(report))
    listing, marked = book.worksheets
    # The listing is the page's problem table, cell for cell.
    shown = problems_frame(result.problems)
    assert [[c.value or "" for c in row] for row in listing.iter_rows(min_row=2, max_col=7)] == \
        [[v or "" for v in row[:7]] for row in shown.iter_rows()]
    # The copy of the sheet has the text where the unit typed it, marked with why.
    for header, excel_row in sent.cells.items():
        column = int(result.table.header_columns[header][1:]) + 1
        cell = marked.cell(excel_row, column)
        assert cell.value == text and cell.data_type == "s"
        assert cell.comment is not None and "错误" in cell.comment.text


# --- page queries given hostile text from the address bar -------------------------------------

REAL = {"district": DISTRICT, "unit": STREET_UNIT, "uscc": "91420100MA4K00020T"}  # what finds rows in the city
PAGE_QUERIES = {  # each page query as a page calls it; `named` holds the district, unit or code the address names
    "ledger_months": lambda db, scope, named: queries.ledger_months(db, scope),
    "reporting_units": lambda db, scope, named: queries.reporting_units(db, scope),
    "progress_by_unit": lambda db, scope, named: queries.progress_by_unit(db, scope, MARCH,
                                                                          districts=[named["district"]]),
    "progress_by_district": lambda db, scope, named: queries.progress_by_district(db, scope, MARCH,
                                                                                  districts=[named["district"]]),
    "coverage": lambda db, scope, named: queries.coverage(db, scope, MARCH, districts=[named["district"]]),
    "gap_list": lambda db, scope, named: queries.gap_list(db, scope, MARCH, districts=[named["district"]]),
    "youth_voice_by_month": lambda db, scope, named: queries.youth_voice_by_month(db, scope, MARCH,
                                                                                  unit=named["unit"]),
    "youth_voice_by_unit": lambda db, scope, named: queries.youth_voice_by_unit(db, scope, MARCH),
    "submission_grid": lambda db, scope, named: queries.submission_grid(db, scope, MARCH),
    "area_summary": lambda db, scope, named: queries.area_summary(db, scope, MARCH, district=named["district"]),
    "unit_organisations": lambda db, scope, named: queries.unit_organisations(db, scope, MARCH, named["unit"]),
    "organisation_history": lambda db, scope, named: queries.organisation_history(db, scope, MARCH, named["uscc"]),
    "received_files": lambda db, scope, named: queries.received_files(db, scope),
}
TAKING_NAMES = set(PAGE_QUERIES) - {"ledger_months", "reporting_units", "youth_voice_by_unit", "submission_grid",
                                    "received_files"}


@pytest.fixture(scope="module")
def queried_city(checked_city) -> Database:
    """The checked city, where every page query finds rows for the real scope and names: finding none with
    hostile text is that text's doing."""
    db = checked_city.db
    found = {name: run(db, queries.whole_tree(db), REAL).height for name, run in PAGE_QUERIES.items()}
    assert all(found.values()), found
    return db


@pytest.mark.parametrize("text", EACH_HOSTILE)
def test_page_queries_given_hostile_text_as_scope_district_unit_or_code_find_nothing_and_change_nothing(
        queried_city, text):
    db = queried_city
    with db.session():
        tree = queries.whole_tree(db)
        before = relations(db), table_rows(db)
        as_scope = {name: run(db, text, REAL).height for name, run in PAGE_QUERIES.items()}
        as_names = {name: PAGE_QUERIES[name](db, tree, dict.fromkeys(REAL, text)).height for name in TAKING_NAMES}
        after = relations(db), table_rows(db)
    assert as_scope == dict.fromkeys(PAGE_QUERIES, 0)
    assert as_names == dict.fromkeys(TAKING_NAMES, 0)
    assert after == before


# --- the table downloads -----------------------------------------------------------------------


def downloads(city: City) -> dict[str, pl.DataFrame]:
    """The frames the pages offer as .xlsx downloads, read from the hostile city."""
    db = city.db
    tree = queries.whole_tree(db)
    codes = db.query("select uscc from ledger_rows order by uscc")["uscc"].to_list()
    return {
        "inspection_list": pl.concat([queries.unit_organisations(db, tree, MARCH, unit)  # 现场核查清单
                                      for unit, _, _ in LEDGERS.values()]),
        "organisation_history": pl.concat([queries.organisation_history(db, tree, MARCH, code)  # 逐月记录
                                           for code in codes]),
        "units_of_a_district": queries.area_summary(db, tree, MARCH, district=DISTRICT),  # 各单位情况
        "progress_by_unit": queries.progress_by_unit(db, tree, MARCH),
        "youth_voice_by_unit": queries.youth_voice_by_unit(db, tree, MARCH),
        "received_files": queries.received_files(db, tree),  # 收到的文件
    }


@pytest.fixture(scope="module")
def downloaded(hostile_city) -> dict[str, tuple[pl.DataFrame, bytes]]:
    from league.ui import readable, xlsx_bytes

    return {name: (shown := readable(frame), xlsx_bytes(shown))  # as ui.table_with_download writes them
            for name, frame in downloads(hostile_city).items()}


@pytest.mark.parametrize("name", ["inspection_list", "organisation_history", "units_of_a_district",
                                  "progress_by_unit", "youth_voice_by_unit", "received_files"])
def test_a_table_download_gives_hostile_text_back_as_the_same_plain_text(downloaded, name):
    shown, data = downloaded[name]
    texts = {v for column in shown.columns if shown.schema[column] == pl.String for v in shown[column]}
    hostile = sorted(texts & ({as_read(t) for t in HOSTILE.values()} | set(HOSTILE.values())
                              | {LEDGERS[f][2] for f in LEDGERS} | set(UNIT_FILE_NAMES.values())))
    assert hostile, f"{name} shows none of the hostile text"
    assert_inert(data, hostile)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    grid = list(sheet.iter_rows(values_only=True))
    assert list(grid[0]) == shown.columns
    for c, column in enumerate(shown.columns):
        if shown.schema[column] == pl.String:
            assert [row[c] or "" for row in grid[1:]] == shown[column].to_list(), column


@pytest.mark.parametrize("text", EACH_HOSTILE)
def test_a_table_download_keeps_hostile_text_exactly_even_as_a_header(text):
    from league.ui import xlsx_bytes

    data = xlsx_bytes(pl.DataFrame({text: [text, f"{text} "], "备注": [f" {text}", text]}))
    assert_inert(data, [text])
    grid = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert grid == [(text, "备注"), (text, f" {text}"), (f"{text} ", text)]


# --- CSV --------------------------------------------------------------------------------------

CSV_WRITERS = re.compile(r"write_csv|to_csv|text/csv|csv\.writer|DictWriter|\.csv\"")


def test_the_app_writes_no_csv_of_its_own():
    """Every download the app builds is an .xlsx written with nothing live; a CSV export added later needs its
    cells starting with = + - @ (or a tab) made inert, and a test here."""
    sources = [ROOT / "app.py", *(ROOT / "league").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]
    writers = {str(p.relative_to(ROOT)): CSV_WRITERS.findall(p.read_text(encoding="utf-8")) for p in sources}
    assert {p: found for p, found in writers.items() if found} == {}


def test_the_table_toolbars_csv_download_is_turned_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config.get("client", {}).get("disableDataExport") is True
