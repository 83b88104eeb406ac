"""Validation rules of the new-member sheets (data contract §4 and §5): rosters, number ranges, schools.

Each is a verify_* rule like those of etl.validate, listed by name under its
kind in contract.toml. An ID number is checked with python-stdnum (GB 11643);
a problem never quotes one in full (etl.validate masks them).
"""

from __future__ import annotations

from datetime import date

import polars as pl
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from etl.locate import EXCEL_ROW, Table
from etl.report import Problem
from etl.validate import Context, _blank, _flag

ID_REASONS = {
    "legacy": "是 15 位的旧身份证号码，请改填 18 位公民身份号码（以现行居民身份证为准）",
    "length": "应为 18 位（17 位数字加 1 位校验码，末位可为 X）",
    "format": "只能是数字，末位可为 X",
    "check_digit": "校验码不正确（GB 11643），可能有错字；若该列在 Excel 中是数字格式，后几位会变成 0，请设为文本后重新填写",
    "birth_date": "中的出生日期不是有效日期，请核对",
}


def id_fault(number: str) -> str | None:
    """Why an ID number is not a valid GB 11643 number (a key of ID_REASONS), or None.

    The check digit and birth date are python-stdnum's; its full `validate` also
    looks the region code up in its own table of counties, which a careful
    reader cannot do by eye and which would refuse a real person whose county
    code it lacks (a fictional or renamed one raises KeyError in stdnum 2.2).
    """
    if len(number) == 15 and number.isdigit():
        return "legacy"
    if len(number) != 18:
        return "length"
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        return "format"
    if ric.calc_check_digit(number) != number[17]:  # stdnum takes all 18 characters and reads the first 17
        return "check_digit"
    try:
        ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        return "birth_date"
    return None


def _id_birth_dates(typed: pl.DataFrame) -> pl.Series:
    """Each row's birth date as its ID number says (null for an invalid number)."""
    def birth(number: str | None) -> date | None:
        return ric.get_birth_date(number) if number and id_fault(number) is None else None

    return pl.Series([birth(n) for n in typed["id_number"].to_list()], dtype=pl.Date)


def verify_id_numbers(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    faults = {n: id_fault(n) for n in typed["id_number"].drop_nulls().unique().to_list()}
    fault = pl.col("id_number").replace_strict(faults, default=None, return_dtype=pl.String)
    label = table.kind.field("id_number").label
    return [p for reason, text in ID_REASONS.items()
            for p in _flag(table, typed, fault == reason, "id_number", f"id_{reason}", f"“{label}”{text}")]


def verify_birth_matches_id(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    with_id = typed.with_columns(id_birth=_id_birth_dates(typed))
    return _flag(table, with_id, pl.col("birth_date").is_not_null() & pl.col("id_birth").is_not_null()
                 & (pl.col("birth_date") != pl.col("id_birth")), "birth_date", "birth_matches_id",
                 "出生日期与公民身份号码中的出生日期不一致，请核对")


def verify_plausible_age(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    """A new member is 14 to 28 at the branch meeting (member_age_min / member_age_max in plan_settings)."""
    low, high = int(ctx.settings.get("member_age_min", 14)), int(ctx.settings.get("member_age_max", 28))
    births = typed.with_columns(born=pl.coalesce(_id_birth_dates(typed), pl.col("birth_date")))
    joined, born = pl.col("joined_on"), pl.col("born")
    age = joined.dt.year() - born.dt.year() - (
        (joined.dt.month() < born.dt.month())
        | ((joined.dt.month() == born.dt.month()) & (joined.dt.day() < born.dt.day()))).cast(pl.Int32)
    return _flag(table, births, joined.is_not_null() & born.is_not_null() & ~age.is_between(low, high), "joined_on",
                 "plausible_age", f"入团时年龄不在 {low}–{high} 周岁之间，请核对入团时间和公民身份号码")


def verify_joined_not_in_future(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    return (_flag(table, typed, pl.col("joined_on") > ctx.today, "joined_on", "joined_in_future",
                  "入团时间不能晚于今天")
            + _flag(table, typed, pl.col("entered_on") > ctx.today, "entered_on", "entered_in_future",
                    "录入日期不能晚于今天"))


def verify_entered_on_when_entered(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return (_flag(table, typed, pl.col("entered_in_system").fill_null(False) & _blank(table, "entered_on"),
                  "entered_on", "entered_on_required", "已录入智慧团建的，须填写录入日期")
            + _flag(table, typed, ~pl.col("entered_in_system").fill_null(True) & pl.col("entered_on").is_not_null(),
                    "entered_in_system", "entered_without_date",
                    "填写了录入日期，却注明未录入智慧团建，请核对", severity="warning"))


def verify_entered_not_before_joined(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("entered_on") < pl.col("joined_on"), "entered_on", "entered_before_joined",
                 "录入日期早于入团时间，请核对")


def verify_unique_person(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("id_number").is_not_null() & pl.col("id_number").is_duplicated(), "id_number",
                 "duplicate_person", "同一公民身份号码在表中出现多次，请只保留一行")


def verify_unique_member_no(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    """Two members under one number is a finding to chase (号号有下落), shown on 团员发展: loaded, not refused."""
    return _flag(table, typed, pl.col("member_no").is_not_null() & pl.col("member_no").is_duplicated(), "member_no",
                 "duplicate_member_no", "同一团员编号用于多名团员，已载入并将在“团员发展”页列为重号，请核实",
                 severity="warning")


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Int64, strict=False)


def verify_range_ordered(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, _number("last_no") < _number("first_no"), "last_no", "range_ordered",
                 "终止编号小于起始编号，请核对号段")


def verify_range_size(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    most = int(ctx.settings.get("range_max_numbers", 100_000))
    return _flag(table, typed, _number("last_no") - _number("first_no") + 1 > most, "last_no", "range_size",
                 f"号段超过 {most:,} 个编号，可能起止编号填错，请核对")


def verify_ranges_apart(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    """Two ranges of one sheet that share a number: one number issued twice."""
    ranges = typed.select(EXCEL_ROW, first=_number("first_no"), last=_number("last_no")).drop_nulls()
    overlapping = ranges.join(ranges, how="cross", suffix="_other").filter(
        (pl.col(EXCEL_ROW) != pl.col(f"{EXCEL_ROW}_other")) & (pl.col("first") <= pl.col("last_other"))
        & (pl.col("first_other") <= pl.col("last")))
    rows = overlapping[EXCEL_ROW].unique().implode()
    return _flag(table, typed, pl.col(EXCEL_ROW).is_in(rows), "first_no", "ranges_overlap",
                 "号段与本表其他行的号段重叠，同一编号不能发给两处，请核对")


def verify_known_district(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    districts = [u.name for u in ctx.units.values() if u.level == "district"]
    return _flag(table, typed, pl.col("district").is_not_null() & ~pl.col("district").is_in(districts), "district",
                 "district_known", f"不是已登记的区县，请填写区县全称（如“{districts[0] if districts else '东湖区'}”）")
