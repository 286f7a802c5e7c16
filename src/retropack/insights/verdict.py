"""One judgement per KPI, made once (contract §10): every section of the pack reads it, none judges on its own.

- **miss**: the status is ``missed``;
- **watch**: ``near``; or the target met while the KPI worsens beyond noise or is off pace; or a data finding
  touches it (``reliable`` false: the numbers cannot be judged until the data is fixed);
- **win**: the target met and not worsening beyond noise;
- **info**: no target (or no value): reference only, never among wins or misses.

"Beyond noise" is a count's or a rate's change that a test at 95 % tells from chance (Poisson for counts, the
two-proportion z-test of contract §8 for rates), a change outside the KPI's usual monthly range, or three months
running the same way. A move of less than ``MOVE_THRESHOLD`` is never called a move. A ratio on fewer than
``min_events`` events in M is judged on its trailing three months for its direction (``few_events``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from retropack.insights.events import Events, significant_change
from retropack.insights.patterns import Insight
from retropack.kpis.catalog import SEED_COMMITMENTS
from retropack.kpis.evaluation import KpiResult

__all__ = ["MOVE_THRESHOLD", "REASONS", "Bucket", "Direction", "Verdict", "judge_all", "judge_kpi",
           "relative_move"]

Bucket = Literal["win", "watch", "miss", "info"]
Direction = Literal["better", "worse", "steady"]
MOVE_THRESHOLD = 0.10  # a change of less than 10 % of last month's value is no move worth a word
COUNTS = frozenset({"new_leads", "mqls", "sqls"})  # counts of events: a Poisson test tells a move from chance
REASONS = ("below_target", "near_target", "worsening", "off_pace", "unreliable", "few_events", "no_target",
           "no_data", "below_commitment")


@dataclass(frozen=True)
class Verdict:
    bucket: Bucket
    reasons: tuple[str, ...]
    reliable: bool
    direction: Direction | None = None  # the move beyond noise since last month; None without last month's value
    trailing: float | None = None  # few events: the KPI over the last three months, pooled
    trailing_before: float | None = None  # the same, a month earlier: what the direction compares with
    findings: tuple[str, ...] = ()  # the ids of the data findings that make it unreliable

    @property
    def few_events(self) -> bool:
        return "few_events" in self.reasons

    @property
    def headline(self) -> bool:
        """May lead the summary: judged on enough events and on data that can be trusted."""
        return self.reliable and not self.few_events and self.bucket in ("win", "miss")


def relative_move(result: KpiResult) -> float | None:
    """Change from M−1 as a share of M−1, positive = better."""
    if result.change is None or not result.previous:
        return None
    move = result.change / abs(result.previous)
    return move if result.kpi.better == "higher" else -move


def _signed(result: KpiResult, before: float | None, now: float | None) -> float | None:
    if before is None or now is None or not before:
        return None
    move = (now - before) / abs(before)
    return move if result.kpi.better == "higher" else -move


def _beyond_noise(result: KpiResult, events: Events | None, unusual: bool) -> bool:
    """Whether this month's change is more than chance: a test where the KPI counts events, else its usual range."""
    if unusual:
        return True
    if result.kpi.id in COUNTS and result.actual is not None and result.previous is not None:
        total = result.actual + result.previous
        return bool(total) and abs(result.actual - result.previous) / math.sqrt(total) >= 1.959963984540054
    tested = significant_change(events) if events is not None else None
    if tested is not None:
        return tested
    return not _has_range(result)  # money without a year of history: the 10 % move is all there is to go on


def _has_range(result: KpiResult) -> bool:
    values = [v for _, v in result.history]
    changes = [b - a for a, b in zip(values, values[1:], strict=False) if a is not None and b is not None]
    return len(changes) > 6


