"""The demo's spot checks: a year of inspectors' visits, drawn, filled in and loaded like real ones.

Each visit draws a pack through league.spotcheck.draw_pack as the demo's
inspector, writes it with pack_xlsx, fills the workbook in with openpyxl as
the inspector would on site and loads it back through etl.pipeline.load_file
(kind spot_check, held to the inspector's scope as the upload page holds it),
so the findings are stored exactly as an upload's are. What is planted:

- in June and September, three units in different districts each, packs of 8
  to 12 whose findings bear the ledger out (a member or two more or fewer here
  and there, the members' factor kept within 5% of the ledger);
- in September, the unit with the most severe data-quality flags that month
  (where an inspector would go first) is found to claim clearly more than it
  has: one organisation is not found at all, a third of the other league
  organisations it claims are not confirmed and only half their members are there;
- in December, one pack drawn and not yet filled in (awaiting findings).

Everything random comes from its own stream (the demo's seed plus SEED_OFFSET),
drawn after the rest of the demo is built, so nothing else in the demo changes.
"""

from __future__ import annotations

import io
import random
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl

from etl.demo import DEMO_YEAR, DemoLoadError
from etl.pipeline import load_file
from league import gateway, queries, spotcheck
from league.access import DEMO_ACCOUNTS, Actor
from league.db import Database

SEED_OFFSET = 13  # the spot checks' random stream: the demo's seed plus this
SIZES = (8, 12)  # organisations per pack, smallest and largest
MEMBER_TOLERANCE = 0.05  # an honest pack's members counted stay within this share of those claimed
NOISE_SHARE = 0.2  # of an honest pack's organisations whose members are counted one or two off
UNCONFIRMED_SHARE = 1 / 3  # of the planted unit's other claimed league organisations not confirmed
FINDING_HEADERS = ("是否存在", "团组织是否属实", "实有团员数", "备注")
NOT_FOUND = "现场查无此单位，经营场所已另作他用。"
NOT_CONFIRMED = "现场未见团组织成立批复和团员名册，负责人称尚未建团。"
RECOUNTED = "按现场团员名册清点。"


@dataclass(frozen=True)
class Visit:
    month: date  # the ledger month the packs are drawn on
    drawn_at: datetime  # when the packs are drawn, a couple of weeks after the month's ledgers came in
    units: int  # how many units are visited, each in another district
    loaded_after: timedelta | None  # from drawing to the findings' upload; None: not back yet
    planted: bool = False  # whether the unit most flagged that month is visited and found short


VISITS = (
    Visit(date(DEMO_YEAR, 6, 1), datetime(DEMO_YEAR, 7, 8, 9, 30), 3, timedelta(days=9, hours=6)),
    Visit(date(DEMO_YEAR, 9, 1), datetime(DEMO_YEAR, 10, 13, 9, 0), 3, timedelta(days=8, hours=7), planted=True),
    Visit(date(DEMO_YEAR, 12, 1), datetime(DEMO_YEAR + 1, 1, 12, 10, 0), 1, None),
)

Findings = dict[str, tuple[str, str | None, int | None, str | None]]  # uscc -> the four finding cells


def add_spot_checks(db: Database, seed: int) -> None:
    """Draw, fill in and load the demo year's spot checks (see the module's docstring)."""
    rng = random.Random(seed + SEED_OFFSET)
    with db.session() as batch, tempfile.TemporaryDirectory() as folder:  # one connection: a few seconds
        actor = demo_inspector(batch)
        for visit in VISITS:
            for unit, planted in _visited_units(batch, actor, rng, visit):
                pack = _draw(batch, actor, rng, unit, visit)
                if visit.loaded_after is not None:
                    findings = _planted_findings(pack) if planted else _honest_findings(rng, pack)
                    _load(batch, actor, pack, findings, visit.drawn_at + visit.loaded_after, Path(folder))


def demo_inspector(db: Database) -> Actor:
    """The demo's inspector account as an actor: whole-tree view scope, allowed spot checks."""
    name = next(name for name, role, _ in DEMO_ACCOUNTS if role == "inspector")
    scope = queries.whole_tree(db)
    return Actor(name, "inspector", scope, gateway.unit_path(db, scope))


