"""The month-end bulletin: every figure is the dashboard's, on paper as on screen, within the reader's scope."""

import calendar
import hashlib
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from pypdf import PdfReader

from league import bulletin, bulletin_render, gateway, queries
from league.access import Actor
from league.db import Database
from tests.stores import copy_store, store_at

ROOT = Path(__file__).parent.parent


def leadership(db: Database) -> Actor:
    root = queries.whole_tree(db)
    return Actor("测试", "leadership", root, gateway.unit_path(db, root))


def months(db: Database) -> list[date]:
    """The demo's default month, and its year's first month with a ledger (before any milestone is due)."""
    reported = queries.ledger_months(db, queries.whole_tree(db))
    default = queries.default_month(reported)
    first = min(m for m in reported["report_month"] if m.year == default.year)
    return [default, first]


@pytest.fixture(scope="module")
def month(demo_db) -> date:
    return months(demo_db)[0]


@pytest.fixture(scope="module")
def made(demo_db, month) -> bulletin.Bulletin:
    return bulletin.bulletin(demo_db, leadership(demo_db), month)


@pytest.fixture(scope="module")
def written(made, tmp_path_factory) -> dict[str, str]:
    """The bulletin written once as .docx and .pdf, read back as text (whitespace removed: the PDF wraps lines)."""
    folder = tmp_path_factory.mktemp("bulletin")
    docx = Document(bulletin_render.render(made, folder / "通报.docx"))
    pdf = PdfReader(bulletin_render.render(made, folder / "通报.pdf"))
    docx_text = "\n".join([p.text for p in docx.paragraphs]
                          + [cell.text for table in docx.tables for row in table.rows for cell in row.cells])
    return {
        "docx": "".join(docx_text.split()),
        "pdf": "".join("".join(page.extract_text() for page in pdf.pages).split()),
        "docx_images": len(docx.inline_shapes),
        # WeasyPrint shares one resource dictionary between pages: count distinct pictures.
        "pdf_images": len({hashlib.sha256(image.data).digest() for page in pdf.pages for image in page.images}),
    }


def text_of(made: bulletin.Bulletin) -> str:
    return "\n".join(p for section in made.sections for p in section.paragraphs)


def test_every_figure_is_the_named_queries(demo_db):
    scope = queries.whole_tree(demo_db)
    for month in months(demo_db):
        made = bulletin.bulletin(demo_db, leadership(demo_db), month)
        facts, words = made.facts, text_of(made)
        total = queries.progress_total(demo_db, scope, month).row(0, named=True)
        for name in ("done", "target", "completion", "expected", "status", "short_of_milestone", "units_behind",
                     "milestone_date", "milestone_share"):
            assert facts[f"total_{name}"] == total[name], name
        assert f"新建团组织 {total['done']:,} 个，年度目标 {total['target']:,} 个，完成率 {total['completion']:.1%}" in words

        districts = queries.progress_by_district(demo_db, scope, month)
        assert sorted(facts["district_ranking"]) == sorted(districts.select("district", "done", "target", "completion").rows())
        units = queries.progress_by_unit(demo_db, scope, month)
        assert sorted(facts["unit_ranking"]) == sorted(units.select("unit", "done", "target", "completion").rows())
        ranked = [c for *_, c in facts["unit_ranking"] if c is not None]
        assert ranked == sorted(ranked, reverse=True)

        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        due = demo_db.query("select due_date from milestones_for(?) where due_date <= ? order by due_date",
                            [month.year, month_end])
        if due.is_empty():
            assert facts["passed_milestone_date"] is None and facts["units_short_of_passed"] == []
            assert units["short_of_passed_milestone"].is_null().all()
        else:
            assert facts["passed_milestone_date"] == due["due_date"][-1]
            short = units.filter(pl.col("short_of_passed_milestone") > 0)
            assert sorted(facts["units_short_of_passed"]) == sorted(short.select("unit", "short_of_passed_milestone").rows())
            if short.height:
                assert f"合计还差 {short['short_of_passed_milestone'].sum():,} 个团组织" in words

        rates = queries.submission_rates(demo_db, scope, month).filter(pl.col("report_month") == month).row(0, named=True)
        for name in ("units", "submitted", "on_time", "late", "missing", "reporting_rate", "on_time_rate"):
            assert facts[f"submission_{name}"] == rates[name], name
        grid = queries.submission_grid(demo_db, scope, month).filter(pl.col("report_month") == month)
        assert sorted(facts["late_units"]) == sorted(grid.filter(pl.col("timeliness") == "逾期")["unit"])
        assert sorted(facts["missing_units"]) == sorted(grid.filter(pl.col("timeliness") == "未报送")["unit"])
        assert f"报送率 {rates['reporting_rate']:.1%}" in words

        coverage = queries.coverage(demo_db, scope, month)
        whole = coverage.filter(pl.col("district").is_null()).row(0, named=True)
        for name in ("organisations", "with_league_org", "coverage", "gaps"):
            assert facts[f"coverage_{name}"] == whole[name], name
        gaps = queries.gap_list(demo_db, scope, month)
        assert facts["must_build_now"] == gaps["must_build_now"].sum()
        assert f"须立即建团 {gaps['must_build_now'].sum():,} 个" in words
        cells = coverage.filter(pl.col("industry").is_not_null() & pl.col("district").is_not_null())
        assert facts["gap_cells"][0][2] == cells["gaps"].max()

        monthly = queries.youth_voice_by_month(demo_db, scope, month).filter(pl.col("month") == month)
        if monthly.height:
            row = monthly.row(0, named=True)
            for name in ("units_reporting", "visits", "questions", "effective_replies", "reply_rate"):
                assert facts[f"youth_voice_{name}"] == row[name], name
            assert f"回复率 {row['reply_rate']:.1%}" in words
            by_unit = queries.youth_voice_by_unit(demo_db, scope, month)
            assert facts["lowest_reply_rates"][0][1] == by_unit["reply_rate"].min()


