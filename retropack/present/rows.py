"""A KPI as a row of the tables (summary, section 1, speaker notes): its values formatted, its status badge and
its trend chip since last month."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.highlights import Direction, direction_of
from retropack.kpis.evaluation import KpiResult
from retropack.present.formatting import NO_VALUE, format_change, format_value
from retropack.present.messages import Translator

__all__ = ["SYMBOLS", "KpiRow", "kpi_row", "trend_label"]

SYMBOLS = {"achieved": "◎", "near": "△", "missed": "×", "no_target": "－", "no_data": "？"}


@dataclass(frozen=True)
class KpiRow:
    id: str
    name: str
    owner: str
    better: str
    unit: str
    target: str
    actual: str
    previous: str
    change: str
    status: str
    status_label: str
    symbol: str
    trend: str  # "↑ 改善" / "↓ 悪化" for a move of 10 % or more, "" otherwise
    direction: str  # better | worse | steady | ""
    focus: bool
    note: str  # "name: actual (target …, previous …) ◎ label", for speaker notes
    pace: str = ""  # how far the target is at the recent trend ("" when on target or unknown)


def trend_label(direction: Direction | None, tr: Translator) -> str:
    return tr(f"trend.{direction}") if direction else ""


def kpi_row(r: KpiResult, tr: Translator, currency: str, pace: str = "") -> KpiRow:
    unit, loc = r.kpi.unit, tr.locale
    target = (tr("target.at_most" if r.kpi.better == "lower" else "target.at_least",
                 value=format_value(r.target, unit, loc, currency)) if r.target is not None else NO_VALUE)
    actual, previous = format_value(r.actual, unit, loc, currency), format_value(r.previous, unit, loc, currency)
    status_label = tr(f"status.{r.status}")
    direction = direction_of(r)
    marked = direction if direction in ("better", "worse") else None
    note = f"{actual} ({tr('kpi.col.target')} {target}, {tr('kpi.col.previous')} {previous}) " \
           f"{SYMBOLS[r.status]} {status_label}"
    return KpiRow(
        id=r.kpi.id,
        name=r.kpi.name(loc),
        owner=tr(f"owner.{r.kpi.owner}"),
        better=tr(f"better.{r.kpi.better}"),
        unit=unit,
        target=target,
        actual=actual,
        previous=previous,
        change=format_change(r.change, unit, loc, currency),
        status=r.status,
        status_label=status_label,
        symbol=SYMBOLS[r.status],
        trend=trend_label(marked, tr),
        direction=direction or "",
        focus=r.focus,
        note=tr("deck.pair", label=r.kpi.name(loc), value=note),
        pace=pace,
    )
