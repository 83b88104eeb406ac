"""The demo world: one fictional city's units, organisations and their year.

`build_world(seed, year)` is pure and takes well under a second; `etl.demo`
turns the world into the spreadsheets units would send. Here: the city's
units and organisations, the 37% or so that had a league organisation before
the year, the targets shared out by district, when each ledger arrived and the
Youth Voice figures; `etl.demo_campaign` plays out the year's building and
`etl.demo_anomalies` plants what the data-quality flags should find.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from etl import demo_anomalies
from etl import demo_campaign as campaign
from etl import demo_words as words

MONTHS = campaign.MONTHS
LEDGER_DUE_DAY = 26

# Yearly targets per district: (new in enterprises, new in social organisations, directly managed).
DISTRICT_TARGETS = {
    "东湖区": (228, 10, 70),  # the contract's reference plan
    "江北区": (196, 8, 60),
    "青山区": (244, 9, 74),
    "临江区": (182, 12, 56),
    "南湖区": (210, 11, 64),
}

# How many reporting units of each campaign profile (see demo_campaign) the city has; dealt round the districts.
PROFILE_MIX = {"ahead": 9, "on_track": 14, "slightly_behind": 10, "behind": 7}
LATE_SHARE = {"ahead": 0.04, "on_track": 0.06, "slightly_behind": 0.15, "behind": 0.35}
SINGLE_MISSING_LEDGERS = 10  # plus one weak unit that misses two months


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
    members_before_build: int | None = None  # many recruit their first members as they build

    @property
    def social(self) -> bool:
        return self.org_type == "社会组织"

    def has_league_org_in(self, year: int, month: int) -> bool:
        return self.league_org_date is not None and self.league_org_date <= month_end(year, month)

    def league_members_in(self, year: int, month: int) -> int:
        if self.members_before_build is not None and not self.has_league_org_in(year, month):
            return self.members_before_build
        return self.league_members

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
    anomalies: demo_anomalies.Anomalies = field(default_factory=demo_anomalies.Anomalies)

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
    campaign.run(rng, world)
    world.youth_voice = _youth_voice(rng, world)
    world.anomalies = demo_anomalies.plant(seed, world)
    return world


def month_end(year: int, month: int) -> date:
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
        initial = rng.randint(108, 160) if unit.level == "street" else rng.randint(56, 92)
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
    above = not social and rng.random() < (0.1 if employees < 50 else 0.45 if employees < 200 else 0.9)
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
        has_party_org=rng.random() < min(0.9, max(0.08, 0.17 + 0.11 * math.log(employees / 5))),
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
        if rng.random() < (0.7 if org.has_party_org else 0.27):
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


def _youth_voice(rng: random.Random, world: World) -> list[dict]:
    """Twelve months of Youth Voice figures per unit, growing through the year.

    Each unit keeps its own level (activities a month, youth reached per
    activity, questions per visit, reply rate) and varies round it from month
    to month, as a platform's figures do; a month far from the unit's own is
    what the Youth Voice flag looks for.
    """
    rows = []
    for unit in world.units:
        size = 1.0 if unit.level == "street" else 0.6
        terminals, alliances = rng.randint(1, 3), rng.randint(1, 4)
        experts, weibo, wechat = rng.randint(5, 30), rng.randint(1, 4), rng.randint(1, 3)
        visits = rng.uniform(1500, 9000) * size
        activity_level, reach = rng.uniform(2, 10) * size, rng.uniform(40, 160)
        question_rate, reply_rate = rng.uniform(0.03, 0.08), rng.uniform(0.42, 0.58)
        for month in MONTHS:
            growth = 1.045 ** (month - 1)
            monthly_visits = round(visits * growth * rng.uniform(0.85, 1.15))
            questions = round(monthly_visits * question_rate * rng.uniform(0.85, 1.15))
            activities = max(1, round(activity_level * growth * rng.uniform(0.75, 1.25)))
            terminals += rng.random() < 0.08
            alliances += rng.random() < 0.15
            experts += rng.randint(0, 3)
            weibo += rng.random() < 0.03
            wechat += rng.random() < 0.03
            rows.append({
                "unit": unit.name, "month": f"{world.year}-{month:02d}", "terminals": terminals,
                "visits": monthly_visits, "questions": questions,
                "effective_replies": round(questions * reply_rate * rng.uniform(0.92, 1.08)),
                "alliances": alliances, "experts": experts, "activities": activities,
                "youth_reached": round(activities * reach * rng.uniform(0.85, 1.15)),
                "weibo_accounts": weibo, "wechat_accounts": wechat,
            })
    return rows
