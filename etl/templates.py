"""Blank templates units can download: the header, one filled example row, and a sheet explaining each column.

Built from the contract, so a column added there appears in the template too.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import xlsxwriter

from etl.contract import contract, how_to_fill

EXAMPLES = tomllib.loads(Path(__file__).with_name("template_examples.toml").read_text(encoding="utf-8"))

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
        guide.write_row(r, 0, [field.label, "必填" if field.required else "选填", how_to_fill(field),
                               notes.get(field.name, ""), "、".join(field.headers[1:])])
    guide.set_column(0, 1, 16)
    guide.set_column(2, 2, 60)
    guide.set_column(3, 4, 40)
    book.close()
    return buffer.getvalue()
