"""Agenda items 2 to 5 and the close in the deck: the top three KPIs that went well and badly (every KPI's
card is in the appendix); last month's actions a month on and this month's commitments; the content plan;
and the closing slide of decisions and homework with blank rows to fill in.

Speaker notes carry the talking points: what to say, the caveat, the question for sales, and whatever did
not fit on the slide.
"""

from __future__ import annotations

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide

from retropack.present.cells import Table
from retropack.present.formatting import NO_VALUE
from retropack.present.messages import Translator
from retropack.present.view import HighlightView, PackView
from retropack.render._deck_blocks import (
    BOTTOM,
    LEFT,
    TOP,
    WIDTH,
    Box,
    Line,
    add_table,
    heading,
    new_slide,
    note_line,
    notes,
    page_title,
    pages,
    rect,
    text_box,
)

__all__ = ["add_action_slides", "add_closing_slide", "add_plan_slide", "add_previous_slide", "add_top_slide",
           "card_lines", "talking_points"]

TOP_CARDS = 3  # the main part's cards of agenda items 2 and 3, side by side
CARD_CAUSES = 2  # cause lines on a card; the rest in the speaker notes, as are all caveats and insight notes
ACTIONS_PER_SLIDE = 5
PLAN_ROW_H = 0.28  # one line of 10.5 pt; the plan quarters hold six such rows


def card_lines(h: HighlightView, tr: Translator, watch: str, causes: int = CARD_CAUSES) -> list[Line]:
    """A KPI's card: badge, trend and name, the facts, its main causes, one caveat, the review and the action."""
    lines = [Line(watch, size=9.5, bold=True, color="muted")] if watch else []
    lines += [Line("  ".join(x for x in (f"{h.symbol} {h.status_label}", h.trend, h.name) if x), size=13, bold=True),
              Line(h.facts, size=10.5, gap=2)]
    if h.caution:
        lines.append(Line(h.caution, size=9.5, bold=True, color="strong_near", gap=2))
    if h.causes:
        lines += [Line(tr("highlight.drivers"), size=10, bold=True, color="muted", gap=4)]
        lines += [Line(f"• {d}", size=10) for d in h.causes[:causes]]
    aside = h.caveats[:1] or h.notes[:1]
    lines += [Line(f"※ {a}", size=9.5, color="muted", gap=2) for a in aside]
    if h.review:
        lines.append(Line(h.review, size=9.5, bold=True, color="strong_near", gap=2))
    if h.action:
        lines.append(Line(h.action, size=10, bold=True, color="accent", gap=2))
    return lines


def talking_points(h: HighlightView, tr: Translator, causes: int = CARD_CAUSES) -> list[str]:
    """What to say about one card beyond what it shows: the line to open with, the caveats it left out, what to
    decide, the question for sales, and the causes that did not fit."""
    shown = set(h.causes[:causes]) | set(h.caveats[:1] or h.notes[:1])
    rest = [x for x in (*h.causes, *h.notes) if x not in shown]
    points = [f"■ {h.name}", tr("notes.say", text=" ".join(x for x in (h.summary, h.mostly) if x))]  # mix or rate
    points += [tr("notes.caveat", text=h.caution)] if h.caution else []
    points += [tr("notes.caveat", text=c) for c in h.caveats if c not in shown]
    if h.review:
        points.append(tr("notes.decide", text=tr("notes.review")))
    points.append(tr("notes.ask", text=h.question))
    if rest:
        points.append(tr("notes.more", items=" / ".join(rest)))
    return points


def top_cards(view: PackView, kind: str) -> tuple[tuple[HighlightView, str], ...]:
    """The main part's cards of agenda item 2 or 3: the top of the bucket, or those to watch when it is empty."""
    tr = view.words
    top = view.top_wins if kind == "wins" else view.top_misses
    if top:
        return tuple((h, "") for h in top[:TOP_CARDS])
    watch = view.watch_better if kind == "wins" else view.watch_worse
    title = tr("bucket.watch_better" if kind == "wins" else "bucket.watch_worse")
    return tuple((h, title) for h in watch[:TOP_CARDS])


