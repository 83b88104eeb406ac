"""月度通报: the month-end bulletin as the viewer may see it, with Word and PDF downloads."""

from datetime import date

import streamlit as st

from league import bulletin, bulletin_render, ui
from league.access import Actor

MIME = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".pdf": "application/pdf"}


@st.cache_data(show_spinner="正在生成通报……", max_entries=64)
def made(db_path: str, data_version: int, reader: Actor, month: date) -> bulletin.Bulletin:
    # Keyed as ui.fetch's reads are: the data version and the reader's role and scope, so a district never
    # gets another's bulletin and a new upload makes the old one unreachable. db_path is part of the key only.
    return bulletin.bulletin(ui.database(), reader, month)


def download(made_bulletin: bulletin.Bulletin, suffix: str, label: str) -> None:
    """A button whose file is written when it is pressed, and recorded as a download then."""
    file_name = f"{made_bulletin.title}{suffix}"
    st.download_button(
        label, data=ui.audited(lambda: bulletin_render.to_bytes(made_bulletin, suffix), f"月度通报：{file_name}",
                               made_bulletin.rows),
        file_name=file_name, mime=MIME[suffix], icon=":material/download:", key=f"bulletin_download_{suffix[1:]}",
        on_click="ignore",
    )


as_of = ui.require_as_of_month()
st.title("月度通报")
viewer = ui.actor()
try:
    shown = made(ui.database().key, ui.data_version(), viewer.reader(), as_of)
except bulletin.BulletinError as exc:
    ui.empty_state(str(exc))
    st.stop()

st.caption(f"{shown.title}：文字和数字均由看板数据按月自动生成，与各页面同一口径。")
missing = bulletin_render.missing_tools()
for column, (suffix, label) in zip(st.columns(2), ((".docx", "下载通报（Word）"), (".pdf", "下载通报（PDF）"))):
    with column:
        if suffix in missing:
            st.warning(missing[suffix])
        else:
            download(shown, suffix, label)

st.header(shown.title, divider="red")
for section_number, section in enumerate(shown.sections):
    st.subheader(section.heading)
    for paragraph in section.paragraphs:
        st.markdown(paragraph)
    for chart_number, chart in enumerate(section.charts):
        st.plotly_chart(chart.figure, key=f"bulletin_chart_{section_number}_{chart_number}")
    for table_number, table in enumerate(section.tables):
        st.markdown(f"**{table.caption}**")
        st.dataframe(table.frame, hide_index=True, key=f"bulletin_table_{section_number}_{table_number}")
        ui.xlsx_download(table.frame, f"{table.caption}_{as_of:%Y-%m}.xlsx", f"bulletin_table_{section_number}_{table_number}")
