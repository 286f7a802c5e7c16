"""Sections 2 and 3 of the agenda: every KPI in exactly one bucket, the one its verdict gives
(``retropack.insights.verdict``): wins, watch and misses, and the KPIs without a target apart (``info``),
never among wins or misses. Nothing here judges a KPI again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from retropack.insights.verdict import MOVE_THRESHOLD, Bucket, Direction, Verdict, relative_move
from retropack.insights.why import Why, tell
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

MIN_GROUP_DEALS = 10  # deals behind a money group's change, both months together, for it to be a cause

__all__ = ["MIN_GROUP_DEALS", "MOVE_THRESHOLD", "Bucket", "Buckets", "Direction", "Highlight", "relative_move",
           "sla_breaches", "sort_into_buckets", "without_small_groups"]


@dataclass(frozen=True)
class Highlight:
    result: KpiResult
    verdict: Verdict
    why: Why  # the causes of its change since last month

    @property
    def bucket(self) -> Bucket:
        return self.verdict.bucket

    @property
    def direction(self) -> Direction | None:
        """Against last month, beyond noise; None when last month has no value."""
        return self.verdict.direction


@dataclass(frozen=True)
class Buckets:
    wins: tuple[Highlight, ...]
    watch: tuple[Highlight, ...]
    misses: tuple[Highlight, ...]
    info: tuple[Highlight, ...] = ()  # no target: reference only

    def all(self) -> tuple[Highlight, ...]:
        return (*self.wins, *self.watch, *self.misses, *self.info)

    def of(self, kpi_id: str) -> Highlight | None:
        return next((h for h in self.all() if h.result.kpi.id == kpi_id), None)


def _order(h: Highlight) -> tuple[int, int, int, float]:
    """Judged on enough events first; focus KPIs first; missed before near; the furthest from target (or the
    largest move) first."""
    r = h.result
    distance = -abs(r.gap) if r.gap is not None else -abs(relative_move(r) or 0)
    return (1 if h.verdict.few_events else 0, 0 if r.focus else 1, 0 if r.status == "missed" else 1, distance)


def _worth_telling(h: Highlight) -> bool:
    """A KPI without a target is told only when it says something: it moved, or it is far below a commitment."""
    return h.bucket != "info" or h.direction in ("better", "worse") or "below_commitment" in h.verdict.reasons


def without_small_groups(why: Why, result: KpiResult) -> Why:
    """A money sum's group on fewer than ``MIN_GROUP_DEALS`` deals across both months (a ¥12M swing from 5 deals
    against 1) is a small sample, named as such, never a cause."""
    if result.kpi.unit != "money" or result.explanation is None or result.explanation.factors is not None:
        return why
    small = [c for c in why.causes if c.part is not None and c.part.mix is None
             and c.part.now.rows + c.part.before.rows < MIN_GROUP_DEALS]
    if not small:
        return why
    return replace(why, causes=tuple(c for c in why.causes if c not in small), small=(*small, *why.small))


def sort_into_buckets(results: list[KpiResult], verdicts: Mapping[str, Verdict]) -> Buckets:
    """Every KPI with a value, once, in the bucket its verdict gives."""
    told = [h for r in results if r.actual is not None
            and _worth_telling(h := Highlight(r, verdicts[r.kpi.id], without_small_groups(tell(r), r)))]

    def pick(name: Bucket) -> tuple[Highlight, ...]:
        return tuple(sorted((h for h in told if h.bucket == name), key=_order))

    return Buckets(wins=pick("win"), watch=pick("watch"), misses=pick("miss"), info=pick("info"))


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
