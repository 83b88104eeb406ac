"""What honest units would not send: the anomalies planted in the demo for the data-quality flags to find.

Besides the planted cases, every organisation's headcount drifts a little from
month to month (staff come and go), so an honest ledger never repeats the
previous one row for row and only the planted copy reads as copied. Everything
here draws on its own random stream, after the rest of the world is built, so
the city's units, organisations and campaign stay as they were.

Planted (`Anomalies.planted` names each in words):
- a copied ledger: one unit's ledger for a month is last month's, unchanged;
- one credit code on two units' ledgers: a street's enterprise also listed by
  its district's committee for the same industry, for one month;
- a count jump: one organisation's employees three times last month's;
- founding dates: one older league organisation's date moved a year back, and
  one built this year whose date later reads after the month it was reported built;
- an organisation missing from one month's ledger and back the month after;
- new organisations bunched in the last days before the 30 June milestone, in a
  unit whose June ledger came late enough to hold them;
- a Youth Voice count far above the unit's own months.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.demo_world import Org, World

SEED_OFFSET = 11  # the anomalies' random stream: the world's seed plus this
CHURN_SHARE = 0.05  # of organisations whose headcount changes in a month
CHURN_STEPS = (-3, -2, -1, 1, 2, 3)
JUMP_FACTOR = 3
BUNCHED_MILESTONE = (6, 30)  # month and day of the demo plan's 50% milestone
BUNCH_DAYS = 5
BUNCHED_SHARE = 0.8  # of the unit's new organisations that month
YOUTH_VOICE_FACTOR = 6


@dataclass
class Anomalies:
    changes: dict[tuple[str, int], dict] = field(default_factory=dict)  # (uscc, month) -> field values written instead
    copied: dict[tuple[str, int], int] = field(default_factory=dict)  # (unit, month) -> the month its ledger repeats
    borrowed: dict[tuple[str, int], list[Org]] = field(default_factory=dict)  # (unit, month) -> others' orgs listed too
    absent: set[tuple[str, int]] = field(default_factory=set)  # (uscc, month) left off its unit's ledger
    planted: list[str] = field(default_factory=list)

    def change(self, uscc: str, month: int, **values) -> None:
        self.changes.setdefault((uscc, month), {}).update(values)


def plant(seed: int, world: World) -> Anomalies:
    rng = random.Random(seed + SEED_OFFSET)
    anomalies = Anomalies()
    _churn(rng, world, anomalies)
    _copy_a_ledger(rng, world, anomalies)
    _list_twice(rng, world, anomalies)
    _jump(rng, world, anomalies)
    _move_founding_dates(rng, world, anomalies)
    _leave_out_for_a_month(rng, world, anomalies)
    _bunch_before_milestone(rng, world, anomalies)
    _inflate_youth_voice(rng, world, anomalies)
    return anomalies


def _sent(world: World, unit: str, *months: int) -> bool:
    return all(world.received.get((unit, m)) is not None for m in months)


def _churn(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    for org in world.orgs:
        employees = org.employees
        for month in range(max(2, org.join_month + 1), 13):
            if rng.random() < CHURN_SHARE:
                employees = max(org.youth_employees, 3, employees + rng.choice(CHURN_STEPS))
            if employees != org.employees:
                anomalies.change(org.uscc, month, employees=employees)


def _employees(org: Org, month: int, anomalies: Anomalies) -> int:
    return anomalies.changes.get((org.uscc, month), {}).get("employees", org.employees)


def _copy_a_ledger(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    unit = rng.choice([u.name for u in world.units if u.level == "street" and _sent(world, u.name, 7, 8)])
    anomalies.copied[(unit, 8)] = 7
    anomalies.planted.append(f"{unit} {world.year}年8月台账照抄7月")


def _list_twice(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    month = 8
    pairs = [(o, u) for u in world.units if u.level == "industry" and _sent(world, u.name, month, 12)
             for o in world.orgs if o.district == u.district and o.industry == u.industry and o.street
             and o.join_month <= month]
    org, unit = rng.choice(pairs)
    anomalies.borrowed[(unit.name, month)] = [org]
    anomalies.planted.append(f"{org.name}（{org.uscc}）{world.year}年{month}月同时列在{org.unit}和{unit.name}的台账中")


def _jump(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    month = 9
    org = rng.choice([o for o in world.orgs if 20 <= o.employees <= 200 and o.join_month == 1
                      and _sent(world, o.unit, month - 1, month)])
    for later in range(month, 13):
        anomalies.change(org.uscc, later, employees=JUMP_FACTOR * _employees(org, later, anomalies))
    anomalies.planted.append(f"{org.name}（{org.uscc}）{world.year}年{month}月从业人员数为上月的 {JUMP_FACTOR} 倍")


def _move_founding_dates(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    older = rng.choice([o for o in world.orgs if o.league_org_date and not o.built_this_year
                        and _sent(world, o.unit, 4, 5)])
    moved = older.league_org_date.replace(year=older.league_org_date.year - 1, day=min(older.league_org_date.day, 28))
    for month in range(5, 13):
        anomalies.change(older.uscc, month, league_org_date=moved)
    anomalies.planted.append(f"{older.name}（{older.uscc}）自{world.year}年5月起建团日期由 {older.league_org_date} 改为 {moved}")
    built = rng.choice([o for o in world.orgs if o.built_this_year and o.league_org_date.month == 6
                        and _sent(world, o.unit, 8, 9)])
    later = date(world.year, 8, rng.randint(1, 20))
    for month in range(9, 13):
        anomalies.change(built.uscc, month, league_org_date=later)
    anomalies.planted.append(f"{built.name}（{built.uscc}）6月起报已建团，9月起建团日期改为 {later}")


def _leave_out_for_a_month(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    month = 10
    org = rng.choice([o for o in world.orgs if o.league_org_date is None and o.join_month == 1
                      and _sent(world, o.unit, month - 1, month, month + 1)])
    anomalies.absent.add((org.uscc, month))
    anomalies.planted.append(f"{org.name}（{org.uscc}）{world.year}年{month}月台账中缺失，11月又出现")


def _bunch_before_milestone(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    """Date a unit's June builds in the milestone's last days: possible only where its June ledger
    came after the first of those days."""
    milestone = date(world.year, *BUNCHED_MILESTONE)
    month, first_day = milestone.month, milestone - timedelta(days=BUNCH_DAYS - 1)
    candidates = []
    for unit in world.units:
        received = world.received.get((unit.name, month))
        built = [o for o in world.orgs if o.unit == unit.name and o.built_this_year
                 and o.league_org_date.month == month]
        if received and received.date() >= first_day + timedelta(days=2) and len(built) >= 6:
            candidates.append((unit, built, min(received.date(), milestone)))
    if not candidates:
        return
    unit, built, last = rng.choice(candidates)
    for org in built[: round(len(built) * BUNCHED_SHARE)]:
        org.league_org_date = first_day + timedelta(days=rng.randint(0, (last - first_day).days))
    anomalies.planted.append(f"{unit.name} {month}月新建团组织集中在{month}月{first_day.day}日至{last.day}日")


def _inflate_youth_voice(rng: random.Random, world: World, anomalies: Anomalies) -> None:
    row = rng.choice([r for r in world.youth_voice if r["month"].endswith("-09")])
    row["youth_reached"] *= YOUTH_VOICE_FACTOR
    anomalies.planted.append(f"{row['unit']} {world.year}年9月青年之声覆盖青年人次为平常的约 {YOUTH_VOICE_FACTOR} 倍")
