"""The demo's new members: a year of rosters, member-number ranges, unused numbers and school counts.

Each reporting unit is issued one range of member numbers in January and
admits members through the year (more before the May and July pushes), entering most in the league's
system within days and some late; a few are never entered. The district
registers the odd number spoiled or reserved. Written as the spreadsheets units and districts send,
beside the demo's ledgers, and loaded with them like uploads. What is planted, so
团员发展 shows real findings on a fresh start:

- per unit, a number or two of its range neither used nor registered (untraced);
- one unit that gave one number to two members (a duplicate), one that used a
  number from outside its range;
- four schools whose league count is over 5% off the education statistics, two
  of them with no written explanation.

Everything random comes from its own stream (the demo's seed plus SEED_OFFSET).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from stdnum.cn import ric

from etl.contract import contract
from etl.demo_words import CITY, CITY_DIVISION_CODE, DISTRICTS, make_person

SEED_OFFSET = 29
ADMITTED = (12, 36)  # members a unit admits in the year, fewest and most
JOIN_MONTH_WEIGHTS = (4, 5, 7, 8, 12, 6, 9, 4, 5, 6, 5, 3)  # May and July are when branches push
LATE_SHARE, NEVER_SHARE = 0.08, 0.03  # entered after the month's deadline; not entered at all
UNUSED_REASONS = ("填写错误作废", "团员证遗失补办后作废", "预留给转入团员")
SCHOOL_KINDS = ("第一中学", "第三中学", "实验中学", "职业技术学校", "外国语学校")
RANGES_RECEIVED_AT = datetime(2025, 1, 15, 9, 0)
SCHOOLS_RECEIVED_AT = datetime(2025, 11, 20, 16, 30)
ROSTER_RECEIVED_AT = datetime(2025, 12, 20, 10, 0)
UNUSED_RECEIVED_AT = datetime(2025, 12, 22, 15, 0)


@dataclass
class Member:
    name: str
    id_number: str
    joined_on: date
    member_no: str
    entered_on: date | None


def _id_number(rng: random.Random, region: str, born: date) -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # python-stdnum reads the 17 digits of an 18-character number


def _members(rng: random.Random, year: int, region: str, numbers: list[str]) -> list[Member]:
    members = []
    for number in numbers:
        month = rng.choices(range(1, 12), weights=JOIN_MONTH_WEIGHTS[:11])[0]
        joined = date(year, month, rng.randint(1, 28))
        born = joined - timedelta(days=rng.randint(14 * 366, 27 * 365))
        roll = rng.random()
        delay = rng.randint(32, 75) if roll < LATE_SHARE else None if roll < LATE_SHARE + NEVER_SHARE \
            else rng.randint(1, 24)
        entered = joined + timedelta(days=delay) if delay is not None else None
        if entered is not None and entered >= ROSTER_RECEIVED_AT.date():
            entered = None  # not yet entered when the roster was sent
        members.append(Member(make_person(rng), _id_number(rng, region, born), joined, number, entered))
    return sorted(members, key=lambda m: (m.joined_on, m.member_no))


def write_member_files(world, out_dir: Path, seed: int) -> list:
    """Write the year's member files of the demo world's units under out_dir: a DemoFile for each."""
    from etl.demo import DemoFile, _Sheet  # the demo's file record and workbook writer (etl.demo imports this module)

    rng = random.Random(seed + SEED_OFFSET)
    year = world.year
    codes = {district: f"{index + 1:02d}" for index, district in enumerate(DISTRICTS)}
    rosters, ranges, unused = {}, [], []
    for index, unit in enumerate(world.units):
        admitted, spare = rng.randint(*ADMITTED), rng.choice((0,) * 7 + (1, 2, 4))  # most units trace every number
        registered = rng.choice((0, 1, 1, 2))
        prefix = f"42{codes[unit.district]}{year % 100:02d}{index + 1:03d}"
        numbers = [f"{prefix}{n:03d}" for n in range(1, admitted + registered + spare + 1)]
        ranges.append({"unit": unit.name, "first_no": numbers[0], "last_no": numbers[-1],
                       "issued_on": date(year, 1, 10)})
        rosters[unit.name] = _members(rng, year, f"{CITY_DIVISION_CODE}{codes[unit.district]}", numbers[:admitted])
        unused += [{"unit": unit.name, "member_no": n, "reason": rng.choice(UNUSED_REASONS),
                    "registered_on": date(year, 12, rng.randint(1, 20))}
                   for n in numbers[admitted:admitted + registered]]
    # Planted: a number given to two members in one unit, and a number from outside its range in another.
    twice, outside = (rosters[name] for name in list(rosters)[2:8:5])
    twice[-1].member_no = twice[0].member_no
    outside[-1].member_no = outside[-1].member_no[:-3] + "900"

    files = [_sheet_file(_Sheet, out_dir / f"{CITY}{year}年团员编号号段.xlsx", "号段", f"{CITY}{year}年团员编号号段发放表",
                         "ranges", ranges, RANGES_RECEIVED_AT),
             _sheet_file(_Sheet, out_dir / f"{CITY}{year}年学校团员数量情况表.xlsx", "学校",
                         f"{CITY}{year}年学校团员数量情况表", "schools", _schools(rng), SCHOOLS_RECEIVED_AT),
             _sheet_file(_Sheet, out_dir / f"{CITY}{year}年未使用团员编号登记表.xlsx", "未使用编号",
                         f"{CITY}{year}年未使用团员编号登记表", "unused_numbers", unused, UNUSED_RECEIVED_AT)]
    for unit, members in rosters.items():
        rows = [{"name": m.name, "gender": "男" if int(m.id_number[16]) % 2 else "女", "id_number": m.id_number,
                 "birth_date": ric.get_birth_date(m.id_number), "joined_on": m.joined_on, "member_no": m.member_no,
                 "developing_org": f"{unit.removesuffix('团工委')}团支部", "entered_in_system": m.entered_on is not None,
                 "entered_on": m.entered_on} for m in members]
        path = out_dir / "团员名册" / f"{unit}{year}年新发展团员基本信息表.xlsx"
        files.append(_sheet_file(_Sheet, path, "名册", f"{unit}{year}年新发展团员基本信息表", "roster", rows,
                                 ROSTER_RECEIVED_AT, unit))
    return [DemoFile(path, kind, unit, None, received_at) for path, kind, unit, received_at in files]


def _schools(rng: random.Random) -> list[dict]:
    """Five schools a district; four over the 5% threshold, the first two of them explained."""
    schools = []
    for district in DISTRICTS:
        for kind in SCHOOL_KINDS:
            edu = rng.randint(180, 1500)
            schools.append({"school": f"{CITY}{district}{kind}", "district": district, "edu_count": edu,
                            "league_count": edu + rng.randint(-edu // 40, edu // 40)})
    explained = ("部分毕业生团员组织关系尚未转出，教育统计已不再计入。", "含五年制高职学生团员，教育统计口径未计入。")
    for school, share, explanation in zip(rng.sample(schools, 4), (0.09, -0.12, 0.15, -0.08), (*explained, None, None)):
        school["league_count"] = round(school["edu_count"] * (1 + share))
        school["explanation"] = explanation
    return schools


def _sheet_file(sheet_class, path: Path, sheet_name: str, title: str, kind: str, rows: list[dict],
                received_at: datetime, unit: str | None = None) -> tuple[Path, str, str | None, datetime]:
    fields = contract().kinds[kind].fields
    sheet = sheet_class(path, sheet_name, title, [f.label for f in fields], received_at)
    for row, values in enumerate(rows, start=2):
        sheet.write_row(row, [(values | {"row_no": row - 1}).get(f.name) for f in fields])
    sheet.close()
    return path, kind, unit, received_at
