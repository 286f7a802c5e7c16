"""Drawing blocks of the deck, shared by the agenda slides (render_pptx) and the diagnosis slides:
16:9 geometry, the palette, the deck's typeface as latin and east-asian face, the title bar, text boxes,
filled rectangles, real tables, native charts and speaker notes."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.dml.fill import FillFormat
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.presentation import Presentation
from pptx.shapes.autoshape import Shape
from pptx.slide import Slide
from pptx.table import Table as PptxTable
from pptx.table import _Cell
from pptx.text.text import Font, TextFrame
from pptx.util import Inches, Pt

from retropack.present.clean import strip_controls
from retropack.present.messages import Translator
from retropack.present.palette import ACCENT, INK, MUTED, STATUS_COLOURS, STATUS_TINTS, TARGET

# The typeface of the deck being built (the view's ``deck_font``), set as both latin and east-asian face on every
# run: without ``a:ea`` PowerPoint and LibreOffice draw Japanese with a fallback font or as tofu.
FONT: ContextVar[str] = ContextVar("deck_font", default="Meiryo")

SLIDE_W, SLIDE_H = 13.333, 7.5
LEFT = 0.5
WIDTH = SLIDE_W - 2 * LEFT
TOP = 1.2  # first line below the title bar
BOTTOM = 6.85  # last line above the footer
TITLE_ONLY = 5  # layout of the default template with a title placeholder only

Box = tuple[float, float, float, float]  # left, top, width, height in inches
T = TypeVar("T")


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


# The shared palette (retropack.present.palette, also used by the PDF) plus the deck's neutrals: a status
# name is its light tint (tiles, table cells), ``strong_<status>`` its full colour (text on a tint).
PALETTE: dict[str, RGBColor] = {
    **{status: _rgb(tint) for status, tint in STATUS_TINTS.items()},
    **{f"strong_{status}": _rgb(colour) for status, colour in STATUS_COLOURS.items()},
    "accent": _rgb(ACCENT),
    "target": _rgb(TARGET),
    "ink": _rgb(INK),
    "grid": _rgb(MUTED),
    "muted": _rgb(STATUS_COLOURS["no_target"]),
    "on_accent": _rgb("#cfe0f4"),
    "band": _rgb("#f5f7fa"),
    "white": _rgb("#ffffff"),
}


@dataclass(frozen=True)
class Line:
    """One paragraph of a text box."""

    text: str
    size: float = 12
    bold: bool = False
    color: str = "ink"
    gap: float = 0  # points of space before the paragraph


def new_slide(prs: Presentation, title: str) -> Slide:
    """A content slide: title bar with an accent rule under it."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    set_title(slide, title, (LEFT, 0.3, WIDTH, 0.7), size=24, color="accent")
    rect(slide, (LEFT, 1.02, WIDTH, 0.03), "accent")
    return slide


def set_title(slide: Slide, text: str, box: Box, *, size: float, color: str) -> None:
    """Fill the layout's title placeholder, so outline view and accessibility tools see the title."""
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = (Inches(v) for v in box)
    frame = title.text_frame
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    fill_text(frame, [Line(text, size=fitting_size(text, box[2], size), bold=True, color=color)])


