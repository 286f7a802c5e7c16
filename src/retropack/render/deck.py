"""The editable PowerPoint pack: one 16:9 slide (or more) per section of the monthly agenda.

Only lays out ``PackView``: numbers arrive formatted and words translated (``view.words``). The main part is
what a 60-minute joint meeting covers (at most 14 slides); the quarterly review and the appendix follow, each
behind a divider slide. The slides of each part live beside this module: the summary and agenda item 1
(``_deck_kpis``), the article's cadence and the MQL follow-up (``_deck_cadence``), items 2 to 5 and the close
(``_deck_meeting``), the quarterly diagnosis (``_deck_diagnosis``) and the appendix (``_deck_appendix``).
Charts are native PowerPoint charts, so they stay editable.
"""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation
from pptx.enum.text import PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.util import Emu, Inches

from retropack.errors import RenderError
from retropack.present.messages import Translator
from retropack.present.view import PackView
from retropack.render._deck_appendix import (
    add_channel_slides,
    add_definition_slides,
    add_highlight_slides,
    add_open_deals_slide,
    add_quality_slide,
    appendix_contents,
    divider_slide,
)
from retropack.render._deck_blocks import (
    FONT,
    LEFT,
    SLIDE_H,
    SLIDE_W,
    TITLE_ONLY,
    Line,
    notes,
    rect,
    set_title,
    text_box,
)
from retropack.render._deck_cadence import add_followup_slide, add_sends_slide, add_weekly_slide
from retropack.render._deck_diagnosis import add_diagnosis_slides
from retropack.render._deck_kpis import (
    add_funnel_slide,
    add_kpi_table_slide,
    add_summary_slide,
    add_trend_slides,
    add_waterfall_slide,
)
from retropack.render._deck_meeting import (
    add_action_slides,
    add_closing_slide,
    add_plan_slide,
    add_previous_slide,
    add_top_slide,
)

__all__ = ["render_pptx"]


def render_pptx(view: PackView, path: Path) -> None:
    """Write the pack as an editable .pptx at ``path``."""
    face = FONT.set(view.deck_font)
    try:
        _build(view).save(str(path))
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"PowerPoint '{path}': the deck could not be written ({exc}).") from exc
    finally:
        FONT.reset(face)


def _build(view: PackView) -> PresentationType:
    """The main part in the order of the meeting (at most 14 slides for a 60-minute meeting), the quarterly
    review when due, then the appendix behind its divider."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Inches(SLIDE_H)  # PowerPoint's 16:9 widescreen
    _cover_slide(prs, view, view.words)
    add_summary_slide(prs, view)
    add_kpi_table_slide(prs, view)
    add_trend_slides(prs, view)
    add_weekly_slide(prs, view)
    add_sends_slide(prs, view)
    add_top_slide(prs, view, "wins")
    add_top_slide(prs, view, "misses")
    add_followup_slide(prs, view)
    add_previous_slide(prs, view)
    add_action_slides(prs, view)
    add_plan_slide(prs, view)
    add_closing_slide(prs, view)
    if view.quarterly or view.diagnosis.scoring is not None:
        shown = view.diagnosis.titles if view.quarterly else view.diagnosis.titles[-1:]
        divider_slide(prs, view.words("section.quarterly"), shown)
        add_diagnosis_slides(prs, view)
    divider_slide(prs, view.words("section.appendix"), appendix_contents(view))
    add_highlight_slides(prs, view)
    add_waterfall_slide(prs, view)
    add_funnel_slide(prs, view)
    add_channel_slides(prs, view)
    add_open_deals_slide(prs, view)
    add_quality_slide(prs, view)
    add_definition_slides(prs, view)
    _footers(prs, view)
    return prs


def _cover_slide(prs: PresentationType, view: PackView, tr: Translator) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    band = rect(slide, (0, 0, SLIDE_W, 3.1), "accent")
    slide.shapes._spTree.insert(2, band._element)
    set_title(slide, view.title, (0.8, 0.9, 11.7, 1.1), size=36, color="white")
    text_box(slide, (0.8, 2.0, 11.7, 0.6), [Line(tr("pack.subtitle"), size=18, color="on_accent")])
    facts = [(tr("pack.program"), view.program_name), (tr("pack.month"), view.month_label),
             (tr("pack.phase"), view.phase_line)]
    meeting = [(tr("pack.meeting"), view.meeting_day)] if view.meeting_day else []
    text_box(slide, (0.8, 3.6, 6.4, 3.2),
             [Line(tr("deck.pair", label=label, value=value), size=16, gap=8) for label, value in facts + meeting]
             + ([Line(view.meeting_basis, size=11, color="muted")] if view.meeting_basis else []))
    after = [tr("section.quarterly")] if view.quarterly else []
    text_box(slide, (7.6, 3.6, 5.2, 3.4),
             [Line(tr("pack.agenda"), size=16, bold=True, color="accent")]
             + [Line(item, size=13, gap=3) for item in view.agenda]
             + [Line(item, size=11, color="muted", gap=6) for item in after])
    notes(slide, [tr("deck.notes.cover")])


def _footers(prs: PresentationType, view: PackView) -> None:
    """Program and month bottom left, 'n / N' bottom right, on every slide but the cover."""
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, start=1):
        if number == 1:
            continue
        text_box(slide, (LEFT, 7.0, 9.0, 0.35),
                 [Line(f"{view.program_name}  |  {view.month_label}", size=9, color="muted")])
        text_box(slide, (SLIDE_W - LEFT - 2.0, 7.0, 2.0, 0.35), [Line(f"{number} / {total}", size=9, color="muted")],
                 PP_ALIGN.RIGHT)
