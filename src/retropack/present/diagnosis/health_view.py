"""The health check worded: an overview row per failure pattern, its findings worst first, the checks
that found nothing, the data that was missing, and this month's actions that address a raised pattern."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.diagnosis.evidence import SEVERITY, Evidence
from retropack.insights.diagnosis.health import PatternCheck
from retropack.present.actions import ActionView
from retropack.present.cells import Table
from retropack.present.diagnosis.words import STYLE, SYMBOLS, Words

__all__ = ["health_view", "HealthView", "Line", "PatternView"]


@dataclass(frozen=True)
class Line:
    """One finding: its colour and symbol, its sentence, and since when."""

    style: str
    symbol: str
    text: str
    since: str


@dataclass(frozen=True)
class PatternView:
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
    actions: tuple[str, ...]  # this month's actions that address it, shown when the pattern is raised


@dataclass(frozen=True)
class HealthView:
    intro: str
    patterns: tuple[PatternView, ...]
    overview: Table


def _line(evidence: Evidence, words: Words) -> Line:
    since = words.tr("health.since", month=words.month(evidence.since)) if evidence.since else ""
    return Line(STYLE[evidence.level], SYMBOLS[evidence.level], words.sentence(evidence), since)


def _linked(check: PatternCheck, actions: list[ActionView], words: Words) -> tuple[str, ...]:
    """This month's actions (with their number in section 4) that the rules file links to the pattern."""
    tr = words.tr
    lines = tuple(tr("health.action_line", number=a.number, title=a.title, owner=a.owner) for a in actions
                  if a.rule_id in check.action_ids)
    return lines or (tr("health.no_actions"),)


def _pattern(check: PatternCheck, actions: list[ActionView], words: Words) -> PatternView:
    tr = words.tr
    raised = sorted(check.raised, key=lambda e: -SEVERITY[e.level])
    findings = tuple(_line(e, words) for e in raised)
    fine = [words.sentence(e) for e in check.evidence if e.level == "ok"]
    missing = list(dict.fromkeys(words.sentence(e) for e in check.evidence if e.level == "no_data"))
    name = tr(f"health.pattern.{check.id}.name")
    return PatternView(
        title=tr("health.pattern_title", number=check.number, name=name),
        symptom=tr("health.symptom", text=tr(f"health.pattern.{check.id}.symptom")),
        status=check.status,
        style=STYLE[check.status],
        symbol=SYMBOLS[check.status],
        status_label=tr(f"health.level.{check.status}"),
        since=words.month(check.since),
        headline=next(iter([f.text for f in findings] + fine + missing), tr("health.no_finding")),
        findings=findings,
        fine=tr("health.checked_ok", items=tr("sentence.sep").join(fine)) if fine else "",
        missing=tr("health.missing", items=tr("sentence.sep").join(missing)) if missing else "",
        actions=_linked(check, actions, words) if check.raised else (),
    )


def health_view(checks: tuple[PatternCheck, ...], actions: list[ActionView], words: Words) -> HealthView:
    """``actions``: this month's, in their order in section 4."""
    tr = words.tr
    patterns = tuple(_pattern(p, actions, words) for p in checks)
    overview = Table(
        tuple(tr(f"health.col.{c}") for c in ("pattern", "status", "since", "finding")),
        tuple((p.title, f"{p.symbol} {p.status_label}", p.since, p.headline) for p in patterns),
    )
    return HealthView(tr("health.intro"), patterns, overview)
