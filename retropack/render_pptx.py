"""The editable PowerPoint pack: one 16:9 slide (or more) per section of the monthly agenda.

Only lays out ``PackView``: numbers arrive formatted and words translated. Charts are native
PowerPoint charts built from ``PackView.trends`` and ``PackView.funnel`` so they stay editable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.dml.fill import FillFormat
from pptx.enum.chart import (XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE,
                             XL_TICK_LABEL_POSITION)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.autoshape import Shape
from pptx.slide import Slide
from pptx.table import Table as PptxTable
from pptx.table import _Cell
from pptx.text.text import Font, TextFrame
from pptx.util import Emu, Inches, Pt

from retropack.diagnosis.slides import add_diagnosis_slides
from retropack.errors import RenderError
from retropack.formatting import NO_VALUE
from retropack.messages import Translator
from retropack.palette import ACCENT, INK, MUTED, STATUS_COLOURS, STATUS_TINTS, TARGET
from retropack.view import HighlightView, KpiRow, PackView, Table, TrendSeries

FONT = "IPAexGothic"  # has Japanese glyphs; set as both latin and east-asian typeface on every run


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


# The shared palette (retropack.palette, also used by the PDF) plus the deck's neutrals.
PALETTE: dict[str, RGBColor] = {
    **{status: _rgb(tint) for status, tint in STATUS_TINTS.items()},
    "accent": _rgb(ACCENT),
    "target": _rgb(TARGET),
    "ink": _rgb(INK),
    "grid": _rgb(MUTED),
    "muted": _rgb(STATUS_COLOURS["no_target"]),
    "on_accent": _rgb("#cfe0f4"),
    "band": _rgb("#f5f7fa"),
    "white": _rgb("#ffffff"),
}

NUMBER_FORMATS = {"count": "#,##0", "money": "¥#,##0", "money_per_day": "¥#,##0", "rate": "0.0%"}

SLIDE_W, SLIDE_H = 13.333, 7.5
LEFT = 0.5
WIDTH = SLIDE_W - 2 * LEFT
TOP = 1.2  # first line below the title bar
BOTTOM = 6.85  # last line above the footer
TITLE_ONLY = 5  # layout of the default template with a title placeholder only

HIGHLIGHTS_SHOWN = 4  # cards per highlight slide: 2 × 2, each with up to three driver lines
ACTIONS_PER_SLIDE = 6
PLAN_ROW_H = 0.28  # one line of 10.5 pt; the plan quarters hold six such rows
DEFINITIONS_PER_SLIDE = 8

Box = tuple[float, float, float, float]  # left, top, width, height in inches
T = TypeVar("T")


@dataclass(frozen=True)
class Line:
    """One paragraph of a text box."""

    text: str
    size: float = 12
    bold: bool = False
    color: str = "ink"
    gap: float = 0  # points of space before the paragraph


def render_pptx(view: PackView, path: Path) -> None:
    """Write the pack as an editable .pptx at ``path``."""
    try:
        _build(view).save(str(path))
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"PowerPoint '{path}': the deck could not be written ({exc}).") from exc


def _build(view: PackView) -> PresentationType:
    tr = Translator(view.locale)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Inches(SLIDE_H)  # PowerPoint's 16:9 widescreen
    _cover_slide(prs, view, tr)
    _summary_slide(prs, view, tr)
    _kpi_table_slide(prs, view, tr)
    _trend_slides(prs, view, tr)
    _funnel_slide(prs, view, tr)
    _highlight_slide(prs, "wins", view.wins, tr)
    _highlight_slide(prs, "misses", view.misses, tr)
    _sla_slide(prs, view, tr)
    _action_slides(prs, view, tr)
    _plan_slide(prs, view, tr)
    add_diagnosis_slides(prs, view)
    _quality_slide(prs, view, tr)
    _definition_slides(prs, view, tr)
    _footers(prs, view)
    return prs


# --- slides -------------------------------------------------------------------------------------


def _cover_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    band = _rect(slide, (0, 0, SLIDE_W, 3.1), "accent")
    slide.shapes._spTree.insert(2, band._element)  # noqa: SLF001 - behind the title placeholder
    _title(slide, view.title, (0.8, 0.9, 11.7, 1.1), size=36, color="white")
    _text_box(slide, (0.8, 2.0, 11.7, 0.6), [Line(tr("pack.subtitle"), size=18, color="on_accent")])
    phase = tr("pack.phase_value", phase=view.phase_label, index=view.month_index)
    facts = [(tr("pack.program"), view.program_name), (tr("pack.client"), view.client),
             (tr("pack.month"), view.month_label), (tr("pack.phase"), phase),
             (tr("pack.generated"), view.generated_at)]
    _text_box(slide, (0.8, 3.6, 6.4, 3.2),
              [Line(tr("deck.pair", label=label, value=value), size=16, gap=8) for label, value in facts])
    agenda = _agenda(tr)
    _text_box(slide, (7.6, 3.6, 5.2, 3.2),
              [Line(tr("pack.agenda"), size=16, bold=True, color="accent")]
              + [Line(item, size=14, gap=6) for item in agenda])
    _notes(slide, [tr("deck.notes.cover"), *agenda, tr("pack.next_phase", phase=view.next_phase)])


def _summary_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = _slide(prs, tr("section.summary"))
    _heading(slide, tr("summary.status_counts"), TOP)
    tile_w = (WIDTH - 4 * 0.15) / 5
    for i, (status, label, symbol, count) in enumerate(view.status_counts):
        box = (LEFT + i * (tile_w + 0.15), TOP + 0.35, tile_w, 0.85)
        _rect(slide, box, status, [Line(str(count), size=22, bold=True), Line(f"{symbol} {label}", size=12)],
              align=PP_ALIGN.CENTER)
    _heading(slide, tr("summary.focus"), 2.55)
    _table(slide, (LEFT, 2.9, WIDTH, 0.34), [tr(f"kpi.col.{c}") for c in ("name", "target", "actual", "status")],
           [(r.name, r.target, r.actual, f"{r.symbol} {r.status_label}") for r in view.focus], [5, 2.5, 2.5, 2],
           size=12, numeric={1, 2}, tints={(i, 3): r.status for i, r in enumerate(view.focus)})
    half = (WIDTH - 0.3) / 2
    for x, key, items in ((LEFT, "summary.top_wins", view.top_wins),
                          (LEFT + half + 0.3, "summary.top_misses", view.top_misses)):
        lines = [Line(f"{h.symbol} {h.summary}", size=12, gap=4) for h in items] or [Line(tr("summary.none"))]
        _text_box(slide, (x, 4.45, half, BOTTOM - 4.45), [Line(tr(key), size=14, bold=True, color="accent"), *lines])
    counts = " / ".join(f"{symbol} {label} {count}" for _, label, symbol, count in view.status_counts)
    _notes(slide, [tr("deck.notes.summary"), tr("deck.pair", label=tr("summary.status_counts"), value=counts),
                   tr("summary.focus"), *(_kpi_line(r, tr) for r in view.focus),
                   tr("summary.top_wins"), *(h.summary for h in view.top_wins),
                   tr("summary.top_misses"), *(h.summary for h in view.top_misses)])


def _kpi_table_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = _slide(prs, tr("section.kpis"))
    columns = ("focus", "name", "owner", "target", "actual", "previous", "change", "status")
    rows = [(tr("kpi.focus_mark") if r.focus else "", r.name, r.owner, r.target, r.actual, r.previous, r.change,
             f"{r.symbol} {r.status_label}") for r in view.kpis]
    row_h = min(0.32, (BOTTOM - 0.4 - TOP) / (len(rows) + 1))  # 16 KPIs: 0.3 in, the floor of 10.5 pt text
    _table(slide, (LEFT, TOP - 0.05, WIDTH, row_h), [tr(f"kpi.col.{c}") for c in columns], rows,
           [0.6, 3.2, 0.9, 1.9, 1.6, 1.6, 1.5, 1.4], size=10.5, numeric={3, 4, 5, 6}, centered={0, 2},
           tints={(i, 7): r.status for i, r in enumerate(view.kpis)})
    legend_top = TOP - 0.05 + row_h * (len(rows) + 1) + 0.08
    _text_box(slide, (LEFT, legend_top, WIDTH, 0.35), [Line(tr("kpi.legend"), size=10, color="muted")])
    discuss = [r.name for r in view.kpis if r.focus or r.status in ("missed", "near")]
    _notes(slide, [tr("deck.notes.kpis"), tr("deck.notes.discuss", names=", ".join(discuss)),
                   *(_kpi_line(r, tr) for r in view.kpis if r.name in discuss)])


def _trend_slides(prs: PresentationType, view: PackView, tr: Translator) -> None:
    rows = {r.id: r for r in view.kpis}
    for page, trends in enumerate(_pages(view.trends, 3)):
        slide = _slide(prs, _page_title(tr("chart.trend"), page, tr))
        width = (WIDTH - 0.2 * (len(trends) - 1)) / max(len(trends), 1)
        for i, trend in enumerate(trends):
            _trend_chart(slide, (LEFT + i * (width + 0.2), TOP, width, BOTTOM - TOP), trend, tr)
        _notes(slide, [tr("deck.notes.trend"), *(_kpi_line(rows[t.kpi_id], tr) for t in trends if t.kpi_id in rows)])


def _funnel_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = _slide(prs, tr("chart.funnel"))
    data = CategoryChartData(number_format=NUMBER_FORMATS["count"])
    data.categories = [f"{label} ({rate})" if rate else label
                       for (label, _), rate in zip(view.funnel, view.funnel_rates)]
    data.add_series(view.month_label, [count for _, count in view.funnel])
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, (LEFT + 0.5, TOP, WIDTH - 1.0, BOTTOM - TOP), data)
    chart.has_legend = False
    _chart_title(chart, view.month_label)
    chart.category_axis.reverse_order = True  # lead on top, won at the bottom: reads as a funnel
    chart.category_axis.tick_labels.font.size = Pt(13)
    _value_axis(chart, NUMBER_FORMATS["count"])
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = NUMBER_FORMATS["count"], False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(14)
    _fill(plot.series[0].format.fill, "accent")
    steps = [f"{label} {count:,}" + (f" ({rate})" if rate else "")
             for (label, count), rate in zip(view.funnel, view.funnel_rates)]
    _notes(slide, [tr("deck.notes.funnel"), " → ".join(steps)])


def _highlight_slide(prs: PresentationType, kind: str, items: list[HighlightView], tr: Translator) -> None:
    """Agenda item 2 or 3 (``kind`` wins or misses): a card per KPI with its summary and driver lines."""
    slide = _slide(prs, tr(f"section.{kind}"))
    empty = tr(f"highlight.none_{kind}")
    if not items:
        _text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(empty, size=16)])
    card_w, card_h = (WIDTH - 0.3) / 2, (BOTTOM - TOP - 0.45 - 0.2) / 2
    for i, h in enumerate(items[:HIGHLIGHTS_SHOWN]):
        box = (LEFT + (i % 2) * (card_w + 0.3), TOP + (i // 2) * (card_h + 0.2), card_w, card_h)
        lines = [Line(f"{h.symbol} {h.name} — {h.label}", size=14, bold=True), Line(h.summary, size=12, gap=4)]
        if h.drivers:
            lines += [Line(tr("highlight.drivers"), size=11, bold=True, color="muted", gap=6)]
            lines += [Line(f"• {d}", size=11) for d in h.drivers]
        _rect(slide, box, h.status, lines, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP)
    if len(items) > HIGHLIGHTS_SHOWN:
        more = tr("deck.more", count=len(items) - HIGHLIGHTS_SHOWN)
        _text_box(slide, (LEFT, BOTTOM - 0.4, WIDTH, 0.4), [Line(more, size=12, color="muted")])
    talking_points = [line for h in items for line in (h.summary, *h.drivers)]
    _notes(slide, [tr(f"deck.notes.{kind}"), *talking_points] if items else [empty])


def _sla_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    """The MQLs left waiting, on their own slide after the misses: sales agrees owners on the spot."""
    slide = _slide(prs, tr("section.misses"))
    _heading(slide, view.sla_title, TOP, size=16)
    if view.sla.rows:
        _table(slide, (LEFT, TOP + 0.45, WIDTH, 0.32), view.sla.header, view.sla.rows,
               [1.4, 3.2, 1.8, 1.8, 1.6, 1.6], size=11, numeric={5})
    else:
        _text_box(slide, (LEFT, TOP + 0.45, WIDTH, 1.0), [Line(view.sla_empty, size=16)])
    _note_line(slide, view.sla.note)
    _notes(slide, [tr("deck.notes.sla"), view.sla_title, view.sla.note])


def _action_slides(prs: PresentationType, view: PackView, tr: Translator) -> None:
    header = [tr(f"actions.col.{c}") for c in ("action", "kpi", "owner", "why")]
    for page, actions in enumerate(_pages(view.actions, ACTIONS_PER_SLIDE)):
        slide = _slide(prs, _page_title(tr("section.actions"), page, tr))
        if actions:
            _table(slide, (LEFT, TOP, WIDTH, 0.4), header, [(a.title, a.kpi, a.owner, a.why) for a in actions],
                   [4.0, 2.4, 0.9, 5.0], size=12, body_h=0.75)
        else:
            _text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(tr("actions.none"), size=16)])
        _note_line(slide, tr("actions.source"))
        _notes(slide, [tr("deck.notes.actions"), *(f"{a.title} ({a.owner})" for a in actions)])


def _plan_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    """Cadence and last month's plan on the left (few, numeric columns); scenarios and next month's
    titles on the right, wider, so titles stay on one line."""
    slide = _slide(prs, tr("section.plan"))
    nxt = view.next_month_label
    narrow = 5.0
    wide_left = LEFT + narrow + 0.4
    wide = WIDTH - narrow - 0.4
    upper, lower = (TOP, 2.65), (TOP + 2.8, BOTTOM - TOP - 2.8)
    cadence_note = view.cadence.note or tr("content.shortfall_total", count=view.content_shortfall)
    _table_block(slide, (LEFT, upper[0], narrow, upper[1]), tr("content.cadence_title", month=nxt), view.cadence,
                 [2, 1, 1, 1], {1, 2, 3}, cadence_note, tr)
    _table_block(slide, (LEFT, lower[0], narrow, lower[1]), tr("content.last_title", month=view.month_label),
                 view.last_month_content, [1.6, 1, 1.1, 0.9, 1.3], {1, 2, 3, 4}, view.last_month_content.note, tr)
    _table_block(slide, (wide_left, upper[0], wide, upper[1]), tr("content.scenarios_title"), view.scenarios,
                 [3, 1.1, 1.2, 1.1], set(), view.scenarios.note, tr)
    _table_block(slide, (wide_left, lower[0], wide, lower[1]), tr("content.upcoming_title", month=nxt),
                 view.upcoming, [1.1, 1.1, 4.1, 1.1], set(), view.upcoming.note, tr)
    shortfall = " / ".join(f"{row[0]} {row[3]}" for row in view.cadence.rows if row[3] != NO_VALUE)
    _notes(slide, [tr("deck.notes.plan"), cadence_note, shortfall,
                   *(f"{row[0]} ({row[1]}, {row[2]})" for row in view.scenarios.rows)])


def _quality_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = _slide(prs, tr("deck.appendix_title", section=tr("section.quality")))
    columns = ("table", "file", "encoding", "read", "rejected", "share", "reasons")
    rows = [(q.table, q.file, q.encoding, q.read, q.rejected, q.share, q.reasons) for q in view.quality]
    _table(slide, (LEFT, TOP, WIDTH, 0.32), [tr(f"quality.col.{c}") for c in columns], rows,
           [1.5, 2.0, 1.0, 1.0, 1.0, 0.8, 5.0], size=10.5, numeric={3, 4, 5})
    findings = [Line(f"• {f}", size=11) for f in view.findings]
    top = TOP + 0.32 + 0.45 * len(rows) + 0.15  # below the table even when every reason wraps to two lines
    if findings:
        findings.insert(0, Line(tr("quality.findings"), size=12, bold=True, color="accent", gap=8))
    _text_box(slide, (LEFT, top, WIDTH, BOTTOM - top), [Line(tr("quality.rejects_note"), size=11, color="muted"),
                                                         *findings])
    _notes(slide, [tr("deck.notes.quality"), *view.findings])


def _definition_slides(prs: PresentationType, view: PackView, tr: Translator) -> None:
    title = tr("deck.appendix_title", section=tr("section.definitions"))
    for page, rows in enumerate(_pages(list(view.definitions.rows), DEFINITIONS_PER_SLIDE)):
        slide = _slide(prs, _page_title(title, page, tr))
        _table(slide, (LEFT, TOP, WIDTH, 0.36), view.definitions.header, rows, [3.0, 1.0, 1.6, 6.7], size=12,
               body_h=0.5)
        _note_line(slide, tr("definitions.note"))
        _notes(slide, [tr("deck.notes.definitions"), *(row[0] for row in rows)])


# --- building blocks ----------------------------------------------------------------------------


def _slide(prs: PresentationType, title: str) -> Slide:
    """A content slide: title bar with an accent rule under it."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _title(slide, title, (LEFT, 0.3, WIDTH, 0.7), size=24, color="accent")
    _rect(slide, (LEFT, 1.02, WIDTH, 0.03), "accent")
    return slide


