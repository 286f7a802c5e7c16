"""The article's cadence in the deck: the weekly mini-trend (three native column charts and their
counts) and the per-send table in section 1, the MQLs left waiting beside sales' MQL feedback in section 3.

Each ``add_*_slide`` appends one slide to a deck being built; it only lays out the view model.
"""

from __future__ import annotations

from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.presentation import Presentation
from pptx.slide import Slide
from pptx.util import Pt

from retropack.present.sends import RATE_COLUMNS
from retropack.present.view import PackView
from retropack.present.weekly import WeeklyPanel, WeeklyView
from retropack.render._deck_blocks import (
    BOTTOM,
    LEFT,
    TOP,
    WIDTH,
    Box,
    Line,
    add_chart,
    add_table,
    chart_title,
    fill,
    new_slide,
    notes,
    text_box,
    value_axis,
)

__all__ = ["add_followup_slide", "add_sends_slide", "add_weekly_slide"]

CHART_H = 3.2
FOLLOWUP_ROWS = 10  # MQLs left waiting on the slide; the PDF's appendix lists them all
FEEDBACK_ROWS = 6


def _weekly_chart(slide: Slide, box: Box, panel: WeeklyPanel, weekly: WeeklyView) -> None:
    """One KPI's weeks as columns, beside the month's target shared over the weeks (the pace)."""
    data = CategoryChartData(number_format=weekly.axis.excel)
    data.categories = weekly.weeks
    data.add_series(weekly.actual_label, panel.values)
    if panel.pace is not None:
        data.add_series(weekly.pace_label, [round(p, 1) for p in panel.pace])
    chart = add_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, box, data)
    chart_title(chart, panel.title, size=12)
    chart.has_legend = panel.pace is not None
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(9)
    chart.category_axis.tick_labels.font.size = Pt(8)
    value_axis(chart, weekly.axis.excel, minimum=0)
    plot = chart.plots[0]
    plot.gap_width = 60
    actual, *pace = plot.series
    fill(actual.format.fill, "accent")
    actual.data_labels.show_value = True
    actual.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    actual.data_labels.font.size = Pt(9)
    for series in pace:
        fill(series.format.fill, "grid")


def add_weekly_slide(prs: Presentation, view: PackView) -> None:
    """Section 1: leads, MQLs and SQLs week by week, a chart each, and the counts with the month's target."""
    weekly = view.weekly
    slide = new_slide(prs, weekly.title)
    width = (WIDTH - 0.4) / 3
    for i, panel in enumerate(weekly.panels):
        _weekly_chart(slide, (LEFT + i * (width + 0.2), TOP - 0.05, width, CHART_H), panel, weekly)
    table = weekly.table
    top = TOP + CHART_H + 0.1
    add_table(slide, (LEFT, top, WIDTH, 0.3), table.header, table.rows,
              [2.0, *([1.2] * (len(table.header) - 3)), 1.0, 1.2], size=10.5,
              numeric=set(range(1, len(table.header))))
    below = top + 0.3 * (len(table.rows) + 1) + 0.1
    text_box(slide, (LEFT, below, WIDTH, BOTTOM - below), [Line(weekly.note, size=10, color="muted")])
    notes(slide, [view.words("deck.notes.weekly")])


def add_sends_slide(prs: Presentation, view: PackView) -> None:
    """Section 1: the month's e-mails one by one (scenarios added up), rates off target tinted and marked."""
    sends = view.sends
    slide = new_slide(prs, sends.title)
    if not sends.slide.rows:
        text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(sends.empty, size=16)])
        notes(slide, [sends.title, sends.empty])
        return
    rows = sends.slide.rows
    add_table(slide, (LEFT, TOP - 0.05, WIDTH, 0.3), sends.slide.header, rows, [1.3, 4.0, 1.9, 0.9, 1.1, 1.0, 1.0, 1.1],
              size=10, numeric={3, 4, *RATE_COLUMNS}, tints={cell: "missed" for cell in sends.slide_off})
    below = TOP - 0.05 + 0.3 * (len(rows) + 1) + 0.1
    lines = [Line(text, size=10, color="muted") for text in (sends.slide.note, sends.legend, sends.note) if text]
    text_box(slide, (LEFT, below, WIDTH, BOTTOM - below), lines)
    notes(slide, [view.words("deck.notes.sends")])


def add_followup_slide(prs: Presentation, view: PackView) -> None:
    """Agenda item 3, after the misses: the MQLs left waiting (sales agrees owners on the spot) beside what sales
    said about the month's MQLs, or a blank table to fill in during the meeting."""
    feedback, tr = view.feedback, view.words
    slide = new_slide(prs, tr("section.followup"))
    left_w = 7.0
    side, side_w = LEFT + left_w + 0.3, WIDTH - left_w - 0.3
    text_box(slide, (LEFT, TOP - 0.05, left_w, 0.6), [Line(view.sla_title, size=13, bold=True, color="accent")])
    sla = view.sla
    rows = sla.rows[:FOLLOWUP_ROWS]
    top = TOP + 0.6
    if rows:
        add_table(slide, (LEFT, top, left_w, 0.3), sla.header, rows, [1.1, 2.6, 1.2, 1.2, 1.3, 1.3], size=9.5,
                  numeric={5})
        hidden = view.sla_total - len(rows)
        more = tr("deck.more", count=hidden) if hidden > 0 else ""
        if more:
            text_box(slide, (LEFT, top + 0.3 * (len(rows) + 1) + 0.05, left_w, 0.3),
                     [Line(more, size=9.5, color="muted")])
    else:
        text_box(slide, (LEFT, top, left_w, 1.0), [Line(view.sla_empty, size=13)])
    lines = [Line(feedback.title, size=13, bold=True, color="accent"), Line(feedback.summary, size=11, gap=4),
             *(Line(f"• {r}", size=10.5, gap=3) for r in feedback.reasons)]
    text_box(slide, (side, TOP - 0.05, side_w, 1.9), lines)
    table = feedback.table
    top = TOP + 2.0
    if feedback.filled and table.rows:
        text_box(slide, (side, top, side_w, 0.3), [Line(tr("feedback.bad_leads"), size=10.5, bold=True,
                                                        color="muted")])
        picked = (1, 4, 5)  # company, owner, reason: what the room talks about
        add_table(slide, (side, top + 0.35, side_w, 0.3), [table.header[c] for c in picked],
                  [[row[c] for c in picked] for row in table.rows[:FEEDBACK_ROWS]], [2.0, 1.1, 2.4], size=9.5)
        top += 0.35 + 0.3 * (min(len(table.rows), FEEDBACK_ROWS) + 1)
    elif not feedback.filled:
        add_table(slide, (side, top, side_w, 0.32), table.header, table.rows[:FEEDBACK_ROWS], [2.0, 1.4, 2.4],
                  size=10, body_h=0.4)
        top += 0.32 + 0.4 * min(len(table.rows), FEEDBACK_ROWS)
    text = "  ".join(t for t in (table.note, feedback.note) if t)
    if text:
        text_box(slide, (side, top + 0.1, side_w, 0.6), [Line(text, size=9.5, color="muted")])
    notes(slide, [tr("deck.notes.sla"), tr("deck.notes.feedback")])
