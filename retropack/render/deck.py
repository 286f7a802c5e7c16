"""The editable PowerPoint pack: one 16:9 slide (or more) per section of the monthly agenda.

Only lays out ``PackView``: numbers arrive formatted and words translated (``view.words``). Charts
are native PowerPoint charts built from ``PackView.trends`` and ``PackView.funnel``, with the number
formats the view gives, so they stay editable and show the program's currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from retropack.errors import RenderError
from retropack.present.cells import Table
from retropack.present.formatting import NO_VALUE
from retropack.present.messages import Translator
from retropack.present.view import HighlightView, PackView, TrendSeries
from retropack.present.waterfall import Waterfall
from retropack.render._deck_blocks import (
    BOTTOM,
    LEFT,
    PALETTE,
    SLIDE_H,
    SLIDE_W,
    TITLE_ONLY,
    TOP,
    WIDTH,
    Box,
    Line,
    add_chart,
    add_table,
    chart_title,
    fill,
    heading,
    new_slide,
    note_line,
    notes,
    rect,
    set_title,
    text_box,
    value_axis,
)
from retropack.render._deck_diagnosis import add_diagnosis_slides

__all__ = ["render_pptx"]

HIGHLIGHTS_SHOWN = 4  # cards per highlight slide: 2 × 2, each with up to three cause lines
CARD_ASIDES = 2  # small-sample caveats and insight notes on a card, each; all of them are in the speaker notes
ACTIONS_PER_SLIDE = 6
PLAN_ROW_H = 0.28  # one line of 10.5 pt; the plan quarters hold six such rows
DEFINITIONS_PER_SLIDE = 8

T = TypeVar("T")


def render_pptx(view: PackView, path: Path) -> None:
    """Write the pack as an editable .pptx at ``path``."""
    try:
        _build(view).save(str(path))
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"PowerPoint '{path}': the deck could not be written ({exc}).") from exc


def _build(view: PackView) -> PresentationType:
    tr = view.words
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Inches(SLIDE_H)  # PowerPoint's 16:9 widescreen
    _cover_slide(prs, view, tr)
    _summary_slide(prs, view, tr)
    _kpi_table_slide(prs, view, tr)
    _trend_slides(prs, view, tr)
    _waterfall_slide(prs, view, tr)
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
    band = rect(slide, (0, 0, SLIDE_W, 3.1), "accent")
    slide.shapes._spTree.insert(2, band._element)
    set_title(slide, view.title, (0.8, 0.9, 11.7, 1.1), size=36, color="white")
    text_box(slide, (0.8, 2.0, 11.7, 0.6), [Line(tr("pack.subtitle"), size=18, color="on_accent")])
    facts = [(tr("pack.program"), view.program_name), (tr("pack.client"), view.client),
             (tr("pack.month"), view.month_label), (tr("pack.phase"), view.phase_line),
             (tr("pack.generated"), view.generated_at)]
    text_box(slide, (0.8, 3.6, 6.4, 3.2),
             [Line(tr("deck.pair", label=label, value=value), size=16, gap=8) for label, value in facts])
    agenda = _agenda(tr)
    diagnosis = view.diagnosis.titles
    text_box(slide, (7.6, 3.6, 5.2, 3.2),
             [Line(tr("pack.agenda"), size=16, bold=True, color="accent")]
             + [Line(item, size=14, gap=6) for item in agenda]
             + [Line(item, size=11, color="muted", gap=4 + 6 * (i == 0)) for i, item in enumerate(diagnosis)])
    notes(slide, [tr("deck.notes.cover"), *agenda, *diagnosis, tr("pack.next_phase", phase=view.next_phase)])


def _summary_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = new_slide(prs, tr("section.summary"))
    heading(slide, tr("summary.status_counts"), TOP)
    tile_w = (WIDTH - 4 * 0.15) / 5
    for i, count in enumerate(view.status_counts):
        box = (LEFT + i * (tile_w + 0.15), TOP + 0.35, tile_w, 0.85)
        rect(slide, box, count.status, [Line(str(count.count), size=22, bold=True),
                                        Line(f"{count.symbol} {count.label}", size=12)], align=PP_ALIGN.CENTER)
    heading(slide, tr("summary.focus"), 2.55)
    add_table(slide, (LEFT, 2.9, WIDTH, 0.34), [tr(f"kpi.col.{c}") for c in ("name", "target", "actual", "status")],
              [(r.name, r.target, r.actual, f"{r.symbol} {r.status_label}") for r in view.focus], [5, 2.5, 2.5, 2],
              size=12, numeric={1, 2}, tints={(i, 3): r.status for i, r in enumerate(view.focus)})
    half = (WIDTH - 0.3) / 2
    for x, key, items in ((LEFT, "summary.top_wins", view.top_wins),
                          (LEFT + half + 0.3, "summary.top_misses", view.top_misses)):
        lines = [Line(f"{h.symbol} {h.summary}", size=12, gap=4) for h in items] or [Line(tr("summary.none"))]
        text_box(slide, (x, 4.45, half, BOTTOM - 4.45), [Line(tr(key), size=14, bold=True, color="accent"), *lines])
    notes(slide, [tr("deck.notes.summary"), tr("deck.pair", label=tr("summary.status_counts"), value=view.status_line),
                  tr("summary.focus"), *(r.note for r in view.focus),
                  tr("summary.top_wins"), *(h.summary for h in view.top_wins),
                  tr("summary.top_misses"), *(h.summary for h in view.top_misses)])


def _kpi_table_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = new_slide(prs, tr("section.kpis"))
    columns = ("focus", "name", "owner", "target", "actual", "previous", "change", "status")
    rows = [(tr("kpi.focus_mark") if r.focus else "", r.name, r.owner, r.target, r.actual, r.previous, r.change,
             f"{r.symbol} {r.status_label}") for r in view.kpis]
    row_h = min(0.32, (BOTTOM - 0.4 - TOP) / (len(rows) + 1))  # 16 KPIs: 0.3 in, the floor of 10.5 pt text
    add_table(slide, (LEFT, TOP - 0.05, WIDTH, row_h), [tr(f"kpi.col.{c}") for c in columns], rows,
              [0.6, 3.2, 0.9, 1.9, 1.6, 1.6, 1.5, 1.4], size=10.5, numeric={3, 4, 5, 6}, centered={0, 2},
              tints={(i, 7): r.status for i, r in enumerate(view.kpis)})
    legend_top = TOP - 0.05 + row_h * (len(rows) + 1) + 0.08
    text_box(slide, (LEFT, legend_top, WIDTH, 0.35), [Line(tr("kpi.legend"), size=10, color="muted")])
    discuss = [r.name for r in view.kpis if r.focus or r.status in ("missed", "near")]
    notes(slide, [tr("deck.notes.kpis"), tr("deck.notes.discuss", names=", ".join(discuss)),
                  *(r.note for r in view.kpis if r.name in discuss)])


def _trend_slides(prs: PresentationType, view: PackView, tr: Translator) -> None:
    rows = {r.id: r for r in view.kpis}
    for page, trends in enumerate(_pages(view.trends, 3)):
        slide = new_slide(prs, _page_title(tr("chart.trend"), page, tr))
        width = (WIDTH - 0.2 * (len(trends) - 1)) / max(len(trends), 1)
        for i, trend in enumerate(trends):
            left = LEFT + i * (width + 0.2)
            _trend_chart(slide, (left, TOP, width, BOTTOM - TOP - 0.75), trend, tr)
            pace = rows[trend.kpi_id].pace if trend.kpi_id in rows else ""
            if pace:
                text_box(slide, (left, BOTTOM - 0.7, width, 0.7), [Line(pace, size=10, color="muted")])
        notes(slide, [tr("deck.notes.trend"), *(line for t in trends if t.kpi_id in rows
                                                for line in (rows[t.kpi_id].note, rows[t.kpi_id].pace))])


def _waterfall_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    """The focus KPIs' change since last month, part by part: native waterfalls (stacked columns)."""
    if not view.waterfalls:
        return
    slide = new_slide(prs, tr("waterfall.title"))
    width = (WIDTH - 0.2 * (len(view.waterfalls) - 1)) / len(view.waterfalls)
    for i, chart in enumerate(view.waterfalls):
        _waterfall_chart(slide, (LEFT + i * (width + 0.2), TOP, width, BOTTOM - TOP - 0.4), chart, tr)
    note_line(slide, tr("waterfall.note"))
    notes(slide, [tr("waterfall.note"), *(f"{w.title}: " + " → ".join(f"{s.label} {s.text}" for s in w.steps)
                                          for w in view.waterfalls)])