def _title(slide: Slide, text: str, box: Box, *, size: float, color: str) -> None:
    """Fill the layout's title placeholder, so outline view and accessibility tools see the title."""
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = (Inches(v) for v in box)
    frame = title.text_frame
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _fill_text(frame, [Line(text, size=_fitting_size(text, box[2], size), bold=True, color=color)], PP_ALIGN.LEFT)


def _fitting_size(text: str, width: float, size: float, smallest: float = 16) -> float:
    """The largest size up to ``size`` at which ``text`` fits on one line of ``width`` inches: a long
    title shrinks instead of wrapping out of its bar. Full-width characters count 1 em, others 0.6."""
    ems = sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text)
    return max(smallest, min(size, width * 72 * 0.95 / ems // 1))


def _heading(slide: Slide, text: str, top: float, *, size: float = 13) -> None:
    _text_box(slide, (LEFT, top, WIDTH, 0.35), [Line(text, size=size, bold=True, color="accent")])


def _note_line(slide: Slide, text: str) -> None:
    """A small grey line at the foot of the content, for table notes such as '…and N more'."""
    if text:
        _text_box(slide, (LEFT, BOTTOM - 0.38, WIDTH, 0.35), [Line(text, size=10, color="muted")])


def _table_block(slide: Slide, box: Box, heading: str, table: Table, widths: list[float], numeric: set[int],
                 note: str, tr: Translator) -> None:
    """Heading, table and one note line in a quarter of a slide; rows beyond what fits become '…and N more'."""
    left, top, width, height = box
    _text_box(slide, (left, top, width, 0.35), [Line(heading, size=13, bold=True, color="accent")])
    room = int((height - 0.4 - 0.3 - 0.35) / PLAN_ROW_H)
    rows = table.rows[:room]
    if rows:
        _table(slide, (left, top + 0.4, width, 0.3), table.header, rows, widths, size=10.5, numeric=numeric,
               body_h=PLAN_ROW_H)
    more = tr("deck.more", count=len(table.rows) - len(rows)) if len(table.rows) > len(rows) else ""
    text = "  ".join(t for t in (more, note) if t)
    if text:
        _text_box(slide, (left, top + height - 0.35, width, 0.35), [Line(text, size=10, color="muted")])


def _table(slide: Slide, box: Box, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], *,
           size: float, numeric: set[int] = frozenset(), centered: set[int] = frozenset(),
           tints: dict[tuple[int, int], str] | None = None, body_h: float | None = None) -> PptxTable:
    """A real PowerPoint table; ``box`` height is the header row's height (and the body rows' unless
    ``body_h`` is given), ``widths`` are relative."""
    left, top, width, row_h = box
    body_h = body_h or row_h
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(left), Inches(top), Inches(width),
                                   Inches(row_h + body_h * len(rows)))
    table = shape.table
    table.horz_banding = False
    for i, w in enumerate(widths):
        table.columns[i].width = Inches(width * w / sum(widths))
    for r, cells in enumerate([header, *rows]):
        table.rows[r].height = Inches(body_h if r else row_h)
        for c, text in enumerate(cells):
            fill = "accent" if r == 0 else (tints or {}).get((r - 1, c), "band" if r % 2 == 0 else "white")
            align = PP_ALIGN.RIGHT if c in numeric else PP_ALIGN.CENTER if c in centered else PP_ALIGN.LEFT
            _cell(table.cell(r, c), text, size, fill, align, header=r == 0)
    return table


