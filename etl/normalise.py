"""Step 3, normalise: text cells -> typed values, in every form people write them.

Each field type has one parser, a polars expression from the cell's plain text
(full-width folded, white space removed, blank as null; free text gets the cell
as written) to the value, null where it cannot be read. A cell that had text
but gave no value is a problem named after its column; what is merely blank is
left to the validation rules (required fields). Everything is a column
expression, no Python runs per row: a 100,000-row ledger takes well under a second.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as uscc_code

from etl.contract import Field, contract, fold_width, how_to_fill
from etl.locate import EXCEL_ROW, Table
from etl.report import EXAMPLES_SHOWN, Problem

Parser = Callable[[pl.Expr, Field], pl.Expr]
FREE_TEXT = ("text", "unit", "district")  # parsed from the cell as written, inner spaces kept
# Read from the cell as written too (a space parts a date from its time), but a cell that gives no value is reported.
AS_WRITTEN = (*FREE_TEXT, "datetime")

EXCEL_EPOCH = pl.date(1899, 12, 30)  # serial day 0, counting Excel's phantom 29 Feb 1900
EARLIEST_DATE, LATEST_DATE = 1949, 2100
MOBILE = r"(?:\+?86)?1[3-9]\d{9}"
LANDLINE = r"(?:0\d{2,3}-?)?\d{7,8}(?:-\d{1,6})?"


UNTIDY = r"[\s\u3000\uff01-\uff5e]"  # white space or a full-width character somewhere in the cell


def _plain(raw: pl.Expr, untidy: bool = True) -> pl.Expr:
    """Full-width to half-width, no surrounding or inner white space, blank as null.

    A column known to hold no white space and no full-width character (most columns
    of most files) skips the folding: a Python decision per column, not per row.
    """
    text = fold_width(raw).str.replace_all(r"\s+", "") if untidy else raw
    text = text.str.strip_prefix("'")  # typed before a long number so Excel keeps it as text
    return pl.when(text != "").then(text)


def _untidy_columns(rows: pl.DataFrame, names: list[str]) -> set[str]:
    if not names:
        return set()
    found = rows.select([pl.col(n).str.contains(UNTIDY).any() for n in names]).row(0)
    return {n for n, hit in zip(names, found) if hit}


def parse_text(raw: pl.Expr, _: Field) -> pl.Expr:
    text = raw.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text != "").then(text)


def parse_uscc(text: pl.Expr, _: Field) -> pl.Expr:
    return text.str.to_uppercase().str.replace_all("-", "")


def parse_bool(text: pl.Expr, _: Field) -> pl.Expr:
    """是/否 and every other pair; in a column marked only with yes-marks (✓ or 是), a blank means no."""
    words = {w: True for w in contract().true_words} | {w: False for w in contract().false_words}
    value = text.str.to_uppercase().replace_strict(words, default=None, return_dtype=pl.Boolean)
    marks_only = value.any() & ~value.not_().any()
    return pl.when(text.is_null() & marks_only).then(False).otherwise(value)


def parse_int(text: pl.Expr, _: Field) -> pl.Expr:
    suffixes = "|".join(sorted(contract().count_suffixes, key=len, reverse=True))
    number = text.str.replace_all(",", "").str.replace(f"(?:{suffixes})$", "")
    value = number.cast(pl.Float64, strict=False)
    return pl.when(value == value.floor()).then(value).cast(pl.Int64)


def parse_date(text: pl.Expr, _: Field) -> pl.Expr:
    # 2014-05-03, 2014/5/3, 2014.5.3, 2014年5月3日, and Excel dates read as "2014-05-03 00:00:00".
    separated = text.str.extract_groups(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    serial = text.str.extract(r"^(\d{1,5})(?:\.\d+)?$").cast(pl.Int64, strict=False)

    value = pl.coalesce(
        _day(separated.struct[0], separated.struct[1], separated.struct[2]),
        _day(compact.struct[0], compact.struct[1], compact.struct[2]),
        pl.when(serial > 0).then(EXCEL_EPOCH + pl.duration(days=serial)),
    )
    return _plausible(value)


def _day(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The date of three text parts; null where they name no day (2025-02-30)."""
    return pl.concat_str([year, month, day], separator="-").str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _plausible(day: pl.Expr) -> pl.Expr:
    return pl.when(day.dt.year().is_between(EARLIEST_DATE, LATEST_DATE)).then(day)


