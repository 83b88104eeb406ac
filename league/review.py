"""The district's review of a unit-month: sign off (which locks it), send back, reopen.

Each step is one row appended to review_actions and one audit entry, in one
transaction, after checking the actor may take it and that the unit-month is
still where the person saw it (a step on a stale page is refused, never
applied to a newer submission). Submissions themselves are the submit and
resubmit steps; where a unit-month stands is the view ledger_review.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from etl import guards
from league import access, marts
from league.access import Actor
from league.db import Database, next_ids, replace_row
from league.gateway import AccessDenied

# Which states each step may be taken from.
ALLOWED_FROM = {
    "sign_off": ("submitted", "resubmitted"),
    "send_back": ("submitted", "resubmitted"),
    "reopen": ("signed_off",),
}
STEP_WORDS = {"sign_off": "审核通过", "send_back": "退回修改", "reopen": "重新开放"}
MAX_REASON_CHARS = 500


class ReviewError(ValueError):
    """A step that cannot be taken now, said in Chinese."""


def _standing(con: duckdb.DuckDBPyConnection, unit: str, month: date) -> tuple[int, str, int | None, str | None]:
    """(unit_id, path, latest accepted submission_id, state) of a unit-month."""
    found = con.execute("select unit_id, path from units where name = ?", [unit]).fetchone()
    if found is None:
        raise ReviewError(f"单位“{unit}”不存在。")
    row = con.execute("select submission_id, state from ledger_review where unit_id = ? and report_month = ?",
                      [found[0], month]).fetchone()
    return found[0], found[1], *(row or (None, "missing"))


def take_step(db: Database, actor: Actor | None, step: str, unit: str, month: date, submission_id: int | None,
              reason: str | None = None, address: str | None = None, at: datetime | None = None) -> None:
    """Sign off, send back or reopen the unit-month's ledger `submission_id` (the one the person looked at).

    A send-back needs a comment and a reopening a reason; both are shown to the unit.
    """
    if step not in ALLOWED_FROM:
        raise ValueError(f"unknown review step {step!r}")
    reason = (reason or "").strip()[:MAX_REASON_CHARS] or None
    if step in ("send_back", "reopen") and reason is None:
        raise ReviewError("退回修改须写明需要修改什么。" if step == "send_back" else "重新开放须写明原因。")
    month = month.replace(day=1)
    with db.transaction() as con:
        unit_id, path, latest, state = _standing(con, unit, month)
        if actor is None or not actor.can("review", path):
            raise AccessDenied(f"您的账号不能审核“{unit}”的台账。")
        if state not in ALLOWED_FROM[step] or latest != submission_id:
            raise ReviewError(f"“{unit}”{month.year}年{month.month}月的台账刚有变化（现为"
                              f"“{_state_word(state)}”），请刷新后再{STEP_WORDS[step]}。")
        at = at or datetime.now()
        (review_id,) = next_ids(con, "review")
        con.execute(
            "insert into review_actions (review_id, unit_id, kind, report_month, submission_id, action, actor, acted_at,"
            " reason) values (?, ?, 'ledger', ?, ?, ?, ?, ?, ?)",
            [review_id, unit_id, month, submission_id, step, actor.name, at, reason])
        marts.restand(con, [unit_id])  # what stands on signed-off ledgers alone has changed
        access.audit(con, actor.name, step, unit, {"month": f"{month:%Y-%m}", "submission_id": submission_id,
                                                   "reason": reason}, address, at)


def _state_word(state: str) -> str:
    from league.queries import REVIEW_STATES

    return REVIEW_STATES.get(state, state)


def is_locked(con: duckdb.DuckDBPyConnection, unit_id: int | None, month: date | None) -> bool:
    """Whether the unit-month's ledger is signed off, so no upload may replace it."""
    if unit_id is None or month is None:
        return False
    row = con.execute("select locked from ledger_review where unit_id = ? and report_month = ?",
                      [unit_id, month]).fetchone()
    return bool(row and row[0])


def changes_since_sign_off(db: Database, submission_id: int | None,
                           signed_off_submission_id: int | None) -> guards.Diff | None:
    """What a resubmission changed against the ledger last signed off (None when there is nothing to compare)."""
    if submission_id is None or signed_off_submission_id is None or submission_id == signed_off_submission_id:
        return None
    with db.connect() as con:
        return guards.submission_diff(con, signed_off_submission_id, submission_id)


def save_contact(db: Database, actor: Actor | None, unit: str, name: str | None, phone: str | None,
                 address: str | None = None) -> None:
    """Whom to call about a unit's report; set by a reviewer of the unit (or an admin)."""
    with db.transaction() as con:
        found = con.execute("select unit_id, path from units where name = ?", [unit]).fetchone()
        if found is None:
            raise ReviewError(f"单位“{unit}”不存在。")
        if actor is None or not (actor.can("review", found[1]) or actor.can("manage_users")):
            raise AccessDenied(f"您的账号不能修改“{unit}”的联系人。")
        replace_row(con, "unit_contacts", ("unit_id",),
                    [found[0], (name or "").strip() or None, (phone or "").strip() or None, datetime.now(),
                     actor.name])
        access.audit(con, actor.name, "contact_saved", unit, None, address)
