"""Sections 2 and 3 of the agenda: what went well, what did not, and the MQLs that missed the SLA."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from retropack.insights.why import Why, tell
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["MOVE_THRESHOLD", "Highlight", "misses", "Reason", "relative_move", "sla_breaches", "wins"]

Reason = Literal["achieved", "improved", "missed", "near", "worsened"]
MOVE_THRESHOLD = 0.10  # a KPI without a verdict counts as moved when it changed by 10 % or more


@dataclass(frozen=True)
class Highlight:
    result: KpiResult
    reason: Reason
    why: Why  # the causes of its change since last month


def relative_move(result: KpiResult) -> float | None:
    """Change from M−1 as a share of M−1, positive = better."""
    if result.change is None or not result.previous:
        return None
    move = result.change / abs(result.previous)
    return move if result.kpi.better == "higher" else -move


def _told(result: KpiResult, reason: Reason) -> Highlight:
    return Highlight(result, reason, tell(result))


def wins(results: list[KpiResult]) -> list[Highlight]:
    """Achieved KPIs (furthest above target first), then others that improved by 10 % or more."""
    achieved = sorted((r for r in results if r.status == "achieved"), key=lambda r: -(r.gap or 0))
    improved = [r for r in results if r.status != "achieved" and (relative_move(r) or 0) >= MOVE_THRESHOLD]
    improved.sort(key=lambda r: -(relative_move(r) or 0))
    return [_told(r, "achieved") for r in achieved] + [_told(r, "improved") for r in improved]


def misses(results: list[KpiResult]) -> list[Highlight]:
    """Missed then near KPIs (furthest below target first), then others that worsened by 10 % or more."""
    judged = [r for r in results if r.status in ("missed", "near")]
    judged.sort(key=lambda r: (r.status != "missed", r.gap or 0))
    worsened = [r for r in results if r.status not in ("missed", "near") and (relative_move(r) or 0) <= -MOVE_THRESHOLD]
    worsened.sort(key=lambda r: relative_move(r) or 0)
    return [_told(r, r.status) for r in judged] + [_told(r, "worsened") for r in worsened]  # type: ignore[arg-type]


def sla_breaches(inputs: KpiInputs, month: Month) -> pd.DataFrame:
    """The month's MQLs not touched by sales within the SLA: never touched first, then longest wait."""
    if not inputs.has_first_touch:
        return pd.DataFrame(columns=["lead_id", "company", "owner", "segment", "mql_at", "waited_days"])
    leads = inputs.leads
    late = leads[(leads["mql_at_m"] == month.index) & ~leads["sla_in_time"]].copy()
    late["waited_days"] = (late["first_sales_touch_at"] - late["mql_at"]) / pd.Timedelta(days=1)
    for column in ("company", "owner", "segment"):
        if column not in late:
            late[column] = pd.NA
    late = late.sort_values("waited_days", ascending=False, na_position="first")
    return late[["lead_id", "company", "owner", "segment", "mql_at", "waited_days"]].reset_index(drop=True)
