"""At province size a chart draws only what a person can read and a long table comes a page at a time."""

from streamlit.testing.v1 import AppTest


def long_table_page():
    import polars as pl
    import streamlit as st

    from league import ui

    frame = pl.DataFrame({"unit": [f"单位{i:04d}" for i in range(2_500)], "done": list(range(2_500))})
    drawn = ui.chart_rows(frame, "单位")
    st.write(f"drawn {drawn.height} first {drawn['unit'][0]}")
    ui.table_with_download(frame, ["unit", "done"], "long.xlsx", key="long")


def test_a_long_table_comes_a_page_at_a_time_and_a_chart_draws_the_first_rows_only():
    at = AppTest.from_function(long_table_page, default_timeout=120).run()
    assert not at.exception, at.exception
    assert any("共 2,500 个单位，图中只画排在最前的 40 个" in c.value for c in at.caption)
    assert any(m.value == "drawn 40 first 单位0000" for m in at.markdown)
    pager = at.number_input(key="long_page")
    assert pager.max == 3 and "共 3 页" in pager.label and "全部 2,500 行" in pager.label
    assert at.dataframe[0].value.shape[0] == 1_000
    pager.set_value(3).run()
    table = at.dataframe[0].value
    assert table.shape[0] == 500 and table.iloc[0, 0] == "单位2000"
