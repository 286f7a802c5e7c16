"""Sections 2 and 3 worded: a card per KPI of the win, watch and miss buckets.

A card's badge is the KPI's status (◎ 達成) and its trend chip the direction since last month (↓ 悪化): two
facts side by side, so a card never reads 「◎ 前月から悪化」. Then one line of facts, the causes of the change
beyond noise, small samples named as such, the month's insights, a proposal to review an unreachable target,
and the committed action that serves the KPI. The question for sales goes to the speaker notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from retropack.insights.highlights import Highlight
from retropack.insights.targets import TargetReview
from retropack.present.actions import ActionView
from retropack.present.formatting import format_change, format_value
from retropack.present.messages import Translator, catalogue
from retropack.present.rows import SYMBOLS, trend_label
from retropack.present.why import caveat_line, driver_lines, mostly_line

__all__ = ["CAVEATS", "HighlightView", "highlight_view", "review_line"]

CAVEATS = 2  # small-sample parts named on a card, largest first: more would read as a list of causes


@dataclass(frozen=True)
class HighlightView:
    kpi_id: str
    name: str
    definition: str  # the KPI's formula, so a term is defined where it is discussed
    bucket: str  # win | watch | miss | info: the KPI's verdict
    status: str
    symbol: str
    status_label: str
    trend: str  # "↓ 悪化"; "" without last month's value
    direction: str  # better | worse | steady | ""
    facts: str  # actual / target / last month (change)
    summary: str  # one sentence, for the summary page, the mail and the speaker notes
    causes: tuple[str, ...]  # every part of its change as the waterfall draws it (both ways, then "others"): they sum
    caveats: tuple[str, ...]  # large moves on small samples, named as such
    mostly: str  # rates: whether who we sent to or how they responded moved it ("" otherwise)
    notes: tuple[str, ...]  # its insights: concentration, an unusual change, a trend, the pace to target
    review: str  # the proposal to review its target ("" when none)
    action: str  # the committed action that serves it ("" when none)
    question: str  # to ask sales in the meeting
    caution: str = ""  # why the value is not judged as it stands (few events, a data finding); "" otherwise
    headline: bool = True  # may lead the summary: judged on enough events and trustworthy data


def _summary_key(h: Highlight) -> str:
    """The sentence that says the verdict: a win, a miss, or why the KPI is watched."""
    verdict, status = h.verdict, h.result.status
    if not verdict.reliable:
        return "unreliable"
    if h.bucket == "watch":
        if status == "near":
            return "watch_better" if h.direction == "better" else "near"
        return "watch_worse" if "worsening" in verdict.reasons else "off_pace"
    if h.bucket == "info":
        if "below_commitment" in verdict.reasons:
            return "below_commitment"
        return {"better": "improved", "worse": "worsened"}.get(h.direction or "", "info")
    return "achieved" if h.bucket == "win" else "missed"


def _summary_words(h: Highlight, key: str) -> str:
    """A count that moved says it rose or fell (増加/減少); 改善/悪化 judge a rate's or an amount's direction."""
    result, words = h.result, f"highlight.summary.{key}"
    if result.kpi.unit != "count" or not result.change or f"{words}.rose" not in catalogue():
        return words
    return f"{words}.{'rose' if result.change > 0 else 'fell'}"


def _totals(h: Highlight) -> tuple[float, float]:
    """A rate's denominators this month and last, for a group's share of them."""
    explanation = h.result.explanation
    if explanation is None or not explanation.by:
        return (0.0, 0.0)
    parts = explanation.by[0].parts
    return (sum(p.now.denominator or 0 for p in parts), sum(p.before.denominator or 0 for p in parts))


def review_line(review: TargetReview, unit: str, tr: Translator, currency: str) -> str:
    loc = tr.locale
    return tr("highlight.review", months=review.months_missed, target=format_value(review.target, unit, loc, currency),
              median=format_value(review.median, unit, loc, currency),
              share=format_value(review.share_of_target, "rate", loc))


def highlight_view(h: Highlight, tr: Translator, currency: str, notes: Mapping[str, tuple[str, ...]],
                   reviews: Mapping[str, TargetReview], actions: Sequence[ActionView],
                   caution: str = "") -> HighlightView:
    result, loc = h.result, tr.locale
    kpi, unit = result.kpi, result.kpi.unit
    values = {"name": kpi.name(loc), "actual": format_value(result.actual, unit, loc, currency),
              "target": format_value(result.target, unit, loc, currency),
              "previous": format_value(result.previous, unit, loc, currency)}
    change = format_change(result.change, unit, loc, currency)
    net = h.why.net
    causes = driver_lines(net, kpi, tr, currency, _totals(h)) if net is not None else ()
    told = set(net.parts) if net is not None else set()
    if not h.why.causes and result.change:
        causes = (*causes, tr("why.none"))
    serving = next((a for a in actions if a.kpi_id == kpi.id), None)
    review = reviews.get(kpi.id)
    return HighlightView(
        kpi_id=kpi.id,
        name=values["name"],
        definition=tr("highlight.definition", formula=kpi.formula(loc)),
        bucket=h.bucket,
        status=result.status,
        symbol=SYMBOLS[result.status],
        status_label=tr(f"status.{result.status}"),
        trend=trend_label(h.direction, tr),
        direction=h.direction or "",
        facts=tr("highlight.facts", change=change, **values),
        summary=tr(_summary_words(h, _summary_key(h)), change=change, **values),
        causes=causes,
        caveats=tuple(caveat_line(c, kpi, tr, currency) for c in h.why.small if c not in told)[:CAVEATS],
        mostly=mostly_line(h.why, kpi, tr) if h.why.causes else "",
        notes=notes.get(kpi.id, ()),
        review=review_line(review, unit, tr, currency) if review else "",
        action=tr("highlight.action", number=serving.number, title=serving.title) if serving else "",
        question=tr(f"question.{kpi.id}"),
        caution=caution,
        headline=h.verdict.headline,
    )
