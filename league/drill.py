"""The drill-down's address: city → district → unit → organisation, kept in the address bar.

A view is its query parameters (`drill_district`, `drill_unit`, `drill_org`
beside the month and the basis), so any view can be bookmarked or sent, and
every way into it (a table's row, a chart's bar, a breadcrumb, the overview's
alert list) is a move to that address with `go_to()` or `link()`. 下钻 reads
the view back through its three address-bound selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

PAGE = "pages/drilldown.py"
LEVEL_KEYS = ("drill_district", "drill_unit", "drill_org")
# Parameters a move keeps: the month looked from and the basis (every ledger, or signed-off ones only).
KEPT_KEYS = ("month", "signed_off_only")
CHANGED_MARK = "🔄 "


@dataclass(frozen=True)
class View:
    district: str | None = None
    unit: str | None = None
    uscc: str | None = None

    def params(self) -> dict[str, str]:
        """The view's own query parameters, deepest level last; a level without its parent is dropped."""
        chosen = {}
        for key, value in zip(LEVEL_KEYS, (self.district, self.unit, self.uscc)):
            if value is None:
                break
            chosen[key] = value
        return chosen


def unit_view(row: dict) -> View:
    """The view of the unit a table row names (its `unit` and `district`)."""
    return View(row["district"], row["unit"])


def address(view: View) -> dict[str, str]:
    """The full query parameters of a view: its levels plus the month and basis in the address now."""
    kept = {key: st.query_params[key] for key in KEPT_KEYS if key in st.query_params}
    return kept | view.params()


def go_to(view: View) -> None:
    """Open the drill-down at a view (from any page)."""
    st.switch_page(PAGE, query_params=address(view))


def link(container, view: View, label: str, **options) -> None:
    """A link to a view of the drill-down, e.g. a breadcrumb or an alert's unit."""
    container.page_link(PAGE, label=label, query_params=address(view), **options)


def breadcrumbs(view: View, organisation_name: str | None = None) -> None:
    """全市 › 区县 › 单位 › 组织: every level above the view as a link, the view itself in words."""
    trail = [("全市", View())]
    if view.district:
        trail.append((view.district, View(view.district)))
    if view.unit:
        trail.append((view.unit, View(view.district, view.unit)))
    if view.uscc:
        trail.append((organisation_name or view.uscc, view))
    row = st.container(horizontal=True, gap="small", vertical_alignment="center", key="breadcrumbs")
    for place, (label, target) in enumerate(trail):
        if place:
            row.markdown("›")
        if place == len(trail) - 1:
            row.markdown(f"**{label}**")
        else:
            link(row, target, label)


# --- an organisation month by month ---------------------------------------------

def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every value in words, as a table shows it: 是/否, dates as 2025-06-26, blanks blank."""
    return frame.select(
        (pl.when(pl.col(name)).then(pl.lit("是")).when(~pl.col(name)).then(pl.lit("否"))
         if dtype == pl.Boolean else pl.col(name).cast(pl.String)).fill_null("").alias(name)
        for name, dtype in frame.schema.items()
    )


def month_changes(history: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """What changed from each month to the next: report_month, field, before, after (as text)."""
    if history.height < 2:
        return pl.DataFrame(schema={"report_month": pl.Date, "field": pl.String, "before": pl.String,
                                    "after": pl.String})
    months = history.sort("report_month")
    values = _as_text(months.select(fields)).with_columns(months["report_month"])
    long = values.unpivot(index="report_month", variable_name="field", value_name="after")
    return (
        long.sort("field", "report_month")
        .with_columns(before=pl.col("after").shift(1).over("field"))
        .filter(pl.col("before").is_not_null() & (pl.col("before") != pl.col("after")))
        .select("report_month", "field", "before", "after")
        .sort("report_month", maintain_order=True)
    )


def side_by_side(history: pl.DataFrame, fields: list[str], labels: dict[str, str]) -> pl.DataFrame:
    """One row per field and a column per month (2025-06…); a value that changed from the month before is marked."""
    months = history.sort("report_month")
    names = [f"{month:%Y-%m}" for month in months["report_month"]]
    values = _as_text(months.select(fields))
    changed = [
        [row > 0 and values[field][row] != values[field][row - 1] for row in range(values.height)]
        for field in fields
    ]
    cells = {
        name: [CHANGED_MARK * changed[f][row] + values[field][row] for f, field in enumerate(fields)]
        for row, name in enumerate(names)
    }
    return pl.DataFrame({"项目": [labels.get(field, field) for field in fields], **cells})