def _cell(cell: _Cell, text: str, size: float, fill: str, align: PP_ALIGN, *, header: bool) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = PALETTE[fill]
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    _fill_text(cell.text_frame, [Line(text, size=size, bold=header, color="white" if header else "ink")], align)


def _text_box(slide: Slide, box: Box, lines: Sequence[Line], align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    shape = slide.shapes.add_textbox(*(Inches(v) for v in box))
    _fill_text(shape.text_frame, lines, align)


def _rect(slide: Slide, box: Box, fill: str, lines: Sequence[Line] = (), *, align: PP_ALIGN = PP_ALIGN.CENTER,
          anchor: MSO_ANCHOR = MSO_ANCHOR.MIDDLE) -> Shape:
    """A filled rectangle without outline or shadow, optionally holding text (status tiles, cards, bars)."""
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *(Inches(v) for v in box))
    style = shape._element.find(qn("p:style"))  # noqa: SLF001 - LibreOffice draws its shadow otherwise
    shape._element.remove(style)  # noqa: SLF001
    _fill(shape.fill, fill)
    shape.line.fill.background()
    if lines:
        frame = shape.text_frame
        frame.vertical_anchor = anchor
        frame.margin_left = frame.margin_right = Inches(0.15)
        frame.margin_top = frame.margin_bottom = Inches(0.1)
        _fill_text(frame, lines, align)
    return shape