def _funnel_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = new_slide(prs, tr("chart.funnel"))
    number_format = view.count_axis.excel
    data = CategoryChartData(number_format=number_format)
    data.categories = [stage.category for stage in view.funnel]
    data.add_series(view.month_label, [stage.count for stage in view.funnel])
    chart = add_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, (LEFT + 0.5, TOP, WIDTH - 1.0, BOTTOM - TOP), data)
    chart.has_legend = False
    chart_title(chart, view.month_label)
    chart.category_axis.reverse_order = True  # lead on top, won at the bottom: reads as a funnel
    chart.category_axis.tick_labels.font.size = Pt(13)
    value_axis(chart, number_format)
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = number_format, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(14)
    fill(plot.series[0].format.fill, "accent")
    notes(slide, [tr("deck.notes.funnel"), view.funnel_line])


def _highlight_slide(prs: PresentationType, kind: str, items: Sequence[HighlightView], tr: Translator) -> None:
    """Agenda item 2 or 3 (``kind`` wins or misses): a card per KPI with its summary and driver lines."""
    slide = new_slide(prs, tr(f"section.{kind}"))
    empty = tr(f"highlight.none_{kind}")
    if not items:
        text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(empty, size=16)])
    card_w, card_h = (WIDTH - 0.3) / 2, (BOTTOM - TOP - 0.45 - 0.2) / 2
    for i, h in enumerate(items[:HIGHLIGHTS_SHOWN]):
        box = (LEFT + (i % 2) * (card_w + 0.3), TOP + (i // 2) * (card_h + 0.2), card_w, card_h)
        lines = [Line(f"{h.symbol} {h.name} — {h.label}", size=14, bold=True), Line(h.summary, size=12, gap=4)]
        if h.causes:
            lines += [Line(tr("highlight.drivers"), size=11, bold=True, color="muted", gap=6)]
            lines += [Line(f"• {d}", size=11) for d in h.causes]
        lines += [Line(f"※ {c}", size=10, color="muted") for c in h.caveats[:CARD_ASIDES]]
        lines += [Line(f"◇ {n}", size=10, color="muted") for n in h.notes[:CARD_ASIDES]]  # the rest: speaker notes
        rect(slide, box, h.status, lines, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP)
    if len(items) > HIGHLIGHTS_SHOWN:
        more = tr("deck.more", count=len(items) - HIGHLIGHTS_SHOWN)
        text_box(slide, (LEFT, BOTTOM - 0.4, WIDTH, 0.4), [Line(more, size=12, color="muted")])
    talking_points = [line for h in items for line in (h.summary, *h.causes, h.mostly, *h.caveats, *h.notes) if line]
    notes(slide, [tr(f"deck.notes.{kind}"), *talking_points] if items else [empty])


def _sla_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    """The MQLs left waiting, on their own slide after the misses: sales agrees owners on the spot."""
    slide = new_slide(prs, tr("section.misses"))
    heading(slide, view.sla_title, TOP, size=16)
    if view.sla.rows:
        add_table(slide, (LEFT, TOP + 0.45, WIDTH, 0.32), view.sla.header, view.sla.rows,
                  [1.4, 3.2, 1.8, 1.8, 1.6, 1.6], size=11, numeric={5})
    else:
        text_box(slide, (LEFT, TOP + 0.45, WIDTH, 1.0), [Line(view.sla_empty, size=16)])
    note_line(slide, view.sla.note)
    notes(slide, [tr("deck.notes.sla"), view.sla_title, view.sla.note])


def _action_slides(prs: PresentationType, view: PackView, tr: Translator) -> None:
    header = [tr(f"actions.col.{c}") for c in ("action", "kpi", "owner", "why")]
    for page, actions in enumerate(_pages(view.actions, ACTIONS_PER_SLIDE)):
        slide = new_slide(prs, _page_title(tr("section.actions"), page, tr))
        if actions:
            add_table(slide, (LEFT, TOP, WIDTH, 0.4), header, [(a.title, a.kpi, a.owner, a.why) for a in actions],
                      [4.0, 2.4, 0.9, 5.0], size=12, body_h=0.75)
        else:
            text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(tr("actions.none"), size=16)])
        note_line(slide, tr("actions.source"))
        notes(slide, [tr("deck.notes.actions"), *(f"{a.title} ({a.owner})" for a in actions)])


