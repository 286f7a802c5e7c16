"""The appendix in the deck: data quality (rows read and rejected per table, by reason, and other findings)
and the KPI definitions."""

from __future__ import annotations

from pptx.presentation import Presentation as PresentationType

from retropack.present.view import PackView
from retropack.render._deck_blocks import (
    BOTTOM,
    LEFT,
    TOP,
    WIDTH,
    Line,
    add_table,
    new_slide,
    note_line,
    notes,
    page_title,
    pages,
    text_box,
)

__all__ = ["add_definition_slides", "add_quality_slide"]

DEFINITIONS_PER_SLIDE = 8


def add_quality_slide(prs: PresentationType, view: PackView) -> None:
    tr = view.words
    slide = new_slide(prs, tr("deck.appendix_title", section=tr("section.quality")))
    table = view.quality
    add_table(slide, (LEFT, TOP, WIDTH, 0.32), table.header, table.rows, [2.0, 1.2, 1.2, 1.0, 6.9], size=10.5,
              numeric={1, 2, 3})
    findings = [Line(f"• {f}", size=11) for f in view.findings]
    top = TOP + 0.32 + 0.45 * len(table.rows) + 0.15  # below the table even when every reason wraps to two lines
    if findings:
        findings.insert(0, Line(tr("quality.findings"), size=12, bold=True, color="accent", gap=8))
    text_box(slide, (LEFT, top, WIDTH, BOTTOM - top), [Line(table.note, size=11, color="muted"), *findings])
    notes(slide, [tr("deck.notes.quality"), *view.findings])


def add_definition_slides(prs: PresentationType, view: PackView) -> None:
    tr = view.words
    title = tr("deck.appendix_title", section=tr("section.definitions"))
    for page, rows in enumerate(pages(list(view.definitions.rows), DEFINITIONS_PER_SLIDE)):
        slide = new_slide(prs, page_title(title, page, tr))
        add_table(slide, (LEFT, TOP, WIDTH, 0.36), view.definitions.header, rows, [3.0, 1.0, 1.6, 6.7], size=12,
                  body_h=0.5)
        note_line(slide, tr("definitions.note"))
        notes(slide, [tr("deck.notes.definitions"), *(row[0] for row in rows)])