def _fill(fill: FillFormat, color: str) -> None:
    fill.solid()
    fill.fore_color.rgb = PALETTE[color]


def _fill_text(frame: TextFrame, lines: Sequence[Line], align: PP_ALIGN) -> None:
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        if line.gap:
            paragraph.space_before = Pt(line.gap)
        if not line.text:  # a blank table cell: size its end mark, or LibreOffice makes the row 18 pt tall
            paragraph._p.get_or_add_endParaRPr().sz = int(line.size * 100)  # noqa: SLF001
            continue
        run = paragraph.add_run()
        run.text = line.text
        run.font.size = Pt(line.size)
        run.font.bold = line.bold
        run.font.color.rgb = PALETTE[line.color]
        _typeface(run.font)


def _typeface(font: Font) -> None:
    """Set the latin and the east-asian typeface; python-pptx only exposes latin (``font.name``),
    and without ``a:ea`` LibreOffice draws Japanese with a fallback font or as tofu."""
    font.name = FONT
    rpr = font._element  # noqa: SLF001 - no public API for <a:ea>
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = OxmlElement("a:ea")
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", FONT)


def _notes(slide: Slide, lines: Sequence[str]) -> None:
    """Speaker notes: the talking points for whoever presents the slide."""
    _fill_text(slide.notes_slide.notes_text_frame, [Line(text) for text in lines if text], PP_ALIGN.LEFT)


