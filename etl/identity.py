"""Which unit and month a ledger is for: as chosen, or as its title rows and file name say.

A file whose title names another unit or month than the one chosen is most
likely the wrong file. The template's placeholders ("XX单位XXXX年X月…") name
nothing and are never taken for a unit or a month.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from etl.locate import Table
from etl.report import Problem
from etl.validate import Unit
from league.units import REPORTING_LEVELS

UNIT_SUFFIXES = re.compile(r"(团工作委员会|团工委|团委|团总支)$")
TITLE_MONTH = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")
NAME_MONTH = re.compile(r"(20\d{2})[-_.年]?(0[1-9]|1[0-2])(?!\d)")
PLACEHOLDER = re.compile(r"X{2,}|某某|××", re.IGNORECASE)  # the template's 'XX单位XXXX年X月'


def has_placeholder(title: str) -> bool:
    return bool(PLACEHOLDER.search(unicodedata.normalize("NFKC", title)))


def template_title(table: Table) -> list[Problem]:
    if not has_placeholder(table.title):
        return []
    return [Problem("warning", "template_title", "标题行仍是模板中的“XX单位XXXX年X月”，没有作为报送单位和月份；"
                    "请改为本单位全称和报送月份", sheet=table.sheet)]


def infer_unit(file_name: str, title: str, units: dict[str, Unit]) -> str | None:
    """The reporting unit named in the title rows or the file name.

    A unit may be written in full (东湖区和平街道团工委), without its suffix
    (东湖区和平街道) or without its district (和平街道); the longest name found
    wins, and a tie between two units names neither.
    """
    text = f"{'' if has_placeholder(title) else title} {Path(file_name).stem}"
    found: dict[str, int] = {}
    for name, u in units.items():
        if u.level not in REPORTING_LEVELS:
            continue
        core = UNIT_SUFFIXES.sub("", name)
        local = core.removeprefix(u.district or "")
        for written in (name, core, local):
            if written and written in text:
                found[name] = max(found.get(name, 0), len(written))
    ranked = sorted(found.items(), key=lambda item: item[1], reverse=True)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def infer_month(file_name: str, title: str) -> date | None:
    """The report month written in the title (2025年3月, 2025-03, 2025.03) or the file name."""
    for text in ('' if has_placeholder(title) else title, Path(file_name).stem):
        match = TITLE_MONTH.search(text) or NAME_MONTH.search(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return date(int(match.group(1)), int(match.group(2)), 1)
    return None


def mismatched_identity(table: Table, unit: str | None, month: date | None, named_unit: str | None,
                         named_month: date | None) -> list[Problem]:
    """A file whose title names another unit or month than the one chosen is most likely the wrong file."""
    problems = []
    if unit and named_unit and unit != named_unit:
        problems.append(Problem("error", "unit_mismatch", f"文件标题或文件名写的是“{named_unit}”，与选择的报送单位"
                                f"“{unit}”不一致，请确认没有选错文件或单位", sheet=table.sheet))
    if month and named_month and month != named_month:
        problems.append(Problem("error", "month_mismatch", f"文件标题或文件名写的是{named_month:%Y年%m月}，"
                                f"与选择的报送月份{month:%Y年%m月}不一致，请确认没有选错文件或月份", sheet=table.sheet))
    return problems


def missing_identity(table: Table, unit: str | None, month: date | None, units: dict[str, Unit],
                     needs_month: bool = True) -> list[Problem]:
    problems = []
    if unit is None:
        problems.append(Problem("error", "unit_unknown",
                                "无法确定报送单位：请在上传时选择单位（命令行用 --unit），"
                                "或在标题行写明单位全称", sheet=table.sheet))
    elif unit not in units or units[unit].level not in REPORTING_LEVELS:
        problems.append(Problem("error", "unit_unknown", f"“{unit}”不是已登记的报送单位，请核对单位全称",
                                sheet=table.sheet))
    if month is None and needs_month:
        problems.append(Problem("error", "month_unknown",
                                "无法确定报送月份：请在上传时选择月份（命令行用 --month YYYY-MM），"
                                "或在标题行写明如“2025年3月”", sheet=table.sheet))
    return problems


def month_in_future(table: Table, month: date | None, today: date, months_ahead: int) -> list[Problem]:
    """A report month is real: not after the current month (a setting allows at most one ahead)."""
    if month is None:
        return []
    latest = _add_months(today.replace(day=1), min(max(months_ahead, 0), 1))
    if month <= latest:
        return []
    return [Problem("error", "month_in_future", f"报送月份{month:%Y年%m月}晚于{latest:%Y年%m月}，不能报送未来月份的台账；"
                    "请核对所选月份或标题中的月份", sheet=table.sheet)]


def _add_months(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(year, index + 1, 1)
