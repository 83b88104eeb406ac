"""The demo: a fictional city's year of submissions, loaded exactly like uploads.

`write_demo_files` turns the world of `etl.demo_world` into the spreadsheets the
units would send (monthly ledgers, the target breakdown, Youth Voice figures and question exports
(etl.demo_questions), new members' rosters, number ranges and school counts: etl.demo_members),
deterministically for a seed. `build_demo` writes them beside the database and
loads every one through `etl.pipeline.load_file`, so the demo exercises the
same path as a real upload and must load clean (the data-quality flags are
computed once at the end rather than after each file). It then creates one
account per role with a random password (league.access.create_demo_accounts).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import xlsxwriter

from etl.contract import contract
from etl.demo_words import CITY
from etl.demo_world import MONTHS, World, build_world
from etl.pipeline import load_file
from league import flags
from league.access import DEMO_ACCOUNTS_FILE, ROLES, Actor, create_demo_accounts
from league.config import demo_files_dir
from league.db import Database
from league.units import save_unit_tree

DEMO_YEAR = 2025
DEMO_SEED = 20250101
SUBMITTED_BY = "演示数据"
TARGETS_RECEIVED_AT = datetime(DEMO_YEAR, 2, 14, 10, 30)
YOUTH_VOICE_RECEIVED_AT = datetime(DEMO_YEAR + 1, 1, 9, 15, 20)
WRITE_SHARE = 0.15  # of the progress bar, for writing the files; loading takes the rest
PROGRESS_EVERY = 5  # files loaded between progress reports
LOAD_BATCH = 40  # files loaded on one connection before the lock is let go (a few seconds)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class DemoFile:
    path: Path
    kind: str  # a kind of sheet of etl/contract.toml
    unit: str | None  # the reporting unit, for ledgers and rosters
    month: str | None  # 'YYYY-MM', for ledgers
    received_at: datetime


@dataclass
class DemoManifest:
    out_dir: Path
    files: list[DemoFile]
    units: pl.DataFrame  # name, level, parent; parents first
    missing_ledgers: list[tuple[str, str]] = field(default_factory=list)  # (unit, 'YYYY-MM') never sent


class DemoLoadError(RuntimeError):
    """A demo file did not load: the demo and the loader disagree, and that is a bug."""


def write_demo_files(out_dir: Path, *, seed: int = DEMO_SEED, progress: Progress | None = None) -> DemoManifest:
    """Write every demo file under out_dir and say what was written; the same seed gives the same bytes."""
    from etl.demo_members import write_member_files  # they build on this module's writer
    from etl.demo_questions import write_question_files
    report = progress or _silent
    world = build_world(seed, DEMO_YEAR)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [
        _write_targets(world, out_dir / f"{CITY}{DEMO_YEAR}年两新组织团建任务分解表.xlsx"),
        _write_youth_voice(world, out_dir / f"{CITY}{DEMO_YEAR}年青年之声运行情况月报.xlsx"),
    ]
    missing = []
    slots = [(unit.name, month) for month in MONTHS for unit in world.units]
    for done, (unit, month) in enumerate(slots):
        received_at = world.received[(unit, month)]
        if received_at is None:
            missing.append((unit, f"{DEMO_YEAR}-{month:02d}"))
            continue
        if done % 40 == 0:
            report(done / len(slots), f"正在生成演示台账：{DEMO_YEAR}年{month}月")
        files.append(_write_ledger(world, unit, month, received_at, out_dir))
    files += write_member_files(world, out_dir / "团员发展", seed)
    files += write_question_files(world, out_dir / "青年之声问题明细", seed)
    units = pl.DataFrame(world.unit_tree(), schema=["name", "level", "parent"], orient="row")
    return DemoManifest(out_dir=out_dir, files=files, units=units, missing_ledgers=missing)


def build_demo(db: Database, progress: Progress | None = None) -> None:
    """Migrate, register the unit tree, write the demo files beside the database and load each like an upload,
    then the districts' review and the inspectors' spot checks."""
    from etl.demo_spotchecks import add_spot_checks  # it imports this module

    report = progress or _silent
    report(0.0, "正在准备演示数据库…")
    db.migrate()
    manifest = write_demo_files(demo_files_dir(db.data_dir),
                                progress=lambda share, text: report(share * WRITE_SHARE, text))
    with db.transaction() as con:
        save_unit_tree(con, manifest.units)
    files = sorted(manifest.files, key=lambda f: f.received_at)
    for start in range(0, len(files), LOAD_BATCH):
        with db.session() as batch:
            for done, demo_file in enumerate(files[start:start + LOAD_BATCH], start=start):
                if done % PROGRESS_EVERY == 0:
                    report(WRITE_SHARE + (1 - WRITE_SHARE) * done / len(files),
                           f"正在导入演示数据（{done + 1}/{len(files)}）：{_describe(demo_file)}")
                _load(batch, demo_file)
    report(0.98, "正在检查数据质量…")
    with db.transaction() as con:
        flags.refresh_all(con)  # once for the year, not once per file (see etl.pipeline.commit)
    report(0.99, "正在记录各区县的审核…")
    _review_demo_months(db)
    report(0.99, "正在记录督导的随机抽查…")
    add_spot_checks(db, DEMO_SEED)

    if not db.scalar("select count(*) from users"):
        _announce(create_demo_accounts(db), db.data_dir / DEMO_ACCOUNTS_FILE)
    report(1.0, "演示数据已就绪")


def _review_demo_months(db: Database, seed: int = DEMO_SEED) -> None:
    """The districts' review, as a committee's year would leave it: every month before the latest signed
    off a few days after it arrived, one of them reopened since; in the latest month one ledger sent
    back and the rest waiting. Each unit gets a contact to chase."""
    from etl.demo_words import make_person, make_phone
    from league import review

    rng = random.Random(seed)
    desks = {district: Actor(f"{district}团委", "district", district, path, district, path)
             for district, path in db.query("select name, path from units where level = 'district'").rows()}
    standing = db.query("select r.unit_id, u.name as unit, u.district, r.report_month, r.submission_id, r.received_at"
                        " from ledger_review r join units u using (unit_id) order by r.report_month, u.path")
    latest = standing["report_month"].max()
    with db.session() as batch:
        for unit, district in db.query("select name, district from reporting_units order by path").rows():
            review.save_contact(batch, desks[district], unit, make_person(rng), make_phone(rng))
        earlier = standing.filter(pl.col("report_month") < latest)
        for row in earlier.iter_rows(named=True):
            review.take_step(batch, desks[row["district"]], "sign_off", row["unit"], row["report_month"],
                             row["submission_id"], at=row["received_at"] + timedelta(days=rng.randint(1, 4)))
        if not earlier.is_empty():
            row = earlier.row(rng.randrange(earlier.height), named=True)
            review.take_step(batch, desks[row["district"]], "reopen", row["unit"], row["report_month"],
                             row["submission_id"], "该单位反映部分组织的从业人员数填报有误，重新开放以便更正。",
                             at=row["received_at"] + timedelta(days=10))
        current = standing.filter(pl.col("report_month") == latest)
        if not current.is_empty():
            row = current.row(rng.randrange(current.height), named=True)
            review.take_step(batch, desks[row["district"]], "send_back", row["unit"], latest, row["submission_id"],
                             "有 2 个组织的建团日期晚于本月，请核实后重新报送。", at=row["received_at"] + timedelta(days=1))


def _announce(accounts: list[tuple[str, str, str | None, str]], path: Path) -> None:
    """The demo's passwords, shown once to the person who started it (the server's log or the terminal)."""
    print(f"演示账号（密码只显示这一次，另存于仅本机所有者可读的 {path}）：", file=sys.stderr)
    for name, role, scope, password in accounts:
        print(f"  {name}\t{ROLES[role]}\t{scope or '全市'}\t{password}", file=sys.stderr)


def _load(db: Database, demo_file: DemoFile) -> None:
    month = date.fromisoformat(f"{demo_file.month}-01") if demo_file.month else None
    result = load_file(db, demo_file.path, kind=demo_file.kind, unit=demo_file.unit, month=month,
                       submitted_by=SUBMITTED_BY, received_at=demo_file.received_at,
                       today=demo_file.received_at.date(), trusted=True, refresh_flags=False)
    if result.status not in ("accepted", "unchanged"):
        problems = "；".join(p.text() for p in result.errors) or result.status
        raise DemoLoadError(f"演示文件“{demo_file.path.name}”未能载入：{problems}")


def _describe(demo_file: DemoFile) -> str:
    if demo_file.kind == "ledger":
        year, month = demo_file.month.split("-")
        return f"{demo_file.unit}{year}年{int(month)}月台账"
    return demo_file.path.stem


def _silent(share: float, text: str) -> None:
    pass


# --- Writing the workbooks -------------------------------------------------------


class _Sheet:
    """One worksheet laid out like the published template: a title row, then the header on row 2."""

    def __init__(self, path: Path, sheet_name: str, title: str, headers: list[str], created: datetime):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.book = xlsxwriter.Workbook(str(path))
        self.book.set_properties({"title": title, "author": SUBMITTED_BY, "created": created})
        self.sheet = self.book.add_worksheet(sheet_name)
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        title_format = self.book.add_format({"bold": True, "font_size": 14, "align": "center"})
        header_format = self.book.add_format({"bold": True, "text_wrap": True, "align": "center",
                                              "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"})
        self.sheet.merge_range(0, 0, 0, len(headers) - 1, title, title_format)
        self.sheet.write_row(1, 0, headers, header_format)
        self.sheet.set_row(1, 30)
        self.sheet.freeze_panes(2, 0)
        for col, header in enumerate(headers):
            self.sheet.set_column(col, col, max(8, min(30, 2 * len(header) + 2)))

    def write_row(self, row: int, values: list) -> None:
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, bool):
                self.sheet.write_string(row, col, "是" if value else "否")
            elif isinstance(value, date):
                self.sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), self.date_format)
            elif isinstance(value, int | float):
                self.sheet.write_number(row, col, value)
            else:
                self.sheet.write_string(row, col, value)

    def close(self) -> None:
        self.book.close()


def _write_ledger(world: World, unit: str, month: int, received_at: datetime, out_dir: Path) -> DemoFile:
    fields = contract().kinds["ledger"].fields
    title = f"{CITY}{unit}{world.year}年{month}月两新组织团建工作台账"
    path = out_dir / "台账" / f"{world.year}-{month:02d}" / f"{unit}{world.year}年{month}月两新组织团建工作台账.xlsx"
    sheet = _Sheet(path, "台账", title, [f.label for f in fields], received_at)
    for row_no, values in enumerate(_ledger_rows(world, unit, month), start=1):
        sheet.write_row(row_no + 1, [(values | {"row_no": row_no}).get(f.name) for f in fields])
    sheet.close()
    return DemoFile(path, "ledger", unit, f"{world.year}-{month:02d}", received_at)


def _ledger_rows(world: World, unit: str, month: int) -> list[dict]:
    """What a unit sends for a month: its organisations as they stand, with the demo's anomalies planted
    (a month sent as a copy of an earlier one, an organisation left out, another unit's listed too)."""
    planted = world.anomalies
    shown = planted.copied.get((unit, month), month)
    orgs = [o for o in world.ledger(unit, shown) if (o.uscc, shown) not in planted.absent]
    return [_ledger_values(o, world.year, shown) | planted.changes.get((o.uscc, shown), {})
            for o in orgs + planted.borrowed.get((unit, month), [])]


def _ledger_values(org, year: int, month: int) -> dict:
    """One organisation's ledger row at the end of a month, by field name."""
    has_org = org.has_league_org_in(year, month)
    values = {
        "org_name": org.name, "uscc": org.uscc, "district": org.district, "street": org.street,
        "industry": org.industry, "org_type": org.org_type, "above_scale": org.above_scale,
        "park": org.park, "league_society_member": org.league_society_member,
        "employees": org.employees, "youth_employees": org.youth_employees,
        "league_members": org.league_members_in(year, month), "has_party_org": org.has_party_org,
        "has_league_org": has_org, "directly_managed": has_org and org.directly_managed,
        "note": org.note_in(year, month),
    }
    if has_org:
        values |= {
            "league_org_kind": org.league_org_kind, "build_mode": org.build_mode, "build_path": org.build_path,
            "league_org_date": org.league_org_date, "leader_name": org.leader_name,
            "leader_phone": org.leader_phone,
        }
    return values


def _write_targets(world: World, path: Path) -> DemoFile:
    fields = contract().kinds["targets"].fields
    sheet = _Sheet(path, "任务分解", f"{CITY}{world.year}年两新组织团建任务分解表",
                   [f.label for f in fields], TARGETS_RECEIVED_AT)
    for row, unit in enumerate(world.units, start=2):
        enterprise, social, direct = world.targets[unit.name]
        values = {"unit": unit.name, "year": world.year, "target_enterprise": enterprise,
                  "target_social": social, "target_direct": direct}
        sheet.write_row(row, [values.get(f.name) for f in fields])
    sheet.close()
    return DemoFile(path, "targets", None, None, TARGETS_RECEIVED_AT)


def _write_youth_voice(world: World, path: Path) -> DemoFile:
    fields = contract().kinds["youth_voice"].fields
    sheet = _Sheet(path, "青年之声", f"{CITY}{world.year}年青年之声运行情况月报",
                   [f.label for f in fields], YOUTH_VOICE_RECEIVED_AT)
    for row, values in enumerate(world.youth_voice, start=2):
        sheet.write_row(row, [values.get(f.name) for f in fields])
    sheet.close()
    return DemoFile(path, "youth_voice", None, None, YOUTH_VOICE_RECEIVED_AT)