def test_word_and_pdf_hold_the_figures_and_charts(made, written):
    facts = made.facts
    late = (facts["late_units"] + facts["missing_units"])[0]
    expected = [made.title, f"{facts['total_done']:,}", f"{facts['total_target']:,}", late,
                f"回复率{facts['youth_voice_reply_rate']:.1%}"]
    for kind in ("docx", "pdf"):
        for text in expected:
            assert "".join(text.split()) in written[kind], (kind, text)
        assert written[f"{kind}_images"] == len(made.charts) >= 4


def test_a_district_bulletin_names_only_its_units(demo_db, month):
    district, path = demo_db.query("select name, path from units where level = 'district' order by name limit 1").row(0)
    made = bulletin.bulletin(demo_db, Actor("区", "district", district, path, district, path), month)
    ours = set(demo_db.query("select name from units_in_scope(?)", [district])["name"])
    others = set(demo_db.query("select name from reporting_units")["name"]) - ours
    assert made.title.startswith(district)
    shown = {value for section in made.sections for table in section.tables if "单位" in table.frame.columns
             for value in table.frame["单位"]}
    assert shown and shown <= ours
    everything = text_of(made) + "".join(str(v) for s in made.sections for t in s.tables for row in t.frame.rows()
                                         for v in row)
    assert not [name for name in others if name in everything]
    assert made.facts["total_done"] == queries.progress_total(demo_db, district, month)["done"][0]


def test_without_chromium_the_message_says_what_to_install(made, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    unrendered = bulletin.Bulletin(made.title, made.scope, made.month, made.sections, made.facts)
    with pytest.raises(bulletin_render.RenderError, match="Chromium.*apt-get install chromium"):
        bulletin_render.render(unrendered, tmp_path / "通报.docx")
    assert bulletin_render.missing_tools()[".docx"] == bulletin_render.NEED_CHROMIUM


def test_an_unknown_suffix_is_refused_in_chinese(made, tmp_path):
    with pytest.raises(bulletin_render.FormatError, match="只能保存为"):
        bulletin_render.render(made, tmp_path / "通报.txt")


@pytest.fixture
def db_copy(demo_db, tmp_path) -> str:
    """A copy of the demo for commands that write (the audit log), so the shared demo stays as built: its address."""
    return copy_store(demo_db, tmp_path / "league.duckdb").address


def etl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_command_line_writes_word_and_pdf(db_copy, month, tmp_path):
    for suffix in (".docx", ".pdf"):
        out = tmp_path / f"通报{suffix}"
        run = etl("bulletin", "--db", str(db_copy), "--month", f"{month:%Y-%m}", "--out", str(out))
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == str(out) and out.stat().st_size > 10_000
    recorded = store_at(db_copy).query("select detail from audit_log where action = 'download'")["detail"]
    assert sum("月度通报" in detail for detail in recorded) == 2


@pytest.mark.parametrize("month, out", [("2025-13", "通报.docx"), ("June", "通报.pdf"), ("2025-06", "通报.txt"),
                                        ("1999-01", "通报.docx")])
def test_the_command_line_refuses_a_bad_month_or_suffix_with_2(db_copy, tmp_path, month, out):
    run = etl("bulletin", "--db", str(db_copy), "--month", month, "--out", str(tmp_path / out))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and not (tmp_path / out).exists()
    assert any(word in run.stderr for word in ("YYYY-MM", ".docx", "没有已接收的台账"))


def test_the_page_shows_the_bulletin_and_offers_word_and_pdf(demo_db, made, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LEAGUE_DASHBOARD_DB", demo_db.address)
    at = AppTest.from_file(str(ROOT / "pages" / "bulletin.py"), default_timeout=120)
    at.session_state["actor"] = leadership(demo_db)
    at.session_state["month"] = made.month
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["月度通报"] and at.header[0].value == made.title
    assert [s.value for s in at.subheader] == [section.heading for section in made.sections]
    assert text_of(made).split("\n") == [m.value for m in at.markdown if not m.value.startswith("**")]
    assert len(at.get("plotly_chart")) == len(made.charts)
    labels = [b.label for b in at.get("download_button")]
    tables = sum(len(section.tables) for section in made.sections)
    assert labels == ["下载通报（Word）", "下载通报（PDF）", *["下载表格（Excel）"] * tables]
