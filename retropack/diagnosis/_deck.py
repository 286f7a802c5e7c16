"""Drawing blocks for the diagnosis slides, in the deck's look: 16:9, IPAexGothic for latin and
east-asian text, the pack's palette, a title bar with an accent rule, real tables, speaker notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.presentation import Presentation
from pptx.slide import Slide
from pptx.text.text import Font, TextFrame
from pptx.util import Inches, Pt

from retropack.palette import ACCENT, INK, MUTED, STATUS_COLOURS, STATUS_TINTS

FONT = "IPAexGothic"
SLIDE_W = 13.333
LEFT = 0.5
WIDTH = SLIDE_W - 2 * LEFT
TOP = 1.2
BOTTOM = 6.85
TITLE_ONLY = 5  # the default template's layout with a title placeholder only

Box = tuple[float, float, float, float]  # left, top, width, height in inches


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


COLOURS: dict[str, RGBColor] = {
    **{f"tint_{status}": _rgb(tint) for status, tint in STATUS_TINTS.items()},
    **{f"strong_{status}": _rgb(colour) for status, colour in STATUS_COLOURS.items()},
    "accent": _rgb(ACCENT), "ink": _rgb(INK), "grid": _rgb(MUTED), "muted": _rgb(STATUS_COLOURS["no_target"]),
    "band": _rgb("#f5f7fa"), "white": _rgb("#ffffff"),
}


@dataclass(frozen=True)
class Line:
    """One paragraph of a text box."""

    text: str
    size: float = 12
    bold: bool = False
    color: str = "ink"
    gap: float = 0  # points of space before the paragraph


def typeface(font: Font) -> None:
    """Latin and east-asian typeface both: without ``a:ea`` LibreOffice draws Japanese as tofu."""
    font.name = FONT
    rpr = font._element  # noqa: SLF001 - no public API for <a:ea>
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = OxmlElement("a:ea")
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", FONT)


def fill_text(frame: TextFrame, lines: Sequence[Line], align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        if line.gap:
            paragraph.space_before = Pt(line.gap)
        if not line.text:  # an empty cell: size its end mark, or LibreOffice makes the row 18 pt tall
            paragraph._p.get_or_add_endParaRPr().sz = int(line.size * 100)  # noqa: SLF001
            continue
        run = paragraph.add_run()
        run.text = line.text
        run.font.size = Pt(line.size)
        run.font.bold = line.bold
        run.font.color.rgb = COLOURS[line.color]
        typeface(run.font)


def fitting_size(text: str, width: float, size: float, smallest: float = 16) -> float:
    """The largest size up to ``size`` at which ``text`` fits one line of ``width`` inches."""
    ems = sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text)
    return max(smallest, min(size, width * 72 * 0.95 / ems // 1))


def rect(slide: Slide, box: Box, colour: str, lines: Sequence[Line] = ()) -> None:
    """A filled rectangle without outline or shadow, optionally holding text from its top left."""
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *(Inches(v) for v in box))
    shape._element.remove(shape._element.find(qn("p:style")))  # noqa: SLF001 - LibreOffice draws a shadow otherwise
    shape.fill.solid()
    shape.fill.fore_color.rgb = COLOURS[colour]
    shape.line.fill.background()
    if lines:
        frame = shape.text_frame
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.margin_left = frame.margin_right = Inches(0.15)
        frame.margin_top = frame.margin_bottom = Inches(0.08)
        fill_text(frame, lines)


def new_slide(prs: Presentation, title: str) -> Slide:
    """A content slide: the layout's title placeholder (seen by outline view) and an accent rule."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    placeholder = slide.shapes.title
    placeholder.left, placeholder.top, placeholder.width, placeholder.height = (
        Inches(v) for v in (LEFT, 0.3, WIDTH, 0.7))
    placeholder.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    fill_text(placeholder.text_frame, [Line(title, size=fitting_size(title, WIDTH, 24), bold=True, color="accent")])
    rect(slide, (LEFT, 1.02, WIDTH, 0.03), "accent")
    return slide


def text_box(slide: Slide, box: Box, lines: Sequence[Line]) -> None:
    fill_text(slide.shapes.add_textbox(*(Inches(v) for v in box)).text_frame, lines)


def table(slide: Slide, box: Box, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], *,
          size: float, body_h: float, tints: dict[tuple[int, int], str] | None = None,
          numeric: frozenset[int] = frozenset()) -> None:
    """A real table; ``box`` height is the header row's, ``widths`` are relative, ``tints`` colour
    body cells by (row, column) with a status."""
    left, top, width, head_h = box
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(left), Inches(top), Inches(width),
                                   Inches(head_h + body_h * len(rows)))
    grid = shape.table
    grid.horz_banding = False
    for i, w in enumerate(widths):
        grid.columns[i].width = Inches(width * w / sum(widths))
    for r, cells in enumerate([header, *rows]):
        grid.rows[r].height = Inches(body_h if r else head_h)
        for c, text in enumerate(cells):
            cell = grid.cell(r, c)
            tint = (tints or {}).get((r - 1, c))
            colour = "accent" if r == 0 else f"tint_{tint}" if tint else "band" if r % 2 == 0 else "white"
            cell.fill.solid()
            cell.fill.fore_color.rgb = COLOURS[colour]
            cell.margin_left = cell.margin_right = Inches(0.06)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            align = PP_ALIGN.RIGHT if c in numeric and r else PP_ALIGN.LEFT
            fill_text(cell.text_frame, [Line(text, size=size, bold=r == 0, color="white" if r == 0 else "ink")], align)


def column_chart(slide: Slide, box: Box, data: CategoryChartData) -> Chart:
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, *(Inches(v) for v in box), data).chart
    chart.font.size = Pt(11)
    chart.font.color.rgb = COLOURS["ink"]
    typeface(chart.font)
    return chart


def notes(slide: Slide, lines: Sequence[str]) -> None:
    """Speaker notes: the talking points for whoever presents the slide."""
    fill_text(slide.notes_slide.notes_text_frame, [Line(text) for text in lines if text])