def _chart(slide: Slide, kind: XL_CHART_TYPE, box: Box, data: CategoryChartData) -> Chart:
    chart = slide.shapes.add_chart(kind, *(Inches(v) for v in box), data).chart
    chart.font.size = Pt(11)
    chart.font.color.rgb = PALETTE["ink"]
    _typeface(chart.font)
    return chart


def _trend_chart(slide: Slide, box: Box, trend: TrendSeries, tr: Translator) -> None:
    """12 months of one focus KPI (gaps where no value) against a flat target line."""
    number_format = NUMBER_FORMATS[trend.unit]
    data = CategoryChartData(number_format=number_format)
    data.categories = trend.months
    data.add_series(tr("chart.actual"), trend.values)
    if trend.target is not None:
        data.add_series(tr("chart.target"), [trend.target] * len(trend.months))
    chart = _chart(slide, XL_CHART_TYPE.LINE_MARKERS, box, data)
    _chart_title(chart, trend.title)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    months = chart.category_axis
    months.tick_labels.font.size = Pt(9)
    months.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below the plot even when values go negative
    months._element.txPr.bodyPr.set("rot", "-2700000")  # noqa: SLF001 - 45°: no API for it
    _value_axis(chart, number_format)
    actual, *target = chart.plots[0].series
    actual.format.line.color.rgb = PALETTE["accent"]
    actual.format.line.width = Pt(2.25)
    actual.marker.style = XL_MARKER_STYLE.CIRCLE
    actual.marker.size = 6
    _fill(actual.marker.format.fill, "accent")
    actual.marker.format.line.color.rgb = PALETTE["accent"]
    for line in target:
        line.format.line.color.rgb = PALETTE["target"]
        line.format.line.width = Pt(1.5)
        line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        line.marker.style = XL_MARKER_STYLE.NONE


