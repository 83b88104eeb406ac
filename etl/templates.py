"""Blank templates units can download: the header, one filled example row, and a sheet explaining each column.

Built from the contract, so a column added there appears in the template too.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import xlsxwriter

from etl.contract import Field, contract

EXAMPLES = tomllib.loads(Path(__file__).with_name("template_examples.toml").read_text(encoding="utf-8"))

TYPE_RULES = {
    "text": "文字",
    "unit": "报送单位全称",
    "uscc": "18 位统一社会信用代码",
    "bool": "填“是”或“否”",
    "int": "不小于 0 的整数",
    "date": "日期，如 2025-05-03",
    "month": "月份，如 2025-03",
    "year": "四位年份，如 2025",
    "phone": "手机号或固定电话",
    "ignore": "可不填，系统不读取",
}


def column_rule(field: Field) -> str:
    if field.type == "category":
        return "从以下选填：" + "、".join(contract().categories[field.name])
    if field.type == "pathway":
        return "填编号 1–11：" + "；".join(f"{n} {name}" for n, name in contract().pathways.items())
    return TYPE_RULES[field.type]


def template_xlsx(kind_name: str) -> bytes:
    kind = contract().kinds[kind_name]
    example, notes = EXAMPLES[kind_name]["example"], EXAMPLES[kind_name].get("notes", {})
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 14})

    sheet = book.add_worksheet(kind.label[:31])
    sheet.write(0, 0, f"XX单位XXXX年X月{kind.label}" if kind_name == "ledger" else kind.label, title)
    for c, field in enumerate(kind.fields):
        sheet.write(1, c, field.label, header)
        sheet.write(2, c, example.get(field.name, ""))
        sheet.set_column(c, c, max(10, len(field.label) * 2 + 2))
    sheet.freeze_panes(2, 0)

    guide = book.add_worksheet("填表说明")
    guide.write_row(0, 0, ["列名", "是否必填", "填写要求", "说明", "也可使用的列名"], header)
    for r, field in enumerate(kind.fields, start=1):
        guide.write_row(r, 0, [field.label, "必填" if field.required else "选填", column_rule(field),
                               notes.get(field.name, ""), "、".join(field.headers[1:])])
    guide.set_column(0, 1, 16)
    guide.set_column(2, 2, 60)
    guide.set_column(3, 4, 40)
    book.close()
    return buffer.getvalue()
