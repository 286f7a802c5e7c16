"""The health check worded: an overview row per failure pattern, its findings worst first, the checks
that found nothing, the data that was missing, and the action rules an alert links to."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.diagnosis.evidence import SEVERITY, Evidence
from retropack.insights.diagnosis.health import PatternCheck
from retropack.present.actions import WordedRule
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
    actions: tuple[str, ...]  # the action rules that address it, shown when the pattern is raised


@dataclass(frozen=True)
class HealthView:
    intro: str
    patterns: tuple[PatternView, ...]
    overview: Table


def _line(evidence: Evidence, words: Words) -> Line:
    since = words.tr("health.since", month=words.month(evidence.since)) if evidence.since else ""
    return Line(STYLE[evidence.level], SYMBOLS[evidence.level], words.sentence(evidence), since)


def _linked(check: PatternCheck, rule_actions: dict[str, WordedRule], listed: list[str],
            words: Words) -> tuple[str, ...]:
    """The pattern's rules among this month's actions (with their number in section 4), then the others by id."""
    tr = words.tr
    if not check.action_ids:
        return (tr("health.no_actions"),)
    lines = [tr("health.action_line", number=listed.index(rule_id) + 1, title=rule_actions[rule_id].title,
                owner=rule_actions[rule_id].owner)
             for rule_id in sorted((r for r in check.action_ids if r in listed), key=listed.index)]
    others = [rule_id for rule_id in check.action_ids if rule_id not in listed]
    return (*lines, tr("health.action_rules", rules=words.join(others))) if others else tuple(lines)


def _pattern(check: PatternCheck, rule_actions: dict[str, WordedRule], listed: list[str], words: Words) -> PatternView:
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
        actions=_linked(check, rule_actions, listed, words) if check.raised else (),
    )


def health_view(checks: tuple[PatternCheck, ...], rule_actions: dict[str, WordedRule], listed: list[str],
                words: Words) -> HealthView:
    """``listed``: rule ids of this month's actions, in their order in section 4."""
    tr = words.tr
    patterns = tuple(_pattern(p, rule_actions, listed, words) for p in checks)
    overview = Table(
        tuple(tr(f"health.col.{c}") for c in ("pattern", "status", "since", "finding")),
        tuple((p.title, f"{p.symbol} {p.status_label}", p.since, p.headline) for p in patterns),
    )
    return HealthView(tr("health.intro"), patterns, overview)
