"""The marts and the data-quality flags a load recomputes for its own unit equal a full recomputation after any
sequence of loads, replacements, rejections, sign-offs and plan changes; and the pages' figures read from the
marts equal the rules applied to the ledger's rows."""

from datetime import date, datetime
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from etl.contract import contract
from etl.pipeline import load_file
from league import flags, marts, queries, review
from league.access import Actor
from league.db import Database
from league.units import save_unit_tree
from tests.stores import store_at

CASES = Path(__file__).parent / "cases" / "pipeline"
UNITS = ("东湖区和平街道团工委", "东湖区互联网行业团委")
MONTHS = (date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1))
SEGMENTS = ("all", "above_scale", "park", "league_society_member")

organisation = st.fixed_dictionaries({
    "number": st.integers(0, 11),  # a unit's pool of twelve organisations: the same ones come back month to month
    "shared": st.booleans(),  # its credit code is on the other unit's pool too (duplicate_uscc)
    "org_type": st.sampled_from(["非公有制企业", "社会组织"]),
    "above_scale": st.booleans(),
    "park": st.sampled_from(["", "光谷软件园"]),
    "league_society_member": st.booleans(),
    "employees": st.sampled_from([30, 50, 300, 1500]),  # across the plan's size bands
    "league_members": st.integers(0, 6),
    "has_party_org": st.booleans(),
    "league_org_date": st.one_of(st.none(), st.dates(date(2024, 10, 1), date(2025, 6, 28))),
    "directly_managed": st.booleans(),
})
ledger = st.lists(organisation, min_size=1, max_size=6, unique_by=lambda o: o["number"])
step = st.one_of(
    st.tuples(st.just("load"), st.sampled_from(UNITS), st.sampled_from(MONTHS), ledger),
    st.tuples(st.just("reject"), st.sampled_from(UNITS), st.sampled_from(MONTHS), ledger),
    st.tuples(st.just("sign_off"), st.sampled_from(UNITS), st.sampled_from(MONTHS)),
    st.tuples(st.just("gap_min_members"), st.integers(1, 5)),
)


def credit_code(unit: str, number: int, shared: bool) -> str:
    body = f"9142010{9 if shared else UNITS.index(unit)}MA4P{number:05d}"  # not the template example's code
    return body + uscc.calc_check_digit(body)


def write_ledger(folder: Path, unit: str, month: date, organisations: list[dict], broken: bool) -> Path:
    """A ledger as a unit sends it; `broken` makes its first row's youth outnumber its employees."""
    labels = {f.name: f.label for f in contract().kinds["ledger"].fields}
    rows = []
    for index, o in enumerate(organisations):
        founded = o["league_org_date"] and min(o["league_org_date"], month.replace(day=28))  # not after the month
        rows.append({
            "org_name": f"{unit}第{o['number']}号公司", "uscc": credit_code(unit, o["number"], o["shared"]),
            "district": "东湖区", "street": "和平街道", "industry": ["互联网", "快递服务"][o["number"] % 2],
            "org_type": o["org_type"], "above_scale": "是" if o["above_scale"] else "否", "park": o["park"],
            "league_society_member": "是" if o["league_society_member"] else "否",
            "employees": str(o["employees"]),
            "youth_employees": str(o["employees"] + 1 if broken and index == 0 else 30),
            "league_members": str(o["league_members"]), "has_party_org": "是" if o["has_party_org"] else "否",
            "has_league_org": "是" if founded else "否", "league_org_kind": "团支部" if founded else "",
            "build_mode": "独立建团" if founded else "", "build_path": str(1 + o["number"] % 11) if founded else "",
            "league_org_date": founded.isoformat() if founded else "",
            "directly_managed": "是" if o["directly_managed"] else "否",
            "leader_name": f"周{'一二三四五六七八九十甲乙'[o['number']]}" if founded else "",
            "leader_phone": f"1390715{o['number']:04d}" if founded else "",
        })
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{unit}{month:%Y-%m}{'-broken' if broken else ''}.csv"
    pl.DataFrame(rows).rename(labels, strict=False).write_csv(path)
    return path


def state_of(db: Database, unit: str, month: date) -> tuple[int | None, str | None]:
    """The unit-month's latest accepted ledger and its review state (None, None before any)."""
    row = db.query("select submission_id, state from ledger_review join units using (unit_id)"
                   " where name = ? and report_month = ?", [unit, month])
    return row.row(0) if row.height else (None, None)


FLAGS = "select * exclude (computed_at) from quality_flags order by all"


def kept(db: Database) -> dict[str, pl.DataFrame]:
    return {table: db.query(f"select * from {table} order by all") for table in marts.TABLES} | {
        "quality_flags": db.query(FLAGS)}


def recomputed(db: Database) -> dict[str, pl.DataFrame]:
    """The marts and every unit's flags as a full recomputation makes them (in a transaction rolled back)."""
    with db.connect() as con:
        con.begin()
        marts.rebuild(con)
        flags.refresh_all(con)
        tables = {table: con.execute(f"select * from {table} order by all").pl() for table in marts.TABLES}
        tables["quality_flags"] = con.execute(FLAGS).pl()
        con.rollback()
    return tables


