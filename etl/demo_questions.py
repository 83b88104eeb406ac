"""The demo's Youth Voice question exports: a city-wide export a month, consistent with the monthly totals.

For each unit and month of the totals sheet, exactly its `questions` are
asked through the month and exactly its `effective_replies` of them get an
effective reply: most within hours, a long tail over weeks; the rest never do.
Needs about life and jobs are answered more often than those about dating or
rights. Each month's export is sent on the 3rd of the next month and holds the
month's questions as they stand then, plus earlier questions answered since
(sent again, so the view takes the update). One unit-month's export is short
of a fifth of its questions, which the totals check and its flag find.

Random draws come from their own stream (the demo's seed plus SEED_OFFSET).
"""

from __future__ import annotations

import csv
import math
import random
from datetime import datetime, timedelta
from pathlib import Path

from etl.contract import contract
from etl.demo_words import CITY

SEED_OFFSET = 41
CATEGORY_WEIGHTS = {"成长成才": 25, "身心健康": 15, "就业创业": 25, "社会融入": 8, "婚恋交友": 10, "权益维护": 10,
                    "其他": 7}
ANSWER_WEIGHTS = {"成长成才": 1.2, "身心健康": 1.0, "就业创业": 1.3, "社会融入": 0.9, "婚恋交友": 0.5,
                  "权益维护": 0.6, "其他": 0.8}  # how readily each category is answered
REPLIERS = {"专家": 35, "团组织": 40, "志愿者": 20, "其他": 5}
MEDIAN_REPLY_HOURS, REPLY_SPREAD = 6.0, 1.7  # log-normal: most within a day, a tail of weeks
LONGEST_REPLY_DAYS = 45
RATED_SHARE = 0.4
SHORT_EXPORT_SHARE = 0.2  # of the planted unit-month's questions left out of its export


def _sent_at(year: int, month: int) -> datetime:
    """Month m's export goes out on the 3rd of the month after, at 9:00."""
    return datetime(year + month // 12, month % 12 + 1, 3, 9)


def _questions(rng: random.Random, unit: str, unit_index: int, year: int, month: int, asked: int,
               answered: int) -> list[dict]:
    start = datetime(year, month, 1)
    seconds = (datetime(year + month // 12, month % 12 + 1, 1) - start).total_seconds()
    rows = []
    for n in range(asked):
        category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        rows.append({"question_id": f"QV{year}{month:02d}{unit_index:03d}{n + 1:04d}", "unit": unit,
                     "asked_at": start + timedelta(seconds=rng.uniform(0, seconds - 1)), "category": category})
    # The answered ones: drawn without replacement, weighted by how readily their category is answered.
    keys = sorted(range(asked), key=lambda i: rng.random() ** (1 / ANSWER_WEIGHTS[rows[i]["category"]]),
                  reverse=True)
    last = _sent_at(year, 12)
    for i in keys[:min(answered, asked)]:
        hours = min(rng.lognormvariate(math.log(MEDIAN_REPLY_HOURS), REPLY_SPREAD), LONGEST_REPLY_DAYS * 24)
        reply = rows[i]["asked_at"] + timedelta(hours=max(hours, 0.05))
        rows[i] |= {"first_effective_reply_at": min(reply, last - timedelta(minutes=1)).replace(microsecond=0),
                    "replier_kind": rng.choices(list(REPLIERS), weights=list(REPLIERS.values()))[0],
                    "satisfaction": rng.choice((3, 4, 4, 5, 5, 5)) if rng.random() < RATED_SHARE else None}
    for row in rows:
        row["asked_at"] = row["asked_at"].replace(microsecond=0)
    return rows


def write_question_files(world, out_dir: Path, seed: int) -> list:
    """Write a question export for each month of the totals sheet: a DemoFile for each."""
    from etl.demo import DemoFile  # etl.demo imports this module

    rng = random.Random(seed + SEED_OFFSET)
    units = {unit.name: i for i, unit in enumerate(world.units, start=1)}
    by_month: dict[int, list[dict]] = {}
    for totals in world.youth_voice:
        month = int(totals["month"][5:])
        by_month.setdefault(month, []).extend(_questions(rng, totals["unit"], units[totals["unit"]], world.year,
                                                         month, totals["questions"], totals["effective_replies"]))
    short = rng.choice(world.youth_voice)  # planted: an export short of a fifth of this unit-month's questions
    short_month = int(short["month"][5:])
    left_out = {r["question_id"] for r in by_month[short_month] if r["unit"] == short["unit"]
                and rng.random() < SHORT_EXPORT_SHARE}
    fields = contract().kinds["youth_voice_questions"].fields
    files, previous = [], datetime.min
    for month in sorted(by_month):
        sent = _sent_at(world.year, month)
        rows = [r for r in by_month[month] if r["question_id"] not in left_out]
        rows += [r for earlier in sorted(m for m in by_month if m < month) for r in by_month[earlier]
                 if previous < r.get("first_effective_reply_at", datetime.min) <= sent and r["question_id"] not in left_out]
        path = out_dir / f"{CITY}{world.year}年{month}月青年之声问题明细.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([f.label for f in fields])
            for i, row in enumerate(rows, start=1):
                writer.writerow([_cell(f.name, row, sent, i) for f in fields])
        files.append(DemoFile(path, "youth_voice_questions", None, None, sent))
        previous = sent
    return files


def _cell(field: str, row: dict, sent: datetime, row_no: int) -> str:
    """A cell as the platform exports it: the reply and who gave it only once it had come by the export."""
    reply = row.get("first_effective_reply_at")
    replied = reply is not None and reply <= sent
    value = {"row_no": row_no, "effectively_answered": "是" if replied else "否",
             "first_effective_reply_at": reply if replied else None,
             "replier_kind": row.get("replier_kind") if replied else None,
             "satisfaction": row.get("satisfaction") if replied else None}.get(field, row.get(field))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)
