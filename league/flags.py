"""Data-quality and integrity flags: recomputed inside the write that changes what they are about.

The rules are the table macros of `sql/flags.sql` (one each); this module
gives them their p-values and keeps the table `quality_flags` in step with
the data. A month's flags are replaced whole, for every unit at once: a
duplicate credit code involves two units and the last-digit test is corrected
across all units of the month. What a month's flags depend on:

- a ledger: that month, the unit's previous ledger and its earlier ones (an
  organisation that reappears, a founding date that moved), and for a
  milestone's bunching the ledger of the month after, so loading one touches
  the month before it, its own and every later month;
- a Youth Voice report: the unit's own earlier months, likewise.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import duckdb
import numpy as np
import pyarrow as pa
from scipy import special

# The migration that created quality_flags: a database reaching it gets the flags of every month it holds.
MIGRATION = "006_quality_flags"

# Each rule's code (quality_flags.code) and its name for people: pages, downloads and the bulletin.
FLAG_NAMES = {
    "duplicate_uscc": "统一社会信用代码重复",
    "count_jump": "人数突变",
    "disappeared": "组织消失",
    "reappeared": "组织重新出现",
    "founding_date_moved": "建团日期变动",
    "founded_after_built": "建团日期晚于报建月份",
    "copied_ledger": "疑似照抄上月台账",
    "milestone_bunching": "节点前集中新建",
    "round_heaping": "人数取整偏多",
    "last_digit": "人数尾数不均",
    "youth_voice_outlier": "青年之声数据异常",
    "question_totals_mismatch": "青年之声月报与问题明细不符",
}
# Severities, most severe first: probably wrong (check before counting), ask about it, worth a look.
SEVERITIES = ("严重", "警示", "提示")


def _binomial_upper_tail(k: pa.Array, n: pa.Array, p: pa.Array) -> pa.Array:
    """P(X >= k) for X ~ Binomial(n, p); bdtrc(k - 1, n, p) is P(X > k - 1)."""
    return pa.array(special.bdtrc(np.asarray(k, dtype=float) - 1, np.asarray(n, dtype=np.int64), np.asarray(p)))


def _chi_square_upper_tail(x: pa.Array, df: pa.Array) -> pa.Array:
    """P(X >= x) for X chi-square with df degrees of freedom."""
    return pa.array(special.chdtrc(np.asarray(df, dtype=float), np.asarray(x, dtype=float)))


P_VALUE_FUNCTIONS = {
    "binomial_upper_tail": (_binomial_upper_tail, ["BIGINT", "BIGINT", "DOUBLE"]),
    "chi_square_upper_tail": (_chi_square_upper_tail, ["DOUBLE", "INTEGER"]),
}


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Give a new connection the p-value functions flags.sql calls (league.db does, on opening one).

    DuckDB binds a macro's functions when the macro is created and a Python
    function lives only as long as its connection, so every connection that
    creates or runs the rules needs them, registered outside any transaction.
    """
    for name, (function, parameters) in P_VALUE_FUNCTIONS.items():
        con.create_function(name, function, parameters, "DOUBLE", type="arrow")


# The codes of flags_raised.sql's raised_month_flags: rules that weigh a month's units' ledgers against each other.
MONTH_WIDE_CODES = ("last_digit",)
# The codes of raised_youth_voice_flags: from Youth Voice sheets alone, so a ledger load leaves them be.
YOUTH_VOICE_CODES = ("youth_voice_outlier", "question_totals_mismatch")


def refresh(con: duckdb.DuckDBPyConnection, report_months: Iterable[date],
            unit_ids: Iterable[int] | None = None) -> None:
    """Recompute the flags of these months, inside the caller's transaction: every unit's, or, given
    unit_ids (the units a ledger load changed), their ledgers', the month-wide ledger rules' for every
    unit, and the duplicate credit codes among the codes on their ledgers or their flags.

    A unit's own rules read only its own ledgers, so at province size a load
    recomputes 500 organisations' flags rather than a million's.
    """
    months = sorted({m.replace(day=1) for m in report_months})
    if not months:
        return
    if unit_ids is None:
        con.execute("delete from quality_flags where list_contains($months, report_month)", {"months": months})
        raised = "raised_flags($months::date[])"
        params = {"months": months}
    else:
        params = {"months": months, "units": sorted(set(unit_ids))}
        # A code the units hold now or were flagged for sharing before: another unit's flag for it may come or go.
        params["usccs"] = con.execute(
            "select coalesce(list(distinct uscc), []) from ("
            " select r.uscc from ledger_submissions s join ledger_rows r using (submission_id)"
            " where list_contains($units, s.unit_id) and list_contains($months, s.report_month)"
            " union all select uscc from quality_flags where code = 'duplicate_uscc'"
            " and list_contains($units, unit_id) and list_contains($months, report_month))"
            " where uscc is not null", params).fetchone()[0]
        con.execute("delete from quality_flags where list_contains($months, report_month)"
                    " and not list_contains($youth_voice, code)"
                    " and (list_contains($units, unit_id) or list_contains($month_wide, code)"
                    " or (code = 'duplicate_uscc' and uscc in (select unnest($usccs::varchar[]))))",
                    params | {"month_wide": list(MONTH_WIDE_CODES), "youth_voice": list(YOUTH_VOICE_CODES)})
        raised = ("(select * from raised_unit_flags($months::date[], $units::integer[])"
                  " union all by name select * from flag_duplicate_uscc($months::date[], $usccs::varchar[])"
                  " union all by name select * from raised_month_flags($months::date[]))")
    con.execute(
        "insert into quality_flags"
        " select unit_id, report_month, uscc, code, severity, message, evidence, current_timestamp"
        f" from {raised}",
        params,
    )


def months_from(con: duckdb.DuckDBPyConnection, kind: str, first_month: date) -> list[date]:
    """The months whose flags may change when a sheet of `kind` reaching back to `first_month` loads.

    A ledger: its month, every later month with a ledger (compared with it,
    directly or through the founding dates it gives) and the month before (a
    milestone's bunching is read from the ledger of the month after it). A Youth
    Voice report: its first month and every later one; a question export, the months its questions were
    asked in. Other kinds raise no flags.
    """
    later = {
        "ledger": "select distinct report_month from ledger_submissions where report_month > $month",
        "youth_voice": "select distinct month from youth_voice where month > $month",
        # a question export is compared with the monthly totals of the months its questions were asked in
        "youth_voice_questions": "select distinct date_trunc('month', asked_at)::date from youth_voice_questions"
                                 " where asked_at >= $month",
    }
    if kind not in later:
        return []
    first = first_month.replace(day=1)
    before = [(first - timedelta(days=1)).replace(day=1)] if kind == "ledger" else []
    return before + [first] + [m for (m,) in con.execute(later[kind], {"month": first}).fetchall()]


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the flags of every month holding a ledger or a Youth Voice report."""
    refresh(con, [m for (m,) in con.execute(
        "select report_month from ledger_submissions union select month from youth_voice"
        " union select date_trunc('month', asked_at)::date from youth_voice_questions").fetchall()])