def add_top_slide(prs: PresentationType, view: PackView, kind: str) -> None:
    """Agenda item 2 (``kind`` wins) or 3 (misses): the top three KPIs side by side; every KPI's card is in
    the appendix."""
    tr = view.words
    slide = new_slide(prs, tr(f"section.{kind}"))
    chosen = top_cards(view, kind)
    if not chosen:
        empty = tr(f"highlight.none_{kind}")
        text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(empty, size=16)])
        notes(slide, [tr(f"deck.notes.{kind}")])
        return
    card_w = (WIDTH - 0.2 * (TOP_CARDS - 1)) / TOP_CARDS
    for i, (h, watch) in enumerate(chosen):
        box = (LEFT + i * (card_w + 0.2), TOP, card_w, BOTTOM - TOP - 0.4)
        rect(slide, box, "band" if watch else h.status, card_lines(h, tr, watch, causes=3), align=PP_ALIGN.LEFT,
             anchor=MSO_ANCHOR.TOP)
    note_line(slide, tr("highlight.in_appendix"))
    talking = [tr(f"deck.notes.{kind}")]
    stories = view.stories_better if kind == "wins" else view.stories_mixed  # a worsening never under wins
    if stories:
        talking += [tr("deck.notes.story"), *stories]
    for h, _ in chosen:
        talking += talking_points(h, tr, causes=3)
    notes(slide, talking)


def add_action_slides(prs: PresentationType, view: PackView) -> None:
    """The commitments: what, who, by when and what should follow, the evidence under each title."""
    tr = view.words
    header = [tr(f"actions.col.{c}") for c in ("number", "action", "owner", "due", "expected")]
    for page, actions in enumerate(pages(view.actions, ACTIONS_PER_SLIDE)):
        slide = new_slide(prs, page_title(tr("section.actions"), page, tr))
        if actions:
            rows = [(str(a.number), (Line(a.title, size=11.5, bold=True),
                                     Line(a.evidence, size=9, color="muted", gap=2)),
                     a.who, a.due_label, a.expected) for a in actions]
            add_table(slide, (LEFT, TOP, WIDTH, 0.36), header, rows, [0.4, 6.4, 2.0, 1.1, 2.8], size=11,
                      centered={0}, body_h=(BOTTOM - TOP - 0.8) / ACTIONS_PER_SLIDE)
            note_line(slide, tr("actions.intro"))
        else:
            text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(tr("actions.none"), size=16)])
        notes(slide, [tr("deck.notes.actions"), tr("deck.notes.actions_ask")])


def add_previous_slide(prs: PresentationType, view: PackView) -> None:
    """Last month's commitments a month on: what was done and how their KPI moved."""
    tr = view.words
    slide = new_slide(prs, view.previous_title)
    table = view.previous
    if table.rows:
        add_table(slide, (LEFT, TOP, WIDTH, 0.36), table.header, table.rows, [5.2, 1.5, 1.9, 2.6, 1.5], size=10.5,
                  body_h=0.6)
    else:
        text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(table.note, size=16)])
    notes(slide, [tr("deck.notes.previous"), tr("deck.notes.previous_ask")])


def add_closing_slide(prs: PresentationType, view: PackView) -> None:
    """Decisions and homework, owners and deadlines, with blank rows the meeting fills in."""
    tr = view.words
    slide = new_slide(prs, tr("section.closing"))
    heading(slide, tr("closing.decisions"), TOP - 0.05)
    decisions = view.decisions
    row_h = 0.3 if len(decisions.rows) <= 6 else 0.27  # every decision the pack asks for: a longer table
    add_table(slide, (LEFT, TOP + 0.3, WIDTH, row_h), decisions.header, decisions.rows, [6.6, 2.4, 1.8, 1.5],
              size=10.5 if row_h == 0.3 else 10, body_h=row_h)  # topics one line wide: none wraps into its neighbour
    top = TOP + 0.3 + row_h * (len(decisions.rows) + 1) + 0.15
    heading(slide, tr("closing.homework"), top)
    homework = view.homework
    add_table(slide, (LEFT, top + 0.35, WIDTH, 0.3), homework.header, homework.rows, [6.8, 1.9, 2.7, 0.9],
              size=10, centered={3}, body_h=min(0.3, (BOTTOM - top - 0.5) / max(len(homework.rows) + 1, 1)))
    notes(slide, [tr("deck.notes.closing"), tr("deck.notes.closing_ask")])


def add_plan_slide(prs: PresentationType, view: PackView) -> None:
    """Cadence and last month's plan on the left (few, numeric columns); scenarios and next month's
    titles on the right, wider, so titles stay on one line."""
    tr = view.words
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
