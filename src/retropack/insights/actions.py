"""Section 4 of the agenda: the improvement actions the meeting commits to, and last month's coming back.

A rule (``retropack.rules``) names a KPI and/or a signal and the conditions under which it fires. Of the
rules that fire, the meeting gets ``MIN_ACTIONS``–``MAX_ACTIONS`` commitments: focus KPIs first, then misses
before near misses before signals before KPIs that are already improving; one action per KPI; at most
``PER_OWNER`` per team so that marketing and sales both leave with work. A rule on a KPI that met its target
does not fire: a met target is watched, not acted on. Standing rules fill up to the minimum in a quiet month.

Each commitment has a due date in the month after the report (the rule's ``due_business_day``-th business
day after the meeting, ``retropack.insights.meeting``), unless last month's ``action_log`` note names the
client's own date or forum, which stands; and an assignee: a member of the rule's ``role`` in the config's
``team`` with room for it (a person already short of hours takes one action at most, others two; none left: the
meeting names one).

Each is aimed at its KPI's driver (``retropack.insights.aim``): the largest significant adverse part of the
change, with the KPI had that part stayed at last month's as its expected effect (none for a rule that works on
the reported month's own records, a closed month). A rule that names a subject of its own (the worn-out piece)
fires only when that subject is the driver. A KPI a data finding touches (``unreliable``) gets one action only:
fix the data. An action proposed ``ESCALATE_AT`` months running without ``done`` is escalated: owner joint, and a
decision for the meeting. Firing is decided here from numbers only; the wording is done in ``retropack.present``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from retropack.config import Team
from retropack.insights.aim import Driver, KpiEffect, driver_of, kpi_effect
from retropack.insights.highlights import MOVE_THRESHOLD, relative_move
from retropack.insights.meeting import due_date
from retropack.insights.patterns import Insight
from retropack.insights.subjects import Subjects
from retropack.insights.why import Why
from retropack.kpis.evaluation import KpiResult
from retropack.months import Month
from retropack.rules import ActionRule, Rules

__all__ = ["ESCALATE_AT", "MAX_ACTIONS", "MIN_ACTIONS", "PER_OWNER", "PER_PERSON", "ActionContext", "Commitment",
           "History", "PastAction", "choose_actions", "fires", "look_back"]

MIN_ACTIONS = 3
MAX_ACTIONS = 5
PER_OWNER = 2
PER_PERSON = 2  # actions one person takes; one only for a person already short of hours (``History.short``)
STANDING = 5  # the severity of a standing rule: after everything that fired on the month's numbers
DATA_FIX = -1  # the severity of fixing an unreliable KPI's data: before everything read from it
ESCALATE_AT = 3  # months running an action is proposed without being done before the meeting must decide on it
CLIENT_DUE = re.compile(r"\d{1,2}\s*月|\d{1,2}/\d{1,2}|\d{4}-\d{2}|会議|まで|meeting|\bby\b|\buntil\b", re.IGNORECASE)


@dataclass(frozen=True)
class Commitment:
    """A rule that fired and made the cut, with the KPI result it fired on (None for a signal-only rule)."""

    rule: ActionRule
    result: KpiResult | None
    due: date
    assignee: str | None
    driver: Driver | None = None  # the part of the KPI's change it works on
    effect: KpiEffect | None = None  # the KPI it can bring; None where no figure is honest (a closed month)
    repeat: int = 1  # months running it has been proposed, this one included
    escalated: bool = False  # proposed ``ESCALATE_AT`` months running and not done: owner joint, a decision
    due_note: str | None = None  # the client's own due date or forum from last month's action_log note: it stands

    @property
    def kpi_id(self) -> str:
        """The KPI recorded in actions.json: a data fix's is the unreliable KPI it fires on."""
        return self.result.kpi.id if self.rule.when.unreliable and self.result is not None else self.rule.target_kpi

    @property
    def owner(self) -> str:
        return "joint" if self.escalated else self.rule.owner


@dataclass(frozen=True)
class History:
    """What a month's choice reads beyond its numbers: the ids proposed in the months before (nearest first),
    the action_log table, the people already short of hours."""

    proposed: tuple[frozenset[str], ...] = ()
    log: pd.DataFrame | None = None
    short: frozenset[str] = field(default_factory=frozenset)


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


def _assignee(rule: ActionRule, team: Team | None, load: dict[str, int], short: frozenset[str]) -> str | None:
    """The first member of the rule's role with room: one action for a person short of hours, else two."""
    if team is None or rule.role is None or rule.role not in team.roles:
        return None
    for member in team.roles[rule.role].members:
        if load.get(member, 0) < (1 if member in short else PER_PERSON):
            load[member] = load.get(member, 0) + 1
            return member
    return None


def _kpi_of(rule: ActionRule, result: KpiResult | None) -> str:
    return result.kpi.id if rule.when.unreliable and result is not None else rule.target_kpi


