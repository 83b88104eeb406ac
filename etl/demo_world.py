"""The demo world: one fictional city's units, organisations and their year.

`build_world(seed, year)` is pure and takes well under a second; `etl.demo`
turns the world into the spreadsheets units would send. The story of the year:
about 37% of organisations already have a league organisation in January;
each reporting unit gets a share of its district's target, and builds new
organisations month by month along a campaign curve of its own (ahead, on
track, slightly behind or clearly behind the 20/50/80/100% milestones), with
builds clustering in the milestone months.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from etl import demo_words as words

MONTHS = range(1, 13)
LEDGER_DUE_DAY = 26
MILESTONE_MONTHS = (5, 6, 7, 9)

# Yearly targets per district: (new in enterprises, new in social organisations, directly managed).
DISTRICT_TARGETS = {
    "东湖区": (228, 10, 70),  # the contract's reference plan
    "江北区": (196, 8, 60),
    "青山区": (244, 9, 74),
    "临江区": (182, 12, 56),
    "南湖区": (210, 11, 64),
}

# Cumulative share of the yearly target built by each month end, per kind of unit.
# The plan is 20% by May, 50% by June, 80% by July, 100% by September.
CAMPAIGN_CURVES = {
    "ahead": (0.05, 0.10, 0.16, 0.21, 0.30, 0.60, 0.90, 1.00, 1.10, 1.14, 1.17, 1.20),
    "on_track": (0.04, 0.08, 0.12, 0.16, 0.21, 0.51, 0.81, 0.90, 1.00, 1.02, 1.04, 1.05),
    "slightly_behind": (0.03, 0.06, 0.10, 0.13, 0.17, 0.42, 0.68, 0.77, 0.85, 0.87, 0.89, 0.90),
    "behind": (0.01, 0.02, 0.03, 0.05, 0.08, 0.14, 0.20, 0.23, 0.26, 0.28, 0.30, 0.32),
}
# How many reporting units of each kind the city has; dealt round the districts.
PROFILE_MIX = {"ahead": 9, "on_track": 14, "slightly_behind": 10, "behind": 7}
BUILD_MODE_WEIGHTS = {"独立建团": 70, "联合建团": 4, "区域建团": 3, "楼宇建团": 4, "市场建团": 3, "园区建团": 3,
                      "依托建团": 10, "兴趣建团": 3}
LATE_SHARE = {"ahead": 0.04, "on_track": 0.06, "slightly_behind": 0.15, "behind": 0.35}
SINGLE_MISSING_LEDGERS = 10  # plus one weak unit that misses two months
GAPS = 42  # organisations left at year end with 3+ league members and no league organisation


@dataclass(frozen=True)
class Unit:
    name: str
    level: str  # 'street' or 'industry'
    district: str
    district_code: str
    street: str | None
    industry: str | None
    park: str | None  # the park inside this street, if any
    profile: str


@dataclass
class Org:
    uscc: str
    name: str
    unit: str
    district: str
    street: str | None
    industry: str
    org_type: str
    above_scale: bool
    park: str | None
    league_society_member: bool
    employees: int
    youth_employees: int
    has_party_org: bool
    join_month: int = 1  # first month on the unit's ledger
    league_members: int = 0
    league_org_date: date | None = None
    league_org_kind: str | None = None
    build_mode: str | None = None
    build_path: int | None = None
    directly_managed: bool = False
    leader_name: str | None = None
    leader_phone: str | None = None
    built_this_year: bool = False

    @property
    def social(self) -> bool:
        return self.org_type == "社会组织"

    def has_league_org_in(self, year: int, month: int) -> bool:
        return self.league_org_date is not None and self.league_org_date <= _month_end(year, month)

    def note_in(self, year: int, month: int) -> str | None:
        if self.built_this_year and self.league_org_date.month == month:
            return "本月新建团组织"
        if self.join_month == month and month > 1:
            return "本月新纳入台账"
        return None


@dataclass
class World:
    year: int
    units: list[Unit]
    orgs: list[Org]
    targets: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    received: dict[tuple[str, int], datetime | None] = field(default_factory=dict)
    youth_voice: list[dict] = field(default_factory=list)

    def unit_tree(self) -> list[tuple[str, str, str | None]]:
        """(name, level, parent) rows, parents first."""
        tree = [(words.CITY, "city", None)]
        tree += [(d, "district", words.CITY) for d in words.DISTRICTS]
        tree += [(u.name, u.level, u.district) for u in self.units]
        return tree

    def ledger(self, unit: str, month: int) -> list[Org]:
        return [o for o in self.orgs if o.unit == unit and o.join_month <= month]


def build_world(seed: int, year: int) -> World:
    rng = random.Random(seed)
    units = _make_units(rng)
    world = World(year=year, units=units, orgs=_make_orgs(rng, units))
    _found_earlier_orgs(rng, world)
    world.targets = _split_targets(world)
    world.received = _schedule_submissions(rng, world)
    _run_campaign(rng, world)
    _leave_gaps(rng, world)
    _fill_league_details(rng, world)
    world.youth_voice = _youth_voice(rng, world)
    return world


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _make_units(rng: random.Random) -> list[Unit]:
    profiles = [p for p, n in PROFILE_MIX.items() for _ in range(n)]
    per_district: dict[str, list[str]] = {d: [] for d in words.DISTRICTS}
    for i, profile in enumerate(profiles):  # deal, so every district gets a mix
        per_district[list(words.DISTRICTS)[i % len(words.DISTRICTS)]].append(profile)
    units = []
    for d_index, (district, (streets, industries)) in enumerate(words.DISTRICTS.items()):
        dealt = per_district[district]
        rng.shuffle(dealt)
        parks = iter(words.PARKS[district])
        park_streets = set(rng.sample(streets, len(words.PARKS[district])))
        code = f"{words.CITY_DIVISION_CODE}{d_index + 2:02d}"
        for street in streets:
            park = next(parks) if street in park_streets else None
            units.append(Unit(words.unit_name(district, street, None), "street", district, code,
                              street, None, park, dealt.pop()))
        for industry in industries:
            units.append(Unit(words.unit_name(district, None, industry), "industry", district, code,
                              None, industry, None, dealt.pop()))
    return units


def _make_orgs(rng: random.Random, units: list[Unit]) -> list[Org]:
    names: set[str] = set()
    codes: set[str] = set()
    orgs = []
    for unit in units:
        initial = rng.randint(112, 168) if unit.level == "street" else rng.randint(56, 92)
        joining = round(initial * rng.uniform(0.02, 0.06))
        for i in range(initial + joining):
            org = _make_org(rng, unit, names, codes)
            org.join_month = 1 if i < initial else rng.randint(2, 12)
            orgs.append(org)
    return orgs


def _make_org(rng: random.Random, unit: Unit, names: set[str], codes: set[str]) -> Org:
    social = unit.level == "street" and rng.random() < 0.09
    if social:
        industry, form = rng.choice(words.SOCIAL_FORMS)
    else:
        industry, form = unit.industry or _pick_industry(rng), None
    _, youth_share, size_factor, _ = words.INDUSTRIES[industry]
    median = 10 if social else 22 * size_factor
    employees = max(3, min(15000, round(median * math.exp(rng.gauss(0, 1.15 if not social else 0.8)))))
    youth = round(employees * min(0.98, max(0.05, rng.gauss(youth_share, 0.12))))
    above = not social and rng.random() < (0.07 if employees < 50 else 0.4 if employees < 200 else 0.9)
    if unit.park:
        park = unit.park if rng.random() < 0.6 else None
    else:
        park = rng.choice(words.PARKS[unit.district]) if unit.level == "industry" and rng.random() < 0.3 else None
    return Org(
        uscc=_unique(codes, lambda: words.make_uscc(rng, unit.district_code, social)),
        name=_unique(names, lambda: words.make_org_name(rng, unit.district, industry, form)),
        unit=unit.name, district=unit.district, street=unit.street, industry=industry,
        org_type="社会组织" if social else "非公有制企业", above_scale=above, park=park,
        league_society_member=rng.random() < (0.07 + 0.12 * above),
        employees=employees, youth_employees=youth,
        has_party_org=rng.random() < min(0.9, max(0.05, 0.12 + 0.11 * math.log(employees / 5))),
    )


def _pick_industry(rng: random.Random) -> str:
    names = list(words.INDUSTRIES)
    return rng.choices(names, [words.INDUSTRIES[n][0] for n in names])[0]


def _unique(seen: set[str], make) -> str:
    while (value := make()) in seen:
        pass
    seen.add(value)
    return value


def _found_earlier_orgs(rng: random.Random, world: World) -> None:
    """About 37% of the organisations on January's ledgers built their league organisation in earlier years."""
    for org in world.orgs:
        if org.join_month > 1 or org.youth_employees < 3:
            continue
        if rng.random() < (0.68 if org.has_party_org else 0.24):
            founded = max(2005, world.year - 1 - int(rng.expovariate(1 / 4)))
            org.league_org_date = date(founded, rng.randint(1, 12), rng.randint(1, 28))


