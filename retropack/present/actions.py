"""Section 4 worded: each fired rule's title and reason in the view's language, with the month's numbers.

A rule's wording lives in the rules file (``text.ja`` / ``text.en``) and may quote ``{name}``,
``{actual}``, ``{target}``, ``{previous}``, ``{change}`` and ``{driver}`` of its KPI and the signals;
this module fills them in, formatted as the rest of the pack formats them.
"""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.actions import ProposedAction
from retropack.insights.highlights import Highlight
from retropack.kpis.evaluation import KpiResult
from retropack.present.formatting import format_change, format_value
from retropack.present.messages import Translator
from retropack.present.why import main_cause
from retropack.rules import ActionRule, Rules

__all__ = ["ActionView", "WordedRule", "action_views", "worded_rules"]


@dataclass(frozen=True)
class ActionView:
    rule_id: str
    title: str
    kpi: str
    owner: str
    why: str
    seed: str


@dataclass(frozen=True)
class WordedRule:
    """Any rule worded for this month, fired or not: what the health check's alerts link to."""

    title: str
    owner: str


class _Blank(dict):  # leaves unknown {fields} visible instead of failing on a typo in the rules file
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _driver_text(highlight: Highlight | None, tr: Translator, currency: str) -> str:
    if highlight is None:
        return tr("driver.none")
    return main_cause(highlight.why, highlight.result.kpi, tr, currency)


def _signal_text(name: str, value: float) -> str:
    if name == "reject_share":
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _fields(results: list[KpiResult], misses: list[Highlight], signals: dict[str, float], tr: Translator,
            currency: str) -> dict[str, dict[str, str]]:
    """Per KPI id (and ``"_signals"``), the formatted values a rule's wording may quote."""
    by_kpi = {h.result.kpi.id: h for h in misses}
    fields: dict[str, dict[str, str]] = {}
    for r in results:
        unit, locale = r.kpi.unit, tr.locale
        fields[r.kpi.id] = {
            "name": r.kpi.name(locale),
            "actual": format_value(r.actual, unit, locale, currency),
            "target": format_value(r.target, unit, locale, currency),
            "previous": format_value(r.previous, unit, locale, currency),
            "change": format_change(r.change, unit, locale, currency),
            "driver": _driver_text(by_kpi.get(r.kpi.id), tr, currency),
        }
    fields["_signals"] = {name: _signal_text(name, value) for name, value in signals.items()}
    return fields


def _word(rule: ActionRule, fields: dict[str, dict[str, str]], locale: str) -> tuple[str, str]:
    values = _Blank({**fields.get("_signals", {}), **(fields.get(rule.kpi, {}) if rule.kpi else {})})
    wording = rule.text[locale]  # type: ignore[index]
    return wording.title.format_map(values), wording.why.format_map(values)


def action_views(actions: list[ProposedAction], results: list[KpiResult], misses: list[Highlight],
                 signals: dict[str, float], tr: Translator, currency: str) -> list[ActionView]:
    fields = _fields(results, misses, signals, tr, currency)
    views = []
    for action in actions:
        title, why = _word(action.rule, fields, tr.locale)
        views.append(ActionView(action.rule.id, title, tr.kpi_name(action.rule.kpi), tr(f"owner.{action.rule.owner}"),
                                why, action.rule.seed.get(tr.locale, "")))  # type: ignore[call-overload]
    return views


def worded_rules(rules: Rules, results: list[KpiResult], misses: list[Highlight], signals: dict[str, float],
                 tr: Translator, currency: str) -> dict[str, WordedRule]:
    """Every rule by id, worded for this month."""
    fields = _fields(results, misses, signals, tr, currency)
    return {rule.id: WordedRule(_word(rule, fields, tr.locale)[0], tr(f"owner.{rule.owner}")) for rule in rules.actions}
