"""The quarterly review in the deck (after the main part, behind its divider): health overview, the raised
patterns with their evidence and actions,
the roadmap, the team, and (in review months) the scoring review with a native chart.

``add_diagnosis_slides`` appends them to a deck being built; it only lays out the view model.
"""

from __future__ import annotations

from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation
from pptx.slide import Slide
from pptx.util import Pt

from retropack.present.diagnosis.health_view import HealthView, PatternView
from retropack.present.diagnosis.roadmap_view import CapacityView, RoadmapView
from retropack.present.diagnosis.scoring_view import ScoringView
from retropack.present.messages import Translator
from retropack.present.view import PackView
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
    rect,
    text_box,
    value_axis,
)

CARDS_PER_SLIDE = 4  # 2 × 2
FINDINGS_PER_CARD = 3  # the rest are in the speaker notes and the PDF
ACTIONS_PER_CARD = 3
ROADMAP_ROW_H = 0.6  # a milestone's evidence runs to three lines of 10 pt


def add_diagnosis_slides(prs: Presentation, view: PackView) -> None:
    """Append the quarterly review to ``prs`` (a 16:9 deck) from ``view.diagnosis``: in full when
    ``view.quarterly``, otherwise the scoring review alone (when it was asked for)."""
    diagnosis, tr = view.diagnosis, view.words
    if view.quarterly:
        _overview_slide(prs, diagnosis.health, tr)
        _pattern_slides(prs, diagnosis.health, tr)
        _roadmap_slide(prs, diagnosis.roadmap, tr)
        _capacity_slide(prs, diagnosis.capacity, tr)
    if diagnosis.scoring is not None:
        _scoring_slides(prs, diagnosis.scoring, tr)


def _overview_slide(prs: Presentation, health: HealthView, tr: Translator) -> None:
    slide = new_slide(prs, tr("section.health"))
    text_box(slide, (LEFT, TOP - 0.1, WIDTH, 0.4), [Line(health.intro, size=11, color="muted")])
    rows = [(p.title, f"{p.symbol} {p.status_label}", p.since, p.headline) for p in health.patterns]
    add_table(slide, (LEFT, TOP + 0.4, WIDTH, 0.4), health.overview.header, rows, [3.2, 1.2, 1.4, 6.5], size=12,
              body_h=0.95, tints={(i, 1): p.style for i, p in enumerate(health.patterns)})
    notes(slide, [tr("deck.notes.health"), *(f"{p.title}: {p.symbol} {p.status_label} — {p.headline}"
                                             for p in health.patterns)])


def _card(slide: Slide, box: Box, pattern: PatternView, tr: Translator) -> None:
    lines = [Line(f"{pattern.symbol} {pattern.status_label}  {pattern.title}", size=13, bold=True,
                  color=f"strong_{pattern.style}")]
    lines += [Line(f"{f.symbol} {f.text}", size=10.5, gap=3) for f in pattern.findings[:FINDINGS_PER_CARD]]
    if pattern.actions:
        lines.append(Line(tr("health.actions"), size=10, bold=True, color="accent", gap=5))
        lines += [Line(f"→ {a}", size=10) for a in pattern.actions[:ACTIONS_PER_CARD]]
    rect(slide, box, pattern.style, lines, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP)


