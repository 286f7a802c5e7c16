"""The appendix in the deck, behind its divider: every KPI's card, data quality (rows read and rejected per
table, by reason, and other findings) and the KPI definitions; the divider slide itself, also used before the
quarterly review."""

from __future__ import annotations

from collections.abc import Sequence

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType

from retropack.present.view import PackView
from retropack.render._deck_blocks import (
    BOTTOM,
    LEFT,
    SLIDE_W,
    TITLE_ONLY,
    TOP,
    WIDTH,
    Line,
    add_table,
    new_slide,
    note_line,
    notes,
    page_title,
    pages,
    rect,
    set_title,
    text_box,
)
from retropack.render._deck_meeting import card_lines, talking_points

__all__ = ["add_channel_slides", "add_definition_slides", "add_highlight_slides", "add_open_deals_slide",
           "add_quality_slide", "appendix_contents", "divider_slide"]

DEFINITIONS_PER_SLIDE = 8
CARDS_PER_SLIDE = 4  # 2 × 2


def appendix_contents(view: PackView) -> list[str]:
    """What the appendix holds, for its divider."""
    tr = view.words
    return [tr("appendix.cards"), *([tr("waterfall.title")] if view.waterfalls else []), tr("funnel.title"),
            *([tr("channels.title")] if view.channels else []), *([tr("open_deals.title")] if view.open_deals else []),
            tr("section.quality"), tr("section.definitions")]


def divider_slide(prs: PresentationType, title: str, contents: Sequence[str]) -> None:
    """A section's divider: its title on the accent band and what follows; a reader of the main part stops here."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    band = rect(slide, (0, 2.2, SLIDE_W, 1.6), "accent")
    slide.shapes._spTree.insert(2, band._element)
    set_title(slide, title, (0.8, 2.35, 11.7, 1.3), size=36, color="white")
    text_box(slide, (0.8, 4.2, 11.7, 2.6), [Line(item, size=15, gap=4) for item in contents])
    notes(slide, [title])


def add_highlight_slides(prs: PresentationType, view: PackView) -> None:
    """Every KPI on a card, four to a slide in the order of the buckets (wins, improving short of target, misses,
    on target but worse, then those without a target worth a look): the main part shows the top three of each side."""
    tr = view.words
    items = [(h, "") for h in view.wins] + [(h, tr("bucket.watch_better")) for h in view.watch_better]
    items += [(h, "") for h in view.misses] + [(h, tr("bucket.watch_worse")) for h in view.watch_worse]
    items += [(h, tr("bucket.info")) for h in view.info]  # reference only: no target, never a win or a miss
    if not items:
        return
    title = tr("deck.appendix_title", section=tr("appendix.cards"))
    card_w, card_h = (WIDTH - 0.3) / 2, (BOTTOM - TOP - 0.2) / 2
    for page, chunk in enumerate(pages(items, CARDS_PER_SLIDE)):
        slide = new_slide(prs, page_title(title, page, tr))
        talking = []
        for i, (h, watch) in enumerate(chunk):
            box = (LEFT + (i % 2) * (card_w + 0.3), TOP + (i // 2) * (card_h + 0.2), card_w, card_h)
            rect(slide, box, "band" if watch else h.status, card_lines(h, tr, watch), align=PP_ALIGN.LEFT,
                 anchor=MSO_ANCHOR.TOP)
            talking += talking_points(h, tr)
        notes(slide, talking)


def add_channel_slides(prs: PresentationType, view: PackView) -> None:
    """The channel table: one slide for the month, one for the trailing three months."""
    tr = view.words
    for title, table in view.channels:
        slide = new_slide(prs, tr("deck.appendix_title", section=title))
        body_h = min(0.4, (BOTTOM - TOP - 0.8) / max(len(table.rows), 1))
        add_table(slide, (LEFT, TOP, WIDTH, 0.36), table.header, table.rows, [2.6, 1.2, 0.9, 1.1, 0.8, 0.8, 0.8, 1.4,
                                                                              1.4],
                  size=10.5, numeric={1, 2, 3, 4, 5, 6, 7, 8}, body_h=body_h)
        note_line(slide, table.note or view.channels[-1][1].note)
        notes(slide, [tr("deck.notes.channels")])


def add_open_deals_slide(prs: PresentationType, view: PackView) -> None:
    """The stalled deals sales can act on, one slide."""
    if view.open_deals is None:
        return
    tr, table = view.words, view.open_deals
    slide = new_slide(prs, tr("deck.appendix_title", section=tr("open_deals.title")))
    widths = [3.6, 2.0, 1.8, 1.3, 1.6][:len(table.header)]
    add_table(slide, (LEFT, TOP, WIDTH, 0.36), table.header, table.rows, widths, size=11, numeric={2, 3},
              body_h=0.4)
    note_line(slide, table.note)
    notes(slide, [tr("deck.notes.open_deals")])


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