def _plan_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    """Cadence and last month's plan on the left (few, numeric columns); scenarios and next month's
    titles on the right, wider, so titles stay on one line."""
    slide = new_slide(prs, tr("section.plan"))
    nxt = view.next_month_label
    narrow = 5.0
    wide_left = LEFT + narrow + 0.4
    wide = WIDTH - narrow - 0.4
    upper, lower = (TOP, 2.65), (TOP + 2.8, BOTTOM - TOP - 2.8)
    cadence_note = view.cadence_note
    _table_block(slide, (LEFT, upper[0], narrow, upper[1]), tr("content.cadence_title", month=nxt), view.cadence,
                 [2, 1, 1, 1], {1, 2, 3}, cadence_note, tr)
    _table_block(slide, (LEFT, lower[0], narrow, lower[1]), tr("content.last_title", month=view.month_label),
                 view.last_month_content, [1.6, 1, 1.1, 0.9, 1.3], {1, 2, 3, 4}, view.last_month_content.note, tr)
    _table_block(slide, (wide_left, upper[0], wide, upper[1]), tr("content.scenarios_title"), view.scenarios,
                 [3, 1.1, 1.2, 1.1], set(), view.scenarios.note, tr)
    _table_block(slide, (wide_left, lower[0], wide, lower[1]), tr("content.upcoming_title", month=nxt),
                 view.upcoming, [1.1, 1.1, 4.1, 1.1], set(), view.upcoming.note, tr)
    shortfall = " / ".join(f"{row[0]} {row[3]}" for row in view.cadence.rows if row[3] != NO_VALUE)
    notes(slide, [tr("deck.notes.plan"), cadence_note, shortfall,
                  *(f"{row[0]} ({row[1]}, {row[2]})" for row in view.scenarios.rows)])