def _chart_title(chart: Chart, text: str) -> None:
    chart.has_title = True
    _fill_text(chart.chart_title.text_frame, [Line(text, size=14, bold=True)], PP_ALIGN.CENTER)


def _value_axis(chart: Chart, number_format: str) -> None:
    axis = chart.value_axis
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = number_format, False
    axis.major_gridlines.format.line.color.rgb = PALETTE["grid"]
    axis.format.line.fill.background()


def _footers(prs: PresentationType, view: PackView) -> None:
    """Client, program and month bottom left, 'n / N' bottom right, on every slide but the cover."""
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, start=1):
        if number == 1:
            continue
        _text_box(slide, (LEFT, 7.0, 9.0, 0.35),
                  [Line(f"{view.client}  |  {view.program_name}  |  {view.month_label}", size=9, color="muted")])
        _text_box(slide, (SLIDE_W - LEFT - 2.0, 7.0, 2.0, 0.35), [Line(f"{number} / {total}", size=9, color="muted")],
                  PP_ALIGN.RIGHT)


# --- small helpers ------------------------------------------------------------------------------


def _agenda(tr: Translator) -> list[str]:
    return [tr(f"section.{s}") for s in ("kpis", "wins", "misses", "actions", "plan")]


def _kpi_line(row: KpiRow, tr: Translator) -> str:
    """'name: actual (target ≥ …, previous …) ◎ label' for the speaker notes."""
    value = f"{row.actual} ({tr('kpi.col.target')} {row.target}, {tr('kpi.col.previous')} {row.previous}) " \
            f"{row.symbol} {row.status_label}"
    return tr("deck.pair", label=row.name, value=value)


def _pages(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` over as few pages of at most ``size`` as possible, balanced (7 → 4 + 3, not 6 + 1);
    one empty page when there are none, so the section still shows."""
    per = -(-len(items) // -(-len(items) // size)) if items else size
    return [items[i:i + per] for i in range(0, len(items), per)] or [items[:0]]


def _page_title(title: str, page: int, tr: Translator) -> str:
    return title if page == 0 else tr("deck.continued", title=title)
