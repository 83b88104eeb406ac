"""Step 3, normalise: text cells -> typed values, in every form people write them.

Each field type has one parser, a polars expression from the raw text to the
value (null where it cannot be read). A cell that had text but gave no value
is a problem named after its column; what is merely blank is left to the
validation rules (required fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import polars as pl
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as uscc_code

from etl.contract import Field, contract
from etl.locate import EXCEL_ROW, Table
from etl.report import EXAMPLES_SHOWN, Problem

Parser = Callable[[pl.Expr, Field], pl.Expr]

EXCEL_EPOCH = pl.date(1899, 12, 30)  # serial day 0, counting Excel's phantom 29 Feb 1900
EARLIEST_DATE, LATEST_DATE = 1949, 2100
MOBILE = r"(?:\+?86)?1[3-9]\d{9}"
LANDLINE = r"(?:0\d{2,3}-?)?\d{7,8}(?:-\d{1,6})?"


def _plain(raw: pl.Expr) -> pl.Expr:
    """Full-width to half-width, no surrounding or inner white space, blank as null."""
    text = raw.str.normalize("NFKC").str.replace_all(r"\s+", "")
    return pl.when(text != "").then(text)


def parse_text(raw: pl.Expr, _: Field) -> pl.Expr:
    text = raw.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text != "").then(text)


def parse_uscc(raw: pl.Expr, _: Field) -> pl.Expr:
    return _plain(raw).str.to_uppercase().str.replace_all("-", "")


def parse_bool(raw: pl.Expr, _: Field) -> pl.Expr:
    words = {w: True for w in contract().true_words} | {w: False for w in contract().false_words}
    return _plain(raw).str.to_uppercase().replace_strict(words, default=None, return_dtype=pl.Boolean)


def parse_int(raw: pl.Expr, _: Field) -> pl.Expr:
    suffixes = "|".join(sorted(contract().count_suffixes, key=len, reverse=True))
    number = _plain(raw).str.replace_all(",", "").str.replace(f"(?:{suffixes})$", "")
    value = number.cast(pl.Float64, strict=False)
    return pl.when(value == value.floor()).then(value).cast(pl.Int64)


def parse_date(raw: pl.Expr, _: Field) -> pl.Expr:
    text = _plain(raw)
    # 2014-05-03, 2014/5/3, 2014.5.3, 2014年5月3日, and Excel dates read as "2014-05-03 00:00:00".
    separated = text.str.extract_groups(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?$")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    serial = text.str.extract(r"^(\d{1,5})(?:\.\d+)?$").cast(pl.Int64, strict=False)

    def from_parts(parts: pl.Expr) -> pl.Expr:
        iso = pl.concat_str([parts.struct[0], parts.struct[1], parts.struct[2]], separator="-")
        return iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False)

    value = pl.coalesce(
        from_parts(separated),
        from_parts(compact),
        pl.when(serial > 0).then(EXCEL_EPOCH + pl.duration(days=serial)),
    )
    return pl.when(value.dt.year().is_between(EARLIEST_DATE, LATEST_DATE)).then(value)


def parse_month(raw: pl.Expr, _: Field) -> pl.Expr:
    """A reporting month: 2025-03, 2025/3, 2025.3, 2025年3月, 202503, or a date in it."""
    text = _plain(raw)
    separated = text.str.extract_groups(r"^(\d{4})[-/.年](\d{1,2})(?:月.*|[-/.]\d{1,2}.*)?$")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})$")

    def from_parts(parts: pl.Expr) -> pl.Expr:
        iso = pl.concat_str([parts.struct[0], parts.struct[1], pl.lit("1")], separator="-")
        return iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False)

    return pl.coalesce(from_parts(separated), from_parts(compact))


def parse_year(raw: pl.Expr, _: Field) -> pl.Expr:
    year = _plain(raw).str.extract(r"^(\d{4})(?:年|\.0+)?$").cast(pl.Int64, strict=False)
    return pl.when(year.is_between(2000, LATEST_DATE)).then(year)


def parse_category(raw: pl.Expr, field: Field) -> pl.Expr:
    allowed = contract().categories[field.name]
    synonyms = contract().category_synonyms.get(field.name, {})
    text = _plain(raw).str.replace_all(r"[()（）]", "")
    canonical = {v: v for v in allowed} | {k.replace("(", "").replace(")", ""): v for k, v in synonyms.items()}
    return text.replace_strict(canonical, default=None, return_dtype=pl.String)


def parse_pathway(raw: pl.Expr, _: Field) -> pl.Expr:
    """The pathway's number (3, 路径3, 第3条, 3.依托工会网络) or its name."""
    text = _plain(raw)
    number = text.str.extract(r"^\D{0,3}?(\d{1,2})(?:\D.*)?$").cast(pl.Int64, strict=False)
    by_name = text.replace_strict(
        {name.replace(" ", ""): n for n, name in contract().pathways.items()}, default=None, return_dtype=pl.Int64
    )
    value = pl.coalesce(number, by_name)
    return pl.when(value.is_between(1, len(contract().pathways))).then(value)


