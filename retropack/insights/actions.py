"""Section 4 of the agenda: which improvement-action rules fire this month, in the order to discuss them.

A rule (``retropack.rules``) names a KPI and/or a signal and the conditions under which it fires.
Firing is decided here from numbers only; the wording, in the pack's language, is done in
``retropack.present``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retropack.insights.highlights import MOVE_THRESHOLD, relative_move
from retropack.insights.patterns import Insight
from retropack.insights.why import Why
from retropack.kpis.evaluation import KpiResult
from retropack.rules import ActionRule, Rules

__all__ = ["ProposedAction", "choose_actions", "fires"]


@dataclass(frozen=True)
class ProposedAction:
    """A rule that fired, with the KPI result it fired on (None for a signal-only rule)."""

    rule: ActionRule
    result: KpiResult | None
    priority: tuple[int, ...]


def fires(rule: ActionRule, result: KpiResult | None, signals: dict[str, float], why: Why | None = None,
          insights: Sequence[Insight] = ()) -> bool:
    """Whether ``rule`` fires: its KPI's status is listed or (with ``worsened``) it got 10 % worse,
    its signal reaches ``at_least``, its change was mostly explained by the mix or the rate as asked,
    and an insight of the asked type was found. Status and worsened together fire on either."""
    when = rule.when
    if when.explained_by is not None and (why is None or why.mostly != when.explained_by or not why.causes):
        return False
    if when.insight is not None and not any(i.type == when.insight and (rule.kpi is None or i.kpi_id == rule.kpi)
                                            for i in insights):
        return False
    if result is not None:
        status_ok = not when.status or result.status in when.status
        worsened_ok = not when.worsened or (relative_move(result) or 0) <= -MOVE_THRESHOLD
        if when.status and when.worsened:
            if not (status_ok or worsened_ok):
                return False
        elif not (status_ok and worsened_ok):
            return False
    return when.signal is None or signals.get(when.signal, 0) >= when.at_least


def _priority(result: KpiResult | None, order: int) -> tuple[int, ...]:
    """Focus KPIs first, then misses before near misses before the rest, then the rules file's order."""
    severity = {"missed": 0, "near": 1}.get(result.status, 2) if result else 1
    focus = 0 if result is not None and result.focus else 1
    return focus, severity, order


def choose_actions(rules: Rules, results: list[KpiResult], signals: dict[str, float],
                   whys: dict[str, Why] | None = None, insights: Sequence[Insight] = ()) -> list[ProposedAction]:
    """The rules that fire, focus KPIs and misses first; ``whys`` are the KPIs' told causes."""
    by_id = {r.kpi.id: r for r in results}
    chosen = []
    for order, rule in enumerate(rules.actions):
        result = by_id.get(rule.kpi) if rule.kpi else None
        if rule.kpi and result is None:
            continue
        if fires(rule, result, signals, (whys or {}).get(rule.kpi or ""), insights):
            chosen.append(ProposedAction(rule, result, _priority(result, order)))
    return sorted(chosen, key=lambda a: a.priority)
