"""Targets out of reach: a KPI that has missed today's target in every month of a long run, and whose recent
trend never reaches it, gets a proposal to review the target (目標値の見直し) rather than one more action.

A target is a tool for the meeting (seed: 目標設定の考え方); one missed by far for a year only says the
number was not grounded in the program's own history.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from retropack.insights.patterns import Insight
from retropack.kpis.evaluation import KpiResult, judge

__all__ = ["MIN_MONTHS_MISSED", "TargetReview", "targets_to_review"]

MIN_MONTHS_MISSED = 6
LOOKBACK = 12


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