def _quality_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = new_slide(prs, tr("deck.appendix_title", section=tr("section.quality")))
    columns = ("table", "file", "encoding", "read", "rejected", "share", "reasons")
    rows = [(q.table, q.file, q.encoding, q.read, q.rejected, q.share, q.reasons) for q in view.quality]
    add_table(slide, (LEFT, TOP, WIDTH, 0.32), [tr(f"quality.col.{c}") for c in columns], rows,
              [1.5, 2.0, 1.0, 1.0, 1.0, 0.8, 5.0], size=10.5, numeric={3, 4, 5})
    findings = [Line(f"• {f}", size=11) for f in view.findings]
    top = TOP + 0.32 + 0.45 * len(rows) + 0.15  # below the table even when every reason wraps to two lines
    if findings:
        findings.insert(0, Line(tr("quality.findings"), size=12, bold=True, color="accent", gap=8))
    text_box(slide, (LEFT, top, WIDTH, BOTTOM - top), [Line(tr("quality.rejects_note"), size=11, color="muted"),
                                                       *findings])
    notes(slide, [tr("deck.notes.quality"), *view.findings])


def _definition_slides(prs: PresentationType, view: PackView, tr: Translator) -> None:
    title = tr("deck.appendix_title", section=tr("section.definitions"))
    for page, rows in enumerate(_pages(list(view.definitions.rows), DEFINITIONS_PER_SLIDE)):
        slide = new_slide(prs, _page_title(title, page, tr))
        add_table(slide, (LEFT, TOP, WIDTH, 0.36), view.definitions.header, rows, [3.0, 1.0, 1.6, 6.7], size=12,
                  body_h=0.5)
        note_line(slide, tr("definitions.note"))
        notes(slide, [tr("deck.notes.definitions"), *(row[0] for row in rows)])


# --- building blocks ----------------------------------------------------------------------------


def _table_block(slide: Slide, box: Box, heading: str, table: Table, widths: list[float], numeric: set[int],
                 note: str, tr: Translator) -> None:
    """Heading, table and one note line in a quarter of a slide; rows beyond what fits become '…and N more'."""
    left, top, width, height = box
    text_box(slide, (left, top, width, 0.35), [Line(heading, size=13, bold=True, color="accent")])
    room = int((height - 0.4 - 0.3 - 0.35) / PLAN_ROW_H)
    rows = table.rows[:room]
    if rows:
        add_table(slide, (left, top + 0.4, width, 0.3), table.header, rows, widths, size=10.5, numeric=numeric,
                  body_h=PLAN_ROW_H)
    more = tr("deck.more", count=len(table.rows) - len(rows)) if len(table.rows) > len(rows) else ""
    text = "  ".join(t for t in (more, note) if t)
    if text:
        text_box(slide, (left, top + height - 0.35, width, 0.35), [Line(text, size=10, color="muted")])


_STACKS = ("base", "better", "worse", "total")  # stacked series of a waterfall; "base" is drawn invisible


def _stacks(start: float, end: float, kind: str) -> list[tuple[str, float]]:
    """A floating bar from ``start`` to ``end`` as stacked values: PowerPoint stacks positives up from zero
    and negatives down from zero, so a bar crossing zero is two coloured pieces and needs no base."""
    low, high = min(start, end), max(start, end)
    if kind == "total":
        return [("total", end)]
    if low >= 0:
        return [("base", low), (kind, high - low)]
    if high <= 0:
        return [("base", high), (kind, low - high)]
    return [(kind, high), (kind, low)]


