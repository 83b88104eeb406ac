"""随机抽查: reproducible stratified packs, the pack as a file, findings loaded back, verification factors.

The ledgers are tests/cases/spotcheck (its README works out the figures), loaded through the real loader;
the packs are drawn, filled in with openpyxl as an inspector would, and loaded back through the loader,
the command line and the pages.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from etl.__main__ import main
from etl.pipeline import load_file, prepare
from league import gateway, queries, spotcheck
from league.access import Actor
from league.config import DB_ENV_VAR
from league.db import Database
from league.schema import MIGRATIONS_DIR
from league.units import save_unit_tree
from tests.test_nothing_live import assert_inert
from tests.accounts import account, sign_in
from tests.test_pages import APP, TIMEOUT, table_with
from tests.stores import copy_store, file_only, store_at

CASES = Path(__file__).parent / "cases" / "spotcheck"
HEPING, JIANGTAN = "东湖区和平街道团工委", "江北区江滩街道团工委"
JUNE = date(2025, 6, 1)
SEED = 2026
FORMULA_NAMES = ['=HYPERLINK("http://example.invalid","点此查看")', "+86客服外包有限公司", "-零距离广告有限公司",
                 "@江城网红孵化有限公司"]
STRATA = ["new_this_year", "flagged", "directly_managed", "other"]
# 江滩's findings (README): credit code -> (是否存在, 团组织是否属实, 实有团员数).
JIANGTAN_FINDINGS = {"91420100MA4KP0101K": ("是", "是", 9), "91420100MA4KP0102N": ("否", None, None),
                     "91420100MA4KP0103R": ("是", "否", 2)}
FINDING_HEADERS = ("是否存在", "团组织是否属实", "实有团员数")


def code(row: int) -> str:
    """The credit code of 和平's ledger row (1-20)."""
    return pl.read_csv(CASES / "ledger_heping_2025-06.csv", skip_rows=1, infer_schema=False)["统一社会信用代码"][row - 1]


def flag(con: duckdb.DuckDBPyConnection, unit: str, uscc: str | None) -> None:
    con.execute("insert into quality_flags select unit_id, ?, ?, 'count_jump', '警示', '测试', '{}', now()"
                " from units where name = ?", [JUNE, uscc, unit])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Database:
    """Both ledgers loaded; 和平's rows 1, 5, 6 and 7 flagged, and the unit-month itself (which flags no one)."""
    folder = tmp_path_factory.mktemp("spotcheck")
    db = store_at(folder / "league.duckdb")
    db.migrate()
    with db.transaction() as con:
        save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    for name in ("ledger_heping_2025-06.csv", "ledger_jiangtan_2025-06.csv"):
        assert load_file(db, CASES / name, trusted=True).status == "accepted"
    with db.transaction() as con:
        for row in (1, 5, 6, 7):
            flag(con, HEPING, code(row))
        flag(con, HEPING, None)
    return db


@pytest.fixture
def db(built, tmp_path) -> Database:
    """A copy of the built database (its folder, raw files included) for one test to change."""
    return copy_store(built, tmp_path / "data" / "league.duckdb", beside=True)


def inspector(db: Database, scope: str | None = None) -> Actor:
    scope = scope or queries.whole_tree(db)
    return Actor("督导甲", "inspector", scope, gateway.unit_path(db, scope))


def draw(db: Database, unit: str = HEPING, size: int = 10, seed: int = SEED) -> spotcheck.Pack:
    return spotcheck.draw_pack(db, inspector(db), unit, JUNE, size, seed)


def stratum_counts(pack: spotcheck.Pack) -> list[int]:
    counts = dict(pack.items.group_by("stratum").len().iter_rows())
    return [counts.get(s, 0) for s in STRATA]


