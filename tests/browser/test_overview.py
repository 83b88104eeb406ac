"""The 总览 page as a person first sees it, on a desktop, a tablet and a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

TITLE = re.compile(r"^\d{4}年新建团组织进度$")
HEADLINE = "新建团组织（全部）"
DONE_OF_TARGET = re.compile(r"^[\d,]+ / [\d,]+$")
PERCENT = re.compile(r"^\d{1,3}(\.\d)?%$")
TREND_CHART = re.compile(r"\d{4}年累计新建团组织与序时进度")
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
OVERFLOW_ALLOWANCE = 4  # pixels of rounding a browser may add


# Elements of the headline metrics whose text is wider than their box (shown cut off with "…").
CLIPPED_METRICS_JS = """() => [...document.querySelectorAll(
    '[data-testid=stMetricLabel] [data-testid=stMarkdownContainer],'
    + '[data-testid=stMetricValue] [data-testid=stMarkdownContainer]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())"""
MIN_CHART_WIDTH = 300


def clipped_metric_texts(app) -> list[str]:
    return app.page.evaluate(CLIPPED_METRICS_JS)


def assert_headline_has_numbers(app) -> None:
    assert DONE_OF_TARGET.match(app.metric(HEADLINE)), app.metric(HEADLINE)
    assert PERCENT.match(app.metric("完成率")), app.metric("完成率")
    assert PERCENT.match(app.metric("序时进度")), app.metric("序时进度")
    for kind in ("非公有制企业", "社会组织", "直接联系管理"):
        assert DONE_OF_TARGET.match(app.metric(f"其中：{kind}")), kind


def test_overview_shows_the_year_with_chinese_charts(app):
    app.open("/", HEADLINE)
    trend = app.page.locator('[data-testid="stPlotlyChart"]').filter(has_text=TREND_CHART)
    expect(trend.locator(".main-svg").first).to_be_visible()
    app.shot("overview")

    expect(app.page.get_by_role("heading", name=TITLE)).to_be_visible()
    assert_headline_has_numbers(app)
    titles = app.chart_texts("gtitle")
    assert any(TREND_CHART.fullmatch(t) for t in titles), titles
    assert trend.locator(".xtitle").text_content() == "月份（月末）"
    assert trend.locator(".ytitle").text_content() == "累计新建团组织数（个）"
    ticks = trend.locator(".xtick text").all_text_contents()
    assert ticks and all(re.fullmatch(r"\d{1,2}月底", t) for t in ticks), ticks
    assert "时间节点" in trend.locator(".legend").text_content()

    # Chinese is drawn with real glyphs, not the missing-glyph box (tofu), in the page and in the charts.
    for selector, text in (("h1", app.page.locator("h1").first.text_content()),
                           ('[data-testid="stMetricLabel"]', "新建团组织完成率序时进度状态"),
                           ('[data-testid="stPlotlyChart"] .gtitle', titles[0])):
        drawn, font = app.glyphs_are_drawn(selector, text)
        assert drawn, f"{selector} ({font}) draws some of {text!r} as tofu"

    assert not clipped_metric_texts(app), clipped_metric_texts(app)
    problems = app.chart_problems()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_overview_fits_a_tablet_and_a_phone(app, viewport):
    app.open("/", HEADLINE)
    trend = app.page.locator('[data-testid="stPlotlyChart"]').filter(has_text=TREND_CHART)
    expect(trend.locator(".main-svg").first).to_be_visible()
    app.shot(f"overview-{viewport['width']}px")

    assert app.horizontal_overflow() <= OVERFLOW_ALLOWANCE
    assert_headline_has_numbers(app)
    problems = [f"headline {text!r} is cut off" for text in clipped_metric_texts(app)]
    for label in (HEADLINE, "完成率", "序时进度", "进度状态"):
        box = app.page.locator('[data-testid="stMetric"]').filter(has_text=label).first.bounding_box()
        if not (box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + OVERFLOW_ALLOWANCE):
            problems.append(f"headline {label!r} is outside the window: {box}")
    chart = trend.bounding_box()
    if not (chart["x"] >= 0 and chart["x"] + chart["width"] <= viewport["width"] + OVERFLOW_ALLOWANCE
            and chart["width"] >= MIN_CHART_WIDTH):
        problems.append(f"the trend chart does not fit the window: {chart}")
    problems += app.chart_problems()
    assert not problems, "\n".join(problems)
