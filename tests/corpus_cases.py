"""The corpus's cases: messy variants that must load to the template's rows, and files that must be rejected.

Run as a script to write the corpus for a person to open:
    python tests/corpus_cases.py /tmp/corpus
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.corpus import (
    BOOL_FIELDS, CLEAN, COUNT_FIELDS, Case, DATE_FORMS, Expected, Extra, FIELDS, INSTRUCTIONS,
    LAST_MONTH_HIDDEN, Layout, NOTES, NUMBER_FORMS, ORG_GROUP, SIGNATURE, SUMMARY, TITLE, USCC_ALPHABET,
    USCC_FORMS, bools, case, cycle, default_cell, each, ledger_sheet, make_records, template_case,
)
from tests.corpus_files import Grid


MESSY_HEADERS = {
    "org_name": "单 位 名 称", "uscc": "统一社会\n信用代码", "district": " 所属区县 ", "employees": "从业人员数（人）",
    "youth_employees": "35岁以下\n青年数（人）", "league_members": "团员数(人)", "has_league_org": "是否建立\n团组织（是/否）",
    "league_org_date": "建团日期\n（年/月/日）", "build_path": "建团路径（1-11）", "leader_phone": "联系电话 ",
    "park": "所在园区【无则空白】", "above_scale": "是否规模以上*",
}
SYNONYMS = {
    "org_name": "单位全称", "uscc": "信用代码", "district": "区县", "street": "街镇", "industry": "所属行业",
    "org_type": "单位性质", "above_scale": "规模以上", "park": "园区", "league_society_member": "团属社团会员单位",
    "employees": "从业人员", "youth_employees": "35岁以下青年", "league_members": "团员人数",
    "has_party_org": "有无党组织", "has_league_org": "有无团组织", "league_org_kind": "团组织形式",
    "build_mode": "建团模式", "build_path": "建团途径", "league_org_date": "建团时间",
    "directly_managed": "直接联系管理", "leader_name": "负责人", "leader_phone": "手机", "note": "说明",
}
EXTRA = [Extra("注册地址", lambda i: f"东湖区和平路{i + 1}号"), Extra("法定代表人", lambda i: f"法人{i + 1}"),
         Extra("注册资本（万元）", lambda i: 100 * (i + 1))]
SHUFFLED = ["uscc", "org_name", "row_no", "industry", "org_type", "employees", "youth_employees", "league_members",
            "district", "street", "has_party_org", "has_league_org", "league_org_date", "league_org_kind",
            "build_path", "build_mode", "leader_name", "leader_phone", "directly_managed", "above_scale", "park",
            "league_society_member", "note"]


def everywhere(form: Callable, fields: list[str]) -> dict:
    return {f: each(form) for f in fields}


NOT_APPLICABLE = ["league_org_kind", "build_mode", "build_path", "league_org_date", "leader_name", "leader_phone"]
BASIC = ["org_name", "uscc", "district", "street", "industry", "org_type", "above_scale", "park",
         "league_society_member"]
THREE_GROUPS = {"基本情况": BASIC, "人员情况": COUNT_FIELDS,
                "组织建设情况": ["has_party_org", *ORG_GROUP, "directly_managed", "leader_name", "leader_phone"]}
SIGNED_ACROSS = [["填表单位：东湖区和平街道团工委（盖章）", None, None, "填表人：王芳", None, "联系电话：0791-86123456",
                  None, "日期：2025.3.25"]]


SHORT_FORMS = {  # what people write for a category value instead of the list's wording
    "industry": {"文化创意": "文创", "物业管理": "物业", "家政服务": "家政", "酒店餐饮": "餐饮", "快递服务": "快递",
                 "律师事务所": "律所", "非学历教育培训": "培训机构", "金融服务": "金融", "互联网": "电子商务"},
    "org_type": {"非公有制企业": "非公企业", "社会组织": "社会团体"},
    "league_org_kind": {"团支部": "支部", "团总支": "总支", "联合团支部": "联合支部", "青年组织": "青年组织（团前组织）"},
    "build_mode": {"独立建团": "独立", "联合建团": "联合", "楼宇建团": "楼宇"},
}


def blank_as(mark: str, fields: list[str]) -> dict:
    """Forms that write `mark` where a value does not apply, as people do instead of leaving it empty."""
    return {f: lambda v, _, f=f: mark if v is None else default_cell(f, v) for f in fields}


def variants() -> list[Case]:
    """Files that must load to exactly the clean template's rows."""
    dates = {"league_org_date": cycle(*DATE_FORMS.values())}
    counts = {f: cycle(*NUMBER_FORMS.values()) for f in COUNT_FIELDS}
    codes = {"uscc": cycle(*USCC_FORMS.values())}
    bool_pairs = [("是", "否"), ("有", "无"), ("Y", "N"), ("√", "×"), (1, 0), ("y", "n")]
    mixed_bools = {f: cycle(*(bools(t, n) for t, n in bool_pairs)) for f in BOOL_FIELDS}
    checks = everywhere(bools("√", "×"), BOOL_FIELDS)  # GBK has √ and × but no ✓
    return [
        case("no_title", title=()),
        case("two_title_rows", title=(TITLE, "填报单位（盖章）：东湖区和平街道团工委", "")),
        case("notes_and_signature_below", footer=[[], *NOTES, *SIGNATURE]),
        case("total_row", total="合计"),
        case("total_row_spaced", total="合\u3000计", footer=SIGNATURE),
        case("subtotals_and_total", total="总计", subtotal_after={14, 29}),
        case("total_with_count", total="合计（30家）"),
        case("signature_across_cells", footer=[[], *SIGNED_ACROSS]),
        case("header_grouped_merged", header="grouped"),
        case("header_counts_under_qizhong", header="grouped",
             groups={"其中": ["youth_employees", "league_members"], "团组织情况": ORG_GROUP}),
        case("header_three_groups", header="grouped", groups=THREE_GROUPS),
        case("slash_for_not_applicable", forms=blank_as("/", NOT_APPLICABLE) | blank_as("无", ["park"])
             | blank_as("—", ["note"])),
        case("header_grouped_lower", header="grouped_lower"),
        case("header_grouped_as_csv", "csv", header="grouped_upper", title=()),
        case("header_spaces_breaks_brackets", headers=MESSY_HEADERS),
        case("header_synonyms", headers=SYNONYMS),
        case("columns_reordered", fields=SHUFFLED),
        case("extra_columns", extra=EXTRA),
        case("extra_column_in_between", extra=EXTRA[:1], extra_at=3, title=()),
        case("no_row_no_column", fields=FIELDS[1:]),
        case("legacy_xls", "xls"),
        case("csv_utf8", "csv", title=()),
        case("csv_utf8_bom", "csv-bom"),
        case("csv_gb18030", "csv-gb18030", forms=dates),
        case("csv_gbk", "csv-gbk", forms=checks, title=()),
        case("tab_separated", "tsv", title=()),
        case("instructions_sheet_first", before=(INSTRUCTIONS,), after=(SUMMARY,)),
        case("hidden_sheet_with_last_month_first", before=(LAST_MONTH_HIDDEN,)),
        case("bool_you_wu", forms=everywhere(bools("有", "无"), BOOL_FIELDS)),
        case("bool_y_n", forms=everywhere(bools("Y", "n"), BOOL_FIELDS)),
        case("bool_check_cross", forms=checks),
        case("bool_tick_or_blank", forms=everywhere(bools("✓", None), BOOL_FIELDS)),
        case("bool_yes_or_blank", forms=everywhere(bools("是", None), BOOL_FIELDS)),
        case("bool_one_zero", forms=everywhere(bools(1, 0), BOOL_FIELDS)),
        case("bool_excel_true_false", forms=everywhere(bools(True, False), BOOL_FIELDS)),
        case("bool_mixed", forms=mixed_bools),
        *[case(f"date_{name}", forms={"league_org_date": each(form)})
          for name, form in DATE_FORMS.items() if name != "excel_date"],
        case("date_mixed_in_xls", "xls", forms=dates),
        *[case(f"count_{name}", forms=everywhere(form, COUNT_FIELDS)) for name, form in NUMBER_FORMS.items()],
        case("count_mixed", forms=counts),
        *[case(f"uscc_{name}", forms={"uscc": each(form)}) for name, form in USCC_FORMS.items()],
        case("category_short_forms",
             forms={f: each(lambda v, short=short: short.get(v, v)) for f, short in SHORT_FORMS.items()}),
        case("csv_text_formulas_and_apostrophes", "csv-unquoted", title=(),
             forms={"uscc": cycle(lambda c: f'="{c}"', lambda c: f"'{c}"),
                    "leader_phone": each(lambda t: None if t is None else f'="{t}"')}),
        case("same_organisation_twice", repeat=[4, 17]),
        case("stale_copy_above", stale={3: {"employees": 12, "youth_employees": 10, "league_members": 1}}),
        case("blank_rows_between", blank_after={2, 9, 10, 20}),
        case("hidden_rows", hidden={5, 6, 21}),
        case("formula_cells", row_no_formula=True, total="合计"),
        case("numbered_empty_rows", numbered_to=50, footer=SIGNATURE),
        case("xls_saved_as_xlsx", "xls", file_name="xls_saved_as_xlsx.xlsx"),
        case("xlsx_saved_as_xls", file_name="xlsx_saved_as_xls.xls"),
        case("csv_saved_as_xls", "csv-gb18030", title=(), file_name="csv_saved_as_xls.xls"),
        case("unit_and_month_from_file_name", "csv", title=(), identity="file_name",
             file_name="东湖区和平街道团工委2025年3月台账.csv"),
        case("unit_and_month_from_compact_file_name", title=(), identity="file_name",
             file_name="东湖区和平街道_202503两新台账.xlsx"),
        # Several habits at once, as whole files really arrive.
        case("wps_export_xls", "xls", title=(TITLE, "填报单位：东湖区和平街道团工委"), header="grouped",
             headers=SYNONYMS | {"uscc": "统一社会 信用代码"},
             forms={**dates, **counts, **everywhere(bools("有", "无"), BOOL_FIELDS)},
             blank_after={8}, total="合计", footer=SIGNATURE),
        case("gbk_by_hand", "csv-gbk", header="grouped_upper", headers=MESSY_HEADERS, fields=SHUFFLED,
             forms={**checks, **counts, "uscc": cycle(*[f for n, f in USCC_FORMS.items() if n != "no_break_space"]),
                    "league_org_date": cycle(*list(DATE_FORMS.values())[1:])},
             subtotal_after={9}, total="合计", footer=[*NOTES, *SIGNATURE], blank_after={3}),
        case("workbook_of_habits", before=(INSTRUCTIONS,), header="grouped", fields=SHUFFLED, extra=EXTRA[:2],
             forms={**mixed_bools, **dates, **counts, **codes}, hidden=set(range(0, 30, 7)), repeat=[1],
             blank_after={11}, row_no_formula=True, total="合计", footer=[*NOTES, *SIGNATURE], numbered_to=40),
    ]


