"""Validation rules of the Youth Voice question export (data contract §3b), listed by name in contract.toml."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import polars as pl

from etl.report import Problem
from etl.locate import Table
from etl.validate import Context, _blank, _flag


def verify_asked_not_in_future(table: Table, typed: pl.DataFrame, ctx: Context) -> list[Problem]:
    tomorrow = datetime.combine(ctx.today + timedelta(days=1), time())
    return (_flag(table, typed, pl.col("asked_at") >= tomorrow, "asked_at", "asked_in_future", "提问时间不能晚于今天")
            + _flag(table, typed, pl.col("first_effective_reply_at") >= tomorrow, "first_effective_reply_at",
                    "reply_in_future", "回复时间不能晚于今天"))


def verify_reply_time_when_answered(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    answered = pl.col("effectively_answered").fill_null(False)
    return (_flag(table, typed, answered & _blank(table, "first_effective_reply_at"), "first_effective_reply_at",
                  "reply_time_required", "已有效回复的，须填写首次有效回复时间")
            + _flag(table, typed, ~pl.col("effectively_answered").fill_null(True)
                    & pl.col("first_effective_reply_at").is_not_null(), "effectively_answered",
                    "reply_time_without_answer", "填写了有效回复时间，却注明未有效回复；按未有效回复计，请核对",
                    severity="warning"))


def verify_reply_not_before_asked(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("first_effective_reply_at") < pl.col("asked_at"), "first_effective_reply_at",
                 "reply_before_asked", "首次有效回复时间早于提问时间，请核对")


def verify_satisfaction_in_range(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, ~pl.col("satisfaction").is_between(1, 5), "satisfaction", "satisfaction_range",
                 "满意度只能是 1 到 5 的整数（不评价的留空）")


def verify_unique_question(table: Table, typed: pl.DataFrame, _: Context) -> list[Problem]:
    return _flag(table, typed, pl.col("question_id").is_not_null() & pl.col("question_id").is_duplicated(),
                 "question_id", "duplicate_question", "同一问题编号在表中出现多次，无法确定以哪一行为准，请只保留一行")
