"""Blank templates units can download: the header, one filled example row, and a sheet explaining each column.

Built from the contract, so a column added there appears in the template too.
Row 1 is the title, row 2 the header, row 3 the example: the loader recognises
the template by them. Below the header every column checks what is typed into
it as Excel can: a drop-down of the allowed values for categories and yes/no,
whole numbers for counts, real dates for dates, each with a message in Chinese
saying what is allowed. The lists live on a hidden sheet "选项", since a list
written into the rule itself may not exceed 255 characters.

Nothing written is live: the text is written as text, never as a formula or a link.
"""

from __future__ import annotations

import io
import tomllib
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from etl.contract import Field, contract, how_to_fill

EXAMPLES = tomllib.loads(Path(__file__).with_name("template_examples.toml").read_text(encoding="utf-8"))

TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2  # 0-based: Excel rows 1, 2 and 3
LAST_DATA_ROW = 9_999  # checks reach Excel row 10,000
OPTIONS_SHEET = "选项"
BOOL_WORDS = ("是", "否")
EARLIEST_DATE = date(1900, 1, 1)
YEARS = (2000, 2100)

# User text stays text: "=…" is not a formula, "http://…" not a link, "12" typed as text not a number.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}

# Cell formats by field type: dates shown as dates; codes, phone numbers and months kept as typed.
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "month": "@", "uscc": "@", "phone": "@",
                  "id_number": "@", "member_no": "@"}


def _checks(field: Field, options: dict[str, str]) -> tuple[dict | None, str]:
    """The Excel data validation of a column, and how the guide describes it."""
    pathways = "；".join(f"{n} {name}" for n, name in contract().pathways.items())
    match field.type:
        case "category":
            allowed = "、".join(contract().categories[field.name])
            return ({"validate": "list", "source": options[field.name],
                     "input_title": "请从下拉列表中选择", "input_message": f"可选：{allowed}",
                     "error_title": "不在可选范围", "error_message": f"“{field.label}”只能填以下之一：{allowed}。"
                                                               "请从下拉列表中选择。"},
                    f"下拉选择：{allowed}")
        case "bool":
            return ({"validate": "list", "source": options["bool"],
                     "input_title": "请从下拉列表中选择", "input_message": "填“是”或“否”",
                     "error_title": "只能填是或否", "error_message": f"“{field.label}”只能填“是”或“否”，请从下拉列表中选择。"},
                    "下拉选择：是、否")
        case "pathway":
            return ({"validate": "integer", "criteria": "between", "minimum": 1,
                     "maximum": len(contract().pathways),
                     "input_title": "填建团路径编号 1–11", "input_message": pathways,
                     "error_title": "建团路径编号有误",
                     "error_message": f"“{field.label}”只能填 1 到 {len(contract().pathways)} 的整数编号："
                                      f"{pathways}"},
                    "只能填 1–11 的整数；选中单元格时显示各编号对应的路径")
        case "int":
            return ({"validate": "integer", "criteria": ">=", "value": 0,
                     "input_title": "填不小于 0 的整数", "input_message": "如 12；不要写“人”“个”等单位",
                     "error_title": "须为整数",
                     "error_message": f"“{field.label}”只能填不小于 0 的整数，如 12，不要写单位或小数。"},
                    "只能填不小于 0 的整数")
        case "year":
            return ({"validate": "integer", "criteria": "between", "minimum": YEARS[0], "maximum": YEARS[1],
                     "input_title": "填四位年份", "input_message": "如 2025",
                     "error_title": "年份有误", "error_message": f"“{field.label}”只能填四位年份，如 2025。"},
                    f"只能填 {YEARS[0]}–{YEARS[1]} 的四位年份")
        case "date":
            return ({"validate": "date", "criteria": "between", "minimum": EARLIEST_DATE, "maximum": "=TODAY()",
                     "input_title": "填日期", "input_message": "如 2025-05-03（也可写 2025/5/3）；不能晚于今天",
                     "error_title": "日期有误",
                     "error_message": f"“{field.label}”只能填日期，如 2025-05-03，且不能晚于今天。"},
                    "只能填日期（显示为 2025-05-03 的格式），不能晚于今天")
        case "datetime":
            return ({"validate": "date", "criteria": "between", "minimum": EARLIEST_DATE, "maximum": "=NOW()",
                     "input_title": "填日期和时间", "input_message": "如 2025-03-05 14:23；不能晚于现在",
                     "error_title": "时间有误",
                     "error_message": f"“{field.label}”只能填日期和时间，如 2025-03-05 14:23，且不能晚于现在。"},
                    "只能填日期和时间（显示为 2025-03-05 14:23 的格式），不能晚于现在")
        case "month":
            return ({"validate": "any", "input_title": "填月份", "input_message": "按 2025-03 的格式填写年和月"},
                    "单元格为文本格式，按 2025-03 的格式填写")
        case "uscc":
            return ({"validate": "length", "criteria": "==", "value": 18,
                     "input_title": "填 18 位统一社会信用代码", "input_message": "以营业执照为准，共 18 位",
                     "error_title": "信用代码位数不对",
                     "error_message": f"“{field.label}”须为 18 位统一社会信用代码，请对照营业执照核对。"},
                    "只能填 18 位；单元格为文本格式")
        case "id_number":
            return ({"validate": "length", "criteria": "==", "value": 18,
                     "input_title": "填 18 位公民身份号码", "input_message": "以居民身份证为准，共 18 位，末位可为 X",
                     "error_title": "身份号码位数不对",
                     "error_message": f"“{field.label}”须为 18 位公民身份号码（15 位旧号码请改填 18 位）。"},
                    "只能填 18 位；单元格为文本格式，后几位不会变成 0")
        case "member_no":
            return ({"validate": "length", "criteria": "between", "minimum": 1, "maximum": 18,
                     "input_title": "填团员编号", "input_message": "只填数字，如 360102250001",
                     "error_title": "团员编号有误", "error_message": f"“{field.label}”只能填不超过 18 位的数字编号。"},
                    "只填数字；单元格为文本格式")
        case "phone":
            return None, "单元格为文本格式，号码不会被改成科学计数法"
    return None, ""


