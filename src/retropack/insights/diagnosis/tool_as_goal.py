"""失敗パターン1 ツール導入が目的化: focus KPIs nobody aimed at, KPIs nobody measures, and focus KPIs
that stopped improving — the signs of a tool run without goals."""

from __future__ import annotations

from collections.abc import Callable
from statistics import fmean

from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis.evidence import Evidence, KpiRef, Quantity, run_start
from retropack.kpis.catalog import CATALOG
from retropack.months import Month
from retropack.rules import Band, ToolAsGoal

__all__ = ["AVERAGE_MONTHS", "check"]

AVERAGE_MONTHS = 3


def _counted(inputs: DiagnosisInputs, codes: tuple[str, str], band: Band,
             missing_in: Callable[[Month], list[str]]) -> Evidence:
    """A count of KPIs per month (``missing_in(month)`` lists them), judged this month, with its run;
    ``codes`` word it when raised and when fine."""
    now = missing_in(inputs.month)
    flags = [(m, band.level(len(missing_in(m))) != "ok") for m in inputs.months]
    level = band.level(len(now))
    values = {"count": Quantity(len(now), "count"), "kpis": tuple(KpiRef(k) for k in now)}
    if level == "ok":
        return Evidence(codes[1], level, values)
    return Evidence(codes[0], level, values, run_start(flags))


def _focus_without_target(inputs: DiagnosisInputs, band: Band) -> Evidence:
    def missing_in(month: Month) -> list[str]:
        targets = inputs.targets_for(month)
        return [k for k in inputs.focus_for(month) if k not in targets]

    return _counted(inputs, ("focus_without_target", "focus_all_targeted"), band, missing_in)


def _kpis_without_value(inputs: DiagnosisInputs, band: Band) -> Evidence:
    def missing_in(month: Month) -> list[str]:
        return [k.id for k in CATALOG if inputs.value(k.id, month) is None]

    return _counted(inputs, ("kpis_without_value", "kpis_all_valued"), band, missing_in)


def _level_of(inputs: DiagnosisInputs, kpi_id: str, month: Month) -> float | None:
    """The KPI's 3-month average ending with ``month``: one month's noise does not make a trend."""
    known = [v for k in range(AVERAGE_MONTHS) if (m := month.shift(-k)) >= inputs.start
             and (v := inputs.value(kpi_id, m)) is not None]
    return fmean(known) if len(known) >= 2 else None


def _not_improved_since(inputs: DiagnosisInputs, kpi_id: str) -> tuple[Month, float, float] | None:
    """The latest month, 3 or more months back, whose 3-month level was as good as today's: the KPI has
    not improved since. None when today's level beats every earlier one (it is improving)."""
    now = _level_of(inputs, kpi_id, inputs.month)
    if now is None:
        return None
    sign = 1 if inputs.results[kpi_id].kpi.better == "higher" else -1
    for month in reversed(inputs.months[:-AVERAGE_MONTHS]):
        then = _level_of(inputs, kpi_id, month)
        if then is not None and sign * then >= sign * now:
            return month, then, now
    return None


def _stalled_focus(inputs: DiagnosisInputs, band: Band) -> list[Evidence]:
    """Focus KPIs short of target whose 3-month level is no better than ``band`` months or more ago."""
    found = []
    for kpi_id in inputs.focus_for(inputs.month):
        stalled = _not_improved_since(inputs, kpi_id)
        if stalled is None or inputs.status(kpi_id, inputs.month) == "achieved":
            continue
        then_month, then, now = stalled
        months = inputs.month - then_month
        level = band.level(months)
        if level == "ok":
            continue
        unit = inputs.results[kpi_id].kpi.unit
        has_target = inputs.status(kpi_id, inputs.month) != "no_target"
        found.append(Evidence("focus_not_improving" if has_target else "focus_flat_without_target", level, {
            "kpi": KpiRef(kpi_id), "months": Quantity(months, "months"), "then": Quantity(then, unit),
            "then_month": then_month, "now": Quantity(now, unit),
        }, then_month.shift(1)))
    return found


def check(inputs: DiagnosisInputs, limits: ToolAsGoal) -> tuple[Evidence, ...]:
    stalled = _stalled_focus(inputs, limits.months_without_improvement)
    improving = Evidence("focus_improving", "ok", {"kpis": tuple(KpiRef(k) for k in inputs.focus_for(inputs.month))})
    return (
        _focus_without_target(inputs, limits.focus_without_target),
        _kpis_without_value(inputs, limits.kpis_without_value),
        *(stalled or [improving]),
    )
