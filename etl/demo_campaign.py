"""The year's campaign: which organisations build a league organisation, and when.

Each reporting unit follows a campaign curve of its own (ahead, on track,
slightly behind or clearly behind the 20/50/80/100% milestones), builds
cluster in the milestone months, the directly managed are taken from the new
builds, and a few dozen organisations are left as gaps at year end.
"""

from __future__ import annotations

import calendar
import math
import random
from datetime import date
from typing import TYPE_CHECKING

from etl import demo_words as words

if TYPE_CHECKING:
    from etl.demo_world import Org, Unit, World

MONTHS = range(1, 13)
MILESTONE_MONTHS = (5, 6, 7, 9)

# Cumulative share of the yearly target built by each month end, per kind of unit.
# The plan is 20% by May, 50% by June, 80% by July, 100% by September.
CAMPAIGN_CURVES = {
    "ahead": (0.05, 0.10, 0.16, 0.21, 0.30, 0.60, 0.90, 1.00, 1.10, 1.14, 1.17, 1.20),
    "on_track": (0.04, 0.08, 0.12, 0.16, 0.21, 0.51, 0.81, 0.90, 1.00, 1.02, 1.04, 1.05),
    "slightly_behind": (0.03, 0.06, 0.10, 0.13, 0.17, 0.42, 0.68, 0.77, 0.85, 0.87, 0.89, 0.90),
    "behind": (0.01, 0.02, 0.03, 0.05, 0.08, 0.14, 0.20, 0.23, 0.26, 0.28, 0.30, 0.32),
}
BUILD_MODE_WEIGHTS = {"独立建团": 70, "联合建团": 4, "区域建团": 3, "楼宇建团": 4, "市场建团": 3, "园区建团": 3,
                      "依托建团": 10, "兴趣建团": 3}
GAPS = 42  # organisations left at year end with 3+ league members and no league organisation


def run(rng: random.Random, world: World) -> None:
    _build_new_orgs(rng, world)
    _leave_gaps(rng, world)
    _fill_league_details(rng, world)


def _build_new_orgs(rng: random.Random, world: World) -> None:
    """Build new league organisations month by month along each unit's campaign curve."""
    for unit in world.units:
        target_ent, target_soc, target_direct = world.targets[unit.name]
        curve = _jittered_curve(rng, CAMPAIGN_CURVES[unit.profile])
        built = []
        for social, target in ((False, target_ent), (True, target_soc)):
            candidates = [o for o in world.orgs if o.unit == unit.name and o.social == social
                          and o.league_org_date is None]
            built += _build_along(rng, world, unit, candidates, _monthly_counts(target, curve))
        reached = len(built) / max(1, target_ent + target_soc)
        n_direct = min(len(built), round(target_direct * reached * rng.uniform(0.9, 1.1)))
        for org in _weighted_sample(rng, built, n_direct, lambda o: 1 + math.log1p(o.youth_employees)):
            org.directly_managed = True


def _jittered_curve(rng: random.Random, curve: tuple[float, ...]) -> list[float]:
    steps = [(b - a) * rng.uniform(0.75, 1.25) for a, b in zip((0.0,) + curve, curve)]
    scale = curve[-1] * rng.uniform(0.95, 1.05) / sum(steps)
    cumulative, total = [], 0.0
    for step in steps:
        total += step * scale
        cumulative.append(total)
    return cumulative


def _monthly_counts(target: int, cumulative: list[float]) -> list[int]:
    reached = [round(target * c) for c in cumulative]
    return [b - a for a, b in zip([0] + reached, reached)]


def _build_along(rng, world: World, unit: Unit, candidates: list[Org], counts: list[int]) -> list[Org]:
    built = []
    for month, count in zip(MONTHS, counts):
        open_ = [o for o in candidates if o.join_month <= month and not o.built_this_year]
        for org in _weighted_sample(rng, open_, count, lambda o: 1 + math.sqrt(o.youth_employees)):
            org.league_org_date = _build_date(rng, world, unit, month)
            org.built_this_year = True
            built.append(org)
    return built


