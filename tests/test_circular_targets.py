"""The circulars' other targets (issue 16): each rule on the hand-made case of tests/cases/circular/
(its README works the figures out), per scope, and the 专项目标 page under AppTest."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from etl.pipeline import load_file
from league import circular_queries, gateway, queries
from league.access import Actor
from league.units import save_unit_tree
from tests.small_league import build_small_league

CASE = Path(__file__).parent / "cases" / "circular"
MARCH, JUNE = date(2025, 3, 1), date(2025, 6, 1)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_small_league(tmp_path_factory.mktemp("circular") / "league.duckdb", kinds=("ledger",),
                              case_dir=CASE)


def reader(db, scope: str = "示例市", role: str = "leadership") -> Actor:
    return Actor("", role, scope, db.scalar("select path from units where name = ?", [scope]))


def read(db, query, scope: str = "示例市", **filters) -> pl.DataFrame:
    return gateway.read(db, reader(db, scope), query, **filters)


def rows_by(frame: pl.DataFrame, key: list[str], columns: list[str]) -> dict:
    return {tuple(r[k] for k in key): tuple(r[c] for c in columns) for r in frame.iter_rows(named=True)}


def test_above_scale_coverage_with_an_enterprise_that_lost_its_league_organisation(db):
    june = rows_by(read(db, queries.above_scale_coverage, as_of_month=JUNE), ["district", "unit"],
                   ["above_scale_enterprises", "with_league_org", "remaining", "months_left"])
    assert june == {(None, None): (6, 3, 3, 6), ("东区", None): (5, 2, 3, 6), ("东区", "甲街道"): (3, 1, 2, 6),
                    ("东区", "乙街道"): (2, 1, 1, 6), ("西区", None): (1, 1, 0, 6), ("西区", "丙镇"): (1, 1, 0, 6)}
    total = read(db, queries.above_scale_coverage, as_of_month=JUNE).row(0, named=True)
    assert (total["coverage"], total["needed_per_month"]) == (0.5, 0.5)
    march = rows_by(read(db, queries.above_scale_coverage, as_of_month=MARCH), ["district", "unit"],
                    ["above_scale_enterprises", "with_league_org"])
    assert march[("东区", "甲街道")] == (3, 2)  # A2 still had its league organisation in March
    uncovered = read(db, queries.above_scale_uncovered, as_of_month=JUNE)
    assert uncovered["uscc"].to_list() == ["B2", "A2", "A3"]  # the largest first


def test_the_deadline_and_share_are_the_plans(tmp_path):
    db = build_small_league(tmp_path / "league.duckdb", kinds=("ledger",), case_dir=CASE)
    with db.transaction() as con:
        con.execute("update plan_settings set value = 0.8 where name = 'above_scale_target_share'")
        con.execute("update plan_settings set value = 9 where name = 'above_scale_deadline_month'")
    total = read(db, queries.above_scale_coverage, as_of_month=JUNE).row(0, named=True)
    # 80% of 6 is 4.8, so 5 must have one: 2 more in the 3 months to September.
    assert (total["remaining"], total["months_left"], total["needed_per_month"]) == (2, 3, pytest.approx(2 / 3))


def test_party_led_synchronisation_with_a_party_organisation_gained_mid_year(db):
    sync = read(db, queries.party_led_sync, as_of_month=JUNE)
    june = circular_queries.synchronised_share(sync.filter(pl.col("month") == JUNE), ["unit"])
    assert rows_by(june, ["unit"], ["party_led_due", "synchronised"]) == {
        ("甲街道",): (4, 2), ("乙街道",): (1, 1), ("丙镇",): (2, 1)}
    march = sync.filter(pl.col("month") == MARCH)
    assert rows_by(march, ["unit"], ["party_led_due", "synchronised"]) == {("甲街道",): (3, 1)}
    unsynced = read(db, queries.party_led_unsynced, as_of_month=JUNE)
    assert unsynced.select("uscc", "since_month", "months_unsynced").rows() == [
        ("A3", MARCH, 4), ("A4", JUNE, 1), ("C2", JUNE, 1)]


def test_new_organisations_by_pathway_and_mode_and_the_pathways_not_used(db):
    found = read(db, queries.new_orgs_by_pathway, as_of_month=JUNE)
    assert found.select("district", "month", "build_path", "build_mode", "new_orgs").rows() == [
        ("东区", date(2025, 5, 1), 6, "联合建团", 1), ("东区", JUNE, 5, "园区建团", 1),
        ("西区", date(2025, 2, 1), 11, "楼宇建团", 1)]
    assert found["pathway"][0].startswith("6. 依托团属社团会员单位")
    unused = read(db, queries.unused_pathways, as_of_month=JUNE)
    assert unused.group_by("district").len().sort("district").rows() == [("东区", 9), ("西区", 10)]
    assert set(unused["build_path"]) <= set(range(1, 12))


def test_a_pathway_outside_the_eleven_never_loads(tmp_path):
    db = build_small_league(tmp_path / "league.duckdb", kinds=())
    lines = list(csv.reader((Path(__file__).parent / "cases" / "pipeline" / "ledger_2025-03.csv")
                            .read_text(encoding="utf-8").splitlines()))
    with db.transaction() as con:
        save_unit_tree(con, pl.read_csv(Path(__file__).parent / "cases" / "pipeline" / "units.csv"))
    header = lines[1]
    row = next(r for r in lines[2:] if r[header.index("建团路径")])
    row[header.index("建团路径")] = "12"
    path = tmp_path / "台账.csv"
    path.write_text("\n".join(",".join(r) for r in lines) + "\n", encoding="utf-8")
    result = load_file(db, path, unit="东湖区和平街道团工委", month=MARCH, today=date(2025, 4, 20))
    assert result.status == "rejected"
    assert any(p.rule == "pathway_unreadable" and p.column == "建团路径" for p in result.errors)


def test_priority_sectors_parks_and_size_bands(db):
    def overall(grouping):
        frame = read(db, queries.coverage_by_group, as_of_month=JUNE, grouping=grouping)
        return rows_by(frame.filter(pl.col("district").is_null()), ["group_name"],
                       ["organisations", "with_league_org", "new_orgs"])

    assert overall("priority") == {("重点领域",): (6, 2, 1), ("其他领域",): (3, 2, 2)}
    assert overall("park") == {("园区内",): (3, 2, 1), ("不在园区",): (6, 2, 2)}
    parks = read(db, queries.coverage_by_group, as_of_month=JUNE, grouping="park").filter(pl.col("member").is_not_null())
    assert rows_by(parks, ["member"], ["organisations", "with_league_org", "new_orgs"]) == {
        ("科技园",): (2, 1, 0), ("创业园",): (1, 1, 1)}
    assert overall("size_band") == {("1000人及以上",): (2, 1, 0), ("300–999人",): (2, 1, 1), ("100–299人",): (1, 0, 0),
                                    ("50–99人",): (2, 1, 1), ("50人以下",): (2, 1, 1)}
    with pytest.raises(ValueError):
        queries.coverage_by_group(db, "示例市", JUNE, grouping="everything")


def test_a_district_sees_only_its_own(db):
    west = read(db, queries.above_scale_coverage, "西区", as_of_month=JUNE)
    assert set(west["unit"].drop_nulls()) == {"丙镇"} and west.row(0, named=True)["above_scale_enterprises"] == 1
    assert set(read(db, queries.party_led_unsynced, "西区", as_of_month=JUNE)["uscc"]) == {"C2"}
    assert set(read(db, queries.unused_pathways, "西区", as_of_month=JUNE)["district"]) == {"西区"}
    groups = read(db, queries.coverage_by_group, "西区", as_of_month=JUNE, grouping="size_band")
    assert groups.filter(pl.col("district").is_null())["organisations"].sum() == 2


# -- 专项目标 --------------------------------------------------------------------------------------

SECTIONS = ["above_scale", "party_led", "pathways", "sectors", "size"]


@pytest.mark.parametrize("role, scope", [("leadership", None), ("district", "东湖区")])
def test_every_section_of_the_page_shows_its_figures_and_downloads_them(monkeypatch, demo_db, role, scope):
    from tests.test_pages import open_app

    at = open_app(monkeypatch, demo_db, "pages/targets.py", role=role, scope=scope)
    assert at.title[0].value == "专项目标"
    month = queries.default_month(queries.ledger_months(demo_db, queries.whole_tree(demo_db)))
    actor = reader(demo_db, scope or "江城市", role)
    for section in SECTIONS:
        at.radio(key="target_view").set_value(section).run()
        assert not at.exception, (section, at.exception)
        assert at.caption, section  # each section says its rule
        assert at.dataframe and len(at.get("download_button")) >= len(at.dataframe), section
    at.radio(key="target_view").set_value("above_scale").run()
    expected = gateway.read(demo_db, actor, queries.above_scale_coverage, as_of_month=month).row(0, named=True)
    shown = {m.label: m.value for m in at.metric}
    assert shown["规上非公企业"] == f"{expected['above_scale_enterprises']:,}"
    units = next(t.value for t in at.dataframe if "每月还需新建（个）" in t.value.columns)
    if scope:
        assert set(units["所属区县"]) == {scope}
