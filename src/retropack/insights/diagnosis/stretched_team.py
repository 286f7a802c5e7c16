"""失敗パターン2 運用担当者が兼務で手が回らない: scenarios left as first set up, content falling behind
its plan, and a team below the seed's hours (the capacity check feeds in here)."""

from __future__ import annotations

from retropack.insights.diagnosis._activity import calendar_months, month_of, scenario_changes, scenario_names
from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis.capacity import Capacity
from retropack.insights.diagnosis.evidence import Evidence, Quantity, Term, needs, run_length, run_start
from retropack.rules import StretchedTeam

__all__ = ["check"]


def _scenario_change(inputs: DiagnosisInputs, limits: StretchedTeam) -> Evidence:
    changes = scenario_changes(inputs)
    if changes.empty:
        return needs("scenarios / email_sends.scenario")
    last = changes.sort_values("m").iloc[-1]
    last_month = month_of(last["m"])
    months = inputs.month - last_month
    level = limits.months_without_scenario_change.level(months)
    name = scenario_names(inputs).get(last["scenario"], last["scenario"])
    values = {"scenario": name, "last_month": last_month, "months": Quantity(months, "months")}
    if level == "ok":
        return Evidence("scenario_changed_recently", level, values)
    return Evidence("scenario_unchanged", level, values, last_month.shift(1))


def _content_vs_plan(inputs: DiagnosisInputs, limits: StretchedTeam) -> Evidence:
    calendar = calendar_months(inputs)
    if calendar is None:
        return needs("content_calendar")

    def counts(index: int) -> tuple[int, int]:
        planned = calendar[calendar["planned_m"] == index]
        return len(planned), int((planned["published_m"] <= index).sum())

    def behind(index: int) -> bool:
        planned, published = counts(index)
        return planned > 0 and published < planned * limits.content_published_share

    flags = [(m, behind(m.index)) for m in inputs.months]
    planned, published = counts(inputs.month.index)
    months = run_length(flags)
    values = {"published": Quantity(published, "count"), "planned": Quantity(planned, "count"),
              "months": Quantity(months, "months")}
    if not months:
        return Evidence("content_on_plan", "ok", values)
    return Evidence("content_behind_plan", limits.months_behind_content_plan.level(months), values, run_start(flags))


def _capacity(capacity: Capacity | None, limits: StretchedTeam) -> list[Evidence]:
    if capacity is None:
        return [needs("team", code="needs_team")]
    short = capacity.short_roles
    found = [Evidence("roles_below_hours" if short else "roles_at_hours",
                      limits.roles_below_recommended_hours.level(len(short)),
                      {"roles": tuple(Term(f"role.{r.role}") for r in short),
                       "shortfall": Quantity(capacity.shortfall_hours, "hours")})]
    if capacity.total_hours < limits.min_weekly_hours:
        found.append(Evidence("team_below_minimum", "alert", {
            "hours": Quantity(capacity.total_hours, "hours"), "minimum": Quantity(limits.min_weekly_hours, "hours")}))
    return found + list(capacity.structure_gaps)


def check(inputs: DiagnosisInputs, limits: StretchedTeam, capacity: Capacity | None) -> tuple[Evidence, ...]:
    return (_scenario_change(inputs, limits), _content_vs_plan(inputs, limits), *_capacity(capacity, limits))
