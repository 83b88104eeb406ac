"""团建看板: the router, and the frame every page shares.

The frame: the one database (built with demo data on the very first start),
the "数据截至" month in the sidebar, and the viewer's scope (the whole city
until sign-in exists). Pages read them through league.ui.
"""

import streamlit as st

from league import ui

st.set_page_config(page_title="团建看板", layout="wide")

# Navigation first: while a first start builds the demo, the sidebar already
# shows these pages rather than Streamlit's listing of the pages/ folder.
pages = st.navigation([
    st.Page("pages/progress.py", title="总览", icon=":material/flag:", default=True),
    st.Page("pages/coverage.py", title="覆盖", icon=":material/grid_on:"),
    st.Page("pages/youth_voice.py", title="青年之声", icon=":material/forum:"),
    st.Page("pages/drilldown.py", title="下钻", icon=":material/travel_explore:"),
    st.Page("pages/upload.py", title="上传", icon=":material/upload_file:"),
    st.Page("pages/submissions.py", title="报送", icon=":material/event_available:"),
])
ui.page_frame()
ui.build_demo_on_first_start()
ui.as_of_selector()
pages.run()