def _split_targets(world: World) -> dict[str, tuple[int, int, int]]:
    """Each district's targets shared among its units by how many organisations still lack a league organisation."""
    targets = {}
    for district, (enterprise, social, direct) in DISTRICT_TARGETS.items():
        units = [u.name for u in world.units if u.district == district]
        pool = {(u, s): 0 for u in units for s in (False, True)}
        for org in world.orgs:
            if org.district == district and org.join_month == 1 and org.league_org_date is None:
                pool[(org.unit, org.social)] += 1
        ent = _largest_remainder(enterprise, [pool[(u, False)] for u in units])
        soc = _largest_remainder(social, [pool[(u, True)] for u in units])
        dir_ = _largest_remainder(direct, [e + s for e, s in zip(ent, soc)])
        targets.update({u: (e, s, d) for u, e, s, d in zip(units, ent, soc, dir_)})
    return targets


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    whole = sum(weights) or 1
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _schedule_submissions(rng: random.Random, world: World) -> dict[tuple[str, int], datetime | None]:
    """When each (unit, month) ledger arrived: mostly by the 26th, some days late, a few never."""
    weak = rng.choice([u for u in world.units if u.profile == "behind"])
    missing = {(weak.name, m) for m in rng.sample(range(3, 12), 2)}
    others = rng.sample([u for u in world.units if u is not weak], SINGLE_MISSING_LEDGERS)
    missing |= {(u.name, rng.randint(2, 12)) for u in others}
    received = {}
    for unit in world.units:
        for month in MONTHS:
            if (unit.name, month) in missing:
                received[(unit.name, month)] = None
                continue
            due = date(world.year, month, LEDGER_DUE_DAY)
            day = due + timedelta(days=rng.randint(1, 6)) if rng.random() < LATE_SHARE[unit.profile] \
                else due - timedelta(days=min(rng.randint(0, 12), rng.randint(0, 12)))
            received[(unit.name, month)] = datetime(day.year, day.month, day.day,
                                                    rng.randint(8, 20), rng.randint(0, 59), rng.randint(0, 59))
    return received


