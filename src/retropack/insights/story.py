"""One cause behind several KPIs: the month's story line, found in the explanations, never written by hand.

A group (a lead source, a spend channel, a campaign, a segment) is *behind* a KPI's change when it carries
at least ``GROUP_SHARE`` of it, the way the KPI moved: directly (new leads by source), or through a factor
that carries at least ``FACTOR_SHARE`` of a ratio's change (CPL through spend, spend through the events
channel). A group behind two KPIs or more is a story. Groups of different dimensions are the same group when
their display labels match (``labels:`` in the config) or their codes do up to case and plural
(``events`` spend and ``event`` leads): one exhibition moves spend, leads, CPL and CAC at once.

A spend channel that went to or from zero and spent in at most a third of the last 12 months is occasional: the
month-on-month comparison then mostly measures its presence, which the pack says. Spent once in that year, it is a
one-off; spent before (an exhibition every four months), it recurs and is compared with its own previous occurrence.
A KPI judged on few events, on data with a finding, or that moved within chance (its verdict) is no part of a story:
noise is no cause. A move carried by the spend ledger alone is exact accounting, not a sample, and stays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from retropack.config import label_of
from retropack.insights.verdict import Verdict
from retropack.insights.why import PEOPLE, tell
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Breakdown, Part
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["FACTOR_SHARE", "GROUP_SHARE", "Movement", "OneOff", "Story", "find_stories", "group_key"]

GROUP_SHARE = 0.4
FACTOR_SHARE = 0.25
LEDGER = frozenset({"channel"})  # spend rows are the whole ledger, not a sample: few rows are no noise
ONE_OFF_MONTHS = 12
STORIES_KEPT = 3


@dataclass(frozen=True)
class Movement:
    """How the group itself moved in one measure: spend of a channel, leads of a source, a campaign's rate."""

    dimension: str
    group: str | None  # None: the rows with no value in the dimension (newsletters outside scenarios)
    measure: str  # a KPI id (its numerator, or its rate for a rate KPI) or a factor name
    before: float
    now: float


@dataclass(frozen=True)
class OneOff:
    dimension: str
    group: str
    months_active: int  # months of the last 12 with spend in the channel
    month: Month  # the month of the spend that came or went
    amount: float = 0.0  # the spend of that month
    previous: Month | None = None  # the occurrence before it: the spend recurs (None: a one-off)
    previous_amount: float | None = None

    @property
    def recurring(self) -> bool:
        return self.previous is not None


@dataclass(frozen=True)
class Story:
    key: str
    movements: tuple[Movement, ...]
    better: tuple[str, ...]  # KPI ids it moved the right way
    worse: tuple[str, ...]
    one_off: OneOff | None

    @property
    def kpis(self) -> tuple[str, ...]:
        return (*self.better, *self.worse)


def group_key(dimension: str, group: str | None, labels: Mapping[str, Mapping[str, str]]) -> str:
    """What makes groups of different dimensions the same: the display label, or the code up to case and plural."""
    if group is None:
        return f"\0unset:{dimension}"  # rows without a value join only rows without a value of the same dimension
    label = label_of(labels, dimension, group)
    if label:
        return label.casefold()
    code = re.sub(r"[\s_\-]+", "", group.casefold())
    return code[:-1] if len(code) > 3 and code.endswith("s") else code


def _carries(part: Part, total: float, ledger: bool) -> bool:
    if not total or part.effect * total <= 0 or abs(part.effect) < GROUP_SHARE * abs(total):
        return False
    if part.mix is not None:  # a rate: its group moved beyond noise, or its share moved on enough rows
        return part.significant or not part.small
    return ledger or not part.small


def _moves(breakdowns: tuple[Breakdown, ...], total: float, measure: str, rate: bool) -> list[Movement]:
    found = []
    for breakdown in breakdowns:
        if breakdown.dimension in PEOPLE:
            continue
        for part in breakdown.parts:
            if _carries(part, total, breakdown.dimension in LEDGER):
                before, now = (part.before.rate, part.now.rate) if rate else (part.before.numerator,
                                                                               part.now.numerator)
                if before is not None and now is not None:
                    found.append(Movement(breakdown.dimension, part.group, measure, before, now))
    return found