def _pick(fired: list[tuple[ActionRule, KpiResult | None, bool]]) -> list[tuple[ActionRule, KpiResult | None]]:
    """In priority order: one per KPI, two per team, at most ``MAX_ACTIONS``; standing rules only up to
    ``MIN_ACTIONS``, beyond a team's two only when no other team's standing rule is left."""
    chosen: list[tuple[ActionRule, KpiResult | None]] = []
    for capped in (True, False):
        for rule, result, standing in fired:
            room = len(chosen) < (MIN_ACTIONS if standing else MAX_ACTIONS)
            taken = _kpi_of(rule, result) in {_kpi_of(r, res) for r, res in chosen}
            full = capped and [r.owner for r, _ in chosen].count(rule.owner) >= PER_OWNER
            if room and not taken and not full and (capped or standing):
                chosen.append((rule, result))
    return chosen


def _logged(log: pd.DataFrame | None, month: Month) -> pd.DataFrame:
    if log is None or log.empty:
        return pd.DataFrame(columns=["month", "action_id", "status", "note"])
    return log[log["month"].astype(str) == str(month)]


def _repeat(rule_id: str, history: History, month: Month) -> tuple[int, bool]:
    """Months running ``rule_id`` has been proposed (this one included: recomputed months, then the action_log's
    record), and whether it was marked done in any of them."""
    months, done = 1, False
    while True:
        before = month.shift(-months)
        logged = _logged(history.log, before)
        rows = logged[logged["action_id"].astype(str) == rule_id]
        recomputed = months <= len(history.proposed) and rule_id in history.proposed[months - 1]
        if not recomputed and rows.empty:
            return months, done
        done = done or bool((rows["status"].astype(str) == "done").any())
        months += 1


def _client_due(rule_id: str, history: History, month: Month) -> str | None:
    """Last month's action_log note for the action when it names the client's own date or forum and the action
    is still under way."""
    logged = _logged(history.log, month.shift(-1))
    rows = logged[(logged["action_id"].astype(str) == rule_id) & (logged["status"].astype(str) == "in_progress")]
    notes = [str(n) for n in rows["note"] if not pd.isna(n) and CLIENT_DUE.search(str(n))]
    return notes[-1] if notes else None


def _subject_drives(rule: ActionRule, subjects: Subjects | None, driver: Driver | None) -> bool:
    """A rule naming the worn-out piece aims at the driver only when that piece is the driver."""
    if not rule.when.subject_is_driver:
        return True
    stale = subjects.stale if subjects is not None else None
    return stale is not None and driver is not None and driver.group == stale.title


def choose_actions(rules: Rules, results: Sequence[KpiResult], signals: Mapping[str, float], month: Month,
                   team: Team | None, whys: Mapping[str, Why] | None = None, insights: Sequence[Insight] = (), *,
                   unreliable: frozenset[str] = frozenset(), subjects: Subjects | None = None,
                   history: History | None = None, meeting: date | None = None) -> list[Commitment]:
    """The actions the meeting commits to, in the order to discuss them. ``unreliable``: KPI ids a data finding
    touches, whose only action is to fix the data; ``meeting``: the day the due dates count from."""
    history = history or History()
    by_id = {r.kpi.id: r for r in results}
    drivers = {r.kpi.id: driver_of(r) for r in results}
    fired: list[tuple[tuple[int, int, int], ActionRule, KpiResult | None]] = []
    for order, rule in enumerate(rules.actions):
        if rule.when.unreliable:
            fired += [((0 if r.focus else 1, DATA_FIX, order), rule, r) for r in results if r.kpi.id in unreliable]
            continue
        result = by_id.get(rule.kpi) if rule.kpi else None
        if (rule.kpi and result is None) or rule.target_kpi in unreliable:
            continue
        if not _subject_drives(rule, subjects, drivers.get(rule.target_kpi)):
            continue
        if _unknowable(by_id.get(rule.target_kpi)):  # an action cannot move what the data cannot measure
            continue
        if fires(rule, result, signals, (whys or {}).get(rule.kpi or ""), insights):
            fired.append((_priority(rule, result, order), rule, result))
    fired.sort(key=lambda item: item[0])
    chosen = _pick([(rule, result, priority[1] == STANDING) for priority, rule, result in fired])
    due_month = month.shift(1)
    load: dict[str, int] = {}
    commitments = []
    for rule, result in chosen:
        aimed = None if rule.when.unreliable or result is None else drivers.get(result.kpi.id)
        effect = kpi_effect(result, aimed) if rule.moves_kpi and result is not None else None
        repeat, done = _repeat(rule.id, history, month)
        commitments.append(Commitment(rule, result, due_date(meeting, due_month, rule.due_business_day),
                                      _assignee(rule, team, load, history.short), aimed, effect, repeat,
                                      repeat >= ESCALATE_AT and not done, _client_due(rule.id, history, month)))
    return commitments


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
