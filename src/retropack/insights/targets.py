"""Targets the meeting decides on (contract §10's decision table):

- out of reach: a KPI that has missed today's target in every month of a long run, and whose recent trend never
  reaches it, gets a proposal to review the target (目標値の見直し) rather than one more action;
- too easy: a target met by ``RAISE_FACTOR``× or more in each of the last ``RAISE_MONTHS`` months is proposed for
  raising — a target beaten four times over every month steers nothing;
- missing: the next phase's focus KPIs without a target are asked for, before the phase starts.

A target is a tool for the meeting (seed: 目標設定の考え方); one missed by far for a year only says the
number was not grounded in the program's own history.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from retropack.insights.patterns import Insight
from retropack.kpis.evaluation import KpiResult, judge
from retropack.kpis.phases import PHASES, Phase

__all__ = ["MIN_MONTHS_MISSED", "RAISE_FACTOR", "RAISE_MONTHS", "TargetRaise", "TargetReview", "focus_without_target",
           "targets_to_raise", "targets_to_review"]

MIN_MONTHS_MISSED = 6
LOOKBACK = 12
RAISE_FACTOR = 2.0
RAISE_MONTHS = 3


@dataclass(frozen=True)
class TargetRaise:
    kpi_id: str
    target: float
    lowest: float  # the weakest of the months that beat it, as a multiple of the target (2.4 = 2.4×)


@dataclass(frozen=True)
class TargetReview:
    kpi_id: str
    target: float
    months_missed: int  # consecutive months up to M below today's target (beyond tolerance)
    median: float  # the KPI's median over those months
    best: float  # its best month among them

    @property
    def share_of_target(self) -> float:
        return self.median / self.target if self.target else 0.0


def targets_to_review(results: Sequence[KpiResult], insights: Sequence[Insight],
                      tolerance: float) -> list[TargetReview]:
    """KPIs missed for ``MIN_MONTHS_MISSED`` months or more in a row against today's target, with a pace of never."""
    never = {i.kpi_id for i in insights if i.type == "pace" and i.evidence.get("months") is None}
    reviews = []
    for result in results:
        if result.status != "missed" or result.target is None or result.kpi.id not in never:
            continue
        run: list[float] = []
        for _, value in reversed(result.history[-LOOKBACK:]):
            if value is None or judge(value, result.target, result.kpi.better, tolerance) != "missed":
                break
            run.append(value)
        if len(run) >= MIN_MONTHS_MISSED:
            best = max(run) if result.kpi.better == "higher" else min(run)
            reviews.append(TargetReview(result.kpi.id, result.target, len(run), statistics.median(run), best))
    return reviews


def _beaten(value: float, target: float, better: str) -> float:
    """How many times over ``value`` beats ``target`` (higher: value ÷ target; lower: target ÷ value)."""
    if better == "higher":
        return value / target if target > 0 else 0.0
    return target / value if value > 0 else 0.0


def targets_to_raise(results: Sequence[KpiResult]) -> list[TargetRaise]:
    """KPIs that beat today's target ``RAISE_FACTOR``× or more in each of the last ``RAISE_MONTHS`` months."""
    raises = []
    for result in results:
        if result.target is None or result.target <= 0:
            continue
        recent = [value for _, value in result.history[-RAISE_MONTHS:]]
        if len(recent) < RAISE_MONTHS or any(value is None for value in recent):
            continue
        multiples = [_beaten(value, result.target, result.kpi.better) for value in recent if value is not None]
        if min(multiples) >= RAISE_FACTOR:
            raises.append(TargetRaise(result.kpi.id, result.target, min(multiples)))
    return raises


def focus_without_target(phase: Phase, targets_of: Callable[[str], Mapping[str, float]]) -> tuple[str, tuple[str, ...]]:
    """The next phase (the current one when it is the last) and its focus KPIs that have no target there."""
    following = PHASES[min(PHASES.index(phase.definition) + 1, len(PHASES) - 1)]
    targets = targets_of(following.id)
    return following.id, tuple(kpi for kpi in following.focus if kpi not in targets)
