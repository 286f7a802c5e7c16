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

__all__ = ["CAUSES_TOLD", "PEOPLE", "Cause", "Why", "tell"]

CAUSES_TOLD = 3
PREFER_EARLIER = 1.2  # dimensions come in the order a team acts on them (source before segment): a later one must
                      # explain clearly more to tell the story instead
PEOPLE = frozenset({"owner"})  # dimensions that name a person
Moved = Literal["mix", "rate", "change", "factor"]


@dataclass(frozen=True)
class Cause:
    moved: Moved  # mix: the group's share of the denominator; rate: its own rate; change: a count or sum; factor
    effect: float  # its share of the KPI's change, in the KPI's unit
    dimension: str | None = None
    part: Part | None = None
    factor: Factor | None = None
    detail: Cause | None = None  # a factor's own largest moving group (spend → the events channel)


@dataclass(frozen=True)
class Why:
    causes: tuple[Cause, ...]  # largest first, all pushing the KPI the way it moved
    small: tuple[Cause, ...]  # large parts on too few rows: said as such, never as causes
    mostly: Literal["mix", "rate"] | None  # rates: what moved more, who we sent to or how each group responded

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
        return _by_factors(explanation, sign)
    return _by_parts(explanation, sign)


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
    best: tuple[float, tuple[Cause, ...], tuple[Cause, ...], Literal["mix", "rate"] | None] | None = None
    for breakdown in explanation.by:
        if breakdown.dimension in PEOPLE:
            continue
        pushing = sorted((_part_cause(breakdown.dimension, p) for p in breakdown.parts if p.effect * sign > 0),
                         key=lambda c: -abs(c.effect))
        causes = tuple(c for c in pushing if _is_cause(c))[:CAUSES_TOLD]
        small = tuple(c for c in pushing[:CAUSES_TOLD] if c.part is not None and c.part.small)
        weight = abs(causes[0].effect) * _persistence(breakdown.parts) if causes else 0.0
        if best is None or weight > best[0] * PREFER_EARLIER:
            best = (weight, causes, small, _mostly(breakdown.parts, sign))
    if best is None:
        return NOTHING
    if best[0] == 0:  # only groups that came or went (turnover), or nothing beyond noise: no cause to name
        return Why((), best[2], None)
    return Why(best[1], best[2], best[3])


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
    causes = []
    for factor in sorted(explanation.factors, key=lambda f: -abs(f.effect)):
        if factor.effect * sign <= 0:
            continue
        told = [b for b in factor.by if b.dimension not in PEOPLE][:1]
        moving = sorted(((b.dimension, p) for b in told for p in b.parts
                         if (p.effect > 0) == (factor.now > factor.before) and not p.small),
                        key=lambda item: -abs(item[1].effect))
        detail = Cause("change", moving[0][1].effect, moving[0][0], moving[0][1]) if moving else None
        causes.append(Cause("factor", factor.effect, factor=factor, detail=detail))
    return Why(tuple(causes[:CAUSES_TOLD]), (), None)