def _visited_units(db: Database, actor: Actor, rng: random.Random, visit: Visit) -> list[tuple[str, bool]]:
    """(unit, planted) of a visit's units, each in another district; the planted one first: the unit with
    the month's most severe flags, where an inspector would go first (queries.flag_counts' order)."""
    units = queries.reporting_units(db, actor.view_scope)
    chosen = [(queries.flag_counts(db, actor.view_scope, visit.month)["unit"][0], True)] if visit.planted else []
    taken = set(units.filter(pl.col("unit").is_in([u for u, _ in chosen]))["district"])
    districts = [d for d in units["district"].unique(maintain_order=True) if d not in taken]
    for district in rng.sample(districts, visit.units - len(chosen)):
        chosen.append((rng.choice(units.filter(pl.col("district") == district)["unit"].to_list()), False))
    return chosen


def _draw(db: Database, actor: Actor, rng: random.Random, unit: str, visit: Visit) -> spotcheck.Pack:
    """A pack drawn as the inspector, dated when the visit was prepared rather than when the demo ran."""
    size = rng.randint(*SIZES)
    return spotcheck.draw_pack(db, actor, unit, visit.month, size, rng.randrange(10 ** spotcheck.SEED_DIGITS),
                               at=visit.drawn_at)


def _as_claimed(item: dict) -> tuple[str, str, int, None]:
    return "是", "是" if item["has_league_org"] else "否", item["league_members"] or 0, None


def _honest_findings(rng: random.Random, pack: spotcheck.Pack) -> Findings:
    """Everything found as the ledger says, but a few members counted one or two off (within the tolerance)."""
    items = list(pack.items.iter_rows(named=True))
    claimed = sum(item["league_members"] or 0 for item in items)
    findings, off = {}, 0
    for item in items:
        exists, confirmed, members, _ = _as_claimed(item)
        step = rng.choice((-2, -1, 1, 2)) if rng.random() < NOISE_SHARE else 0
        if step and members + step >= 0 and abs(off + step) <= MEMBER_TOLERANCE * claimed:
            off += step
            findings[item["uscc"]] = (exists, confirmed, members + step, RECOUNTED)
        else:
            findings[item["uscc"]] = (exists, confirmed, members, None)
    return findings


def _planted_findings(pack: spotcheck.Pack) -> Findings:
    """The first claimed league organisation not found, a third of the others not confirmed (half their
    members found), the rest as claimed."""
    items = list(pack.items.iter_rows(named=True))
    claimed = [item["uscc"] for item in items if item["has_league_org"]]
    unconfirmed = set(claimed[1:1 + max(1, round(UNCONFIRMED_SHARE * (len(claimed) - 1)))])
    findings: Findings = {}
    for item in items:
        if item["uscc"] == claimed[0]:
            findings[item["uscc"]] = ("否", None, None, NOT_FOUND)
        elif item["uscc"] in unconfirmed:
            findings[item["uscc"]] = ("是", "否", item["league_members"] // 2, NOT_CONFIRMED)
        else:
            findings[item["uscc"]] = _as_claimed(item)
    return findings


def _filled(pack: spotcheck.Pack, findings: Findings) -> bytes:
    """The pack's workbook with the findings typed into its four blank columns, as an inspector returns it."""
    book = openpyxl.load_workbook(io.BytesIO(spotcheck.pack_xlsx(pack)))
    sheet = book["抽查包"]
    header = spotcheck.FIRST_HEADER_ROW + 1
    columns = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
    for row in range(header + 1, sheet.max_row + 1):
        cells = findings[sheet.cell(row, columns["统一社会信用代码"]).value]
        for name, value in zip(FINDING_HEADERS, cells):
            sheet.cell(row, columns[name]).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _load(db: Database, actor: Actor, pack: spotcheck.Pack, findings: Findings, at: datetime, folder: Path) -> None:
    path = folder / f"{pack.title}核查结果.xlsx"
    path.write_bytes(_filled(pack, findings))
    result = load_file(db, path, kind=spotcheck.KIND, submitted_by=actor.name, received_at=at, today=at.date(),
                       trusted=True, spot_check_scope=actor.view_scope)
    if result.status != "accepted":
        problems = "；".join(p.text() for p in result.errors) or result.status
        raise DemoLoadError(f"演示抽查结果“{path.name}”未能载入：{problems}")
