"""The scoring review worded: who was reviewed, whether the score separates SQLs, the suggested MQL
threshold with how it was chosen, the high scorers without an opportunity, and the decay rule."""

from __future__ import annotations

from dataclasses import dataclass, replace

from retropack.insights.diagnosis.evidence import Quantity
from retropack.insights.diagnosis.scoring import ScoringReview
from retropack.months import Month
from retropack.present.cells import Table, date_cell, text_cell
from retropack.present.diagnosis.words import Words
from retropack.present.formatting import format_value

__all__ = ["HIGH_ROWS_SHOWN", "Marker", "ScoreChart", "scoring_view", "ScoringView"]

HIGH_ROWS_SHOWN = 6


@dataclass(frozen=True)
class Marker:
    """A threshold drawn as a line on the score axis, with its legend text."""

    score: float
    legend: str


@dataclass(frozen=True)
class ScoreChart:
    """The distribution chart as data, for matplotlib (PDF) and a native chart (deck)."""

    title: str
    categories: tuple[str, ...]
    sql_label: str
    other_label: str
    sql_shares: tuple[float, ...]
    other_shares: tuple[float, ...]
    markers: tuple[Marker, ...]  # the thresholds drawn as lines
    marker_summary: str  # the thresholds in one line, for the slide
    axis: str
    low: float
    width: float


@dataclass(frozen=True)
class ScoringView:
    reason: str
    needs: str  # what data would enable the review ("" when it ran)
    facts: tuple[str, ...]
    suggestion: str
    method: str
    impact: str
    chart: ScoreChart | None
    high_title: str
    high_text: str
    high: Table
    decay_title: str
    decay: str
    note: str


def _chart(review: ScoringReview, words: Words) -> ScoreChart:
    tr = words.tr
    sql_total = sum(b.sql for b in review.bins) or 1
    other_total = sum(b.other for b in review.bins) or 1
    markers = [(tr("scoring.chart.observed"), review.observed_threshold)]
    if review.suggestion is not None:
        markers.append((tr("scoring.chart.suggested"), review.suggestion.score))
    shown = [(label, score) for label, score in markers if score is not None]
    return ScoreChart(
        title=tr("scoring.chart"),
        categories=tuple(f"{b.low:g}–{b.high:g}" for b in review.bins),
        sql_label=tr("scoring.chart.sql"),
        other_label=tr("scoring.chart.other"),
        sql_shares=tuple(b.sql / sql_total for b in review.bins),
        other_shares=tuple(b.other / other_total for b in review.bins),
        markers=tuple(Marker(float(score), f"{label} ({score:g})") for label, score in shown),
        marker_summary=" / ".join(f"{label}: {score:g}" for label, score in shown),
        axis=tr("scoring.chart.axis"),
        low=review.bins[0].low,
        width=review.bins[0].high - review.bins[0].low,
    )


def _high_leads(review: ScoringReview, words: Words) -> tuple[str, Table]:
    tr = words.tr
    if review.high_without_opportunity is None:
        return tr("scoring.needs", columns=words.data(review.opportunity_missing)), Table((), ())
    stuck = review.high_without_opportunity
    share = len(stuck) / review.high_leads if review.high_leads else None
    values = {"top": f"{(1 - review.high_quantile) * 100:g}%", "total": f"{review.high_leads:,}",
              "score": words.number(Quantity(review.high_score, "score")), "days": review.min_age_days}
    if stuck.empty:
        return tr("scoring.high_none", **values), Table((), ())
    text = tr("scoring.high", **values, count=f"{len(stuck):,}", share=format_value(share, "rate", tr.locale),
              shown=min(len(stuck), HIGH_ROWS_SHOWN))
    rows = tuple((str(r.lead_id), text_cell(r.company), text_cell(r.owner), f"{r.score:g}", date_cell(r.created_at),
                  date_cell(r.last_activity_at)) for r in stuck.head(HIGH_ROWS_SHOWN).itertuples())
    header = tuple(tr(f"scoring.high.col.{c}") for c in ("lead", "company", "owner", "score", "created",
                                                        "last_activity"))
    return text, Table(header, rows)


def _decay(review: ScoringReview, words: Words) -> str:
    tr = words.tr
    if review.inactivity is None:
        return tr("scoring.needs", columns=words.data(review.inactivity_missing))
    quiet = review.inactivity
    verdict = {True: "scoring.decay.yes", False: "scoring.decay.no", None: "scoring.decay.unknown"}[quiet.decaying]
    text = tr("scoring.decay", days=quiet.days, leads=f"{quiet.leads:,}",
              mean=words.number(Quantity(quiet.mean_score, "score")),
              active=words.number(Quantity(quiet.active_mean_score, "score")), still_high=f"{quiet.still_high:,}",
              high=words.number(Quantity(review.high_score, "score")))
    return tr("sentences", first=text, second=tr(verdict))


def _suggestion(review: ScoringReview, words: Words) -> tuple[str, str, str]:
    tr = words.tr
    found = review.suggestion
    if review.separates is False:  # moving the threshold of a score that does not separate changes nothing
        return tr("scoring.rebuild.title"), tr("scoring.rebuild"), ""
    if found is None:
        return "", tr("scoring.no_suggestion"), ""

    def rate(value: float | None) -> str:
        return format_value(value, "rate", tr.locale)

    method = tr(f"scoring.method.{found.method}", all_rate=rate(found.all_sql_rate),
                rate_target=rate(found.rate_target), supply=words.number(Quantity(found.supply_target, "count")))
    impact = tr("scoring.impact", per_month=f"{found.mqls_per_month:,.0f}", rate=rate(found.sql_rate),
                kept=rate(found.sql_kept))
    return tr("scoring.suggested", score=words.number(Quantity(found.score, "score"))), method, impact


def scoring_view(review: ScoringReview, index: int, every: int, month: Month, words: Words) -> ScoringView:
    tr = words.tr
    reason = tr(f"scoring.reason.{review.reason}", index=index, every=every)
    first, last = words.month(review.first_month), words.month(month)
    empty = ScoringView(reason, "", (), "", "", "", None, "", "", Table((), ()), "", "", "")
    if review.missing:
        return replace(empty, needs=tr("scoring.needs", columns=words.data(review.missing)))
    if not review.mqls:
        return replace(empty, needs=tr("scoring.no_mqls", first=first, last=last))
    separates = {True: "scoring.separates.yes", False: "scoring.separates.no"}.get(review.separates)
    facts = (
        tr("scoring.population", first=first, last=last, wait=review.sql_wait_days, mqls=f"{review.mqls:,}",
           sql=f"{review.sql_mqls:,}", rate=format_value(review.sql_mqls / review.mqls, "rate", tr.locale)),
        tr("sentences", first=tr("scoring.medians", sql=words.number(Quantity(review.sql_median, "score")),
                                 other=words.number(Quantity(review.other_median, "score"))),
           second=tr(separates) if separates else ""),
        tr("scoring.observed", score=words.number(Quantity(review.observed_threshold, "score")),
           per_month=f"{review.mqls_per_month:,.0f}"),
    )
    suggestion, method, impact = _suggestion(review, words)
    high_text, high = _high_leads(review, words)
    return ScoringView(reason, "", facts, suggestion, method, impact, _chart(review, words),
                       tr("scoring.high_title"), high_text, high, tr("scoring.decay_title"), _decay(review, words),
                       tr("scoring.note"))