def _option_lists(fields: tuple[Field, ...]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The drop-down lists a kind needs: list name -> (what it lists, the allowed values)."""
    lists = {f.name: (f.label, contract().categories[f.name]) for f in fields if f.type == "category"}
    if any(f.type == "bool" for f in fields):
        lists["bool"] = ("是/否", BOOL_WORDS)
    return lists


def _option_ranges(lists: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    """Where each list sits on the options sheet, as a drop-down's source."""
    ranges = {}
    for r, (name, (_, values)) in enumerate(lists.items()):
        first, last = xl_rowcol_to_cell(r, 1, True, True), xl_rowcol_to_cell(r, len(values), True, True)
        ranges[name] = f"='{OPTIONS_SHEET}'!{first}:{last}"
    return ranges


def _write_options(book: xlsxwriter.Workbook, lists: dict[str, tuple[str, tuple[str, ...]]]) -> None:
    """The hidden sheet holding the lists, one a row after the name of the column it serves.

    One list a row, so no row of this sheet names two columns and it is never taken for the table.
    """
    if not lists:
        return
    sheet = book.add_worksheet(OPTIONS_SHEET)
    for r, (label, values) in enumerate(lists.values()):
        sheet.write_string(r, 0, label)
        for c, value in enumerate(values, start=1):
            sheet.write_string(r, c, value)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, max(len(values) for _, values in lists.values()), 12)
    sheet.hide()


def template_xlsx(kind_name: str) -> bytes:
    kind = contract().kinds[kind_name]
    example, notes = EXAMPLES[kind_name]["example"], EXAMPLES[kind_name].get("notes", {})
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {t: book.add_format({"num_format": f}) for t, f in NUMBER_FORMATS.items()}

    sheet = book.add_worksheet(kind.label[:31])
    lists = _option_lists(kind.fields)
    options = _option_ranges(lists)
    sheet.write_string(TITLE_ROW, 0, f"XX单位XXXX年X月{kind.label}" if kind_name == "ledger" else kind.label, title)
    described = {}
    for c, field in enumerate(kind.fields):
        sheet.write_string(HEADER_ROW, c, field.label, header)
        cell_format = formats.get(field.type)
        sheet.set_column(c, c, max(10, len(field.label) * 2 + 2), cell_format)
        value = example.get(field.name, "")
        if field.type in ("date", "datetime") and value:
            sheet.write_datetime(FIRST_DATA_ROW, c, datetime.fromisoformat(str(value)), cell_format)
        elif isinstance(value, (int, float)):
            sheet.write_number(FIRST_DATA_ROW, c, value, cell_format)
        elif value != "":
            sheet.write_string(FIRST_DATA_ROW, c, str(value), cell_format)
        validation, described[field.name] = _checks(field, options)
        if validation is not None:
            sheet.data_validation(FIRST_DATA_ROW, c, LAST_DATA_ROW, c, validation)
    sheet.freeze_panes(2, 0)

    guide = book.add_worksheet("填表说明")
    guide.write_row(0, 0, ["列名", "是否必填", "填写要求", "表格中的提示与限制", "说明", "也可使用的列名"], header)
    for r, field in enumerate(kind.fields, start=1):
        guide.write_row(r, 0, [field.label, "必填" if field.required else "选填", how_to_fill(field),
                               described[field.name], notes.get(field.name, ""), "、".join(field.headers[1:])], wrap)
    guide.set_column(0, 1, 16)
    guide.set_column(2, 3, 50)
    guide.set_column(4, 5, 40)
    _write_options(book, lists)
    book.close()
    return buffer.getvalue()