def parse_datetime(raw: pl.Expr, _: Field) -> pl.Expr:
    """A moment: 2025-03-05 14:23(:05), 2025/3/5 9:05, 2025年3月5日 14时23分, 20250305 1423, an Excel date-time
    (read as "2025-03-05 14:23:00" or a serial such as 45721.6); a date alone is its midnight."""
    text = fold_width(raw).str.replace_all(r"\s+", " ").str.strip_chars()
    separated = text.str.extract_groups(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(?:[ T]*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?分?)?$")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2}):?(\d{2})(?::?(\d{2}))?)?$")
    serial = text.str.extract(r"^(\d{1,5}(?:\.\d+)?)$").cast(pl.Float64, strict=False)

    def moment(parts: pl.Expr) -> pl.Expr:
        fields = [parts.struct[i].fill_null("0") if i > 2 else parts.struct[i] for i in range(6)]
        return pl.concat_str([*fields[:3], *fields[3:]], separator="-").str.strptime(
            pl.Datetime("us"), "%Y-%m-%d-%H-%M-%S", strict=False)

    from_serial = pl.when(serial > 0).then(
        EXCEL_EPOCH.cast(pl.Datetime("us")) + pl.duration(milliseconds=(serial * 86_400_000).round(0).cast(pl.Int64)))
    value = pl.coalesce(moment(separated), moment(compact), from_serial)
    return pl.when(value.dt.year().is_between(EARLIEST_DATE, LATEST_DATE)).then(value)


def parse_month(text: pl.Expr, _: Field) -> pl.Expr:
    """A reporting month: 2025-03, 2025/3, 2025.3, 2025年3月, 202503, or a date in it."""
    separated = text.str.extract_groups(r"^(\d{4})[-/.年](\d{1,2})(?:月.*|[-/.]\d{1,2}.*)?$")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})$")

    first = pl.lit("1")
    return pl.coalesce(_day(separated.struct[0], separated.struct[1], first),
                       _day(compact.struct[0], compact.struct[1], first))


def parse_year(text: pl.Expr, _: Field) -> pl.Expr:
    year = text.str.extract(r"^(\d{4})(?:年|\.0+)?$").cast(pl.Int64, strict=False)
    return pl.when(year.is_between(2000, LATEST_DATE)).then(year)


def parse_category(text: pl.Expr, field: Field) -> pl.Expr:
    allowed = contract().categories[field.name]
    synonyms = contract().category_synonyms.get(field.name, {})
    canonical = {v: v for v in allowed} | {k.replace("(", "").replace(")", ""): v for k, v in synonyms.items()}
    return text.str.replace_all(r"[()（）]", "").replace_strict(canonical, default=None, return_dtype=pl.String)


def parse_pathway(text: pl.Expr, _: Field) -> pl.Expr:
    """The pathway's number (3, 路径3, 第3条, 3.依托工会网络) or its name."""
    number = text.str.extract(r"^\D{0,3}?(\d{1,2})(?:\D.*)?$").cast(pl.Int64, strict=False)
    by_name = text.replace_strict(
        {name.replace(" ", ""): n for n, name in contract().pathways.items()}, default=None, return_dtype=pl.Int64
    )
    value = pl.coalesce(number, by_name)
    return pl.when(value.is_between(1, len(contract().pathways))).then(value)


def parse_phone(text: pl.Expr, _: Field) -> pl.Expr:
    """One or more mainland mobile or landline numbers, kept as written but without spaces."""
    text = text.str.replace_all(r"[()]", "")
    one = f"(?:{MOBILE}|{LANDLINE})"
    return pl.when(text.str.contains(f"^{one}(?:[/,;、]{one})*$")).then(text)


