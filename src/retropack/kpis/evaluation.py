"""Judge every KPI against the targets of the program's current phase (contract §3)."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

import numpy as np

from retropack.kpis.catalog import CATALOG, KpiDefinition
from retropack.kpis.explain import Explanation, explain
from retropack.kpis.inputs import KpiInputs
from retropack.kpis.phases import Phase
from retropack.months import Month

__all__ = ["HISTORY_MONTHS", "STATUSES", "evaluate", "judge", "kpi_history", "kpi_value", "KpiResult", "Status"]

Status = Literal["achieved", "near", "missed", "no_target", "no_data"]
STATUSES: tuple[Status, ...] = ("achieved", "near", "missed", "no_target", "no_data")
HISTORY_MONTHS = 14  # a year of monthly changes before this month's, for the insights


@dataclass(frozen=True)
class KpiResult:
    kpi: KpiDefinition
    actual: float | None
    previous: float | None
    target: float | None
    status: Status
    focus: bool
    history: tuple[tuple[Month, float | None], ...]  # the 14 months ending with M, oldest first
    explanation: Explanation | None = None  # why it moved since M−1; None without a change

    @property
    def change(self) -> float | None:
        if self.actual is None or self.previous is None:
            return None
        return self.actual - self.previous

    @property
    def gap(self) -> float | None:
        """Signed distance to target as a share of it, positive = better than target."""
        if self.actual is None or not self.target:
            return None
        gap = (self.actual - self.target) / abs(self.target)
        return gap if self.kpi.better == "higher" else -gap


def judge(actual: float | None, target: float | None, better: str, tolerance: float) -> Status:
    if target is None:
        return "no_target"
    if actual is None:
        return "no_data"
    if better == "higher":
        if actual >= target:
            return "achieved"
        return "near" if actual >= target * (1 - tolerance) else "missed"
    if actual <= target:
        return "achieved"
    return "near" if actual <= target * (1 + tolerance) else "missed"


def kpi_history(
    inputs: KpiInputs, month: Month, start: Month, months: int = HISTORY_MONTHS
) -> dict[str, list[tuple[Month, float | None]]]:
    """Every KPI for each of the ``months`` months ending with ``month``; none before the program's start."""
    window = [month.shift(offset) for offset in range(-months + 1, 1)]
    return {kpi.id: [(m, kpi_value(kpi, inputs, m) if m >= start else None) for m in window] for kpi in CATALOG}


def kpi_value(kpi: KpiDefinition, inputs: KpiInputs, month: Month) -> float | None:
    """The KPI's value; one that is not a finite number (sums of huge values overflow) is no value, and noted in
    ``inputs.non_finite`` for the pack's data-quality section."""
    key = (kpi.id, month.index)
    if key not in inputs.values:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is expected here: it is what is checked
            value = kpi.compute(inputs, month)
        if value is not None and not math.isfinite(value):
            inputs.non_finite.setdefault(kpi.id, set()).add(month)
            value = None
        inputs.values[key] = value
    return inputs.values[key]


def evaluate(
    inputs: KpiInputs, month: Month, phase: Phase, targets: dict[str, float], tolerance: float, start: Month,
    explained: Collection[str] | None = None,
) -> list[KpiResult]:
    """Every KPI of ``month`` judged against ``targets``; the change of those in ``explained`` (all by default)
    split into its parts."""
    history = kpi_history(inputs, month, start)
    results = []
    for kpi in CATALOG:
        series = history[kpi.id]
        actual, previous = series[-1][1], series[-2][1]
        target = targets.get(kpi.id)
        results.append(
            KpiResult(
                kpi=kpi,
                actual=actual,
                previous=previous,
                target=target,
                status=judge(actual, target, kpi.better, tolerance),
                focus=kpi.id in phase.focus,
                history=tuple(series),
                explanation=explain(kpi.id, inputs, month, actual, previous, inputs.params.min_sample)
                if explained is None or kpi.id in explained else None,
            )
        )
    return results
