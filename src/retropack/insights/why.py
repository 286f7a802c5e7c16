"""Why a KPI moved, told for the meeting: the parts of its exact explanation worth saying out loud.

From the explanation (``retropack.kpis.explain``) only parts that push the KPI the way it moved are
causes, and only when they are not noise: a rate's group whose own rate moved beyond the z-test, or
whose share moved and rests on enough rows; a count's or sum's group with enough rows; a factor of a
ratio. One dimension tells the story (the one whose largest cause explains most), so the same deals are
never counted twice through owner and source. Large parts on small samples are kept apart, to be named
as such and never as a cause. People are owners of work, never causes: the owner breakdown stays in
``kpis.json`` for analysts but is not told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Explanation, Factor, Part

__all__ = ["CAUSES_TOLD", "MEANS", "PEOPLE", "PARTS_TOLD", "Cause", "Drivers", "Why", "tell"]

CAUSES_TOLD = 3
PARTS_TOLD = 4  # parts drawn and told, largest first in either direction; the rest is "others"
MEANS = {"ltv": ("won_amount_12m", "won_deals_12m")}  # a mean told as one part: its total over its count
PREFER_EARLIER = 1.2  # dimensions come in the order a team acts on them (source before segment): a later one must
                      # explain clearly more to tell the story instead
PEOPLE = frozenset({"owner"})  # dimensions that name a person
Moved = Literal["mix", "rate", "change", "factor", "mean"]


@dataclass(frozen=True)
class Cause:
    moved: Moved  # mix: the group's share of the denominator; rate: its own rate; change: a count or sum; factor
    effect: float  # its share of the KPI's change, in the KPI's unit
    dimension: str | None = None
    part: Part | None = None
    factor: Factor | None = None
    detail: Cause | None = None  # a factor's own largest moving group (spend → the events channel)
    over: Factor | None = None  # a mean's count, with ``factor`` its total: told together as one part


@dataclass(frozen=True)
class Drivers:
    """The net drivers of a change: the parts told and drawn (the waterfall's bars, in its order: largest first
    in either direction) and the rest as "others", so that what is told sums to the change. One function picks
    them for the chart, the cards, the story and the speaker notes."""

    change: float
    dimension: str | None  # the breakdown told; None for the factors of a ratio
    parts: tuple[Cause, ...]
    others: float | None  # the rest of the change; None when every part is shown

    @property
    def total(self) -> float:
        return sum(c.effect for c in self.parts) + (self.others or 0.0)


@dataclass(frozen=True)
class Why:
    causes: tuple[Cause, ...]  # largest first, all pushing the KPI the way it moved
    small: tuple[Cause, ...]  # large parts on too few rows: said as such, never as causes
    mostly: Literal["mix", "rate"] | None  # rates: what moved more, who we sent to or how each group responded
    net: Drivers | None = None  # every part, both directions, as told and drawn

    @property
    def empty(self) -> bool:
        return not self.causes and not self.small


NOTHING = Why((), (), None)


def tell(result: KpiResult) -> Why:
    """The causes of ``result``'s change, from its explanation; nothing when it did not move."""
    explanation = result.explanation
    if explanation is None or explanation.change == 0:
        return NOTHING
    sign = 1 if explanation.change > 0 else -1
    if explanation.factors is not None:
        if result.kpi.id in MEANS:
            return _mean(explanation, *MEANS[result.kpi.id])
        return _by_factors(explanation, sign)
    return _by_parts(explanation, sign)


def _net(change: float, dimension: str | None, causes: list[Cause]) -> Drivers:
    """The ``PARTS_TOLD`` largest parts by size, either direction, and the rest as "others"."""
    ordered = sorted(causes, key=lambda c: -abs(c.effect))
    shown = tuple(ordered[:PARTS_TOLD])
    others = change - sum(c.effect for c in shown) if len(ordered) > PARTS_TOLD else None
    return Drivers(change, dimension, shown, others)


