"""Insights beyond the KPI-by-KPI list, each with its evidence as plain numbers:

- concentration: one group holds half or more of a KPI's numerator this month;
- unusual change: this month's change lies outside the median ± 3 × MAD of the 12 monthly changes before;
- trend: three or more months in a row moving the same way;
- pace: at the recent trend, how many months until the phase's target is reached (or never).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any, Literal

from retropack.kpis.evaluation import KpiResult

__all__ = ["CONCENTRATED_SHARE", "INSIGHT_TYPES", "Insight", "find_insights"]

InsightType = Literal["concentration", "unusual_change", "trend", "pace"]
INSIGHT_TYPES: tuple[str, ...] = ("concentration", "unusual_change", "trend", "pace")
CONCENTRATED_SHARE = 0.5
TREND_MONTHS = 3
MIN_CHANGES = 6  # monthly changes needed before one can be called unusual
PACE_MONTHS = 3  # the recent trend: the mean change of the last three months


@dataclass(frozen=True)
class Insight:
    type: InsightType
    kpi_id: str
    evidence: dict[str, Any]  # raw numbers and names: present words them, kpis.json carries them
    rules: tuple[str, ...] = ()  # the action rules it feeds


def find_insights(results: list[KpiResult], min_sample: int) -> list[Insight]:
    found: list[Insight] = []
    for result in results:
        for check in (_concentration, _unusual_change, _trend, _pace):
            insight = check(result, min_sample)
            if insight is not None:
                found.append(insight)
    return found


def _values(result: KpiResult) -> list[float | None]:
    return [value for _, value in result.history]


def _changes(values: list[float | None]) -> list[float | None]:
    return [None if a is None or b is None else b - a for a, b in zip(values, values[1:], strict=False)]


def _concentration(result: KpiResult, min_sample: int) -> Insight | None:
    explanation = result.explanation
    if explanation is None:
        return None
    best = None
    for breakdown in explanation.by:
        total = sum(p.now.numerator for p in breakdown.parts)
        rows = sum(p.now.rows for p in breakdown.parts)
        if total <= 0 or rows < min_sample:
            continue
        for part in breakdown.parts:
            share = part.now.numerator / total
            if part.group is not None and share >= CONCENTRATED_SHARE and (best is None or share > best[2]):
                best = (breakdown.dimension, part.group, share, part.now.numerator, total)
    if best is None:
        return None
    dimension, group, share, value, total = best
    return Insight("concentration", result.kpi.id, {"dimension": dimension, "group": group, "share": share,
                                                     "value": value, "total": total})


def _unusual_change(result: KpiResult, min_sample: int) -> Insight | None:
    changes = _changes(_values(result))
    if not changes or changes[-1] is None:
        return None
    history = [c for c in changes[:-1] if c is not None]
    if len(history) < MIN_CHANGES:
        return None
    median = statistics.median(history)
    mad = statistics.median(abs(c - median) for c in history)
    low, high = median - 3 * mad, median + 3 * mad
    change = changes[-1]
    if low <= change <= high:
        return None
    return Insight("unusual_change", result.kpi.id, {"change": change, "median": median, "mad": mad, "low": low,
                                                      "high": high, "months": len(history)})


def _trend(result: KpiResult, min_sample: int) -> Insight | None:
    changes = _changes(_values(result))
    run = 0
    sign = 0
    for change in reversed(changes):
        if change is None or change == 0 or (sign and (change > 0) != (sign > 0)):
            break
        sign = 1 if change > 0 else -1
        run += 1
    if run < TREND_MONTHS:
        return None
    values = _values(result)
    better = (sign > 0) == (result.kpi.better == "higher")
    return Insight("trend", result.kpi.id, {"direction": "up" if sign > 0 else "down", "better": better,
                                             "months": run, "from": values[-run - 1], "to": values[-1]})


def _pace(result: KpiResult, min_sample: int) -> Insight | None:
    """Months to the target at the mean change of the last three months; null when it moves away from it."""
    if result.target is None or result.actual is None or result.status == "achieved":
        return None
    recent = [c for c in _changes(_values(result))[-PACE_MONTHS:] if c is not None]
    if len(recent) < PACE_MONTHS:
        return None
    slope = sum(recent) / len(recent)
    gap = result.target - result.actual
    months = math.ceil(gap / slope) if slope and (gap > 0) == (slope > 0) else None
    return Insight("pace", result.kpi.id, {"gap": gap, "monthly_change": slope, "months": months,
                                            "target": result.target})