def _build_date(rng: random.Random, world: World, unit: Unit, month: int) -> date:
    """A day of the month, no later than the unit's ledger for the month was sent; late in milestone months."""
    received = world.received[(unit.name, month)]
    last = received.day if received and received.month == month else calendar.monthrange(world.year, month)[1]
    pick = max(rng.random(), rng.random()) if month in MILESTONE_MONTHS else rng.random()
    return date(world.year, month, 1 + int(pick * last))


def _weighted_sample(rng: random.Random, items: list, k: int, weight) -> list:
    """k items without replacement, heavier ones likelier (Efraimidis-Spirakis)."""
    keyed = sorted(items, key=lambda item: rng.random() ** (1 / weight(item)), reverse=True)
    return keyed[:k]


def _leave_gaps(rng: random.Random, world: World) -> None:
    """A few dozen organisations end the year with 3+ league members and still no league organisation."""
    never = [o for o in world.orgs if o.league_org_date is None and o.youth_employees >= 3]
    with_party = [o for o in never if o.has_party_org]
    chosen = _weighted_sample(rng, with_party, GAPS * 2 // 5, lambda o: 1 + math.sqrt(o.youth_employees))
    rest = [o for o in never if not o.has_party_org]
    chosen += _weighted_sample(rng, rest, GAPS - len(chosen), lambda o: 1 + math.sqrt(o.youth_employees))
    for org in chosen:
        org.league_members = min(org.youth_employees, rng.randint(3, 9))


def _fill_league_details(rng: random.Random, world: World) -> None:
    for org in world.orgs:
        if org.league_org_date is None:
            if org.league_members < 3:
                org.league_members = min(org.youth_employees, rng.choices((0, 1, 2), (60, 28, 12))[0])
            continue
        org.league_org_kind = _league_org_kind(rng, org.youth_employees)
        org.league_members = _members_of(rng, org)
        if org.built_this_year and rng.random() < 0.5:
            org.members_before_build = min(rng.randint(0, 2), org.league_members // 4)  # no tenfold jumps
        org.build_mode = _build_mode(rng, org)
        org.build_path = _build_path(rng, org)
        if not org.built_this_year:
            org.directly_managed = rng.random() < (0.2 + 0.25 * org.above_scale)
        org.leader_name = words.make_person(rng)
        org.leader_phone = words.make_phone(rng)


def _league_org_kind(rng: random.Random, youth: int) -> str:
    if youth >= 150:
        return rng.choices(("团委", "团总支", "团支部"), (60, 30, 10))[0]
    if youth >= 50:
        return rng.choices(("团总支", "团支部"), (30, 70))[0]
    return rng.choices(("团支部", "联合团支部", "青年组织"), (75, 15, 10))[0]


def _members_of(rng: random.Random, org: Org) -> int:
    if org.league_org_kind == "青年组织":
        return min(org.youth_employees, rng.randint(0, 2))
    if org.league_org_kind == "联合团支部":
        return min(org.youth_employees, rng.randint(1, 3))
    return min(org.youth_employees, max(3, round(org.youth_employees * rng.uniform(0.1, 0.35))))


def _build_mode(rng: random.Random, org: Org) -> str:
    if org.league_org_kind == "联合团支部":
        return rng.choice(("联合建团", "区域建团", "楼宇建团", "市场建团"))
    if org.league_org_kind == "青年组织":
        return rng.choice(("兴趣建团", "依托建团"))
    if org.park and rng.random() < 0.5:
        return "园区建团"
    return rng.choices(list(BUILD_MODE_WEIGHTS), list(BUILD_MODE_WEIGHTS.values()))[0]


def _build_path(rng: random.Random, org: Org) -> int:
    if org.park and rng.random() < 0.4:
        return 5
    if org.league_society_member and rng.random() < 0.4:
        return 6
    if org.has_party_org and rng.random() < 0.35:
        return 1
    return rng.choices(range(1, 12), (14, 12, 8, 10, 6, 4, 8, 9, 7, 7, 15))[0]
