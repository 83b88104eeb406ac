"""The bulletin on paper: Word (.docx, python-docx) and PDF (HTML through WeasyPrint), charts as PNG.

Charts are the bulletin's plotly figures drawn by kaleido in the system's
Chromium (found on PATH, or where $BROWSER_PATH says), all in one browser
session. The PDF is the same bulletin written as HTML (a Jinja2 template) and
laid out by WeasyPrint with the Noto CJK font found through fontconfig, so its
text is real text. What is missing on the machine is said in Chinese, with
what to install.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from league.bulletin import Bulletin

CHART_WIDTH, CHART_HEIGHT, CHART_SCALE = 900, 480, 2  # layout pixels; PNGs twice that for print
EAST_ASIAN_FONT = "宋体"  # Word's font for Chinese text (Latin text: Times New Roman)
CJK_FONTS = "'Noto Sans CJK SC', 'Noto Serif CJK SC', 'Source Han Sans SC', sans-serif"
NEED_CHROMIUM = ("生成通报中的图表需要 Chromium 浏览器，本机没有找到。请安装后重试："
                 "apt-get install chromium fonts-noto-cjk（或用环境变量 BROWSER_PATH 指明浏览器的位置）。")
NEED_PANGO = ("生成 PDF 通报需要 Pango 文字排版库和中文字体，本机没有找到。请安装后重试："
              "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk；或改为生成 Word 文件（.docx）。")


class RenderError(RuntimeError):
    """The bulletin could not be written on this machine; the message (Chinese) says what to install."""


class FormatError(ValueError):
    """A file name whose suffix is not a bulletin format; the message is Chinese."""


# --- charts -----------------------------------------------------------------------

async def _draw(figures: list) -> list[bytes]:
    import kaleido

    opts = {"format": "png", "width": CHART_WIDTH, "height": CHART_HEIGHT, "scale": CHART_SCALE}
    async with kaleido.Kaleido(n=1, mathjax=False) as drawer:  # no MathJax: nothing fetched from the network
        return [await drawer.calc_fig(figure, opts=opts) for figure in figures]


def chromium_path() -> str | None:
    """The Chromium kaleido would draw in ($BROWSER_PATH, else the first on PATH), if it is there."""
    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=False)
    return path if path and os.access(path, os.X_OK) else None


def missing_tools() -> dict[str, str]:
    """Suffix -> why the machine cannot write that format, in Chinese with what to install (empty: it can write both)."""
    missing = {} if chromium_path() else {".docx": NEED_CHROMIUM, ".pdf": NEED_CHROMIUM}
    try:
        import weasyprint  # noqa: F401  (loads Pango)
    except OSError:
        missing.setdefault(".pdf", NEED_PANGO)
    return missing


def chart_images(bulletin: Bulletin) -> list[bytes]:
    """Every chart of the bulletin as PNG, in order; drawn once per bulletin, in one Chromium."""
    from choreographer.errors import BrowserClosedError, BrowserDepsError, BrowserFailedError, ChromeNotFoundError

    missing = [i for i in range(len(bulletin.charts)) if i not in bulletin.images]
    if missing:
        if chromium_path() is None:
            raise RenderError(NEED_CHROMIUM)
        figures = [bulletin.charts[i].figure for i in missing]
        # Run in a thread of its own, so a caller already inside an event loop (Streamlit, a test) is no obstacle.
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                drawn = pool.submit(asyncio.run, _draw(figures)).result()
        except (ChromeNotFoundError, BrowserFailedError, BrowserDepsError, BrowserClosedError, FileNotFoundError) as exc:
            raise RenderError(NEED_CHROMIUM) from exc
        bulletin.images.update(zip(missing, drawn))
    return [bulletin.images[i] for i in range(len(bulletin.charts))]


def _cells(frame: pl.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Headers and rows as text: counts with thousands separators, blanks as —."""
    def text(value) -> str:
        if value is None:
            return "—"
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)

    return frame.columns, [[text(value) for value in row] for row in frame.iter_rows()]


# --- Word ---------------------------------------------------------------------------

