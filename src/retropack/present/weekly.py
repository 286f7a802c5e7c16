"""The weekly mini-trend worded: week labels by their dates, one small panel per KPI with the month's
target spread over the weeks as a pace, and the counts as a table."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from retropack.kpis.evaluation import KpiResult
from retropack.kpis.weekly import WEEKLY_KPIS, Week
from retropack.present.cells import Table
from retropack.present.formatting import NO_VALUE, AxisFormat, axis_format, format_value
from retropack.present.messages import Translator

__all__ = ["WeeklyPanel", "WeeklyView", "day_label", "span_label", "weekly_view"]


@dataclass(frozen=True)
class WeeklyPanel:
    kpi_id: str
    title: str
    values: tuple[int, ...]  # one per week
    pace: tuple[float, ...] | None  # the month's target shared over the weeks by their days; None without one


@dataclass(frozen=True)
class WeeklyView:
    title: str
    weeks: tuple[str, ...]  # "10/1–10/4": each week by its first and last day
    panels: tuple[WeeklyPanel, ...]
    actual_label: str
    pace_label: str
    table: Table  # a row per KPI: the weeks, the month's total, the month's target
    note: str
    lines: tuple[str, ...]  # a line per KPI, for speaker notes
    axis: AxisFormat  # counts on the charts' value axes


def day_label(day: date, tr: Translator) -> str:
    return tr("weekly.day", month=day.month, day=day.day)


def span_label(first: date, last: date, tr: Translator) -> str:
    """One day, or "10/1–10/4"."""
    if first == last:
        return day_label(first, tr)
    return tr("weekly.span", first=day_label(first, tr), last=day_label(last, tr))


def weekly_view(weeks: tuple[Week, ...], results: list[KpiResult], tr: Translator) -> WeeklyView:
    targets = {r.kpi.id: r.target for r in results}
    labels = tuple(span_label(w.first, w.last, tr) for w in weeks)
    length = calendar.monthrange(weeks[0].first.year, weeks[0].first.month)[1]
    panels, rows, lines = [], [], []
    for kpi_id in (k for k in WEEKLY_KPIS if k in weeks[0].counts):
        values = tuple(w.counts[kpi_id] for w in weeks)
        target = targets.get(kpi_id)
        name = tr.kpi_name(kpi_id)
        panels.append(WeeklyPanel(kpi_id, name, values,
                                  tuple(target * w.days / length for w in weeks) if target is not None else None))
        total, goal = format_value(sum(values), "count", tr.locale), (
            tr("target.at_least", value=format_value(target, "count", tr.locale)) if target is not None else NO_VALUE)
        rows.append((name, *(format_value(v, "count", tr.locale) for v in values), total, goal))
        lines.append(tr("weekly.line", kpi=name, weeks=" / ".join(str(v) for v in values), total=total, target=goal))
    short = [tr("weekly.short_week", week=label, days=w.days) for w, label in zip(weeks, labels, strict=True)
             if w.days < 7]
    return WeeklyView(
        title=tr("weekly.title"),
        weeks=labels,
        panels=tuple(panels),
        actual_label=tr("weekly.actual"),
        pace_label=tr("weekly.pace"),
        table=Table((tr("weekly.col.kpi"), *labels, tr("weekly.col.total"), tr("weekly.col.target")), tuple(rows)),
        note=tr("weekly.note", short=tr("list.sep").join(short)) if short else tr("weekly.note_full"),
        lines=tuple(lines),
        axis=axis_format("count", tr.locale, ""),
    )