def _pattern_slides(prs: Presentation, health: HealthView, tr: Translator) -> None:
    raised = [p for p in health.patterns if p.findings]
    pages = [raised[i:i + CARDS_PER_SLIDE] for i in range(0, len(raised), CARDS_PER_SLIDE)] or [[]]
    card_w, card_h = (WIDTH - 0.3) / 2, (BOTTOM - TOP - 0.2) / 2
    for number, page in enumerate(pages):
        title = tr("section.health") if number == 0 else tr("deck.continued", title=tr("section.health"))
        slide = new_slide(prs, title)
        if not page:
            text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(tr("health.all_ok"), size=16)])
        for i, pattern in enumerate(page):
            box = (LEFT + (i % 2) * (card_w + 0.3), TOP + (i // 2) * (card_h + 0.2), card_w, card_h)
            _card(slide, box, pattern, tr)
        notes(slide, [tr("deck.notes.health"), *(line for p in page for line in
                                                 (p.title, p.symptom, *(f.text for f in p.findings), *p.actions))])


def _roadmap_slide(prs: Presentation, roadmap: RoadmapView, tr: Translator) -> None:
    slide = new_slide(prs, tr("section.diagnosis_part", part=tr("roadmap.title")))
    text_box(slide, (LEFT, TOP - 0.1, WIDTH, 1.3), [Line(roadmap.position, size=14, bold=True),
                                                    Line(roadmap.step, size=11, gap=3),
                                                    Line(roadmap.due_now, size=11, gap=3),
                                                    Line(roadmap.scoring_status, size=11, gap=3)])
    rows = roadmap.milestones.rows
    add_table(slide, (LEFT, TOP + 1.25, WIDTH, 0.35), roadmap.milestones.header, rows, [1.3, 1.9, 6.6, 1.9, 1.2],
              size=10, body_h=ROADMAP_ROW_H)
    top = TOP + 1.25 + 0.35 + ROADMAP_ROW_H * len(rows) + 0.15
    rect(slide, (LEFT, top, WIDTH, BOTTOM - top), "band", [Line(roadmap.next_month, size=12, bold=True)],
         align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP)
    notes(slide, [tr("deck.notes.roadmap"), roadmap.position, roadmap.step, roadmap.due_now, roadmap.scoring_status,
                  *(f"{r[1]}: {r[3]} {r[4]} — {r[2]}" for r in rows), roadmap.next_month])


def _capacity_slide(prs: Presentation, capacity: CapacityView, tr: Translator) -> None:
    slide = new_slide(prs, tr("section.diagnosis_part", part=tr("capacity.title")))
    if not capacity.present:
        text_box(slide, (LEFT, TOP, WIDTH, 1.5), [Line(capacity.note, size=16)])
        notes(slide, [tr("deck.notes.roadmap"), capacity.note])
        return
    rows = capacity.table.rows
    add_table(slide, (LEFT, TOP, 7.2, 0.45), capacity.table.header, rows, [2.0, 0.8, 1.2, 1.2, 1.4, 1.0], size=12,
              body_h=0.5, numeric=frozenset({1, 3, 5}))
    side = LEFT + 7.6
    text_box(slide, (side, TOP, WIDTH - 7.6, BOTTOM - TOP),
             [Line(capacity.structure, size=13, bold=True), Line(capacity.actual, size=12, gap=8),
              *(Line(f"• {gap}", size=12, gap=6, color="strong_missed") for gap in capacity.gaps),
              Line(capacity.meets, size=12, gap=6)])
    notes(slide, [tr("deck.notes.roadmap"), capacity.structure, capacity.actual, *capacity.gaps, capacity.meets,
                  *(" / ".join(row) for row in rows)])


def _scoring_chart(slide: Slide, scoring: ScoringView) -> None:
    chart_view = scoring.chart
    assert chart_view is not None
    data = CategoryChartData(number_format="0%")
    data.categories = chart_view.categories
    data.add_series(chart_view.sql_label, chart_view.sql_shares)
    data.add_series(chart_view.other_label, chart_view.other_shares)
    chart = add_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, (LEFT, TOP, 7.0, BOTTOM - TOP), data)
    chart_title(chart, chart_view.title, size=12)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    value_axis(chart, "0%", minimum=0)
    chart.category_axis.tick_labels.font.size = Pt(10)
    sql, other = chart.plots[0].series
    for series, colour in ((sql, "accent"), (other, "grid")):
        fill(series.format.fill, colour)


def _scoring_slides(prs: Presentation, scoring: ScoringView, tr: Translator) -> None:
    slide = new_slide(prs, tr("section.scoring"))
    if scoring.needs:
        text_box(slide, (LEFT, TOP, WIDTH, 1.5), [Line(scoring.reason, size=12, color="muted"),
                                                  Line(scoring.needs, size=16, gap=8)])
        notes(slide, [tr("deck.notes.scoring"), scoring.reason, scoring.needs])
        return
    _scoring_chart(slide, scoring)
    side, side_w = LEFT + 7.3, WIDTH - 7.3
    markers = scoring.chart.marker_summary if scoring.chart else ""
    text_box(slide, (side, TOP, side_w, 3.0), [Line(scoring.reason, size=10, color="muted"),
                                               *(Line(f"• {fact}", size=11, gap=4) for fact in scoring.facts),
                                               Line(markers, size=10, color="muted", gap=4)])
    rect(slide, (side, TOP + 3.15, side_w, BOTTOM - TOP - 3.15), "band",
         [Line(scoring.suggestion, size=16, bold=True, color="accent"), Line(scoring.method, size=11, gap=4),
          Line(scoring.impact, size=11, gap=4)], align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP)
    notes(slide, [tr("deck.notes.scoring"), scoring.reason, *scoring.facts, scoring.suggestion, scoring.method,
                  scoring.impact])

    slide = new_slide(prs, tr("deck.continued", title=tr("section.scoring")))
    text_box(slide, (LEFT, TOP - 0.1, WIDTH, 1.2), [Line(scoring.decay_title, size=14, bold=True, color="accent"),
                                                    Line(scoring.decay, size=12, gap=2)])
    text_box(slide, (LEFT, TOP + 1.2, WIDTH, 0.9), [Line(scoring.high_title, size=14, bold=True, color="accent"),
                                                    Line(scoring.high_text, size=12, gap=2)])
    if scoring.high.rows:
        add_table(slide, (LEFT, TOP + 2.2, WIDTH, 0.4), scoring.high.header, scoring.high.rows,
                  [1.4, 3.4, 1.8, 1.0, 1.6, 1.6], size=12, body_h=0.42, numeric=frozenset({3}))
    notes(slide, [tr("deck.notes.scoring"), scoring.decay, scoring.high_text,
                  *(" / ".join(row) for row in scoring.high.rows)])
