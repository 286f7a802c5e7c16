"""Agenda item 1 and the summary in the deck: the summary slide (what to decide today leads), the KPI table,
the focus KPIs' trends and waterfalls, and the funnel, as native (editable) charts.

Only lays out ``PackView``: numbers arrive formatted and words translated (``view.words``).
"""

from __future__ import annotations

from pptx.chart.data import CategoryChartData
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Pt

from retropack.present.messages import Translator
from retropack.present.view import PackView, TrendSeries
from retropack.present.waterfall import Waterfall
from retropack.render._deck_blocks import (
    BOTTOM,
    LEFT,
    PALETTE,
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
    page_title,
    pages,
    rect,
    text_box,
    value_axis,
)

__all__ = ["add_funnel_slide", "add_kpi_table_slide", "add_summary_slide", "add_trend_slides",
           "add_waterfall_slide"]

DECIDE_SHOWN = 5
STORIES_SHOWN = 3


def add_summary_slide(prs: PresentationType, view: PackView) -> None:
    """Counts, then what to decide today beside the stories that moved several KPIs, and (outside the quarterly
    review) the diagnosis' alerts in one line."""
    tr = view.words
    slide = new_slide(prs, tr("section.summary"))
    tile_w = (WIDTH - 4 * 0.15) / 5
    for i, count in enumerate(view.status_counts):
        box = (LEFT + i * (tile_w + 0.15), TOP - 0.05, tile_w, 0.7)
        rect(slide, box, count.status, [Line(str(count.count), size=20, bold=True),
                                        Line(f"{count.symbol} {count.label}", size=11)], align=PP_ALIGN.CENTER)
    top = TOP + 0.85
    bottom = BOTTOM - (0.55 if view.diagnosis_line else 0)
    half = (WIDTH - 0.3) / 2
    decide = [Line(tr("summary.decide"), size=14, bold=True, color="accent")]
    for number, point in enumerate(view.decide[:DECIDE_SHOWN], start=1):
        decide.append(Line(f"{number}. {point.text}", size=11.5, bold=True, gap=5))
        if point.meta:
            decide.append(Line(point.meta, size=9.5, color="muted"))
    if not view.decide:
        decide.append(Line(tr("summary.none"), size=11, color="muted", gap=4))
    text_box(slide, (LEFT, top, half, bottom - top), decide)
    moved = [Line(tr("summary.movement"), size=14, bold=True, color="accent")]
    moved += [Line(line, size=11, gap=5) for line in view.stories[:STORIES_SHOWN]]
    if not view.stories:
        moved.append(Line(tr("summary.no_story"), size=11, color="muted", gap=4))
    text_box(slide, (LEFT + half + 0.3, top, half, bottom - top), moved)
    if view.diagnosis_line:
        rect(slide, (LEFT, BOTTOM - 0.5, WIDTH, 0.5), "band", [Line(view.diagnosis_line, size=10)],
             align=PP_ALIGN.LEFT)
    talking = [tr("deck.notes.summary"), tr("notes.summary.decide", count=len(view.decide))]
    if view.stories:
        talking.append(tr("notes.summary.stories", count=min(len(view.stories), STORIES_SHOWN)))
    if view.diagnosis_line:
        talking.append(tr("notes.summary.diagnosis"))
    notes(slide, [*talking, tr("notes.summary.ask"), *(f"※ {r.name}: {r.caution}" for r in view.focus if r.caution)])


def add_kpi_table_slide(prs: PresentationType, view: PackView) -> None:
    tr = view.words
    slide = new_slide(prs, tr("section.kpis"))
    columns = ("focus", "name", "owner", "target", "actual", "previous", "change", "status")
    rows = [(tr("kpi.focus_mark") if r.focus else "", f"{r.name} ※" if r.caution else r.name, r.owner, r.target,
             r.actual, r.previous,
             f"{r.change} {r.trend[:1]}".strip(), f"{r.symbol} {r.status_label}") for r in view.kpis]
    row_h = min(0.32, (BOTTOM - 0.4 - TOP) / (len(rows) + 1))  # 16 KPIs: 0.3 in, the floor of 10.5 pt text
    add_table(slide, (LEFT, TOP - 0.05, WIDTH, row_h), [tr(f"kpi.col.{c}") for c in columns], rows,
              [0.75, 3.0, 0.9, 1.6, 1.4, 1.4, 1.45, 2.2], size=10.5, numeric={3, 4, 5, 6}, centered={0, 2},
              tints={(i, 7): r.status for i, r in enumerate(view.kpis)})
    legend_top = TOP - 0.05 + row_h * (len(rows) + 1) + 0.08
    text_box(slide, (LEFT, legend_top, WIDTH, 0.35), [Line(tr("kpi.legend"), size=10, color="muted")])
    discuss = [r.name for r in view.kpis if r.focus or r.status in ("missed", "near")]
    notes(slide, [tr("deck.notes.kpis"), tr("deck.notes.discuss", names=", ".join(discuss)),
                  *(r.note for r in view.kpis if r.name in discuss),
                  *(f"※ {r.name}: {r.caution}" for r in view.kpis if r.caution)])