def _chinese_font(style) -> None:
    from docx.oxml.ns import qn

    style.font.name = "Times New Roman"
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def docx_bytes(bulletin: Bulletin) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    images = iter(chart_images(bulletin))
    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Caption"):
        _chinese_font(document.styles[name])
    document.styles["Normal"].font.size = Pt(11)
    document.core_properties.title = bulletin.title
    document.add_heading(bulletin.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in bulletin.sections:
        document.add_heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        for chart in section.charts:
            document.add_picture(io.BytesIO(next(images)), width=Cm(16))
            document.add_paragraph(chart.caption, style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER
        for table in section.tables:
            document.add_paragraph(table.caption, style="Caption")
            headers, rows = _cells(table.frame)
            grid = document.add_table(rows=1, cols=len(headers), style="Table Grid")
            for cell, header in zip(grid.rows[0].cells, headers):
                cell.text = header
                cell.paragraphs[0].runs[0].bold = True
            for row in rows:
                for cell, value in zip(grid.add_row().cells, row):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------

TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ bulletin.title }}</title>
<style>
  @page { size: A4; margin: 2cm 1.8cm; @bottom-center { content: "第 " counter(page) " 页"; font-family: {{ fonts | safe }}; font-size: 9pt; } }
  body { font-family: {{ fonts | safe }}; font-size: 11pt; line-height: 1.6; }
  h1 { text-align: center; font-size: 18pt; }
  h2 { font-size: 14pt; margin-top: 1.2em; }
  p { text-indent: 2em; margin: 0.3em 0; }
  figure { margin: 0.8em 0; text-align: center; break-inside: avoid; }
  figure img { width: 100%; }
  caption, figcaption { font-size: 10pt; color: #444; margin: 0.3em 0; }
  table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 0.6em 0; }
  th, td { border: 0.5pt solid #888; padding: 2pt 4pt; }
  th { background: #eee; }
  tr { break-inside: avoid; }
</style></head>
<body>
<h1>{{ bulletin.title }}</h1>
{% for section in sections %}
<h2>{{ section.heading }}</h2>
{% for paragraph in section.paragraphs %}<p>{{ paragraph }}</p>{% endfor %}
{% for chart in section.charts %}
<figure><img src="data:image/png;base64,{{ chart.png }}" alt="{{ chart.caption }}"><figcaption>{{ chart.caption }}</figcaption></figure>
{% endfor %}
{% for table in section.tables %}
<table><caption>{{ table.caption }}</caption>
<thead><tr>{% for header in table.headers %}<th>{{ header }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in table.rows %}<tr>{% for value in row %}<td>{{ value }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% endfor %}
{% endfor %}
</body></html>
"""


def html(bulletin: Bulletin) -> str:
    """The bulletin as one HTML page, its charts inline as PNG (every value escaped by Jinja2)."""
    import jinja2

    images = iter(chart_images(bulletin))
    sections = [
        {"heading": section.heading, "paragraphs": section.paragraphs,
         "charts": [{"caption": chart.caption, "png": base64.b64encode(next(images)).decode("ascii")}
                    for chart in section.charts],
         "tables": [dict(zip(("headers", "rows"), _cells(table.frame)), caption=table.caption)
                    for table in section.tables]}
        for section in bulletin.sections
    ]
    template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    return template.render(bulletin=bulletin, sections=sections, fonts=CJK_FONTS)


def pdf_bytes(bulletin: Bulletin) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise RenderError(NEED_PANGO) from exc
    return HTML(string=html(bulletin)).write_pdf()


# --- choosing by suffix -------------------------------------------------------------

FORMATS: dict[str, Callable[[Bulletin], bytes]] = {".docx": docx_bytes, ".pdf": pdf_bytes}


def check_suffix(path: str | Path) -> str:
    """The path's suffix if it is a bulletin format (.docx, .pdf), else a FormatError saying which are."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise FormatError(f"通报只能保存为 Word（.docx）或 PDF（.pdf）文件，“{Path(path).name}”不是。")
    return suffix


def to_bytes(bulletin: Bulletin, suffix: str) -> bytes:
    return FORMATS[check_suffix(f"bulletin{suffix}")](bulletin)


def write_docx(bulletin: Bulletin, path: str | Path) -> Path:
    Path(path).write_bytes(docx_bytes(bulletin))
    return Path(path)


def write_pdf(bulletin: Bulletin, path: str | Path) -> Path:
    Path(path).write_bytes(pdf_bytes(bulletin))
    return Path(path)


def render(bulletin: Bulletin, path: str | Path) -> Path:
    """Write the bulletin as Word or PDF, chosen by the file's suffix."""
    content = FORMATS[check_suffix(path)](bulletin)
    Path(path).write_bytes(content)
    return Path(path)