def fill(pack_xlsx: bytes, findings: dict[str, tuple], edit=None) -> bytes:
    """The pack as an inspector brings it back: findings (credit code -> the three cells) typed in,
    `edit(sheet, columns, row_of)` for anything else; organisations not named are left unchecked."""
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx))
    sheet = book["抽查包"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "序号")
    columns = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
    row_of = {sheet.cell(r, columns["统一社会信用代码"]).value: r for r in range(header + 1, sheet.max_row + 1)}
    for uscc, cells in findings.items():
        for name, value in zip(FINDING_HEADERS, cells):
            sheet.cell(row_of[uscc], columns[name]).value = value
    if edit:
        edit(sheet, columns, row_of)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def exact_findings(pack: spotcheck.Pack) -> dict[str, tuple]:
    """Everything as the ledger says: each organisation found, its league organisation if claimed, its members."""
    return {row["uscc"]: ("是", "是" if row["has_league_org"] else "否", row["league_members"])
            for row in pack.items.iter_rows(named=True)}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def open_page(monkeypatch, db: Database, page: str) -> AppTest:
    """The page as an inspector signed in through the form, opened straight from its address (as
    tests/test_pages.open_app, without running the default page first)."""
    monkeypatch.setenv(DB_ENV_VAR, db.address)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page(page)
    sign_in(at.run(), account(db, "inspector"))
    assert not at.exception, at.exception
    return at


def pack_codes(data: bytes) -> list[str]:
    """The credit codes of a pack workbook, top to bottom."""
    sheet = openpyxl.load_workbook(io.BytesIO(data))["抽查包"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    column = rows[header].index("统一社会信用代码")
    return [row[column] for row in rows[header + 1:]]


# --- drawing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sizes, n, places", [
    ([4, 3, 5, 8], 10, [2, 2, 3, 3]),  # README: one each, then by size with the largest remainders
    ([4, 3, 5, 8], 4, [1, 1, 1, 1]),
    ([1, 0, 30, 2], 2, [1, 0, 1, 0]),  # fewer places than strata: the first strata in order
    ([1, 50], 10, [1, 9]),  # a stratum that runs out leaves its share to the others
    ([2, 2], 10, [2, 2]),  # never more than there are
])
def test_allocation_gives_every_non_empty_stratum_a_place_then_shares_by_size(sizes, n, places):
    assert spotcheck.allocate(sizes, n) == places


def test_each_organisation_is_in_the_first_stratum_that_applies(db):
    frame = queries.spot_check_frame(db, queries.whole_tree(db), JUNE, HEPING)
    strata = dict(frame.select("uscc", "stratum").iter_rows())
    assert [strata[code(row)] for row in range(1, 21)] == \
        ["new_this_year"] * 4 + ["flagged"] * 3 + ["directly_managed"] * 5 + ["other"] * 8


def test_the_same_seed_draws_the_same_pack_and_another_seed_another(db):
    first, again, other = draw(db), draw(db), draw(db, seed=SEED + 1)
    assert first.items["uscc"].to_list() == again.items["uscc"].to_list()
    assert first.pack_id != again.pack_id
    assert set(other.items["uscc"]) != set(first.items["uscc"])
    stored = db.query("select seed, size, created_by from spot_check_packs where pack_id = ?", [first.pack_id])
    assert stored.row(0) == (SEED, 10, "督导甲")
    logged = db.query("select detail from audit_log where action = 'spot_check_drawn' order by audit_id")
    assert [json.loads(d)["seed"] for d in logged["detail"]] == [SEED, SEED, SEED + 1]
    assert f"随机种子 {SEED}" in first.describe()


@pytest.mark.parametrize("size, counts", [(4, [1, 1, 1, 1]), (10, [2, 2, 3, 3]), (50, [4, 3, 5, 8])])
def test_every_non_empty_stratum_is_in_the_pack_in_its_share(db, size, counts):
    pack = draw(db, size=size)
    assert stratum_counts(pack) == counts
    assert pack.items["position"].to_list() == list(range(1, sum(counts) + 1))
    assert pack.items["stratum"].to_list() == sorted(pack.items["stratum"], key=STRATA.index)  # by stratum


def test_a_pack_cannot_be_drawn_outside_the_inspectors_scope_or_of_a_district(db):
    with pytest.raises(gateway.AccessDenied):
        spotcheck.draw_pack(db, inspector(db, "东湖区"), JIANGTAN, JUNE, 3, SEED)
    with pytest.raises(spotcheck.SpotCheckError, match="不是报送单位"):
        spotcheck.draw_pack(db, inspector(db), "东湖区", JUNE, 3, SEED)
    with pytest.raises(spotcheck.SpotCheckError, match="没有已接收的台账"):
        spotcheck.draw_pack(db, inspector(db), HEPING, date(2025, 5, 1), 3, SEED)
    assert db.scalar("select count(*) from spot_check_packs") == 0


