"""A synthetic province for scale work: `python -m etl province [--db PATH] [--orgs N] [--seed S]`.

About 500 organisations a reporting unit and 20 units a district (a million
organisations: some 2,000 units in 100 districts), a year of monthly ledgers
with the milestone rushes of a real year (a few units late, a few months
missing), the year's targets and Youth Voice totals. Every month's ledgers
go through the loader's own normalise and validate steps as one table (the
spreadsheet parsing, per-file guards and raw files aside: there are no files)
and are written as one accepted submission per unit and month, so the
database is what a year of uploads would leave. Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from etl import load
from etl.contract import contract
from etl.headers import Reading
from etl.locate import EXCEL_ROW, Table
from etl.normalise import USCC_ALPHABET, USCC_WEIGHTS, normalise
from etl.report import errors
from etl.validate import Context, Unit, validate
from league import flags
from league.db import Database, next_ids
from league.units import save_unit_tree

PROVINCE = "江东省"
SUBMITTED_BY = "省级模拟数据"
ORGS_PER_UNIT, UNITS_PER_DISTRICT = 500, 20
INDUSTRY_UNIT_SHARE = 0.15
BUILT_BEFORE, BUILT_THIS_YEAR = 0.35, 0.12  # of organisations: with a league organisation in January; built in the year
BUILD_MONTH_WEIGHTS = np.array([3, 4, 5, 8, 12, 10, 12, 6, 8, 5, 4, 3], dtype=float)  # rushes before May and July
MISSING_SHARE, LATE_SHARE = 0.03, 0.12
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Province:
    organisations: int
    units: int
    districts: int
    ledger_rows: int
    submissions: int


def _uscc(district: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Credit codes whose GB 32100-2015 check character is right: 9143 + district + a serial."""
    bodies = np.char.add(np.char.add("9143", np.char.zfill(district.astype(str), 4)), np.char.zfill(serial.astype(str), 9))
    codes = np.frombuffer("".join(bodies).encode(), dtype=np.uint8).reshape(len(bodies), 17) - ord("0")
    total = (codes * np.array(USCC_WEIGHTS)).sum(axis=1)
    check = np.array(list(USCC_ALPHABET))[(31 - total % 31) % 31]
    return np.char.add(bodies, check)


def _units(n_units: int, n_districts: int, rng: np.random.Generator) -> pl.DataFrame:
    industries = list(contract().categories["industry"][:-1])
    rows = []
    for k in range(n_units):
        district = f"第{k % n_districts + 1:03d}区"
        if rng.random() < INDUSTRY_UNIT_SHARE:
            rows.append((f"{district}{industries[k % len(industries)]}行业团委{k + 1}", "industry", district))
        else:
            rows.append((f"{district}第{k + 1}街道团工委", "street", district))
    return pl.DataFrame(rows, schema=["name", "level", "district"], orient="row")


def _organisations(n: int, units: pl.DataFrame, year: int, rng: np.random.Generator) -> pl.DataFrame:
    unit = np.sort(rng.integers(0, units.height, n))
    districts = units["district"].to_numpy()[unit]
    district_no = np.array([int(d[1:4]) for d in districts])
    employees = np.maximum(1, rng.lognormal(3.3, 1.0, n).astype(int))
    youth = (employees * rng.uniform(0.2, 0.8, n)).astype(int)
    members = np.minimum(youth, rng.poisson(np.maximum(youth * 0.08, 0.3)))
    before = rng.random(n) < BUILT_BEFORE
    this_year = ~before & (rng.random(n) < BUILT_THIS_YEAR / (1 - BUILT_BEFORE))
    month = rng.choice(np.arange(1, 13), n, p=BUILD_MONTH_WEIGHTS / BUILD_MONTH_WEIGHTS.sum())
    day = rng.integers(1, 29, n)
    built_on = [date(year, int(m), int(d)) if t else date(year - 1 - int(d) % 5, int(m), int(d)) if b else None
                for t, b, m, d in zip(this_year, before, month, day)]
    industries = np.array(contract().categories["industry"])
    return pl.DataFrame({
        "unit": units["name"].to_numpy()[unit], "unit_level": units["level"].to_numpy()[unit],
        "org_name": [f"模拟组织{i:07d}" for i in range(n)], "uscc": _uscc(district_no, np.arange(n)),
        "district": districts, "street": [f"{u[:4]}街道" for u in units["name"].to_numpy()[unit]],
        "industry": industries[rng.integers(0, len(industries), n)],
        "org_type": np.where(rng.random(n) < 0.85, "非公有制企业", "社会组织"),
        "above_scale": rng.random(n) < 0.1, "park": np.where(rng.random(n) < 0.2, "模拟产业园", ""),
        "league_society_member": rng.random(n) < 0.05, "employees": employees, "youth_employees": youth,
        "league_members": members, "has_party_org": rng.random(n) < 0.3, "built_on": built_on,
        "build_path": rng.integers(1, 12, n), "directly_managed": rng.random(n) < 0.25,
    })