def _mean(explanation: Explanation, total: str, count: str) -> Why:
    """A mean (LTV) is its total over its count: told as one part, what the deals that came in (or left) were
    worth against the average, never as "more wins lowered it"."""
    assert explanation.factors is not None
    by_name = {f.name: f for f in explanation.factors}
    cause = Cause("mean", explanation.change, factor=by_name[total], over=by_name[count])
    return Why((cause,), (), None, Drivers(explanation.change, None, (cause,), None))


def _part_cause(dimension: str, part: Part) -> Cause:
    if part.mix is None or part.rate is None:
        return Cause("change", part.effect, dimension, part)
    return Cause("mix" if abs(part.mix) > abs(part.rate) else "rate", part.effect, dimension, part)


def _is_cause(cause: Cause) -> bool:
    part = cause.part
    assert part is not None
    if cause.moved == "rate":
        return part.significant
    return not part.small  # a count's change, or a share of sends that moved, on enough rows


def _by_parts(explanation: Explanation, sign: int) -> Why:
    best: tuple[float, tuple[Cause, ...], tuple[Cause, ...], Literal["mix", "rate"] | None, Drivers] | None = None
    for breakdown in explanation.by:
        if breakdown.dimension in PEOPLE:
            continue
        every = [_part_cause(breakdown.dimension, p) for p in breakdown.parts]
        pushing = sorted((c for c in every if c.effect * sign > 0), key=lambda c: -abs(c.effect))
        causes = tuple(c for c in pushing if _is_cause(c))[:CAUSES_TOLD]
        small = tuple(c for c in pushing[:CAUSES_TOLD] if c.part is not None and c.part.small)
        weight = abs(causes[0].effect) * _persistence(breakdown.parts) if causes else 0.0
        if best is None or weight > best[0] * PREFER_EARLIER:
            best = (weight, causes, small, _mostly(breakdown.parts, sign),
                    _net(explanation.change, breakdown.dimension, every))
    if best is None:
        return NOTHING
    if best[0] == 0:  # only groups that came or went (turnover), or nothing beyond noise: no cause to name
        return Why((), best[2], None, best[4])
    return Why(best[1], best[2], best[3], best[4])


def _persistence(parts: tuple[Part, ...]) -> float:
    """How much of the rows belong to groups present in both months (0–1). Groups that exist in one month
    only (this month's newsletter, last month's) explain by their mere turnover, which tells little."""
    def size(side: str) -> list[float]:
        return [(getattr(p, side).denominator if p.mix is not None else getattr(p, side).numerator) or 0.0
                for p in parts]

    now, before = size("now"), size("before")
    total_now, total_before = sum(now), sum(before)
    if not total_now or not total_before:
        return 0.0
    return sum(min(n / total_now, b / total_before) for n, b in zip(now, before, strict=True))


def _mostly(parts: tuple[Part, ...], sign: int) -> Literal["mix", "rate"] | None:
    if not parts or parts[0].mix is None:
        return None
    mix = sum(p.mix or 0.0 for p in parts)
    rate = sum(p.rate or 0.0 for p in parts)
    return "mix" if mix * sign > rate * sign else "rate"


def _by_factors(explanation: Explanation, sign: int) -> Why:
    assert explanation.factors is not None
    every = []
    for factor in sorted(explanation.factors, key=lambda f: -abs(f.effect)):
        told = [b for b in factor.by if b.dimension not in PEOPLE][:1]
        moving = sorted(((b.dimension, p) for b in told for p in b.parts
                         if (p.effect > 0) == (factor.now > factor.before) and not p.small),
                        key=lambda item: -abs(item[1].effect))
        detail = Cause("change", moving[0][1].effect, moving[0][0], moving[0][1]) if moving else None
        every.append(Cause("factor", factor.effect, factor=factor, detail=detail))
    causes = [c for c in every if c.effect * sign > 0]
    return Why(tuple(causes[:CAUSES_TOLD]), (), None, _net(explanation.change, None, every))