def standing_by_rule(db: Database, month: date, signed_off_only: bool) -> list[tuple]:
    """Which ledger each unit stands on at the month, worked out from the submissions (as before the mart)."""
    return db.query(
        "with basis as (select s.submission_id, s.unit_id, s.report_month from ledger_submissions s"
        "  where not $s or s.submission_id in (select submission_id from ledger_review where locked)),"
        " latest as (select unit_id, max(report_month) as report_month from basis where report_month <= $m"
        "  group by unit_id)"
        " select b.submission_id, b.unit_id, b.report_month, b.report_month < $m,"
        "  b.submission_id in (select submission_id from ledger_review where locked)"
        " from basis b join latest using (unit_id, report_month) order by all", {"m": month, "s": signed_off_only}
    ).rows()


def done_by_rule(db: Database, month: date, signed_off_only: bool) -> dict[str, int]:
    """New organisations per unit counted on the ledger's rows with the rules, as before the marts."""
    frame = db.query(
        "select unit, count_if(coalesce(is_new_this_year(has_league_org, league_org_date, year($m), $m), false)"
        " and counts_toward_target(null, org_type))::integer as done"
        " from ledger_as_of($m, signed_off_only := $s) group by unit", {"m": month, "s": signed_off_only})
    return dict(frame.iter_rows())


def coverage_by_rule(db: Database, month: date, segment: str) -> tuple[int, int, int]:
    return db.query(
        "select count(*)::integer, count_if(coalesce(has_league_org, false))::integer,"
        " count_if(is_gap(league_members, has_league_org))::integer"
        " from ledger_as_of($m) where in_segment($seg, above_scale, park, league_society_member)",
        {"m": month, "seg": segment}).row(0)


def codes_by_rule(db: Database, month: date, rule: str) -> list[str]:
    return sorted(db.query(f"select uscc from ledger_as_of($m) where {rule}", {"m": month})["uscc"])


GROUPS = {"priority": "case when is_priority_sector(industry) then '重点领域' else '其他领域' end",
          "park": "case when nullif(trim(park), '') is not null then '园区内' else '不在园区' end",
          "size_band": "size_band(employees)"}


def groups_by_rule(db: Database, month: date, grouping: str) -> dict[str, tuple]:
    """专项目标's groups counted on the standing rows with the rules, as before the groups mart."""
    return {row[0]: row[1:] for row in db.query(
        f"select {GROUPS[grouping]} as group_name, count(*)::integer,"
        " count_if(coalesce(has_league_org, false))::integer,"
        " count_if(is_new_this_year(has_league_org, league_org_date, year($m), $m))::integer,"
        " count_if(is_gap(league_members, has_league_org))::integer"
        " from ledger_as_of($m) group by all", {"m": month}).iter_rows()}