def _run_campaign(rng: random.Random, world: World) -> None:
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
    last = received.day if received and received.month == month else _month_end(world.year, month).day
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


def _youth_voice(rng: random.Random, world: World) -> list[dict]:
    """Twelve months of Youth Voice figures per unit, growing through the year."""
    rows = []
    for unit in world.units:
        size = 1.0 if unit.level == "street" else 0.6
        terminals, alliances = rng.randint(1, 3), rng.randint(1, 4)
        experts, weibo, wechat = rng.randint(5, 30), rng.randint(1, 4), rng.randint(1, 3)
        visits = rng.uniform(1500, 9000) * size
        for month in MONTHS:
            growth = 1.045 ** (month - 1)
            monthly_visits = round(visits * growth * rng.uniform(0.85, 1.15))
            questions = round(monthly_visits * rng.uniform(0.03, 0.08))
            activities = max(1, round(rng.uniform(2, 10) * size * growth))
            terminals += rng.random() < 0.08
            alliances += rng.random() < 0.15
            experts += rng.randint(0, 3)
            weibo += rng.random() < 0.03
            wechat += rng.random() < 0.03
            rows.append({
                "unit": unit.name, "month": f"{world.year}-{month:02d}", "terminals": terminals,
                "visits": monthly_visits, "questions": questions,
                "effective_replies": round(questions * rng.uniform(0.40, 0.60)),
                "alliances": alliances, "experts": experts, "activities": activities,
                "youth_reached": round(activities * rng.uniform(40, 160)),
                "weibo_accounts": weibo, "wechat_accounts": wechat,
            })
    return rows