def parse_id_number(text: pl.Expr, _: Field) -> pl.Expr:
    """A citizen ID number as written, upper-cased (a lower-case or full-width x is the check character X).
    Its check digit, length and birth date are the rules' (etl.member_rules), which say which is wrong."""
    return text.str.to_uppercase()


def parse_member_no(text: pl.Expr, _: Field) -> pl.Expr:
    """A member number: up to 18 digits (a number cell may read as 360102250001.0)."""
    digits = text.str.replace(r"\.0+$", "")
    return pl.when(digits.str.contains(r"^\d{1,18}$")).then(digits)


PARSERS: dict[str, Parser] = {
    "text": parse_text,
    "unit": parse_text,
    "district": parse_text,
    "uscc": parse_uscc,
    "bool": parse_bool,
    "int": parse_int,
    "date": parse_date,
    "datetime": parse_datetime,
    "month": parse_month,
    "year": parse_year,
    "category": parse_category,
    "pathway": parse_pathway,
    "phone": parse_phone,
    "id_number": parse_id_number,
    "member_no": parse_member_no,
}

# A column whose every filled cell already has the template's form (the pattern, on
# plain text) gives the same values through a much cheaper parser; decided per column.
FAST_PATHS: dict[str, tuple[str, Parser]] = {
    "int": (r"^\d+$", lambda text, _: text.cast(pl.Int64, strict=False)),
    "date": (r"^\d{4}-\d{2}-\d{2}(?:00:00:00)?$",
             lambda text, _: _plausible(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))),
    "text": (r"^\S*$", lambda raw, _: pl.when(raw != "").then(raw)),
    "unit": (r"^\S*$", lambda raw, _: pl.when(raw != "").then(raw)),
    "district": (r"^\S*$", lambda raw, _: pl.when(raw != "").then(raw)),
}

def normalise(table: Table) -> tuple[pl.DataFrame, list[Problem]]:
    """Typed rows (excel_row, one column per field, extra as JSON) and the cells that could not be read."""
    fields = list(table.kind.loaded_fields)
    present = [f for f in fields if f.name in table.rows.columns]
    # Each cell's plain text once; every parser and the unreadable-cell check read it.
    untidy = _untidy_columns(table.rows, [f.name for f in present if f.type not in AS_WRITTEN])
    plain = table.rows.select(
        pl.col(EXCEL_ROW),
        *[(pl.col(f.name) if f.type in AS_WRITTEN else _plain(pl.col(f.name), f.name in untidy)).alias(f.name)
          for f in present],
        *[pl.col(c) for c in table.extra_headers],
    )
    parsers = _parsers(plain, present)
    typed = plain.select(
        pl.col(EXCEL_ROW),
        *[parsers[f.name](pl.col(f.name), f).alias(f.name) for f in present],
        *[pl.lit(None, dtype=_dtype(f)).alias(f.name) for f in fields if f not in present],
        _extra_json(table).alias("extra"),
    )
    # Free text is read as written and credit codes have their own check below.
    checked = [f for f in present if f.type not in FREE_TEXT and f.type != "uscc"]
    unreadable = {f.name: plain[f.name].is_not_null() & typed[f.name].is_null() for f in checked}
    problems = [
        _problem(table, f, table.rows.filter(unreadable[f.name]), f"{f.type}_unreadable",
                 f"无法识别，应填{how_to_fill(f)}")
        for f in checked if unreadable[f.name].any()
    ]
    return typed, problems + uscc_problems(table, typed)


def _parsers(plain: pl.DataFrame, fields: list[Field]) -> dict[str, Parser]:
    """Each field's parser: the fast one where its whole column is in the template's form."""
    candidates = [f for f in fields if f.type in FAST_PATHS]
    canonical = plain.select(
        [pl.col(f.name).str.contains(FAST_PATHS[f.type][0]).all().alias(f.name) for f in candidates]
    ).row(0, named=True) if candidates else {}
    return {f.name: FAST_PATHS[f.type][1] if canonical.get(f.name) else PARSERS[f.type] for f in fields}


