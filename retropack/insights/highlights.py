"""Sections 2 and 3 of the agenda: every KPI that has something to say goes into exactly one bucket.

- **win**: met its target and did not get markedly worse; or, without a target, improved markedly;
- **watch**: met its target but moved the wrong way markedly, or missed it but improved markedly;
- **miss**: missed (or narrowly missed) its target and did not improve markedly; or, without a
  target, got markedly worse.

"Markedly" is a 10 % move from last month. A KPI in no bucket (on target, steady) is in the table only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from retropack.insights.why import Why, tell
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["MOVE_THRESHOLD", "Bucket", "Buckets", "Direction", "Highlight", "bucket_of", "direction_of",
           "relative_move", "sla_breaches", "sort_into_buckets"]

Bucket = Literal["win", "watch", "miss"]
Direction = Literal["better", "worse", "steady"]
MOVE_THRESHOLD = 0.10  # a change of 10 % or more of last month's value is a marked move


@dataclass(frozen=True)
class Highlight:
    result: KpiResult
    bucket: Bucket
    direction: Direction | None  # against last month; None when last month has no value
    why: Why  # the causes of its change since last month


@dataclass(frozen=True)
class Buckets:
    wins: tuple[Highlight, ...]
    watch: tuple[Highlight, ...]
    misses: tuple[Highlight, ...]

    def all(self) -> tuple[Highlight, ...]:
        return (*self.wins, *self.watch, *self.misses)

    def of(self, kpi_id: str) -> Highlight | None:
        return next((h for h in self.all() if h.result.kpi.id == kpi_id), None)


def relative_move(result: KpiResult) -> float | None:
    """Change from M−1 as a share of M−1, positive = better."""
    if result.change is None or not result.previous:
        return None
    move = result.change / abs(result.previous)
    return move if result.kpi.better == "higher" else -move


def direction_of(result: KpiResult) -> Direction | None:
    move = relative_move(result)
    if move is None:
        return None if result.change is None else "steady"
    if move >= MOVE_THRESHOLD:
        return "better"
    return "worse" if move <= -MOVE_THRESHOLD else "steady"


def bucket_of(result: KpiResult) -> Bucket | None:
    """The one bucket a KPI belongs to, or None (steady without target, or no value)."""
    direction = direction_of(result)
    if result.status == "achieved":
        return "watch" if direction == "worse" else "win"
    if result.status in ("missed", "near"):
        return "watch" if direction == "better" else "miss"
    if result.status == "no_target":
        return {"better": "win", "worse": "miss"}.get(direction or "")  # type: ignore[return-value]
    return None


def _order(h: Highlight) -> tuple[int, int, float]:
    """Focus KPIs first; then missed before near; then the furthest from target (or the largest move) first."""
    r = h.result
    distance = -abs(r.gap) if r.gap is not None else -abs(relative_move(r) or 0)
    return (0 if r.focus else 1, 0 if r.status == "missed" else 1, distance)


def sort_into_buckets(results: list[KpiResult]) -> Buckets:
    """Every KPI with a verdict or a marked move, once, in the bucket its status and direction give."""
    told = [Highlight(r, bucket, direction_of(r), tell(r)) for r in results if (bucket := bucket_of(r)) is not None]

    def pick(name: Bucket) -> tuple[Highlight, ...]:
        return tuple(sorted((h for h in told if h.bucket == name), key=_order))

    return Buckets(wins=pick("win"), watch=pick("watch"), misses=pick("miss"))


def sla_breaches(inputs: KpiInputs, month: Month) -> pd.DataFrame:
    """The month's MQLs not followed up by sales within the SLA: never followed up first, then longest wait."""
    if not inputs.has_first_touch:
        return pd.DataFrame(columns=["lead_id", "company", "owner", "segment", "source", "mql_at", "waited_days"])
    leads = inputs.leads
    late = leads[(leads["mql_at_m"] == month.index) & ~leads["sla_in_time"]].copy()
    late["waited_days"] = (late["first_sales_touch_at"] - late["mql_at"]) / pd.Timedelta(days=1)
    for column in ("company", "owner", "segment", "source"):
        if column not in late:
            late[column] = pd.NA
    late = late.sort_values(["waited_days", "mql_at"], ascending=[False, True], na_position="first")
    return late[["lead_id", "company", "owner", "segment", "source", "mql_at", "waited_days"]].reset_index(drop=True)
