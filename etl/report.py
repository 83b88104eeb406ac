"""What a load says back: problems grouped by rule and column, in Chinese.

A file with 5,000 bad dates gets one problem with a count and a few examples,
not 5,000 lines. Every problem names the sheet, the Excel rows a person sees
and the column header as written in the file.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

EXAMPLES_SHOWN = 5

# What each rule is called when shown to a unit; a rule missing here shows its id.
# "组织" is an organisation (a row of the ledger); "单位" only a reporting unit that submits ledgers.
RULE_NAMES = {
    "unreadable": "文件无法打开", "empty_file": "空文件", "file_refused": "文件过大或结构异常",
    "header_not_found": "找不到表头", "column_missing": "缺少列",
    "header_unplaced": "无法识别的列", "header_ambiguous": "列名有歧义", "no_rows": "没有数据行",
    "unknown_columns": "未识别的列", "template_example": "模板示例行", "template_title": "模板标题未修改",
    "unit_unknown": "报送单位不明", "month_unknown": "报送月份不明", "unit_mismatch": "报送单位不一致",
    "month_mismatch": "报送月份不一致", "month_in_future": "报送月份在未来", "replaces_month": "替换已载入的台账",
    "required": "必填项为空",
    "uscc_length": "信用代码位数", "uscc_format": "信用代码字符", "uscc_check_digit": "信用代码校验位",
    "uscc_changed": "信用代码与上月不同",
    "bool_unreadable": "是/否无法识别", "int_unreadable": "数字无法识别", "date_unreadable": "日期无法识别",
    "month_unreadable": "月份无法识别", "year_unreadable": "年份无法识别", "category_unreadable": "不在可选范围",
    "pathway_unreadable": "建团路径无法识别", "phone_unreadable": "电话号码无效",
    "count_not_negative": "人数不能为负", "youth_within_employees": "青年数多于从业人员数",
    "members_within_youth": "团员数多于青年数", "org_date_required": "缺建团日期",
    "org_date_after_report_month": "建团日期晚于报送月", "org_date_in_future": "建团日期在未来",
    "street_required": "缺所属街镇", "org_kind_without_org": "未建团却填团组织类型",
    "district_of_unit": "区县与报送单位不一致", "duplicate_organisation": "组织重复",
    "unit_known": "未登记的报送单位", "replies_within_questions": "回复数多于咨询数", "duplicate_key": "同期重复",
    "same_as_last_month": "与上月完全相同", "count_jump": "人数骤增", "large_drop": "组织数骤减",
    "organisation_vanished": "组织未再出现", "outside_scope": "超出报送范围",
    "pack_unknown": "抽查包编号不存在", "one_pack": "含多个抽查包", "not_in_pack": "组织不在抽查包中",
    "finding_missing": "核查结果未填", "duplicate_finding": "组织重复", "spot_check_unchecked": "未核查的组织",
    "id_number_unreadable": "身份号码无法识别", "member_no_unreadable": "团员编号无法识别",
    "id_legacy": "15 位旧身份证号码", "id_length": "身份号码位数", "id_format": "身份号码字符",
    "id_check_digit": "身份号码校验码", "id_birth_date": "身份号码出生日期", "birth_matches_id": "出生日期与身份号码不符",
    "plausible_age": "入团年龄不符", "joined_in_future": "入团时间在未来", "entered_in_future": "录入日期在未来",
    "entered_on_required": "缺录入日期", "entered_without_date": "录入情况矛盾", "entered_before_joined": "录入早于入团",
    "duplicate_person": "人员重复", "duplicate_member_no": "团员编号重复", "range_ordered": "号段起止颠倒",
    "range_size": "号段过大", "ranges_overlap": "号段重叠", "district_known": "未登记的区县",
    "datetime_unreadable": "时间无法识别", "asked_in_future": "提问时间在未来", "reply_in_future": "回复时间在未来",
    "reply_time_required": "缺回复时间", "reply_time_without_answer": "回复情况矛盾", "reply_before_asked": "回复早于提问",
    "satisfaction_range": "满意度超出范围", "duplicate_question": "问题编号重复",
}

# How calamine writes a cell that holds a real Excel date: "2027-03-01 00:00:00".
_MIDNIGHT = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2}) 00:00:00(?![\d.:])")


def shown(text: str) -> str:
    """Text as a person wrote it: a date read from Excel as "2027-03-01 00:00:00" is shown "2027-03-01"."""
    return _MIDNIGHT.sub(r"\1", text)


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
    def rule_name(self) -> str:
        return RULE_NAMES.get(self.rule, self.rule)

    @property
    def shown_values(self) -> list[str]:
        """The examples of what was found, as the person wrote them (dates without " 00:00:00")."""
        return [shown(str(v)) for v in self.values]

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
            found = "（填写的是：" + "、".join(f"“{v}”" for v in self.shown_values[:EXAMPLES_SHOWN]) + "）"
        where, message = self.where(), shown(self.message)
        return f"{where}：{message}{found}" if where else message + found

    def to_json(self) -> dict:
        return asdict(self) | {"row": self.row, "count": self.count, "text": self.text()}


def in_row_order(problems: list[Problem]) -> list[Problem]:
    """Problems about the whole file first, then by the first row involved; errors before warnings on a row."""
    return sorted(problems, key=lambda p: (bool(p.rows), min(p.rows, default=0), p.severity != "error"))


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]