USCC_REASONS = {
    stdnum_errors.InvalidLength: ("uscc_length", "统一社会信用代码应为 18 位，请对照营业执照核对"),
    stdnum_errors.InvalidFormat: ("uscc_format", "统一社会信用代码含有不允许的字符（前 8 位为数字，其后不含 I、O、Z、S、V），请核对"),
    stdnum_errors.InvalidChecksum: ("uscc_check_digit", "统一社会信用代码校验位不正确（GB 32100-2015），可能有错字，请对照营业执照核对"),
}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: digits and letters but I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_passes(code: pl.Expr) -> pl.Expr:
    """GB 32100-2015 on a whole column: 8 digits, 10 characters of the alphabet, the check character right.

    The same test as stdnum.cn.uscc.validate, which is ~15 µs a code in Python (1.5 s for a
    100,000-row ledger); codes failing here are then judged by python-stdnum itself.
    """
    value = {c: i for i, c in enumerate(USCC_ALPHABET)}
    total = pl.sum_horizontal([
        code.str.slice(i, 1).replace_strict(value, default=0, return_dtype=pl.Int32) * w
        for i, w in enumerate(USCC_WEIGHTS)])
    check = ((31 - total % 31) % 31).replace_strict(dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String)
    return code.str.contains(f"^[0-9]{{8}}[{USCC_ALPHABET}]{{10}}$") & (code.str.slice(17, 1) == check)


def uscc_problems(table: Table, typed: pl.DataFrame) -> list[Problem]:
    """Credit codes checked against GB 32100-2015, one problem per kind of fault."""
    if "uscc" not in table.headers:
        return []
    failing = typed.filter(pl.col("uscc").is_not_null() & ~uscc_passes(pl.col("uscc")))
    if failing.height == 0:
        return []

    def fault(code: str) -> str | None:
        try:
            uscc_code.validate(code)
        except stdnum_errors.ValidationError as exc:
            return USCC_REASONS[type(exc)][0]
        return None

    faults = {c: fault(c) for c in failing["uscc"].unique().to_list()}
    checked = table.rows.join(
        failing.select(EXCEL_ROW, _fault=pl.col("uscc").replace_strict(faults, return_dtype=pl.String)),
        on=EXCEL_ROW, maintain_order="left")
    field = table.kind.field("uscc")
    return [
        _problem(table, field, checked.filter(pl.col("_fault") == rule), rule, message)
        for rule, message in USCC_REASONS.values()
        if (checked["_fault"] == rule).any()
    ]


def _problem(table: Table, field: Field, bad: pl.DataFrame, rule: str, message: str) -> Problem:
    return Problem(
        "error", rule, f"“{field.label}”{message}" if not message.startswith(field.label) else message,
        sheet=table.sheet, column=table.headers[field.name],
        rows=bad[EXCEL_ROW].to_list(), values=bad[field.name].head(EXAMPLES_SHOWN).to_list(),
    )


def _dtype(field: Field) -> pl.DataType:
    return {"bool": pl.Boolean, "int": pl.Int64, "date": pl.Date, "datetime": pl.Datetime("us"), "month": pl.Date,
            "year": pl.Int64, "pathway": pl.Int64}.get(field.type, pl.String)


MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"  # how an Excel date cell reads as text: kept as the date


def _extra_json(table: Table) -> pl.Expr:
    """Columns the contract does not know, kept aside as {header: value} JSON rather than lost.

    Each filled cell becomes one `"header": "value"` member (JSON-encoded by polars),
    blank cells are left out, and a row with none of them gets null.
    """
    if not table.extra_headers:
        return pl.lit(None, dtype=pl.String)
    members = [
        pl.when(pl.col(c).str.strip_chars() != "")
        .then(pl.struct(pl.col(c).str.replace(MIDNIGHT, "$1").alias(header)).struct.json_encode().str.slice(1).str.strip_suffix("}"))
        for c, header in table.extra_headers.items()
    ]
    joined = pl.concat_str(members, separator=",", ignore_nulls=True)
    return pl.when(joined != "").then(pl.concat_str(pl.lit("{"), joined, pl.lit("}")))
