"""The diagnosis worded and formatted for the PDF, the deck and ``diagnosis.json``: every sentence from
the message catalogue, every number formatted. Templates and slides only place these values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from retropack.actions import Action
from retropack.config import Settings
from retropack.diagnosis import Diagnosis
from retropack.diagnosis.capacity import Capacity
from retropack.diagnosis.evidence import SEVERITY, Evidence, KpiRef, Quantity, Term, Value
from retropack.diagnosis.health import PatternCheck
from retropack.diagnosis.roadmap import LAUNCH_STEPS, Milestone, Roadmap
from retropack.diagnosis.scoring import ScoringReview
from retropack.formatting import NO_VALUE, format_value
from retropack.kpis.catalog import KPIS
from retropack.messages import Translator
from retropack.months import Month
from retropack.phases import PHASES
from retropack.view import Table, month_label

SYMBOLS = {"ok": "○", "watch": "△", "alert": "×", "no_data": "？"}
STYLE = {"ok": "achieved", "watch": "near", "alert": "missed", "no_data": "no_data"}  # the pack's status colours
HIGH_ROWS_SHOWN = 6


@dataclass(frozen=True)
class Line:
    """One finding: its level (for colour and symbol) and its sentence."""

    level: str
    style: str
    symbol: str
    text: str
    since: str


@dataclass(frozen=True)
class PatternView:
    id: str
    number: int
    title: str
    symptom: str
    status: str
    style: str
    symbol: str
    status_label: str
    since: str
    headline: str
    findings: tuple[Line, ...]  # watch and alert, worst first
    fine: str  # the checks that found nothing, in one sentence ("" when none)
    missing: str  # the checks the data could not run, in one sentence
    actions: tuple[str, ...]  # the action rules that address it, shown when the pattern is raised


@dataclass(frozen=True)
class HealthView:
    intro: str
    patterns: tuple[PatternView, ...]
    overview: Table


@dataclass(frozen=True)
class RoadmapView:
    position: str
    step: str
    milestones: Table
    due_now: str
    next_month: str


@dataclass(frozen=True)
class CapacityView:
    present: bool
    note: str  # without a team block: what would enable the section
    table: Table
    structure: str
    actual: str
    gaps: tuple[str, ...]  # where the team differs from the recommended structure
    meets: str  # said instead when there is no gap


@dataclass(frozen=True)
class ScoreChart:
    """The distribution chart as data, for matplotlib (PDF) and a native chart (deck)."""

    title: str
    categories: tuple[str, ...]
    sql_label: str
    other_label: str
    sql_shares: tuple[float, ...]
    other_shares: tuple[float, ...]
    markers: tuple[tuple[str, float], ...]  # label, score: the thresholds drawn as lines
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


@dataclass(frozen=True)
class DiagnosisView:
    health: HealthView
    roadmap: RoadmapView
    capacity: CapacityView
    scoring: ScoringView | None  # None: not a review month and not asked for


@dataclass(frozen=True)
class PdfSection:
    """One PDF page of the diagnosis: the template that lays it out and the view it reads."""

    template: str
    data: object


class Words:
    """Formats the typed values of findings in one locale and currency."""

    def __init__(self, tr: Translator, currency: str) -> None:
        self.tr, self.currency = tr, currency

    def month(self, month: Month | None) -> str:
        return NO_VALUE if month is None else month_label(str(month), self.tr.locale)

    def number(self, quantity: Quantity) -> str:
        value, unit = quantity.value, quantity.unit
        if value is None:
            return NO_VALUE
        if unit == "months":
            return self.tr("unit.month" if value == 1 else "unit.months", value=f"{value:.0f}")
        if unit in ("hours", "people", "score"):
            return self.tr(f"unit.{unit}", value=f"{value:,.1f}".removesuffix(".0"))
        return format_value(value, unit, self.tr.locale, self.currency)

    def value(self, value: Value) -> str:
        if isinstance(value, Quantity):
            return self.number(value)
        if isinstance(value, Month):
            return self.month(value)
        if isinstance(value, KpiRef):
            return self.tr.kpi_name(value.kpi_id)
        if isinstance(value, Term):
            return self.tr(value.key)
        if isinstance(value, tuple):
            return self.tr("list.sep").join(self.value(v) for v in value) or NO_VALUE
        return str(value)

    def sentence(self, evidence: Evidence) -> str:
        return self.tr(f"health.evidence.{evidence.code}", **{k: self.value(v) for k, v in evidence.values.items()})

    def join(self, items: Sequence[str]) -> str:
        return self.tr("list.sep").join(items)


def _line(evidence: Evidence, words: Words) -> Line:
    since = words.tr("health.since", month=words.month(evidence.since)) if evidence.since else ""
    return Line(evidence.level, STYLE[evidence.level], SYMBOLS[evidence.level], words.sentence(evidence), since)


def _linked(check: PatternCheck, rule_actions: dict[str, Action], listed: list[str], words: Words) -> tuple[str, ...]:
    """The pattern's rules among this month's actions (with their number in section 4), then the others by id."""
    tr = words.tr
    if not check.action_ids:
        return (tr("health.no_actions"),)
    lines = [tr("health.action_line", number=listed.index(rule_id) + 1, title=rule_actions[rule_id].title,
                owner=tr(f"owner.{rule_actions[rule_id].owner}"))
             for rule_id in sorted((r for r in check.action_ids if r in listed), key=listed.index)]
    others = [rule_id for rule_id in check.action_ids if rule_id not in listed]
    return (*lines, tr("health.action_rules", rules=words.join(others))) if others else tuple(lines)


def _pattern(check: PatternCheck, rule_actions: dict[str, Action], listed: list[str], words: Words) -> PatternView:
    tr = words.tr
    raised = sorted(check.raised, key=lambda e: -SEVERITY[e.level])
    findings = tuple(_line(e, words) for e in raised)
    fine = [words.sentence(e) for e in check.evidence if e.level == "ok"]
    missing = [words.sentence(e) for e in check.evidence if e.level == "no_data"]
    name = tr(f"health.pattern.{check.id}.name")
    return PatternView(
        id=check.id,
        number=check.number,
        title=tr("health.pattern_title", number=check.number, name=name),
        symptom=tr("health.symptom", text=tr(f"health.pattern.{check.id}.symptom")),
        status=check.status,
        style=STYLE[check.status],
        symbol=SYMBOLS[check.status],
        status_label=tr(f"health.level.{check.status}"),
        since=words.month(check.since),
        headline=findings[0].text if findings else (fine[0] if fine else tr("health.no_finding")),
        findings=findings,
        fine=tr("health.checked_ok", items=words.join(fine)) if fine else "",
        missing=tr("health.missing", items=words.join(missing)) if missing else "",
        actions=_linked(check, rule_actions, listed, words) if check.raised else (),
    )


def _health(diagnosis: Diagnosis, rule_actions: dict[str, Action], listed: list[str], words: Words) -> HealthView:
    tr = words.tr
    patterns = tuple(_pattern(p, rule_actions, listed, words) for p in diagnosis.health)
    overview = Table(
        tuple(tr(f"health.col.{c}") for c in ("pattern", "status", "since", "finding")),
        tuple((p.title, f"{p.symbol} {p.status_label}", p.since, p.headline) for p in patterns),
    )
    return HealthView(tr("health.intro"), patterns, overview)


def _window(first: int, last: int | None, tr: Translator) -> str:
    if last is None:
        return tr("roadmap.window_open", first=first)
    return tr("roadmap.window", first=first) if first == last else tr("roadmap.window_range", first=first, last=last)


def _state(milestone: Milestone, tr: Translator) -> str:
    if milestone.missing:
        return tr("roadmap.state.no_data", missing=tr("list.sep").join(milestone.missing))
    return tr(f"roadmap.state.{milestone.state}")


def _next_month(roadmap: Roadmap, month: Month, words: Words) -> str:
    tr = words.tr

    def with_target(kpi_id: str) -> str:
        target = roadmap.next_targets.get(kpi_id)
        if target is None:
            return tr.kpi_name(kpi_id)
        return tr("roadmap.kpi_target", kpi=tr.kpi_name(kpi_id),
                  target=format_value(target, KPIS[kpi_id].unit, tr.locale, words.currency))

    phase = tr(f"phase.{roadmap.phase_id}")
    if roadmap.next_phase:
        return tr("roadmap.next_change", month=words.month(month.shift(1)), phase=tr(f"phase.{roadmap.next_phase}"),
                  kpis=words.join([with_target(k) for k in roadmap.next_focus]))
    if roadmap.months_to_next_phase is None:
        return tr("roadmap.last_phase", phase=phase, kpis=words.join([with_target(k) for k in roadmap.next_focus]))
    following = next(p for p in PHASES if p.first_month == roadmap.month_index + roadmap.months_to_next_phase)
    return tr("roadmap.next_same", phase=phase, next=tr(f"phase.{following.id}"),
              months=words.number(Quantity(roadmap.months_to_next_phase, "months")))


def _roadmap(roadmap: Roadmap, month: Month, words: Words) -> RoadmapView:
    tr = words.tr
    phase = next(p for p in PHASES if p.id == roadmap.phase_id)
    first, last = LAUNCH_STEPS[roadmap.launch_step - 1]
    rows = tuple((_window(*m.window, tr), tr(f"roadmap.milestone.{m.id}"), tr(f"roadmap.check.{m.id}"), _state(m, tr),
                  words.month(m.reached)) for m in roadmap.milestones)
    due = next((m for m in roadmap.milestones if m.id == roadmap.due_now), None)
    return RoadmapView(
        position=tr("roadmap.position", index=roadmap.month_index, phase=tr(f"phase.{roadmap.phase_id}"),
                    focus=words.join([tr.kpi_name(k) for k in phase.focus])),
        step=tr("roadmap.step", step=roadmap.launch_step, months=_window(first, last, tr),
                doing=tr(f"roadmap.step.{roadmap.launch_step}.doing"), goal=tr(f"roadmap.step.{roadmap.launch_step}.goal")),
        milestones=Table(tuple(tr(f"roadmap.col.{c}") for c in ("when", "milestone", "check", "state", "reached")), rows),
        due_now=tr("roadmap.due_now", milestone=tr(f"roadmap.milestone.{due.id}"), state=_state(due, tr))
        if due else tr("roadmap.none_due"),
        next_month=_next_month(roadmap, month, words),
    )


def _capacity(capacity: Capacity | None, words: Words) -> CapacityView:
    tr = words.tr
    if capacity is None:
        return CapacityView(False, tr("capacity.no_team"), Table((), ()), "", "", (), "")

    def hours(value: float) -> str:
        return words.number(Quantity(value, "hours"))

    def span(low: float, high: float) -> str:
        return tr("capacity.range", low=f"{low:g}", high=f"{high:g}")

    rows = [(tr(f"role.{r.role}"), f"{r.people:g}", tr("capacity.dedicated" if r.dedicated else "capacity.part_time")
             if r.people else NO_VALUE, hours(r.weekly_hours), span(*r.recommended),
             hours(r.shortfall) if r.shortfall else NO_VALUE) for r in capacity.roles]
    rows.append((tr("capacity.total"), f"{capacity.dedicated_people + capacity.part_time_people:g}", "",
                 hours(capacity.total_hours), span(*capacity.recommended_total),
                 hours(capacity.shortfall_hours) if capacity.shortfall_hours else NO_VALUE))
    size = capacity.company_size
    return CapacityView(
        present=True,
        note="",
        table=Table(tuple(tr(f"capacity.col.{c}") for c in ("role", "people", "kind", "hours", "recommended",
                                                            "shortfall")), tuple(rows)),
        structure=tr("capacity.structure", size=tr(f"capacity.size.{size}"),
                     recommended=tr(f"capacity.recommended.{size}"), point=tr(f"capacity.point.{size}")),
        actual=tr("capacity.actual", dedicated=words.number(Quantity(capacity.dedicated_people, "people")),
                  part_time=words.number(Quantity(capacity.part_time_people, "people")),
                  external=tr("capacity.external.yes" if capacity.external_support else "capacity.external.no")),
        gaps=tuple(words.sentence(g) for g in capacity.structure_gaps),
        meets="" if capacity.structure_gaps else tr("capacity.meets"),
    )


def _chart(review: ScoringReview, words: Words) -> ScoreChart:
    tr = words.tr
    sql_total = sum(b.sql for b in review.bins) or 1
    other_total = sum(b.other for b in review.bins) or 1
    markers = [(tr("scoring.chart.observed"), review.observed_threshold)]
    if review.suggestion is not None:
        markers.append((tr("scoring.chart.suggested"), review.suggestion.score))
    return ScoreChart(
        title=tr("scoring.chart"),
        categories=tuple(f"{b.low:g}–{b.high:g}" for b in review.bins),
        sql_label=tr("scoring.chart.sql"),
        other_label=tr("scoring.chart.other"),
        sql_shares=tuple(b.sql / sql_total for b in review.bins),
        other_shares=tuple(b.other / other_total for b in review.bins),
        markers=tuple((label, float(score)) for label, score in markers if score is not None),
        axis=tr("scoring.chart.axis"),
        low=review.bins[0].low,
        width=review.bins[0].high - review.bins[0].low,
    )


def _date(value: object) -> str:
    return NO_VALUE if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _cell(value: object) -> str:
    return NO_VALUE if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def _high_leads(review: ScoringReview, words: Words) -> tuple[str, Table]:
    tr = words.tr
    if review.high_without_opportunity is None:
        return tr("scoring.needs", columns=words.join(review.opportunity_missing)), Table((), ())
    stuck = review.high_without_opportunity
    share = len(stuck) / review.high_leads if review.high_leads else None
    text = tr("scoring.high", top=f"{(1 - review.high_quantile) * 100:g}%",
              score=words.number(Quantity(review.high_score, "score")), days=review.min_age_days,
              total=f"{review.high_leads:,}", count=f"{len(stuck):,}", share=format_value(share, "rate", tr.locale),
              shown=min(len(stuck), HIGH_ROWS_SHOWN))
    rows = tuple((str(r.lead_id), _cell(r.company), _cell(r.owner), f"{r.score:g}", _date(r.created_at),
                  _date(r.last_activity_at)) for r in stuck.head(HIGH_ROWS_SHOWN).itertuples())
    header = tuple(tr(f"scoring.high.col.{c}") for c in ("lead", "company", "owner", "score", "created",
                                                        "last_activity"))
    return text, Table(header, rows)


def _decay(review: ScoringReview, words: Words) -> str:
    tr = words.tr
    if review.inactivity is None:
        return tr("scoring.needs", columns=words.join(review.inactivity_missing))
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
    if found is None:
        return "", tr("scoring.no_suggestion"), ""

    def rate(value: float | None) -> str:
        return format_value(value, "rate", tr.locale)

    per_month = Quantity(found.supply_target, "count")
    method = tr(f"scoring.method.{found.method}", all_rate=rate(found.all_sql_rate), rate_target=rate(found.rate_target),
                supply=words.number(per_month))
    impact = tr("scoring.impact", per_month=f"{found.mqls_per_month:,.0f}", rate=rate(found.sql_rate),
                kept=rate(found.sql_kept))
    return tr("scoring.suggested", score=words.number(Quantity(found.score, "score"))), method, impact


def _scoring(review: ScoringReview, index: int, every: int, month: Month, words: Words) -> ScoringView:
    tr = words.tr
    reason = tr(f"scoring.reason.{review.reason}", index=index, every=every)
    first, last = words.month(review.first_month), words.month(month)
    empty = ScoringView(reason, "", (), "", "", "", None, "", "", Table((), ()), "", "", "")
    if review.missing:
        return replace(empty, needs=tr("scoring.needs", columns=words.join(review.missing)))
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


def build_diagnosis_view(diagnosis: Diagnosis, actions: list[Action], rule_actions: dict[str, Action],
                         settings: Settings, month: Month, tr: Translator) -> DiagnosisView:
    """``actions`` are this month's (section 4, in their order); ``rule_actions`` every rule worded."""
    words = Words(tr, settings.program.currency)
    listed = [a.rule_id for a in actions]
    roadmap = diagnosis.roadmap
    return DiagnosisView(
        health=_health(diagnosis, rule_actions, listed, words),
        roadmap=_roadmap(roadmap, month, words),
        capacity=_capacity(diagnosis.capacity, words),
        scoring=_scoring(diagnosis.scoring, roadmap.month_index, settings.advice.scoring_review_every_months, month,
                         words) if diagnosis.scoring else None,
    )


def pdf_sections(view: DiagnosisView) -> list[PdfSection]:
    """The diagnosis pages of the PDF, in the order the meeting reads them."""
    sections = [PdfSection("sections/health.html.j2", view.health),
                PdfSection("sections/roadmap.html.j2", view)]
    if view.scoring is not None:
        sections.append(PdfSection("sections/scoring.html.j2", view.scoring))
    return sections
