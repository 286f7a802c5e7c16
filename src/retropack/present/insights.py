"""The insights in words: concentration, an unusual change, a trend, the pace to the target. A concentration
on one salesperson is said without the name: people own work, they are not the finding."""

from __future__ import annotations

from retropack.insights.patterns import Insight
from retropack.insights.why import PEOPLE
from retropack.kpis.catalog import KPIS
from retropack.present.formatting import format_change, format_value
from retropack.present.messages import Translator

__all__ = ["insight_line"]


def insight_line(insight: Insight, tr: Translator, currency: str) -> str:
    kpi = KPIS[insight.kpi_id]
    e, unit, loc = insight.evidence, kpi.unit, tr.locale

    def value(number: float | None) -> str:
        return format_value(number, unit, loc, currency)

    def change(number: float | None) -> str:
        return format_change(number, unit, loc, currency)

    name = kpi.name(loc)
    if insight.type == "concentration":
        shown = "count" if unit == "rate" else unit
        key = "insight.concentration_person" if e["dimension"] in PEOPLE else "insight.concentration"
        return tr(key, kpi=name, share=format_value(e["share"], "rate", loc),
                  dimension=tr(f"dimension.{e['dimension']}"), group=tr.group(e["dimension"], e["group"]),
                  value=format_value(e["value"], shown, loc, currency), total=format_value(e["total"], shown, loc,
                                                                                          currency))
    if insight.type == "unusual_change":
        return tr("insight.unusual_change", change=change(e["change"]), months=e["months"], low=change(e["low"]),
                  high=change(e["high"]))
    if insight.type == "trend":
        way = ("rose" if e["direction"] == "up" else "fell") if unit == "count" else \
            ("better" if e["better"] else "worse")  # a count rises or falls; a rate or an amount is judged
        return tr(f"insight.trend.{way}", months=e["months"], start=value(e["from"]),
                  end=value(e["to"]))
    if e["months"] is None:
        return tr("insight.pace.never", slope=change(e["monthly_change"]))
    return tr("insight.pace.months", slope=change(e["monthly_change"]), months=e["months"])
