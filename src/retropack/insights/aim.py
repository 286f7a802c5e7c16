"""What an action works on, and what it can honestly promise (contract §10 ``driver`` and ``kpi_effect``).

The driver is the largest significant part of the KPI's change that pushed it the wrong way (by absolute effect):
a group whose own rate moved beyond the z-test, a group's count or sum on enough rows, or a factor of a ratio.
The expected effect follows from the data and the driver: the KPI had that group's rate (or level, or the factor)
stayed at last month's. It is never the target by decree; a mean told by the deals that came in (LTV) and a group
that did not exist this month give no figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from retropack.insights.why import MEANS, PEOPLE
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Breakdown, Factor, Part

__all__ = ["FACTOR", "Driver", "KpiEffect", "driver_of", "kpi_effect"]

FACTOR = "factor"  # the driver's dimension when it is a factor of a ratio (its group is the factor's name)
WANTED_VOLUMES = frozenset({"new_leads", "mqls", "sqls", "won_deals"})  # bases the program wants more of
_OFFSETS = {"roi": 1.0}  # the KPI is (K − offset) for the product K its factors make (ROI + 1 = won × margin ÷ spend)
Basis = Literal["rate_back", "level_back", "factor_back"]


@dataclass(frozen=True)
class Driver:
    dimension: str
    group: str | None  # None: the rows with no value in the dimension (newsletters outside scenarios)
    effect: float  # in the KPI's unit, adverse
    part: Part | None = None
    factor: Factor | None = None
    breakdown: Breakdown | None = None  # the part's whole breakdown, for the KPI had the part not moved


@dataclass(frozen=True)
class KpiEffect:
    start: float  # the KPI this month ("from")
    to: float
    basis: Basis  # rate_back: the group's rate back to last month's; level_back: its count or sum; factor_back


def _adverse(effect: float, result: KpiResult) -> bool:
    return effect < 0 if result.kpi.better == "higher" else effect > 0


def driver_of(result: KpiResult) -> Driver | None:
    """The largest significant adverse part of ``result``'s change; None when nothing significant pushed it the
    wrong way."""
    explanation = result.explanation
    if explanation is None or result.kpi.id in MEANS:
        return None
    found: list[Driver] = []
    for breakdown in explanation.by:
        if breakdown.dimension in PEOPLE:
            continue
        found += [Driver(breakdown.dimension, p.group, p.effect, part=p, breakdown=breakdown)
                  for p in breakdown.parts if p.significant and not p.small and _adverse(p.effect, result)]
    found += [Driver(FACTOR, f.name, f.effect, factor=f) for f in explanation.factors or ()
              if _adverse(f.effect, result) and not _more_of_a_good_thing(f)]
    return max(found, key=lambda d: abs(d.effect), default=None)


def _more_of_a_good_thing(factor: Factor) -> bool:
    """A base that grew and is itself wanted (more SQLs lowering the opportunity rate): no action undoes it."""
    return factor.exponent < 0 and factor.name in WANTED_VOLUMES and factor.now > factor.before


def kpi_effect(result: KpiResult, driver: Driver | None) -> KpiEffect | None:
    """The KPI had the driver stayed at last month's; None without a driver or a figure that would be honest."""
    if driver is None or result.actual is None:
        return None
    actual = result.actual
    if driver.factor is not None:
        factor, offset = driver.factor, _OFFSETS.get(result.kpi.id, 0.0)
        if factor.now <= 0 or factor.before <= 0:
            return None
        return KpiEffect(actual, (actual + offset) * math.pow(factor.before / factor.now, factor.exponent) - offset,
                         "factor_back")
    part = driver.part
    assert part is not None and driver.breakdown is not None
    if part.mix is None:
        return KpiEffect(actual, actual - part.effect, "level_back")
    if not part.now.denominator or part.before.rate is None:  # a group absent this month has no rate to restore
        return None
    numerator = sum(p.now.numerator for p in driver.breakdown.parts)
    denominator = sum(p.now.denominator or 0.0 for p in driver.breakdown.parts)
    restored = numerator - part.now.numerator + part.before.rate * part.now.denominator
    return KpiEffect(actual, restored / denominator, "rate_back")
