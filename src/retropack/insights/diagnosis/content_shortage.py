"""失敗パターン4 コンテンツ不足でシナリオが回らない: less published than the cadence, scenarios that
went silent, and pieces mailed month after month while their opens or clicks fall."""

from __future__ import annotations

import pandas as pd

from retropack.insights.content_plan import ContentPlan
from retropack.insights.diagnosis._activity import (
    calendar_months,
    content_key,
    content_titles,
    live_scenarios,
    month_of,
    scenario_names,
    scenario_sends,
    sends_until,
)
from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis.evidence import Evidence, Quantity, Term, needs, run_length, run_start
from retropack.rules import ContentShortage

__all__ = ["METRICS", "REUSED_SHOWN", "check"]

REUSED_SHOWN = 3
METRICS = {"open": "unique_opens", "click": "unique_clicks"}


def _cadence(inputs: DiagnosisInputs, limits: ContentShortage, cadence: dict[str, int]) -> Evidence:
    calendar = calendar_months(inputs)
    if calendar is None:
        return needs("content_calendar")

    def short_types(index: int) -> list[tuple[str, int, int]]:
        published = calendar.loc[calendar["published_m"] == index, "type"].value_counts()
        return [(kind, int(published.get(kind, 0)), target) for kind, target in cadence.items()
                if published.get(kind, 0) < target]

    def shortfall(index: int) -> int:
        return sum(target - published for _, published, target in short_types(index))

    flags = [(m, limits.cadence_shortfall.level(shortfall(m.index)) != "ok") for m in inputs.months]
    lines = tuple(Term(f"content.type.{kind}") for kind, _, _ in short_types(inputs.month.index))
    level = limits.cadence_shortfall.level(shortfall(inputs.month.index))
    values = {"shortfall": Quantity(shortfall(inputs.month.index), "count"), "types": lines}
    return Evidence("cadence_short" if level != "ok" else "cadence_met", level, values,
                    run_start(flags) if level != "ok" else None)


def _next_month_plan(content: ContentPlan, limits: ContentShortage) -> Evidence | None:
    if not content.has_calendar:
        return None
    level = limits.cadence_shortfall.level(content.shortfall)
    short = tuple(Term(f"content.type.{line.type}") for line in content.cadence if line.shortfall)
    return Evidence("next_month_plan_short" if short else "next_month_plan_full", level,
                    {"shortfall": Quantity(content.shortfall, "count"), "types": short, "month": content.next_month})


def _silent_scenarios(inputs: DiagnosisInputs, limits: ContentShortage) -> list[Evidence]:
    sends = scenario_sends(inputs)
    if sends is None:
        return [needs("email_sends.scenario")]
    names = scenario_names(inputs)
    found = []
    for scenario in live_scenarios(inputs, sends):
        months_sent = set(sends.loc[sends["scenario"] == scenario, "m"].astype(int))
        if not months_sent:
            continue
        flags = [(m, m.index not in months_sent and min(months_sent) < m.index) for m in inputs.months]
        level = limits.months_scenario_silent.level(run_length(flags))
        if level != "ok":
            last = month_of(max(i for i in months_sent if i < inputs.month.index))
            found.append(Evidence("scenario_silent", level, {
                "scenario": names.get(scenario, scenario), "months": Quantity(run_length(flags), "months"),
                "last_month": last}, run_start(flags)))
    return found or [Evidence("scenarios_sending", "ok")]


def _monthly_engagement(inputs: DiagnosisInputs, key: str) -> pd.DataFrame:
    sends = sends_until(inputs)
    sends = sends[sends[key].notna() & sends[key].astype(str).str.strip().ne("")]
    columns = ["delivered", *METRICS.values()]
    numbers = sends[columns].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    monthly = numbers.assign(piece=sends[key].astype(str), m=sends["m"].astype(int), sends=1)
    return monthly.groupby(["piece", "m"]).sum()


def _decline(piece: pd.DataFrame, limits: ContentShortage, month_index: int) -> Evidence | None:
    """A piece's fall in opens or clicks from its first well-mailed month to this month."""
    usable = piece[piece["delivered"] >= limits.reused_min_delivered]
    if month_index not in usable.index or len(usable) < 2:
        return None
    base_m = int(usable.index[0])
    if month_index - int(piece.index[0]) + 1 < limits.reused_min_months or base_m == month_index:
        return None

    def drops(index: int) -> dict[str, float]:
        row, base = usable.loc[index], usable.loc[base_m]
        return {name: 1 - (row[col] / row["delivered"]) / (base[col] / base["delivered"])
                for name, col in METRICS.items() if base[col] > 0}

    now = drops(month_index)
    if not now:
        return None
    metric = max(now, key=now.__getitem__)
    level = limits.reused_engagement_drop.level(max(now[metric], 0.0))
    if level == "ok":
        return None
    flags = [(month_of(i), limits.reused_engagement_drop.level(max(drops(i).get(metric, 0.0), 0.0)) != "ok")
             for i in range(base_m + 1, month_index + 1) if i in usable.index]
    column = METRICS[metric]
    base, row = usable.loc[base_m], usable.loc[month_index]
    return Evidence("content_reused", level, {
        "metric": Term(f"health.metric.{metric}"), "sends": Quantity(piece["sends"].sum(), "count"),
        "months": Quantity(month_index - int(piece.index[0]) + 1, "months"), "base_month": month_of(base_m),
        "before": Quantity(base[column] / base["delivered"], "rate"),
        "now": Quantity(row[column] / row["delivered"], "rate"), "drop": Quantity(now[metric], "rate"),
    }, run_start(flags))


def _reused_content(inputs: DiagnosisInputs, limits: ContentShortage) -> list[Evidence]:
    key = content_key(inputs)
    if key is None:
        return [needs("email_sends.content_id")]
    monthly = _monthly_engagement(inputs, key)
    pieces, months = monthly.index.get_level_values("piece"), monthly.index.get_level_values("m")
    mailed_now = pieces[(months == inputs.month.index) & (monthly["delivered"] >= limits.reused_min_delivered)]
    monthly = monthly[pieces.isin(mailed_now)]  # a piece not mailed well this month has no decline to show
    titles = content_titles(inputs) if key == "content_id" else {}
    found = []
    for piece, rows in monthly.groupby(level="piece"):
        decline = _decline(rows.droplevel("piece"), limits, inputs.month.index)
        if decline is not None:
            title = titles.get(str(piece), str(piece))
            found.append(Evidence(decline.code, decline.level, {"piece": title, **decline.values}, decline.since))
    found.sort(key=lambda e: -e.values["drop"].value)  # type: ignore[union-attr]
    return found[:REUSED_SHOWN] or [Evidence("content_fresh", "ok")]


def check(inputs: DiagnosisInputs, limits: ContentShortage, content: ContentPlan,
          cadence: dict[str, int]) -> tuple[Evidence, ...]:
    upcoming = _next_month_plan(content, limits)
    return (_cadence(inputs, limits, cadence), *([upcoming] if upcoming else []),
            *_silent_scenarios(inputs, limits), *_reused_content(inputs, limits))
