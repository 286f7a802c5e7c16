"""Section 4 of the agenda: the improvement actions the meeting commits to, and last month's coming back.

A rule (``retropack.rules``) names a KPI and/or a signal and the conditions under which it fires. Of the
rules that fire, the meeting gets ``MIN_ACTIONS``–``MAX_ACTIONS`` commitments: focus KPIs first, then misses
before near misses before signals before KPIs that are already improving; one action per KPI; at most
``PER_OWNER`` per team so that marketing and sales both leave with work. A rule on a KPI that met its target
does not fire: a met target is watched, not acted on. Standing rules fill up to the minimum in a quiet month.

Each commitment has a due date in the month after the report (the rule's ``due_business_day``-th business
day) and an assignee: the first member of the rule's ``role`` in the config's ``team``, when one is named.
Firing is decided here from numbers only; the wording is done in ``retropack.present``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from retropack.config import Team
from retropack.insights.highlights import MOVE_THRESHOLD, relative_move
from retropack.insights.patterns import Insight
from retropack.insights.subjects import Subjects
from retropack.insights.why import Why
from retropack.kpis.evaluation import KpiResult
from retropack.months import Month
from retropack.rules import ActionRule, Rules

__all__ = ["MAX_ACTIONS", "MIN_ACTIONS", "PER_OWNER", "ActionContext", "Commitment", "PastAction", "choose_actions",
           "fires", "look_back"]

MIN_ACTIONS = 3
MAX_ACTIONS = 5
PER_OWNER = 2
STANDING = 5  # the severity of a standing rule: after everything that fired on the month's numbers


@dataclass(frozen=True)
class Commitment:
    """A rule that fired and made the cut, with the KPI result it fired on (None for a signal-only rule)."""

    rule: ActionRule
    result: KpiResult | None
    due: date
    assignee: str | None

    @property
    def kpi_id(self) -> str:
        return self.rule.target_kpi


@dataclass(frozen=True)
class ActionContext:
    """What a month's commitments are worded from: its KPIs and their causes, its signals and subjects."""

    month: Month
    commitments: list[Commitment]
    results: list[KpiResult]
    whys: dict[str, Why]
    signals: dict[str, float]
    subjects: Subjects


@dataclass(frozen=True)
class PastAction:
    """Last month's commitment, a month on: how its KPI moved since, and what the team recorded."""

    commitment: Commitment
    result: KpiResult | None  # its KPI this month
    status: str | None  # done | in_progress | dropped, from the action_log table; None: not recorded
    note: str | None


def _unknowable(result: KpiResult | None) -> bool:
    """A KPI without a value in any month of its history: the export lacks a column it reads (contract §1)."""
    return result is not None and result.actual is None and all(value is None for _, value in result.history)


def fires(rule: ActionRule, result: KpiResult | None, signals: Mapping[str, float], why: Why | None = None,
          insights: Sequence[Insight] = ()) -> bool:
    """Whether ``rule`` fires: its KPI's status is listed or (with ``worsened``) it got 10 % worse — never when
    the KPI met its target —, its signal reaches ``at_least``, its change was mostly explained by the mix or
    the rate as asked, and an insight of the asked type was found. Status and worsened together fire on either."""
    when = rule.when
    if rule.standing:
        return True
    if when.explained_by is not None and (why is None or why.mostly != when.explained_by or not why.causes):
        return False
    if when.insight is not None and not any(i.type == when.insight and (rule.kpi is None or i.kpi_id == rule.kpi)
                                            for i in insights):
        return False
    if result is not None:
        if result.status == "achieved":
            return False
        status_ok = not when.status or result.status in when.status
        worsened_ok = not when.worsened or (relative_move(result) or 0) <= -MOVE_THRESHOLD
        if when.status and when.worsened:
            if not (status_ok or worsened_ok):
                return False
        elif not (status_ok and worsened_ok):
            return False
    return when.signal is None or signals.get(when.signal, 0) >= when.at_least


def _priority(rule: ActionRule, result: KpiResult | None, order: int) -> tuple[int, int, int]:
    """Focus KPIs first; then misses, near misses, signals, KPIs already improving, standing rules; then file order."""
    if rule.standing:
        return 1, STANDING, order
    if result is None:
        return 1, 2, order
    improving = (relative_move(result) or 0) >= MOVE_THRESHOLD
    severity = 3 if improving else {"missed": 0, "near": 1}.get(result.status, 2)
    return (0 if result.focus else 1), severity, order


def _assignee(rule: ActionRule, team: Team | None) -> str | None:
    if team is None or rule.role is None or rule.role not in team.roles:
        return None
    members = team.roles[rule.role].members
    return members[0] if members else None


def _pick(fired: list[tuple[ActionRule, KpiResult | None, bool]]) -> list[tuple[ActionRule, KpiResult | None]]:
    """In priority order: one per KPI, two per team, at most ``MAX_ACTIONS``; standing rules only up to
    ``MIN_ACTIONS``, beyond a team's two only when no other team's standing rule is left."""
    chosen: list[tuple[ActionRule, KpiResult | None]] = []
    for capped in (True, False):
        for rule, result, standing in fired:
            room = len(chosen) < (MIN_ACTIONS if standing else MAX_ACTIONS)
            taken = rule.target_kpi in {r.target_kpi for r, _ in chosen}
            full = capped and [r.owner for r, _ in chosen].count(rule.owner) >= PER_OWNER
            if room and not taken and not full and (capped or standing):
                chosen.append((rule, result))
    return chosen


def choose_actions(rules: Rules, results: Sequence[KpiResult], signals: Mapping[str, float], month: Month,
                   team: Team | None, whys: Mapping[str, Why] | None = None,
                   insights: Sequence[Insight] = ()) -> list[Commitment]:
    """The actions the meeting commits to, in the order to discuss them."""
    by_id = {r.kpi.id: r for r in results}
    fired = []
    for order, rule in enumerate(rules.actions):
        result = by_id.get(rule.kpi) if rule.kpi else None
        if rule.kpi and result is None:
            continue
        if _unknowable(by_id.get(rule.target_kpi)):  # an action cannot move what the data cannot measure
            continue
        if fires(rule, result, signals, (whys or {}).get(rule.kpi or ""), insights):
            fired.append((_priority(rule, result, order), rule, result))
    fired.sort(key=lambda item: item[0])
    chosen = _pick([(rule, result, priority[1] == STANDING) for priority, rule, result in fired])
    due_month = month.shift(1)
    return [Commitment(rule, result, due_month.business_day(rule.due_business_day), _assignee(rule, team))
            for rule, result in chosen]


def look_back(previous: Sequence[Commitment], results: Sequence[KpiResult], log: pd.DataFrame | None,
              month: Month) -> list[PastAction]:
    """Last month's commitments with their KPI now and their status from ``log`` (the action_log table):
    the last row for that month and action id wins."""
    by_id = {r.kpi.id: r for r in results}
    recorded: dict[str, tuple[str, str | None]] = {}
    if log is not None and not log.empty:
        rows = log[log["month"].astype(str) == str(month.shift(-1))]
        for row in rows.itertuples():
            recorded[str(row.action_id)] = (str(row.status), None if pd.isna(row.note) else str(row.note))
    past = []
    for commitment in previous:
        status, note = recorded.get(commitment.rule.id, (None, None))
        past.append(PastAction(commitment, by_id.get(commitment.kpi_id), status, note))
    return past