# -- bad files ------------------------------------------------------------------------------------

def _errors(rule: str, column_field: str, indices) -> Callable[[Layout], tuple[Expected, ...]]:
    return lambda laid: (Expected(rule, tuple(sorted(laid.excel_rows[i] for i in indices)),
                                  laid.headers[column_field]),)


def bad(name: str, changes: dict[int, dict], rule: str, column_field: str, fmt: str = "xlsx", **layout) -> Case:
    """The clean ledger with some values changed; each changed record is one row of the one expected error."""
    records = [r | changes.get(i, {}) for i, r in enumerate(CLEAN)]
    return case(name, fmt, records=records, identity="args", errors=_errors(rule, column_field, changes), **layout)


def typed_bad(name: str, typed: dict[int, dict], rule: str, column_field: str, fmt: str = "xlsx",
              **layout) -> Case:
    """The clean ledger with some cells holding exactly the given text (or number) as typed."""
    forms = dict(layout.pop("forms", {}))
    for f in {f for cells in typed.values() for f in cells}:
        usual = forms.get(f) or (lambda v, _, f=f: default_cell(f, v))
        forms[f] = lambda v, i, f=f, usual=usual: typed[i][f] if f in typed.get(i, {}) else usual(v, i)
    return case(name, fmt, forms=forms, identity="args", errors=_errors(rule, column_field, typed), **layout)