def _ledger_table(orgs: pl.DataFrame, year: int, month: int) -> Table:
    """The month's ledgers of every unit as the loader's Table: text cells under the template's headers."""
    month_end = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    has = pl.col("built_on").is_not_null() & (pl.col("built_on") <= month_end)
    text = orgs.select(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int32).alias(EXCEL_ROW), "org_name", "uscc", "district",
        pl.when(pl.col("unit_level") == "street").then("street").otherwise(pl.lit("")).alias("street"),
        "industry", "org_type", pl.when("above_scale").then(pl.lit("是")).otherwise(pl.lit("否")).alias("above_scale"),
        "park", pl.when("league_society_member").then(pl.lit("是")).otherwise(pl.lit("否")).alias("league_society_member"),
        pl.col("employees").cast(pl.String), pl.col("youth_employees").cast(pl.String),
        pl.col("league_members").cast(pl.String),
        pl.when("has_party_org").then(pl.lit("是")).otherwise(pl.lit("否")).alias("has_party_org"),
        pl.when(has).then(pl.lit("是")).otherwise(pl.lit("否")).alias("has_league_org"),
        pl.when(has).then(pl.lit("团支部")).otherwise(pl.lit("")).alias("league_org_kind"),
        pl.when(has).then(pl.lit("独立建团")).otherwise(pl.lit("")).alias("build_mode"),
        pl.when(has).then(pl.col("build_path").cast(pl.String)).otherwise(pl.lit("")).alias("build_path"),
        pl.when(has).then(pl.col("built_on").cast(pl.String)).otherwise(pl.lit("")).alias("league_org_date"),
        pl.when(has & pl.col("directly_managed")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("directly_managed"),
        pl.lit("").alias("leader_name"), pl.lit("").alias("leader_phone"), pl.lit("").alias("note"),
    )
    kind = contract().kinds["ledger"]
    fields = [f for f in kind.fields if f.name in text.columns]
    readings = tuple(Reading(f"c{i}", f.label, f.name, "exact") for i, f in enumerate(kind.fields)
                     if f.name in text.columns or f.type == "ignore")
    return Table(kind=kind, sheet="省级模拟台账", headers={f.name: f.label for f in fields}, extra_headers={},
                 rows=text.with_columns(pl.all().exclude(EXCEL_ROW).replace("", None)), title="",
                 grid=pl.DataFrame(), header_columns={}, readings=readings)


def _submissions(con, unit_ids: pl.DataFrame, kind: str, month: date | None, received: pl.Series,
                 rows: pl.Series) -> pl.DataFrame:
    """One accepted submission per unit (the frame's rows), numbered by the database: unit_id -> submission_id."""
    frame = unit_ids.with_columns(
        kind=pl.lit(kind), report_month=pl.lit(month, dtype=pl.Date), received_at=received, rows=rows,
        file_name=pl.format("{}{}.xlsx", pl.col("unit"), pl.lit(f"{month:%Y年%m月}" if month else "")),
        sha256=pl.format("{}", pl.col("unit")).map_elements(
            lambda u: hashlib.sha256(f"{kind}:{month}:{u}".encode()).hexdigest(), return_dtype=pl.String))
    ids = next_ids(con, "submission", frame.height)
    frame = frame.with_columns(submission_id=pl.Series(ids, dtype=pl.Int32))
    con.register("province_submissions", frame.to_arrow())
    try:
        con.execute(
            "insert into submissions (submission_id, kind, unit_id, report_month, file_name, sheet, sha256,"
            " received_at, submitted_by, rows, status, errors, warnings)"
            " select submission_id, kind, unit_id, report_month, file_name, '省级模拟', sha256, received_at, ?, rows,"
            " 'accepted', '[]', '[]' from province_submissions", [SUBMITTED_BY])
    finally:
        con.unregister("province_submissions")
    return frame.select("unit_id", "submission_id")


def _received(rng: np.random.Generator, n: int, year: int, month: int) -> tuple[np.ndarray, list[datetime]]:
    """Which units sent the month's ledger, and when: most by the 26th, some days late."""
    sent = rng.random(n) >= MISSING_SHARE
    late = rng.random(n) < LATE_SHARE
    base = datetime(year, month, 1, 9)
    days = np.where(late, 26 + rng.integers(1, 12, n), rng.integers(14, 26, n))
    return sent, [base + timedelta(days=int(d), minutes=int(m)) for d, m in zip(days, rng.integers(0, 600, n))]