def _behind(result: KpiResult) -> list[Movement]:
    """The groups that carry this KPI's change, directly or through a factor."""
    explanation = result.explanation
    if explanation is None or not explanation.change:
        return []
    change = explanation.change
    if explanation.factors is None:  # the breakdown the card and the waterfall tell (``tell(...).net``), only
        net = tell(result).net
        told = tuple(b for b in explanation.by if net is not None and b.dimension == net.dimension)
        return _moves(told, change, result.kpi.id, result.kpi.unit == "rate")
    found = []
    for factor in explanation.factors:
        if factor.effect * change > 0 and abs(factor.effect) >= FACTOR_SHARE * abs(change):
            found += _moves(factor.by, factor.now - factor.before, factor.name, False)
    return found


def _one_off(movements: list[Movement], inputs: KpiInputs, month: Month) -> OneOff | None:
    spend = inputs.spend
    for move in movements:
        if move.dimension != "channel" or spend is None or (move.before and move.now) or move.group is None:
            continue
        channel = spend[spend["channel"] == move.group]
        rows = channel[channel["month_m"].between(month.index - ONE_OFF_MONTHS + 1, month.index)]
        active = int(rows.loc[rows["amount"] > 0, "month_m"].nunique())
        if active <= ONE_OFF_MONTHS // 3:
            spent = month if move.now else month.shift(-1)
            by_month = channel[channel["amount"] > 0].groupby("month_m")["amount"].sum()
            earlier = by_month[(by_month.index < spent.index) & (by_month.index > spent.index - ONE_OFF_MONTHS)]
            previous = Month(int(earlier.index.max()) // 12, int(earlier.index.max()) % 12 + 1) if not earlier.empty \
                else None
            return OneOff("channel", move.group, active, spent, float(by_month.get(spent.index, 0.0)), previous,
                          float(earlier.iloc[-1]) if previous is not None else None)
    return None


def find_stories(results: list[KpiResult], inputs: KpiInputs, month: Month,
                 labels: Mapping[str, Mapping[str, str]], verdicts: Mapping[str, Verdict] | None = None) -> list[Story]:
    """The groups behind two KPIs or more, those behind the most (and the most focus) KPIs first; a KPI whose
    verdict rests on few events or on data with a finding takes no part."""
    by_key: dict[str, dict[str, list[Movement]]] = {}
    for result in results:
        verdict = (verdicts or {}).get(result.kpi.id)
        if verdict is not None and (verdict.few_events or not verdict.reliable):
            continue
        behind = _behind(result)
        if verdict is not None and verdict.direction not in ("better", "worse") and \
                not all(move.dimension in LEDGER for move in behind):
            continue  # moved within chance, and not by the ledger's exact accounting (spend): no part of a story
        for move in behind:
            by_key.setdefault(group_key(move.dimension, move.group, labels), {}).setdefault(result.kpi.id,
                                                                                           []).append(move)
    focus = {r.kpi.id for r in results if r.focus}
    results_by_id = {r.kpi.id: r for r in results}
    stories = []
    for key, kpis in by_key.items():
        if len(kpis) < 2:
            continue
        movements = list(dict.fromkeys(m for moves in kpis.values() for m in moves))
        improved = {k: _improved(results_by_id[k], (verdicts or {}).get(k)) for k in kpis}
        better = tuple(k for k in kpis if improved[k])
        worse = tuple(k for k in kpis if not improved[k])
        stories.append(Story(key, tuple(movements), better, worse, _one_off(movements, inputs, month)))
    stories.sort(key=lambda s: (-len(s.kpis), -len(focus.intersection(s.kpis)), s.key))
    return stories[:STORIES_KEPT]


def _improved(result: KpiResult, verdict: Verdict | None) -> bool:
    """The way the verdict says it moved; the sign of the change where the verdict saw no move (the ledger's)."""
    if verdict is not None and verdict.direction in ("better", "worse"):
        return verdict.direction == "better"
    change = result.change or 0.0
    return change > 0 if result.kpi.better == "higher" else change < 0