def add_trend_slides(prs: PresentationType, view: PackView) -> None:
    tr = view.words
    rows = {r.id: r for r in view.kpis}
    for page, trends in enumerate(pages(view.trends, 3)):
        slide = new_slide(prs, page_title(tr("chart.trend"), page, tr))
        width = (WIDTH - 0.2 * (len(trends) - 1)) / max(len(trends), 1)
        for i, trend in enumerate(trends):
            left = LEFT + i * (width + 0.2)
            _trend_chart(slide, (left, TOP, width, BOTTOM - TOP - 0.75), trend, tr)
            pace = rows[trend.kpi_id].pace if trend.kpi_id in rows else ""
            if pace:
                text_box(slide, (left, BOTTOM - 0.7, width, 0.7), [Line(pace, size=10, color="muted")])
        notes(slide, [tr("deck.notes.trend"), tr("deck.notes.trend_ask")])


def add_waterfall_slide(prs: PresentationType, view: PackView) -> None:
    """The focus KPIs' change since last month, part by part: native waterfalls (stacked columns)."""
    if not view.waterfalls:
        return
    tr = view.words
    slide = new_slide(prs, tr("deck.appendix_title", section=tr("waterfall.title")))
    width = (WIDTH - 0.2 * (len(view.waterfalls) - 1)) / len(view.waterfalls)
    for i, chart in enumerate(view.waterfalls):
        _waterfall_chart(slide, (LEFT + i * (width + 0.2), TOP, width, BOTTOM - TOP - 0.4), chart, tr)
    note_line(slide, tr("waterfall.note"))
    notes(slide, [tr("waterfall.note"), *(f"{w.title}: " + " → ".join(f"{s.label} {s.text}" for s in w.steps)
                                          for w in view.waterfalls)])


def add_funnel_slide(prs: PresentationType, view: PackView) -> None:
    tr = view.words
    slide = new_slide(prs, tr("deck.appendix_title", section=tr("funnel.title")))
    heading(slide, view.funnel_title, TOP - 0.05, size=12)
    number_format = view.count_axis.excel
    data = CategoryChartData(number_format=number_format)
    data.categories = [stage.category for stage in view.funnel]
    data.add_series(tr("funnel.title"), [stage.count for stage in view.funnel])
    chart = add_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, (LEFT + 0.5, TOP + 0.45, WIDTH - 1.0, BOTTOM - TOP - 0.45),
                      data)
    chart.has_legend = False
    chart.has_title = False
    chart.category_axis.reverse_order = True  # lead on top, won at the bottom: reads as a funnel
    chart.category_axis.tick_labels.font.size = Pt(13)
    value_axis(chart, number_format, minimum=0)
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = number_format, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(14)
    fill(plot.series[0].format.fill, "accent")
    if view.funnel_note:
        note_line(slide, view.funnel_note)
    notes(slide, [tr("deck.notes.funnel"), view.funnel_title, view.funnel_line, view.funnel_note])


# --- charts -----------------------------------------------------------------------------------------


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
    """Stacked columns with an invisible base. Every bar is labelled under it, across (never diagonal): its
    name over its value (totals) or change (steps); the value axis starts at zero."""
    labels = [f"{step.label}\n{step.text}" for step in chart.steps]
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
    drawn.category_axis.tick_labels.font.size = Pt(9 if len(labels) <= 4 else 7)  # six bars share a third
    drawn.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    drawn.category_axis._element.txPr.bodyPr.set("rot", "0")  # across, wrapped by PowerPoint: never diagonal
    value_axis(drawn, chart.axis.excel, minimum=min(0.0, *(v for step in chart.steps for v in (step.start, step.end))))
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