# --- the pack as a file -------------------------------------------------------------------------

def test_pack_cells_that_look_like_formulas_are_written_as_text(db):
    pack = draw(db, size=20)
    data = spotcheck.pack_xlsx(pack)
    assert_inert(data, FORMULA_NAMES)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["抽查包"]
    headers = [c.value for c in sheet[4]]
    assert headers[-4:] == ["是否存在", "团组织是否属实", "实有团员数", "备注"]
    assert sheet.cell(1, 1).value == pack.title and f"随机种子 {SEED}" in sheet.cell(2, 1).value


def test_the_printable_pack_escapes_what_the_ledger_says(db):
    html = spotcheck.pack_html(draw(db, size=20))
    assert "=HYPERLINK(&#34;http://example.invalid&#34;,&#34;点此查看&#34;)" in html
    assert "<a " not in html and "□是 □否" in html
    if ".pdf" not in spotcheck.missing_tools():
        assert spotcheck.pack_pdf(draw(db, size=3)).startswith(b"%PDF")


# --- findings back and the verification factors ------------------------------------------------

def test_a_filled_pack_loads_back_and_gives_the_verification_factors_worked_out_by_hand(db, tmp_path):
    jiangtan = draw(db, JIANGTAN, size=3)
    filled = write(tmp_path, "江滩抽查结果.xlsx", fill(spotcheck.pack_xlsx(jiangtan), JIANGTAN_FINDINGS))
    assert main(["load", "--db", db.address, "--kind", "spot_check", str(filled)]) == 0
    heping = draw(db, size=8)
    unchecked = heping.items["uscc"][-1]
    findings = {k: v for k, v in exact_findings(heping).items() if k != unchecked}
    loaded = load_file(db, write(tmp_path, "和平.xlsx", fill(spotcheck.pack_xlsx(heping), findings)))
    assert (loaded.status, loaded.unit, loaded.month, loaded.row_count) == ("accepted", HEPING, JUNE, 7)
    assert [p.rule for p in loaded.warnings] == ["spot_check_unchecked"]

    stored = db.query("select uscc, org_exists, league_org_confirmed, members_counted from spot_check_results"
                      " where pack_id = ? order by uscc", [jiangtan.pack_id])
    assert stored.rows() == [("91420100MA4KP0101K", True, True, 9), ("91420100MA4KP0102N", False, None, None),
                             ("91420100MA4KP0103R", True, False, 2)]
    units = queries.verification_by_unit(db, queries.whole_tree(db), JUNE).filter(pl.col("period") == "month")
    by_unit = {row["unit"]: row for row in units.iter_rows(named=True)}
    assert units["unit"].to_list() == [JIANGTAN, HEPING]  # outside the band first
    assert (by_unit[JIANGTAN]["league_orgs_claimed"], by_unit[JIANGTAN]["league_orgs_confirmed"]) == (2, 1)
    assert (by_unit[JIANGTAN]["members_claimed"], by_unit[JIANGTAN]["members_counted"]) == (18, 11)
    assert by_unit[JIANGTAN]["org_factor"] == 0.5
    assert by_unit[JIANGTAN]["member_factor"] == pytest.approx(11 / 18)
    assert by_unit[JIANGTAN]["outside_band"] and not by_unit[HEPING]["outside_band"]
    assert (by_unit[HEPING]["org_factor"], by_unit[HEPING]["member_factor"]) == (1.0, 1.0)
    assert by_unit[HEPING]["organisations_checked"] == 7
    districts = queries.verification_by_district(db, queries.whole_tree(db), JUNE)
    assert sorted(districts.filter(pl.col("period") == "year_to_date")
                  .select("district", "units_checked", "units_outside_band", "org_factor").rows()) == \
        [("东湖区", 1, 0, 1.0), ("江北区", 1, 1, 0.5)]
    packs = queries.spot_check_packs(db, queries.whole_tree(db), JUNE)
    assert dict(packs.select("pack_id", "pack_state").iter_rows()) == {
        heping.pack_id: "findings_loaded", jiangtan.pack_id: "findings_loaded"}


