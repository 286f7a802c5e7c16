"""Section 5 of the agenda: next month's content against the cadence, last month's plan vs
published, and the scenarios planned or launching (seed 成功パターン3, 失敗パターン4)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from retropack.load.dataset import Dataset
from retropack.months import Month, month_index_series

__all__ = ["build_content_plan", "CadenceLine", "ContentPlan", "PlanVsPublished"]


@dataclass(frozen=True)
class CadenceLine:
    type: str
    planned: int
    target: int

    @property
    def shortfall(self) -> int:
        return max(self.target - self.planned, 0)


@dataclass(frozen=True)
class PlanVsPublished:
    type: str
    planned: int
    published: int
    late: int
    missing: int


@dataclass(frozen=True)
class ContentPlan:
    has_calendar: bool
    has_scenarios: bool
    next_month: Month
    cadence: tuple[CadenceLine, ...]
    last_month: tuple[PlanVsPublished, ...]
    upcoming: pd.DataFrame  # next month's items: title, type, planned_date, owner, scenario
    scenarios: pd.DataFrame  # planned or launching: scenario_id, name, status, launch_date, owner

    @property
    def shortfall(self) -> int:
        return sum(line.shortfall for line in self.cadence)


def _cadence(calendar: pd.DataFrame, month: Month, cadence: dict[str, int]) -> tuple[CadenceLine, ...]:
    planned = calendar.loc[calendar["planned_m"] == month.index, "type"].value_counts()
    types = list(cadence) + [t for t in planned.index if t not in cadence]
    return tuple(CadenceLine(t, int(planned.get(t, 0)), int(cadence.get(t, 0))) for t in types)


def _plan_vs_published(calendar: pd.DataFrame, month: Month) -> tuple[PlanVsPublished, ...]:
    items = calendar[calendar["planned_m"] == month.index]
    published = items["published_at"].notna() & (items["published_m"] <= month.index)
    late = published & (items["published_at"].dt.normalize() > items["planned_date"].dt.normalize())
    lines = []
    for kind, group in items.groupby("type", sort=True):
        idx = group.index
        lines.append(PlanVsPublished(str(kind), len(group), int(published[idx].sum()), int(late[idx].sum()),
                                     int((~published[idx]).sum())))
    return tuple(lines)


def _scenarios(scenarios: pd.DataFrame, month: Month) -> pd.DataFrame:
    launch_m = month_index_series(scenarios["launch_date"])
    relevant = (scenarios["status"] == "planned") | launch_m.isin([month.index, month.shift(1).index])
    columns = ["scenario_id", "name", "status", "launch_date", "owner"]
    chosen = scenarios.loc[relevant].copy()
    for column in columns:
        if column not in chosen:
            chosen[column] = pd.NA
    return chosen[columns].sort_values("launch_date", na_position="last").reset_index(drop=True)


def build_content_plan(dataset: Dataset, month: Month, cadence: dict[str, int]) -> ContentPlan:
    nxt = month.shift(1)
    empty = pd.DataFrame()
    if dataset.has_table("content_calendar"):
        calendar = dataset.tables["content_calendar"].copy()
        calendar["planned_m"] = month_index_series(calendar["planned_date"])
        calendar["published_m"] = month_index_series(calendar["published_at"])
        upcoming = calendar[calendar["planned_m"] == nxt.index].sort_values("planned_date")
        upcoming = upcoming.reindex(columns=["title", "type", "planned_date", "owner", "scenario"])
        cadence_lines = _cadence(calendar, nxt, cadence)
        last = _plan_vs_published(calendar, month)
    else:
        upcoming, last = empty, ()
        cadence_lines = tuple(CadenceLine(t, 0, n) for t, n in cadence.items())
    scenarios = _scenarios(dataset.tables["scenarios"], month) if dataset.has_table("scenarios") else empty
    return ContentPlan(
        has_calendar=dataset.has_table("content_calendar"),
        has_scenarios=dataset.has_table("scenarios"),
        next_month=nxt,
        cadence=cadence_lines,
        last_month=last,
        upcoming=upcoming.reset_index(drop=True),
        scenarios=scenarios,
    )