def unsynced_since_by_rule(db: Database, month: date, signed_off_only: bool) -> dict[tuple[str, str], date]:
    """(unit, credit code) -> since when, for each organisation that must build now at the month: walking back
    through its unit's ledgers from the one it stands on, the oldest of the unbroken run that listed it so."""
    rows = db.query("select unit, report_month, uscc, must_build_now(league_members, has_league_org, has_party_org)"
                    " as due from ledger_basis($s) where report_month <= $m", {"m": month, "s": signed_off_only})
    shown = {(u, m, c) for u, m, c, due in rows.iter_rows() if due}
    months = sorted({(u, m) for u, m, _, _ in rows.iter_rows()}, reverse=True)
    since = {}
    for unit, uscc_ in {(u, c) for u, c in db.query(
            "select unit, uscc from ledger_as_of($m, signed_off_only := $s) where must_build_now(league_members,"
            " has_league_org, has_party_org)", {"m": month, "s": signed_off_only}).iter_rows()}:
        standing = max(m for u, m in months if u == unit)
        for u, m in months:
            if u == unit and m <= standing:
                if (unit, m, uscc_) not in shown:
                    break
                since[unit, uscc_] = m
    return since


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_marts_equal_a_full_recomputation_after_any_sequence(tmp_path_factory, steps):
    folder = tmp_path_factory.mktemp("marts")
    db = store_at(folder / "league.duckdb")
    db.migrate()
    with db.session():  # one connection for the example's many loads and checks, not one per query
        with db.transaction() as con:
            save_unit_tree(con, pl.read_csv(CASES / "units.csv"))
        root = queries.whole_tree(db)
        path = db.scalar("select path from units where name = '东湖区'")
        district = Actor("区县团委", "district", "东湖区", path, "东湖区", path)
        for number, (action, *args) in enumerate(steps):
            if action in ("load", "reject"):
                unit, month, organisations = args
                path = write_ledger(folder / str(number), unit, month, organisations, broken=action == "reject")
                locked = state_of(db, unit, month)[1] == "signed_off"
                result = load_file(db, path, unit=unit, month=month, accept_drop=True, today=date(2025, 7, 5))
                # A signed-off month refuses a new ledger (the very file it holds comes back "unchanged").
                expected = ("rejected",) if action == "reject" else ("rejected", "unchanged") if locked else (
                    "accepted", "unchanged")
                assert result.status in expected, [problem.text() for problem in result.errors]
            elif action == "sign_off":
                unit, month = args
                submission_id, state = state_of(db, unit, month)
                if state not in (None, "signed_off"):
                    review.take_step(db, district, "sign_off", unit, month, submission_id, at=datetime(2025, 7, 1))
            else:
                db.set_plan_setting("gap_min_members", args[0])

        now, again = kept(db), recomputed(db)
        for table in now:
            assert now[table].equals(again[table]), table
        for month in (*MONTHS, date(2025, 2, 1), date(2025, 9, 1)):  # before the first ledger, after the last
            for signed_off_only in (False, True):
                assert db.query("select * from standing_submissions($m, signed_off_only := $s) order by all",
                                {"m": month, "s": signed_off_only}).rows() == standing_by_rule(db, month, signed_off_only)
        for month in MONTHS:
            for signed_off_only in (False, True):
                progress = queries.progress_by_unit(db, root, month, signed_off_only=signed_off_only)
                shown = {u: d for u, d in progress.select("unit", "done").iter_rows() if d}
                assert shown == {u: d for u, d in done_by_rule(db, month, signed_off_only).items() if d}
            for segment in SEGMENTS:
                total = queries.coverage(db, root, month, segment=segment).filter(pl.col("district").is_null())
                figures = total.select("organisations", "with_league_org", "gaps").rows()
                by_rule = coverage_by_rule(db, month, segment)
                assert figures == ([by_rule] if by_rule[0] else [])
            # The lists read from mart_ledger_watch, and the above-scale cells, against the rules on the rows.
            assert sorted(queries.gap_list(db, root, month)["uscc"]) == codes_by_rule(
                db, month, "is_gap(league_members, has_league_org)")
            uncovered = "is_above_scale_enterprise(org_type, above_scale) and not coalesce(has_league_org, false)"
            assert sorted(queries.above_scale_uncovered(db, root, month)["uscc"]) == codes_by_rule(db, month, uncovered)
            above = queries.above_scale_coverage(db, root, month).filter(pl.col("district").is_null()).row(0, named=True)
            assert above["above_scale_enterprises"] - above["with_league_org"] == len(codes_by_rule(db, month, uncovered))
            assert above["above_scale_enterprises"] == len(codes_by_rule(
                db, month, "is_above_scale_enterprise(org_type, above_scale)"))
            # 建团路径 from the pathway counts, against the rule on the standing rows.
            by_pathway = queries.new_orgs_by_pathway(db, root, month).group_by("build_path").agg(pl.col("new_orgs").sum())
            assert dict(by_pathway.iter_rows()) == dict(db.query(
                "select build_path, count(*)::integer from ledger_as_of($m)"
                " where is_new_this_year(has_league_org, league_org_date, year($m), $m) group by all", {"m": month}
            ).iter_rows())
            # 重点领域, 园区 and 抓大带小 from the groups mart, and the party-led must-build list from the watch mart.
            for grouping in GROUPS:
                shown = queries.coverage_by_group(db, root, month, grouping=grouping).filter(
                    pl.col("district").is_null() & pl.col("member").is_null())
                assert {r[0]: r[1:] for r in shown.select(
                    "group_name", "organisations", "with_league_org", "new_orgs", "gaps").iter_rows()
                } == groups_by_rule(db, month, grouping)
            # An organisation's history from its units' ledgers alone (mart_org_units), against every ledger row.
            for code in db.query("select distinct uscc from ledger")["uscc"]:
                for signed_off_only in (False, True):
                    shown = queries.organisation_history(db, root, month, code, signed_off_only=signed_off_only)
                    assert shown.select("report_month", "unit", "submission_id").sort(pl.all()).rows() == db.query(
                        "select report_month, unit, submission_id from ledger_basis($s) where uscc = $c"
                        " and report_month <= $m order by all", {"s": signed_off_only, "c": code, "m": month}).rows()
            for signed_off_only in (False, True):
                unsynced = queries.party_led_unsynced(db, root, month, signed_off_only=signed_off_only)
                assert dict(zip(zip(unsynced["unit"], unsynced["uscc"]), unsynced["since_month"])) == \
                    unsynced_since_by_rule(db, month, signed_off_only)
        # 党建带团建 month by month, from the party-led cells, against the rule on each month's standing rows.
        sync = queries.party_led_sync(db, root, MONTHS[-1])
        for month in MONTHS:
            shown = sync.filter(pl.col("month") == month).select(pl.col("party_led_due", "synchronised").sum()).row(0)
            due = codes_by_rule(db, month, "party_led_due(has_party_org, league_members)")
            synchronised = codes_by_rule(db, month, "party_led_due(has_party_org, league_members) and has_league_org")
            assert shown == ((len(due), len(synchronised)) if due else (0, 0))
