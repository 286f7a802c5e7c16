"""A KPI as a row of the tables (summary, section 1, speaker notes): its values formatted, its status badge and
its trend chip since last month."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.verdict import Direction, Verdict
from retropack.kpis.evaluation import KpiResult
from retropack.present.formatting import NO_VALUE, format_change, format_value
from retropack.present.messages import Translator

__all__ = ["SYMBOLS", "KpiRow", "caution_line", "kpi_row", "trend_label"]

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
    trend: str  # "↑ 改善" / "↓ 悪化" for a move beyond noise (the verdict's direction), "" otherwise
    direction: str  # better | worse | steady | ""
    focus: bool
    note: str  # "name: actual (target …, previous …) ◎ label", for speaker notes
    pace: str = ""  # how far the target is at the recent trend ("" when on target or unknown)
    bucket: str = ""  # the verdict: win | watch | miss | info
    caution: str = ""  # why the value is not judged as it stands: few events (with the 3-month value), a data finding


def trend_label(direction: Direction | None, tr: Translator) -> str:
    return tr(f"trend.{direction}") if direction else ""


def caution_line(r: KpiResult, verdict: Verdict, tr: Translator, currency: str,
                 findings: dict[str, str] | None = None, *, short: bool = False) -> str:
    """Beside a KPI's value: the data finding that makes it unreliable, or its trailing 3-month value when it rests
    on few events; ``short`` for a table's cell."""
    size = "short" if short else "long"
    if not verdict.reliable:
        named = [findings[f] for f in verdict.findings if findings and f in findings]
        return tr(f"verdict.unreliable.{size}", findings=tr.listing(named) if named else tr("verdict.a_finding"))
    if verdict.few_events:
        return tr(f"verdict.few_events.{size}", value=format_value(verdict.trailing, r.kpi.unit, tr.locale, currency),
                  before=format_value(verdict.trailing_before, r.kpi.unit, tr.locale, currency))
    if "below_commitment" in verdict.reasons:
        return tr(f"verdict.below_commitment.{size}")
    return ""


def kpi_row(r: KpiResult, tr: Translator, currency: str, pace: str = "", verdict: Verdict | None = None,
            caution: str = "") -> KpiRow:
    unit, loc = r.kpi.unit, tr.locale
    target = (tr("target.at_most" if r.kpi.better == "lower" else "target.at_least",
                 value=format_value(r.target, unit, loc, currency)) if r.target is not None else NO_VALUE)
    actual, previous = format_value(r.actual, unit, loc, currency), format_value(r.previous, unit, loc, currency)
    status_label = tr(f"status.{r.status}")
    direction = verdict.direction if verdict is not None else None
    marked = direction if direction in ("better", "worse") else None
    if verdict is not None and verdict.few_events:
        marked = None  # judged on three months: a chip beside this month's change would contradict it (+130pt ↓)
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
        bucket=verdict.bucket if verdict is not None else "",
        caution=caution,
    )
