"""What a load says back: problems grouped by rule and column, in Chinese.

A file with 5,000 bad dates gets one problem with a count and a few examples,
not 5,000 lines. Every problem names the sheet, the Excel rows a person sees
and the column header as written in the file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

EXAMPLES_SHOWN = 5


@dataclass
class Problem:
    severity: str  # "error" blocks the load; "warning" is shown and stored
    rule: str  # stable id of the rule, e.g. "uscc_check_digit"
    message: str  # what is wrong and what to do, in Chinese
    sheet: str | None = None
    column: str | None = None  # header text as written in the file
    rows: list[int] = field(default_factory=list)  # Excel row numbers
    values: list[str] = field(default_factory=list)  # examples of what was found

    @property
    def row(self) -> int | None:
        return self.rows[0] if self.rows else None

    @property
    def count(self) -> int:
        return max(len(self.rows), 1)

    def where(self) -> str:
        """Location in the words a person uses: sheet, rows, column."""
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.rows:
            shown = "、".join(str(r) for r in self.rows[:EXAMPLES_SHOWN])
            more = f" 等共 {len(self.rows)} 行" if len(self.rows) > EXAMPLES_SHOWN else ""
            parts.append(f"第 {shown} 行{more}")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)

    def text(self) -> str:
        found = ""
        if self.values:
            found = "（填写的是：" + "、".join(f"“{v}”" for v in self.values[:EXAMPLES_SHOWN]) + "）"
        where = self.where()
        return f"{where}：{self.message}{found}" if where else self.message + found

    def to_json(self) -> dict:
        return asdict(self) | {"row": self.row, "count": self.count, "text": self.text()}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]