def fitting_size(text: str, width: float, size: float, smallest: float = 16) -> float:
    """The largest size up to ``size`` at which ``text`` fits on one line of ``width`` inches: a long
    title shrinks instead of wrapping out of its bar. Full-width characters count 1 em, others 0.6."""
    ems = sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text)
    return max(smallest, min(size, width * 72 * 0.95 / ems // 1))


def heading(slide: Slide, text: str, top: float, *, size: float = 13) -> None:
    text_box(slide, (LEFT, top, WIDTH, 0.35), [Line(text, size=size, bold=True, color="accent")])


def note_line(slide: Slide, text: str) -> None:
    """A small grey line at the foot of the content, for table notes such as '…and N more'."""
    if text:
        text_box(slide, (LEFT, BOTTOM - 0.38, WIDTH, 0.35), [Line(text, size=10, color="muted")])


Cell = str | tuple[Line, ...]  # a table cell: plain text in the table's size, or paragraphs of their own


def add_table(slide: Slide, box: Box, header: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[float], *,
              size: float, numeric: set[int] | frozenset[int] = frozenset(),
              centered: set[int] | frozenset[int] = frozenset(), tints: dict[tuple[int, int], str] | None = None,
              body_h: float | None = None) -> PptxTable:
    """A real PowerPoint table; ``box`` height is the header row's height (and the body rows' unless
    ``body_h`` is given), ``widths`` are relative, ``tints`` colour body cells by (row, column) with a status."""
    left, top, width, row_h = box
    body_h = body_h or row_h
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(left), Inches(top), Inches(width),
                                   Inches(row_h + body_h * len(rows)))
    grid = shape.table
    grid.horz_banding = False
    for i, w in enumerate(widths):
        grid.columns[i].width = Inches(width * w / sum(widths))
    for r, cells in enumerate([header, *rows]):
        grid.rows[r].height = Inches(body_h if r else row_h)
        for c, text in enumerate(cells):
            colour = "accent" if r == 0 else (tints or {}).get((r - 1, c), "band" if r % 2 == 0 else "white")
            align = PP_ALIGN.RIGHT if c in numeric else PP_ALIGN.CENTER if c in centered else PP_ALIGN.LEFT
            _cell(grid.cell(r, c), text, size, colour, align, header=r == 0)
    return grid


def _cell(cell: _Cell, text: Cell, size: float, colour: str, align: PP_ALIGN, *, header: bool) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = PALETTE[colour]
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    lines = text if isinstance(text, tuple) else (Line(text, size=size, bold=header,
                                                       color="white" if header else "ink"),)
    fill_text(cell.text_frame, lines, align)


def text_box(slide: Slide, box: Box, lines: Sequence[Line], align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    fill_text(slide.shapes.add_textbox(*(Inches(v) for v in box)).text_frame, lines, align)


def rect(slide: Slide, box: Box, colour: str, lines: Sequence[Line] = (), *, align: PP_ALIGN = PP_ALIGN.CENTER,
         anchor: MSO_ANCHOR = MSO_ANCHOR.MIDDLE) -> Shape:
    """A filled rectangle without outline or shadow, optionally holding text (status tiles, cards, bars)."""
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *(Inches(v) for v in box))
    style = shape._element.find(qn("p:style"))
    shape._element.remove(style)
    fill(shape.fill, colour)
    shape.line.fill.background()
    if lines:
        frame = shape.text_frame
        frame.vertical_anchor = anchor
        frame.margin_left = frame.margin_right = Inches(0.15)
        frame.margin_top = frame.margin_bottom = Inches(0.1)
        fill_text(frame, lines, align)
    return shape


def fill(fill_format: FillFormat, colour: str) -> None:
    fill_format.solid()
    fill_format.fore_color.rgb = PALETTE[colour]


def fill_text(frame: TextFrame, lines: Sequence[Line], align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        if line.gap:
            paragraph.space_before = Pt(line.gap)
        if not line.text:  # a blank table cell: size its end mark, or LibreOffice makes the row 18 pt tall
            paragraph._p.get_or_add_endParaRPr().sz = int(line.size * 100)
            continue
        run = paragraph.add_run()
        run.text = strip_controls(line.text)  # XML cannot hold them; the view cleans data, this is the last net
        run.font.size = Pt(line.size)
        run.font.bold = line.bold
        run.font.color.rgb = PALETTE[line.color]
        typeface(run.font)


def typeface(font: Font) -> None:
    """Set the latin and the east-asian typeface; python-pptx only exposes latin (``font.name``)."""
    face = FONT.get()
    font.name = face
    rpr = font._element
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = OxmlElement("a:ea")
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", face)


def pages(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` over as few pages of at most ``size`` as possible, balanced (7 → 4 + 3, not 6 + 1);
    one empty page when there are none, so the section still shows."""
    per = -(-len(items) // -(-len(items) // size)) if items else size
    return [items[i:i + per] for i in range(0, len(items), per)] or [items[:0]]


def page_title(title: str, page: int, tr: Translator) -> str:
    return title if page == 0 else tr("deck.continued", title=title)


def notes(slide: Slide, lines: Sequence[str]) -> None:
    """Speaker notes: the talking points for whoever presents the slide."""
    fill_text(slide.notes_slide.notes_text_frame, [Line(text) for text in lines if text])


def add_chart(slide: Slide, kind: XL_CHART_TYPE, box: Box, data: CategoryChartData) -> Chart:
    """A native (editable) chart in the deck's font."""
    drawn = slide.shapes.add_chart(kind, *(Inches(v) for v in box), data).chart
    drawn.font.size = Pt(11)
    drawn.font.color.rgb = PALETTE["ink"]
    typeface(drawn.font)
    return drawn


def chart_title(drawn: Chart, text: str, size: float = 14) -> None:
    drawn.has_title = True
    fill_text(drawn.chart_title.text_frame, [Line(text, size=size, bold=True)], PP_ALIGN.CENTER)


def value_axis(drawn: Chart, number_format: str | None = None, *, minimum: float | None = None) -> None:
    """Light gridlines, no axis line; ``number_format`` for the tick labels when given. A bar chart passes its
    ``minimum`` (zero, or its lowest value when below zero): PowerPoint would otherwise start a narrow range
    above zero, and a bar's length would no longer be its value."""
    axis = drawn.value_axis
    if minimum is not None:
        axis.minimum_scale = minimum
    if number_format:
        axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = number_format, False
    axis.major_gridlines.format.line.color.rgb = PALETTE["grid"]
    axis.format.line.fill.background()