def build_province(db: Database, orgs: int = 1_000_000, seed: int = 0, year: int = 2025,
                   progress: Progress | None = None) -> Province:
    """Build the province into `db` (migrated first): units, targets, twelve months of ledgers, Youth Voice."""
    report = progress or (lambda fraction, text: None)
    rng = np.random.default_rng(seed)
    n_units = max(4, round(orgs / ORGS_PER_UNIT))
    n_districts = max(2, round(n_units / UNITS_PER_DISTRICT))
    db.migrate()
    units = _units(n_units, n_districts, rng)
    world = _organisations(orgs, units, year, rng)
    tree = pl.concat([
        pl.DataFrame({"name": [PROVINCE], "level": ["city"], "parent": [None]}, schema_overrides={"parent": pl.String}),
        pl.DataFrame({"name": units["district"].unique().sort(), "level": "district", "parent": PROVINCE}),
        units.select("name", "level", parent="district"),
    ])
    report(0.02, f"正在建立 {n_units:,} 个单位……")
    with db.transaction() as con:
        save_unit_tree(con, tree)
        ids = con.execute("select name as unit, unit_id from units").pl()
        known = {name: Unit(i, name, level, district) for i, name, level, district in
                 con.execute("select unit_id, name, level, district from units").fetchall()}
    ctx = Context(today=date(year + 1, 1, 31), units=known)
    unit_ids = units.select(unit="name").join(ids, on="unit", maintain_order="left")
    _targets_and_youth_voice(db, world, unit_ids, year, rng)
    ledger_rows = submissions = 0
    for month in range(1, 13):
        report(0.05 + 0.9 * (month - 1) / 12, f"正在载入 {year}年{month}月的台账（{orgs:,} 个组织）……")
        table = _ledger_table(world, year, month)
        typed, problems = normalise(table)
        problems += validate(table, typed, ctx)
        if errors(problems):
            raise RuntimeError("province ledger refused: " + "；".join(p.text() for p in errors(problems)))
        sent, received = _received(rng, n_units, year, month)
        sending = unit_ids.with_columns(received_at=pl.Series(received), sent=pl.Series(sent)).filter("sent")
        counts = world.group_by("unit").len("rows")
        sending = sending.join(counts, on="unit", how="inner", maintain_order="left")
        with db.transaction() as con:
            numbered = _submissions(con, sending.select("unit", "unit_id"), "ledger", date(year, month, 1),
                                    sending["received_at"], sending["rows"])
            rows = typed.with_columns(unit=world["unit"]).join(
                numbered.join(unit_ids, on="unit_id").select("unit", "submission_id"), on="unit")
            load.insert_rows(con, "ledger", None, rows.drop("unit"))
        ledger_rows += rows.height
        submissions += numbered.height
    report(0.97, "正在计算数据质量提示……")
    with db.transaction() as con:
        flags.refresh_all(con)
    report(1.0, "模拟省份已就绪")
    return Province(orgs, n_units, n_districts, ledger_rows, submissions)


def _targets_and_youth_voice(db: Database, world: pl.DataFrame, unit_ids: pl.DataFrame, year: int,
                             rng: np.random.Generator) -> None:
    """The year's targets (what each unit builds, give or take a fifth) and twelve months of Youth Voice totals."""
    built = world.group_by("unit").agg(
        enterprise=((pl.col("built_on").dt.year() == year) & (pl.col("org_type") == "非公有制企业")).sum(),
        social=((pl.col("built_on").dt.year() == year) & (pl.col("org_type") == "社会组织")).sum())
    targets = unit_ids.join(built, on="unit", how="left").fill_null(0).with_columns(
        year=pl.lit(year), target_enterprise=(pl.col("enterprise") * pl.Series(rng.uniform(0.8, 1.25, unit_ids.height)))
        .round().cast(pl.Int64), target_social=pl.col("social").cast(pl.Int64),
        target_direct=(pl.col("enterprise") * 0.3).round().cast(pl.Int64))
    questions = rng.integers(20, 400, (unit_ids.height, 12))
    youth_voice = pl.DataFrame({
        "unit_id": np.repeat(unit_ids["unit_id"].to_numpy(), 12),
        "month": [date(year, m, 1) for _ in range(unit_ids.height) for m in range(1, 13)],
        "terminals": np.repeat(rng.integers(1, 5, unit_ids.height), 12), "visits": questions.ravel() * 20,
        "questions": questions.ravel(), "effective_replies": (questions * rng.uniform(0.35, 0.6, questions.shape)).astype(int).ravel(),
        "alliances": 1, "experts": 5, "activities": 3, "youth_reached": 300, "weibo_accounts": 1, "wechat_accounts": 1,
    })
    received = pl.Series([datetime(year, 2, 1)])
    with db.transaction() as con:
        for kind, rows in (("targets", targets), ("youth_voice", youth_voice)):
            (submission,) = _submissions(con, pl.DataFrame({"unit": [PROVINCE], "unit_id": [None]},
                                                           schema_overrides={"unit_id": pl.Int32}),
                                         kind, None, received, pl.Series([rows.height]))["submission_id"]
            load.insert_rows(con, kind, submission, rows)
