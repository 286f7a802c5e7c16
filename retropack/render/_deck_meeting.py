"""Agenda items 2 to 5 and the close in the deck: a card per KPI that went well, is to watch or went badly;
the MQLs past the follow-up deadline; the committed actions and last month's a month on; the content plan;
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

__all__ = ["add_action_slides", "add_closing_slide", "add_highlight_slides", "add_plan_slide", "add_sla_slide"]

CARDS_PER_SLIDE = 4  # 2 × 2
CARD_CAUSES = 2  # cause lines on a card; the rest in the speaker notes, as are all caveats and insight notes
ACTIONS_PER_SLIDE = 5
PLAN_ROW_H = 0.28  # one line of 10.5 pt; the plan quarters hold six such rows


def _card_lines(h: HighlightView, tr: Translator, watch: str) -> list[Line]:
    lines = [Line(watch, size=9.5, bold=True, color="muted")] if watch else []
    lines += [Line("  ".join(x for x in (f"{h.symbol} {h.status_label}", h.trend, h.name) if x), size=13, bold=True),
              Line(h.facts, size=10.5, gap=2)]
    if h.caution:
        lines.append(Line(h.caution, size=9.5, bold=True, color="strong_near", gap=2))
    if h.causes:
        lines += [Line(tr("highlight.drivers"), size=10, bold=True, color="muted", gap=4)]
        lines += [Line(f"• {d}", size=10) for d in h.causes[:CARD_CAUSES]]
    aside = h.caveats[:1] or h.notes[:1]
    lines += [Line(f"※ {a}", size=9.5, color="muted", gap=2) for a in aside]
    if h.review:
        lines.append(Line(h.review, size=9.5, bold=True, color="strong_near", gap=2))
    if h.action:
        lines.append(Line(h.action, size=10, bold=True, color="accent", gap=2))
    return lines


def _talking_points(h: HighlightView, tr: Translator) -> list[str]:
    """What to say about one card, its caveat, the question for sales, and what the card left out."""
    say = " ".join(x for x in (h.summary, h.causes[0] if h.causes else "", h.mostly) if x)
    shown = set(h.causes[:CARD_CAUSES]) | set(h.caveats[:1] or h.notes[:1])
    rest = [x for x in (*h.causes, *h.caveats, *h.notes) if x not in shown]
    points = [f"■ {h.name}", tr("notes.say", text=say)]
    points += [tr("notes.caveat", text=h.caution)] if h.caution else []
    points += [tr("notes.caveat", text=c) for c in h.caveats]
    if h.review:
        points.append(tr("notes.decide", text=h.review))
    points.append(tr("notes.ask", text=h.question))
    if rest:
        points.append(tr("notes.more", items=" / ".join(rest)))
    return points


def add_highlight_slides(prs: PresentationType, view: PackView, kind: str) -> None:
    """Agenda item 2 (``kind`` wins: met or improved, then those improving short of target) or 3 (misses, then
    those on target but getting worse): every KPI on a card, four to a slide; none is left to the notes."""
    tr = view.words
    items = [(h, "") for h in (view.wins if kind == "wins" else view.misses)]
    watch_title = tr("bucket.watch_better" if kind == "wins" else "bucket.watch_worse")
    items += [(h, watch_title) for h in (view.watch_better if kind == "wins" else view.watch_worse)]
    items += [] if kind == "wins" else [(h, tr("bucket.info")) for h in view.info]
    card_w, card_h = (WIDTH - 0.3) / 2, (BOTTOM - TOP - 0.2) / 2
    for page, chunk in enumerate(pages(items, CARDS_PER_SLIDE)):
        slide = new_slide(prs, page_title(tr(f"section.{kind}"), page, tr))
        if not chunk:
            empty = tr(f"highlight.none_{kind}")
            text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(empty, size=16)])
            notes(slide, [empty])
            continue
        talking = [tr(f"deck.notes.{kind}")]
        stories = view.stories_better if kind == "wins" else view.stories_mixed  # a worsening never under wins
        if page == 0 and stories:
            talking += [tr("deck.notes.story"), *stories]
        for i, (h, watch) in enumerate(chunk):
            box = (LEFT + (i % 2) * (card_w + 0.3), TOP + (i // 2) * (card_h + 0.2), card_w, card_h)
            style = "band" if watch else h.status
            rect(slide, box, style, _card_lines(h, tr, watch), align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP)
            talking += _talking_points(h, tr)
        notes(slide, talking)


def add_sla_slide(prs: PresentationType, view: PackView) -> None:
    tr = view.words
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


def add_action_slides(prs: PresentationType, view: PackView) -> None:
    """The commitments: what, who, by when and what should follow, the evidence under each title; then last
    month's commitments a month on."""
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
        notes(slide, [tr("deck.notes.actions"), *(line for a in actions for line in (
            f"{a.number}. {a.title}", f"{a.who} · {a.due_label}", a.evidence, a.expected))])
    slide = new_slide(prs, view.previous_title)
    table = view.previous
    if table.rows:
        add_table(slide, (LEFT, TOP, WIDTH, 0.36), table.header, table.rows, [5.2, 1.5, 1.9, 2.6, 1.5], size=10.5,
                  body_h=0.6)
    else:
        text_box(slide, (LEFT, TOP, WIDTH, 1.0), [Line(table.note, size=16)])
    notes(slide, [tr("deck.notes.previous"), *(" / ".join(row) for row in table.rows)])


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
    notes(slide, [tr("deck.notes.closing"), homework.note, *(row[0] for row in decisions.rows if row[0]),
                  *(" / ".join(c for c in row[:3] if c) for row in homework.rows if row[0])])


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
