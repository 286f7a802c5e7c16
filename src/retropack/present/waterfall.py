"""A waterfall per focus KPI: last month's value, its largest parts of change, this month's value.

The steps come from the exact explanation, so they add up: the parts of the dimension that tells the
story (or the factors of a ratio), the largest first in either direction, and the rest as "others".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from retropack.insights.why import tell
from retropack.kpis.evaluation import KpiResult
from retropack.present.formatting import AxisFormat, axis_format, format_change, format_value
from retropack.present.messages import Translator
from retropack.present.why import part_label

__all__ = ["Waterfall", "WaterfallStep", "waterfall"]


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
    """None when the KPI has no change to explain. The bars are the parts ``tell`` picks (``Why.net``): the same
    parts, in the same order, as the cards, the story and the speaker notes tell."""
    net = tell(result).net
    if net is None or result.actual is None or result.previous is None:
        return None
    unit, loc = result.kpi.unit, tr.locale
    shown = [(part_label(cause, tr), cause.effect) for cause in net.parts]
    if net.others is not None:
        shown.append((tr("waterfall.others"), net.others))
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