def _waterfall_chart(slide: Slide, box: Box, chart: Waterfall, tr: Translator) -> None:
    labels = [step.label if step.kind == "total" else f"{step.label}\n{step.text}" for step in chart.steps]
    pieces = [_stacks(step.start, step.end, step.kind) for step in chart.steps]
    columns: dict[str, list[list[float]]] = {name: [[0.0] * len(labels), [0.0] * len(labels)] for name in _STACKS}
    for i, bar in enumerate(pieces):
        for name, value in bar:  # a name may hold a positive and a negative piece: two series of it
            columns[name][0 if value >= 0 else 1][i] += value
    data = CategoryChartData(number_format=chart.axis.excel)
    data.categories = labels
    series_names = []
    for name in _STACKS:
        for sign, values in zip(("+", "−"), columns[name], strict=True):
            if any(values):
                data.add_series(f"{name}{sign}", [v or None for v in values])
                series_names.append(name)
    drawn = add_chart(slide, XL_CHART_TYPE.COLUMN_STACKED, box, data)
    chart_title(drawn, chart.title, size=12)
    drawn.has_legend = False
    drawn.plots[0].gap_width = 60
    drawn.plots[0].overlap = 100
    drawn.category_axis.tick_labels.font.size = Pt(9)
    drawn.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    value_axis(drawn, chart.axis.excel)
    colours = {"better": "strong_achieved", "worse": "strong_missed", "total": "accent"}
    for series, name in zip(drawn.plots[0].series, series_names, strict=True):
        if name == "base":
            series.format.fill.background()
            series.format.line.fill.background()
        else:
            fill(series.format.fill, colours[name])


def _trend_chart(slide: Slide, box: Box, trend: TrendSeries, tr: Translator) -> None:
    """12 months of one focus KPI (gaps where no value) against a flat target line."""
    number_format = trend.axis.excel
    data = CategoryChartData(number_format=number_format)
    data.categories = trend.months
    data.add_series(tr("chart.actual"), trend.values)
    if trend.target is not None:
        data.add_series(tr("chart.target"), [trend.target] * len(trend.months))
    chart = add_chart(slide, XL_CHART_TYPE.LINE_MARKERS, box, data)
    chart_title(chart, trend.title)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    months = chart.category_axis
    months.tick_labels.font.size = Pt(9)
    months.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below the plot even when values go negative
    months._element.txPr.bodyPr.set("rot", "-2700000")
    value_axis(chart, number_format)
    actual, *target = chart.plots[0].series
    actual.format.line.color.rgb = PALETTE["accent"]
    actual.format.line.width = Pt(2.25)
    actual.marker.style = XL_MARKER_STYLE.CIRCLE
    actual.marker.size = 6
    fill(actual.marker.format.fill, "accent")
    actual.marker.format.line.color.rgb = PALETTE["accent"]
    for line in target:
        line.format.line.color.rgb = PALETTE["target"]
        line.format.line.width = Pt(1.5)
        line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        line.marker.style = XL_MARKER_STYLE.NONE


def _footers(prs: PresentationType, view: PackView) -> None:
    """Client, program and month bottom left, 'n / N' bottom right, on every slide but the cover."""
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, start=1):
        if number == 1:
            continue
        text_box(slide, (LEFT, 7.0, 9.0, 0.35),
                 [Line(f"{view.client}  |  {view.program_name}  |  {view.month_label}", size=9, color="muted")])
        text_box(slide, (SLIDE_W - LEFT - 2.0, 7.0, 2.0, 0.35), [Line(f"{number} / {total}", size=9, color="muted")],
                 PP_ALIGN.RIGHT)


# --- small helpers ------------------------------------------------------------------------------


def _agenda(tr: Translator) -> list[str]:
    return [tr(f"section.{s}") for s in ("kpis", "wins", "misses", "actions", "plan")]


def _pages(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` over as few pages of at most ``size`` as possible, balanced (7 → 4 + 3, not 6 + 1);
    one empty page when there are none, so the section still shows."""
    per = -(-len(items) // -(-len(items) // size)) if items else size
    return [items[i:i + per] for i in range(0, len(items), per)] or [items[:0]]


def _page_title(title: str, page: int, tr: Translator) -> str:
    return title if page == 0 else tr("deck.continued", title=title)
