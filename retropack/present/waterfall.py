"""A waterfall per focus KPI: last month's value, its largest parts of change, this month's value.

The steps come from the exact explanation, so they add up: the parts of the dimension that tells the
story (or the factors of a ratio), the largest first, and the rest as "others".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from retropack.insights.why import PEOPLE, tell
from retropack.kpis.evaluation import KpiResult
from retropack.present.formatting import AxisFormat, axis_format, format_change, format_value
from retropack.present.messages import Translator

__all__ = ["STEPS_SHOWN", "Waterfall", "WaterfallStep", "waterfall"]

STEPS_SHOWN = 4


@dataclass(frozen=True)
class WaterfallStep:
    label: str
    start: float  # where the bar begins (the running value before this step; 0 for a total)
    end: float  # where it ends
    kind: Literal["total", "better", "worse"]  # a step's colour: did it move the KPI the good way
    text: str  # the value (totals) or the change (steps), formatted


@dataclass(frozen=True)
class Waterfall:
    kpi_id: str
    title: str
    steps: tuple[WaterfallStep, ...]
    axis: AxisFormat




def waterfall(result: KpiResult, tr: Translator, currency: str) -> Waterfall | None:
    """None when the KPI has no change to explain."""
    explanation = result.explanation
    if explanation is None or result.actual is None or result.previous is None:
        return None
    unit, loc = result.kpi.unit, tr.locale
    items: list[tuple[str, float]]
    if explanation.factors is not None:
        items = [(tr(f"factor.{f.name}"), f.effect) for f in explanation.factors]
    elif explanation.by:
        why = tell(result)
        told = [b for b in explanation.by if b.dimension not in PEOPLE]
        if not told:
            return None
        dimension = why.causes[0].dimension if why.causes else told[0].dimension
        breakdown = next(b for b in told if b.dimension == dimension)
        items = [(tr.group(dimension, p.group), p.effect) for p in breakdown.parts]
    else:
        return None
    items.sort(key=lambda item: -abs(item[1]))
    shown = items[:STEPS_SHOWN]
    rest = explanation.change - sum(effect for _, effect in shown)
    if len(items) > STEPS_SHOWN:
        shown.append((tr("waterfall.others"), rest))
    steps = [WaterfallStep(tr("waterfall.previous"), 0.0, result.previous, "total",
                           format_value(result.previous, unit, loc, currency))]
    running = result.previous
    higher = result.kpi.better == "higher"
    for label, effect in shown:
        steps.append(WaterfallStep(label, running, running + effect, "better" if (effect >= 0) == higher else "worse",
                                   format_change(effect, unit, loc, currency)))
        running += effect
    steps.append(WaterfallStep(tr("waterfall.current"), 0.0, result.actual, "total",
                               format_value(result.actual, unit, loc, currency)))
    return Waterfall(result.kpi.id, result.kpi.name(loc), tuple(steps), axis_format(unit, loc, currency))