def other_pack(sheet, columns, row_of) -> None:
    for row in row_of.values():
        sheet.cell(row, columns["抽查包编号"]).value = 99


def not_yes_or_no(sheet, columns, row_of) -> None:
    sheet.cell(row_of["91420100MA4KP0101K"], columns["是否存在"]).value = "可能"


def members_not_counted(sheet, columns, row_of) -> None:
    sheet.cell(row_of["91420100MA4KP0101K"], columns["实有团员数"]).value = None


@pytest.mark.parametrize("edit, scope, rule, column", [
    (other_pack, None, "pack_unknown", "抽查包编号"),
    (not_yes_or_no, None, "bool", "是否存在"),
    (members_not_counted, None, "finding_missing", "实有团员数"),  # found, so its members must be counted
    (None, "东湖区", "outside_scope", None),  # a district's account, 江滩 being in 江北区
])
def test_a_rejected_pack_says_where_and_why_and_loads_nothing(db, tmp_path, edit, scope, rule, column):
    data = fill(spotcheck.pack_xlsx(draw(db, JIANGTAN, size=3)), JIANGTAN_FINDINGS, edit)
    tables = ("spot_check_findings", "spot_check_packs", "spot_check_items", "ledger_rows")
    before = {t: db.scalar(f"select count(*) from {t}") for t in tables}
    result = prepare(db, write(tmp_path, "结果.xlsx", data), kind="spot_check", submitted_by="区县甲",
                     submit_scope=scope, spot_check_scope=scope)
    assert result.status == "rejected"
    error = next(p for p in result.errors if p.rule.startswith(rule))
    assert error.sheet == "抽查包" and error.column == column
    assert "工作表“抽查包”" in error.text()
    if column:
        assert error.rows and f"“{column}”列" in error.text()
    assert {t: db.scalar(f"select count(*) from {t}") for t in tables} == before
    assert db.scalar("select status from submissions where submission_id = ?", [result.submission_id]) == "rejected"
    assert queries.verification_by_unit(db, queries.whole_tree(db), JUNE).is_empty()


# --- the command line and the pages ------------------------------------------------------------

def test_the_command_line_writes_the_same_pack_as_the_function(db, tmp_path):
    out = tmp_path / "抽查包.xlsx"
    assert main(["spotcheck", "--db", db.address, "--unit", HEPING, "--month", "2025-06", "--size", "10",
                 "--seed", str(SEED), "--out", str(out)]) == 0
    assert pack_codes(out.read_bytes()) == draw(db).items["uscc"].to_list()
    assert db.scalar("select count(*) from audit_log where action = 'download' and detail like '%抽查包%'") == 1
    assert main(["spotcheck", "--db", db.address, "--unit", "东湖区", "--month", "2025-06", "--size", "3",
                 "--out", str(out)]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["spotcheck", "--db", db.address, "--unit", HEPING, "--month", "2025-06", "--size", "3",
              "--out", str(tmp_path / "抽查包.docx")])
    assert usage.value.code == 2


def test_the_spotcheck_page_draws_the_same_pack_and_shows_the_factors(db, tmp_path, monkeypatch):
    jiangtan = draw(db, JIANGTAN, size=3)
    load_file(db, write(tmp_path, "江滩.xlsx", fill(spotcheck.pack_xlsx(jiangtan), JIANGTAN_FINDINGS)))
    at = open_page(monkeypatch, db, "pages/spotcheck.py")
    next(s for s in at.selectbox if s.label == "被抽查单位").set_value(HEPING)
    next(n for n in at.number_input if n.label == "抽取组织数").set_value(10)
    next(n for n in at.number_input if n.label == "随机种子").set_value(SEED)
    next(b for b in at.button if b.label == "生成抽查包").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    drawn = db.scalar("select max(pack_id) from spot_check_packs")
    assert any(s.value == spotcheck.read_pack(db, inspector(db), drawn).title for s in at.subheader)
    shown = table_with(at, "序号", "抽样类别", "统一社会信用代码")
    assert shown["统一社会信用代码"].tolist() == draw(db).items["uscc"].to_list()
    assert set(shown["抽样类别"]) == set(spotcheck.STRATUM_WORDS.values())
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载抽查包（Excel，现场填写后上传）" in labels
    units = table_with(at, "单位", "团组织核实系数", "团员核实系数")
    jiangtan_rows = units[units["单位"] == JIANGTAN]
    assert dict(zip(jiangtan_rows["期间"], jiangtan_rows["团组织核实系数"])) == {"本月": 50.0, "年初至今": 50.0}
    assert set(jiangtan_rows["超出可接受范围"]) == {"是"}
    assert "江北区" in table_with(at, "所属区县", "超出范围单位数")["所属区县"].tolist()
    assert len([label for label in labels if label == "下载表格（Excel）"]) >= len(at.dataframe)


