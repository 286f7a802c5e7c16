"""Leads, MQLs and SQLs week by week inside the month: the article's KPI template measures these three
weekly (計測頻度: 週次), so the meeting sees whether the month ended strong or weak, not only its total.

Weeks run Monday to Sunday and are clipped to the month, so the first and last week may be short.
Counts use the same validated leads and the same timestamps (in the program's timezone) as the KPIs:
the weeks of a month add up to its ``new_leads``, ``mqls`` and ``sqls``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["WEEKLY_KPIS", "Week", "weekly_counts", "weeks_of"]

# The KPI counted each week, by the lead column whose date puts a lead in a week.
WEEKLY_KPIS: dict[str, str] = {"new_leads": "created_at", "mqls": "mql_at", "sqls": "sql_at"}


@dataclass(frozen=True)
class Week:
    first: date
    last: date  # inclusive
    counts: dict[str, int]  # KPI id of WEEKLY_KPIS → leads in this week (only those whose column the leads file has)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def weeks_of(month: Month) -> list[tuple[date, date]]:
    """The Monday–Sunday weeks of ``month``, clipped to it: (first day, last day) each."""
    length = calendar.monthrange(month.year, month.month)[1]
    weeks, day = [], 1
    while day <= length:
        first = date(month.year, month.month, day)
        last_day = min(length, day + 6 - first.weekday())
        weeks.append((first, date(month.year, month.month, last_day)))
        day = last_day + 1
    return weeks


def _week_numbers(days: pd.Series, month: Month) -> pd.Series:
    """The 0-based week of each day of the month (1–31)."""
    offset = date(month.year, month.month, 1).weekday()  # Monday = 0
    return (days - 1 + offset) // 7


def weekly_counts(inputs: KpiInputs, month: Month) -> tuple[Week, ...]:
    """Each week of ``month`` with the leads created, turned MQL and turned SQL in it; a count whose date column the
    leads file lacks is left out (unknown, not 0)."""
    leads = inputs.leads
    spans = weeks_of(month)
    counted: dict[str, pd.Series] = {}
    for kpi_id, column in WEEKLY_KPIS.items():
        if not inputs.has("leads", column):
            continue
        in_month = leads.loc[leads[f"{column}_m"] == month.index, column]
        weeks = _week_numbers(in_month.dt.day, month)
        counted[kpi_id] = weeks.value_counts().reindex(range(len(spans)), fill_value=0)
    return tuple(Week(first, last, {k: int(counted[k].iloc[i]) for k in counted})
                 for i, (first, last) in enumerate(spans))