def wrong_check(code: str) -> str:
    return code[:-1] + USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % len(USCC_ALPHABET)]


def many_bad_dates(n: int = 2000) -> Case:
    """Every date unreadable: one grouped problem naming all n rows, not n problems."""
    records = make_records(n, seed=7)
    laid = ledger_sheet(records, forms={"league_org_date": lambda v, i: "待查"}, title=())
    rows = tuple(laid.excel_rows[i] for i in range(n))
    return Case("many_bad_dates", "many_bad_dates.xlsx", "xlsx", (laid.grid,),
                errors=(Expected("date_unreadable", rows, "建团日期"),), layout=laid)


def bad_files() -> list[Case]:
    """Files that must be rejected, each with every error it must report."""
    code = [r["uscc"] for r in CLEAN]
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    return [
        bad("uscc_check_character", {4: {"uscc": wrong_check(code[4])}}, "uscc_check_digit", "uscc"),
        bad("uscc_check_character_synonym_header", {4: {"uscc": wrong_check(code[4])},
                                                    20: {"uscc": wrong_check(code[20]).lower()}},
            "uscc_check_digit", "uscc", headers=SYNONYMS, header="grouped"),
        bad("uscc_wrong_length", {7: {"uscc": code[7][:17]}}, "uscc_length", "uscc"),
        bad("uscc_letter_o_for_zero", {9: {"uscc": code[9][:2] + "O" + code[9][3:]}}, "uscc_format", "uscc"),
        bad("youth_over_employees", {2: {"employees": 10, "youth_employees": 12, "league_members": 5}},
            "youth_within_employees", "youth_employees"),
        bad("members_over_youth", {5: {"youth_employees": 15, "league_members": 20}}, "members_within_youth",
            "league_members", "csv", title=()),
        bad("negative_count", {6: {"league_members": -1}}, "count_not_negative", "league_members"),
        typed_bad("count_not_whole", {6: {"employees": "12.5"}}, "int_unreadable", "employees"),
        typed_bad("date_unreadable", {0: {"league_org_date": "2019-02-30"}, 8: {"league_org_date": "去年五月"}},
                  "date_unreadable", "league_org_date"),
        typed_bad("date_unreadable_messy_header", {1: {"league_org_date": "2019.13.1"}}, "date_unreadable",
                  "league_org_date", "xls", headers=MESSY_HEADERS, header="grouped"),
        bad("org_date_in_future", {1: {"league_org_date": date(2035, 5, 1)}}, "org_date_in_future",
            "league_org_date"),
        bad("org_date_after_report_month", {2: {"league_org_date": date(2025, 4, 2)}},
            "org_date_after_report_month", "league_org_date"),
        bad("org_without_date", {4: {"league_org_date": None}}, "org_date_required", "league_org_date",
            "csv-gb18030"),
        typed_bad("industry_not_in_list", {10: {"industry": "房地产"}}, "category_unreadable", "industry"),
        typed_bad("org_type_not_in_list", {11: {"org_type": "个体户"}}, "category_unreadable", "org_type"),
        typed_bad("bool_unreadable", {12: {"above_scale": "待定"}}, "bool_unreadable", "above_scale"),
        typed_bad("pathway_twelve", {13: {"build_path": 12}}, "pathway_unreadable", "build_path"),
        typed_bad("phone_too_short", {14: {"leader_phone": "1381234567"}}, "phone_unreadable", "leader_phone"),
        bad("org_name_blank", {15: {"org_name": None}}, "required", "org_name"),
        bad("uscc_blank", {16: {"uscc": None}}, "required", "uscc", total="合计"),
        bad("street_blank_for_street_unit", {3: {"street": None}, 18: {"street": None}}, "street_required",
            "street", header="grouped"),
        typed_bad("org_date_slashed", {4: {"league_org_date": "/"}}, "org_date_required", "league_org_date"),
        case("template_without_rows", records=[], identity="args", errors=lambda laid: (Expected("no_rows"),)),
        Case("pdf_renamed", "pdf_renamed.xls", "bytes", data=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
             errors=(Expected("unreadable"),)),
        case("uscc_column_missing", fields=[f for f in FIELDS if f != "uscc"], identity="args",
             errors=lambda laid: (Expected("column_missing", (2,)),)),
        Case("no_header", "no_header.xlsx", "xlsx", (Grid("Sheet1", [["张三", 12, "是"], ["李四", 15, "否"]]),),
             errors=(Expected("header_not_found"),)),
        Case("empty_file", "empty_file.xlsx", "bytes", errors=(Expected("empty_file"),)),
        Case("empty_csv", "empty_csv.csv", "bytes", data=b"\xef\xbb\xbf\r\n,,,\r\n", errors=(Expected("empty_file"),)),
        Case("empty_workbook", "empty_workbook.xlsx", "xlsx", (Grid("Sheet1", []),), errors=(Expected("empty_file"),)),
        Case("picture_renamed", "picture_renamed.xlsx", "bytes", data=png, errors=(Expected("unreadable"),)),
        Case("truncated_xlsx", "truncated.xlsx", "bytes", data=b"PK\x03\x04" + b"\x00" * 64,
             errors=(Expected("unreadable"),)),
        case("title_names_another_month", title=(TITLE.replace("3月", "2月"),), identity="args",
             errors=lambda laid: (Expected("month_mismatch"),)),
        Case("unit_and_month_unknown", "台账.xlsx", "xlsx", (ledger_sheet(CLEAN, title=()).grid,), identity="none",
             errors=(Expected("unit_unknown"), Expected("month_unknown"))),
        many_bad_dates(),
    ]


VARIANTS = variants()
BAD_FILES = bad_files()


def main(folder: str) -> None:
    out = Path(folder)
    for sub, cases in (("good", [template_case(), *VARIANTS]), ("bad", BAD_FILES)):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for c in cases:
            c.write(out / sub)
    print(f"wrote the template, {len(VARIANTS)} variants and {len(BAD_FILES)} bad files under {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "corpus")