def parse_phone(raw: pl.Expr, _: Field) -> pl.Expr:
    """One or more mainland mobile or landline numbers, kept as written but without spaces."""
    text = _plain(raw).str.replace_all(r"[()]", "")
    one = f"(?:{MOBILE}|{LANDLINE})"
    return pl.when(text.str.contains(f"^{one}(?:[/,;、]{one})*$")).then(text)


PARSERS: dict[str, Parser] = {
    "text": parse_text,
    "unit": parse_text,
    "uscc": parse_uscc,
    "bool": parse_bool,
    "int": parse_int,
    "date": parse_date,
    "month": parse_month,
    "year": parse_year,
    "category": parse_category,
    "pathway": parse_pathway,
    "phone": parse_phone,
}

EXPECTED: dict[str, str] = {
    "bool": "应填“是”或“否”（也可填 有/无、√/×、Y/N、1/0）",
    "int": "应为整数，如 12",
    "date": "不是可识别的日期，应填写如 2025-05-03 的日期",
    "month": "不是可识别的月份，应填写如 2025-03 的月份",
    "year": "应为四位年份，如 2025",
    "pathway": "应为 1–11 的建团路径编号（见模板说明页）",
    "phone": "不是有效的手机号码或固定电话（如 13812345678、021-12345678）",
}


def _expected(field: Field) -> str:
    if field.type == "category":
        return "不在可选范围内，应为以下之一：" + "、".join(contract().categories[field.name])
    return EXPECTED[field.type]


def normalise(table: Table) -> tuple[pl.DataFrame, list[Problem]]:
    """Typed rows (excel_row, one column per field, extra as JSON) and the cells that could not be read."""
    fields = [f for f in table.kind.loaded_fields]
    present = [f for f in fields if f.name in table.rows.columns]
    typed = table.rows.select(
        pl.col(EXCEL_ROW),
        *[PARSERS[f.type](pl.col(f.name), f).alias(f.name) for f in present],
        *[pl.lit(None, dtype=_dtype(f)).alias(f.name) for f in fields if f not in present],
        _extra_json(table).alias("extra"),
    )
    problems = []
    for f in present:
        if f.type in ("text", "unit", "uscc"):
            continue  # read as they are; their rules live in validate
        had_text = _plain(pl.col(f.name)).is_not_null()
        bad = table.rows.with_columns(_value=typed[f.name]).filter(had_text & pl.col("_value").is_null())
        if bad.height:
            problems.append(_problem(table, f, bad, f"{f.type}_unreadable", _expected(f)))
    return typed, problems + uscc_problems(table, typed)


def uscc_problems(table: Table, typed: pl.DataFrame) -> list[Problem]:
    """Credit codes checked by python-stdnum (GB 32100-2015), one problem per kind of fault."""
    if "uscc" not in table.headers:
        return []
    reasons = {
        stdnum_errors.InvalidLength: ("uscc_length", "统一社会信用代码应为 18 位，请对照营业执照核对"),
        stdnum_errors.InvalidFormat: ("uscc_format", "统一社会信用代码含有不允许的字符（前 8 位为数字，其后不含 I、O、Z、S、V），请核对"),
        stdnum_errors.InvalidChecksum: ("uscc_check_digit", "统一社会信用代码校验位不正确（GB 32100-2015），可能有错字，请对照营业执照核对"),
    }

    def fault(code: str) -> str | None:
        try:
            uscc_code.validate(code)
        except stdnum_errors.ValidationError as exc:
            return reasons[type(exc)][0]
        return None

    codes = typed["uscc"].drop_nulls().unique()
    faults = {c: fault(c) for c in codes.to_list()}
    checked = table.rows.with_columns(
        _fault=typed["uscc"].replace_strict(faults, default=None, return_dtype=pl.String)
    )
    field = table.kind.field("uscc")
    return [
        _problem(table, field, checked.filter(pl.col("_fault") == rule), rule, message)
        for rule, message in reasons.values()
        if (checked["_fault"] == rule).any()
    ]


def _problem(table: Table, field: Field, bad: pl.DataFrame, rule: str, message: str) -> Problem:
    return Problem(
        "error", rule, f"“{field.label}”{message}" if not message.startswith(field.label) else message,
        sheet=table.sheet, column=table.headers[field.name],
        rows=bad[EXCEL_ROW].to_list(), values=bad[field.name].head(EXAMPLES_SHOWN).to_list(),
    )


def _dtype(field: Field) -> pl.DataType:
    return {"bool": pl.Boolean, "int": pl.Int64, "date": pl.Date, "month": pl.Date,
            "year": pl.Int64, "pathway": pl.Int64}.get(field.type, pl.String)


def _extra_json(table: Table) -> pl.Expr:
    """Columns the contract does not know, kept aside as {header: value} JSON rather than lost."""
    if not table.extra_headers:
        return pl.lit(None, dtype=pl.String)
    names = list(table.extra_headers.items())

    def as_json(row: dict) -> str | None:
        kept = {h: row[c] for c, h in names if row[c] is not None}
        return json.dumps(kept, ensure_ascii=False) if kept else None

    return pl.struct([pl.col(c) for c, _ in names]).map_elements(as_json, return_dtype=pl.String)