def _direction(result: KpiResult, events: Events | None, few: bool, kinds: Mapping[str, Insight]) -> Direction | None:
    """Better, worse or steady since last month, beyond noise; a trend of three months or more counts as a move,
    and a month's gain against a three-month slope away from the target is no improvement."""
    if result.change is None:
        return None
    if few and events is not None:
        move = _signed(result, events.trailing_before, events.trailing)
        beyond = True
    else:
        move = relative_move(result)
        beyond = _beyond_noise(result, events, "unusual_change" in kinds)
    direction: Direction = "steady"
    if move is not None and abs(move) >= MOVE_THRESHOLD and beyond:
        direction = "better" if move > 0 else "worse"
    trend = kinds.get("trend")
    if direction == "steady" and trend is not None:
        direction = "better" if trend.evidence["better"] else "worse"
    pace = kinds.get("pace")
    if direction == "better" and pace is not None and pace.evidence.get("months") is None:
        direction = "steady"  # up this month, yet the recent trend moves away from the target
    return direction


def _off_pace(result: KpiResult, kinds: Mapping[str, Insight]) -> bool:
    """Met, but at the last three months' slope it falls short of the target next month."""
    if result.status != "achieved" or result.target is None or result.actual is None:
        return False
    values = [v for _, v in result.history[-4:]]
    if len(values) < 4 or any(v is None for v in values):
        return False
    slope = (values[-1] - values[0]) / 3  # type: ignore[operator]
    nxt = result.actual + slope
    return nxt < result.target if result.kpi.better == "higher" else nxt > result.target


def _below_commitment(result: KpiResult, tolerance: float) -> bool:
    """Without a target, far below a commitment the seed makes (the SLA): no target is not no problem."""
    commitment = SEED_COMMITMENTS.get(result.kpi.id)
    if commitment is None or result.actual is None:
        return False
    return result.actual < commitment * (1 - tolerance) if result.kpi.better == "higher" \
        else result.actual > commitment * (1 + tolerance)


def judge_kpi(result: KpiResult, insights: Sequence[Insight], events: Events | None, min_events: int,
              findings: Sequence[str] = (), tolerance: float = 0.10) -> Verdict:
    """The KPI's one verdict; ``findings`` are the ids of the data findings that touch it."""
    kinds: dict[str, Insight] = {i.type: i for i in insights if i.kpi_id == result.kpi.id}
    few = events is not None and result.actual is not None and events.now < min_events
    direction = _direction(result, events, few, kinds)
    reasons: list[str] = []
    status = result.status
    if status == "missed":
        reasons.append("below_target")
    elif status == "near":
        reasons.append("near_target")
    elif status in ("no_target", "no_data"):
        reasons.append(status)
        if status == "no_target" and _below_commitment(result, tolerance):
            reasons.append("below_commitment")
    if direction == "worse":
        reasons.append("worsening")
    if _off_pace(result, kinds):
        reasons.append("off_pace")
    if few:
        reasons.append("few_events")
    reliable = not findings
    if not reliable:
        reasons.append("unreliable")
    bucket: Bucket
    if result.actual is None:
        bucket = "info"
    elif not reliable:
        bucket = "watch"
    elif status == "missed":
        bucket = "miss"
    elif status == "near" or (status == "achieved" and ("worsening" in reasons or "off_pace" in reasons)):
        bucket = "watch"
    elif status == "achieved":
        bucket = "win"
    else:
        bucket = "info"
    return Verdict(bucket, tuple(reasons), reliable, direction, events.trailing if few and events else None,
                   events.trailing_before if few and events else None, tuple(findings))


def judge_all(results: Sequence[KpiResult], insights: Sequence[Insight], events: Mapping[str, Events],
              min_events: int, findings: Mapping[str, Collection[str]], tolerance: float) -> dict[str, Verdict]:
    """Every KPI's verdict, by id; ``findings``: the finding ids touching each KPI."""
    return {r.kpi.id: judge_kpi(r, insights, events.get(r.kpi.id), min_events,
                                tuple(sorted(findings.get(r.kpi.id, ()))), tolerance) for r in results}
