"""A KPI off track, month by month: below its phase's target, or worse than its recent level.

Patterns 3 and 5 judge the SLA, conversion and unsubscribe KPIs this way, so a one-month dip is a
watch and a run of months is an alert, with the month the run began.
"""

from __future__ import annotations

from statistics import fmean

from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis.evidence import Evidence, KpiRef, Quantity, run_length, run_start
from retropack.kpis.catalog import SEED_COMMITMENTS
from retropack.kpis.evaluation import judge
from retropack.months import Month
from retropack.rules import Band

RECENT_MONTHS = 3


def _reference(inputs: DiagnosisInputs, kpi_id: str, month: Month) -> float | None:
    """The month's target; without one, a commitment the seed makes (the SLA): no target is not no problem."""
    target = inputs.targets_for(month).get(kpi_id)
    return target if target is not None else SEED_COMMITMENTS.get(kpi_id)


def _below_target(inputs: DiagnosisInputs, kpi_id: str, month: Month) -> bool:
    kpi = inputs.results[kpi_id].kpi
    status = judge(inputs.value(kpi_id, month), _reference(inputs, kpi_id, month), kpi.better, inputs.tolerance)
    return status in ("missed", "near")


def _recent_mean(inputs: DiagnosisInputs, kpi_id: str, month: Month) -> float | None:
    before = [inputs.value(kpi_id, month.shift(-k)) for k in range(1, RECENT_MONTHS + 1)
              if month.shift(-k) >= inputs.start]
    known = [v for v in before if v is not None]
    return fmean(known) if known else None


def _worse_than_recent(inputs: DiagnosisInputs, kpi_id: str, month: Month, share: float) -> bool:
    value, recent = inputs.value(kpi_id, month), _recent_mean(inputs, kpi_id, month)
    if value is None or not recent:
        return False
    move = (value - recent) / abs(recent)
    return move <= -share if inputs.results[kpi_id].kpi.better == "higher" else move >= share


def kpi_evidence(inputs: DiagnosisInputs, kpi_id: str, months_band: Band, worse_share: float) -> Evidence:
    """One KPI's verdict: on track, below target or falling (rising, for lower-is-better), with its run."""
    month = inputs.month
    unit = inputs.results[kpi_id].kpi.unit
    actual = inputs.value(kpi_id, month)
    target = inputs.targets_for(month).get(kpi_id)
    reference = _reference(inputs, kpi_id, month)
    values = {"kpi": KpiRef(kpi_id), "actual": Quantity(actual, unit), "target": Quantity(reference, unit)}
    if actual is None:
        return Evidence("kpi_no_value", "no_data", values)
    flags = [(m, _below_target(inputs, kpi_id, m) or _worse_than_recent(inputs, kpi_id, m, worse_share))
             for m in inputs.months]
    months = run_length(flags)
    if not months:
        return Evidence("kpi_on_track" if target is not None else "kpi_without_target", "ok", values)
    values = {**values, "months": Quantity(months, "months"),
              "recent": Quantity(_recent_mean(inputs, kpi_id, month), unit)}
    below = _below_target(inputs, kpi_id, month)
    code = "kpi_worse_than_recent" if not below else "kpi_below_target" if target is not None \
        else "kpi_below_commitment"
    level = months_band.level(months)
    if not below and inputs.status(kpi_id, month) == "achieved" and level == "alert":
        level = "watch"  # a target met is never an alert: slipping while on target is the verdict's watch
    return Evidence(code, level, values, run_start(flags))