def test_an_inspector_loads_a_filled_pack_on_the_upload_page(db, tmp_path, monkeypatch):
    pack = draw(db, JIANGTAN, size=3)
    at = open_page(monkeypatch, db, "pages/upload.py")
    assert at.radio[0].options == ["随机抽查结果"]
    at.file_uploader[0].upload("江滩抽查结果.xlsx", fill(spotcheck.pack_xlsx(pack), JIANGTAN_FINDINGS)).run()
    assert "检查通过" in at.success[0].value, [e.value for e in at.error]
    next(b for b in at.button if b.label == "确认载入").click().run()
    assert "已载入" in at.success[0].value
    assert db.scalar("select count(*) from spot_check_results where pack_id = ?", [pack.pack_id]) == 3


# --- the migration ------------------------------------------------------------------------------

@file_only  # a DuckLake store made by an older release is refused (tests/test_store.py)
def test_the_migration_keeps_an_existing_databases_submissions_and_rows(tmp_path):
    """A database at 006 with a ledger, a signed-off review and a rejected file, migrated to 007."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table schema_migrations (version integer primary key, name varchar not null,"
                " applied_at timestamp not null default current_timestamp)")
    for migration in sorted(MIGRATIONS_DIR.glob("*.sql"))[:6]:
        con.execute(migration.read_text(encoding="utf-8"))
        con.execute("insert into schema_migrations (version, name) values (?, ?)",
                    [int(migration.name[:3]), migration.stem])
    save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
    unit_id = con.execute("select unit_id from units where name = ?", [HEPING]).fetchone()[0]
    for status in ("accepted", "rejected"):
        con.execute("insert into submissions (kind, unit_id, report_month, file_name, sha256, received_at,"
                    " submitted_by, rows, status) values ('ledger', ?, ?, '台账.xlsx', 'sha', ?, '王芳', 1, ?)",
                    [unit_id, JUNE, datetime(2025, 6, 20), status])
    con.execute("insert into ledger_rows (submission_id, org_name, uscc, district) values (1, '甲公司', ?, '东湖区')",
                [code(1)])
    con.execute("insert into review_actions (unit_id, report_month, submission_id, action, actor, acted_at)"
                " values (?, ?, 1, 'sign_off', '区县甲', now())", [unit_id, JUNE])
    con.close()

    assert Database(path).migrate()[0] == "007_spot_checks"  # and the later ones
    db = Database(path)
    assert db.query("select submission_id, kind, status from submissions order by 1").rows() == [
        (1, "ledger", "accepted"), (2, "ledger", "rejected")]
    assert db.query("select org_name, uscc from ledger").rows() == [("甲公司", code(1))]
    assert db.scalar("select count(*) from review_actions where submission_id = 1") == 1
    assert db.scalar("select nextval('submission_id_seq')") == 3  # new loads go on after the copied ones
    with db.transaction() as con:
        con.execute("insert into submissions (kind, file_name, sha256, received_at, submitted_by, rows, status)"
                    " values ('spot_check', 'x', 'sha', now(), 't', 0, 'rejected')")
    with pytest.raises(duckdb.ConstraintException), db.transaction() as con:
        con.execute("insert into submissions (kind, file_name, sha256, received_at, submitted_by, rows, status)"
                    " values ('nonsense', 'x', 'sha', now(), 't', 0, 'rejected')")
    assert db.query("select name, value from plan_settings where name like 'verification_band%' order by 1").rows() \
        == [("verification_band_high", 1.1), ("verification_band_low", 0.9)]
