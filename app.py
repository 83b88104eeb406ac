"""团建看板: the router, and the frame every page shares.

The frame: the one database (built with demo data on the very first start),
the sign-in (nothing is shown before it), the pages the signed-in role may
use, and the "数据截至" month in the sidebar. Pages read the viewer and the
month through league.ui.
"""

import streamlit as st

from league import signin, ui

st.set_page_config(page_title="团建看板", layout="wide")

DATA_PAGES = [
    st.Page("pages/progress.py", title="总览", icon=":material/flag:", default=True),
    st.Page("pages/coverage.py", title="覆盖", icon=":material/grid_on:"),
    st.Page("pages/youth_voice.py", title="青年之声", icon=":material/forum:"),
    st.Page("pages/members.py", title="团员发展", icon=":material/badge:"),
    st.Page("pages/targets.py", title="专项目标", icon=":material/track_changes:"),
    st.Page("pages/drilldown.py", title="下钻", icon=":material/travel_explore:"),
]
UPLOAD_PAGE = st.Page("pages/upload.py", title="上传", icon=":material/upload_file:")
SUBMISSIONS_PAGE = st.Page("pages/submissions.py", title="报送", icon=":material/event_available:")
REVIEW_PAGE = st.Page("pages/review.py", title="审核", icon=":material/fact_check:")
BULLETIN_PAGE = st.Page("pages/bulletin.py", title="通报", icon=":material/description:")
SPOTCHECK_PAGE = st.Page("pages/spotcheck.py", title="随机抽查", icon=":material/checklist:")
ADMIN_PAGE = st.Page("pages/admin.py", title="管理", icon=":material/manage_accounts:")


def pages_for(actor) -> list:
    """The pages a role may open; before sign-in all of them (hidden, none runs), so the address asked for is kept."""
    if actor is None:
        return [*DATA_PAGES, UPLOAD_PAGE, SUBMISSIONS_PAGE, REVIEW_PAGE, SPOTCHECK_PAGE, BULLETIN_PAGE, ADMIN_PAGE]
    # A filled spot-check pack is uploaded too, so an inspector (who submits no ledger) has 上传.
    uploads = actor.can("submit") or actor.can("spot_check")
    pages = [*DATA_PAGES, *([UPLOAD_PAGE] if uploads else []), SUBMISSIONS_PAGE,
             *([REVIEW_PAGE] if actor.can("review") else []), *([SPOTCHECK_PAGE] if actor.can("spot_check") else []),
             BULLETIN_PAGE] if actor.can("view") else []
    return pages + ([ADMIN_PAGE] if actor.can("manage_users") else [])


ui.page_frame()
# Navigation before anything else draws: while a first start builds the demo, the
# sidebar shows no listing of the pages/ folder.
viewer = signin.current_actor()
pages = st.navigation(pages_for(viewer), position="sidebar" if viewer else "hidden")
ui.build_demo_on_first_start()
viewer = signin.require_actor()
if viewer.can("view"):
    ui.as_of_selector()
    ui.basis_toggle()
signin.account_menu(viewer)
pages.run()
