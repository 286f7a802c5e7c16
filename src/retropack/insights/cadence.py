"""The article's cadence inside the monthly pack: what it measures weekly (leads, MQLs, SQLs), what it
measures per send (e-mail rates) and what sales feeds back monthly (MQL quality)."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.feedback import MqlFeedback, mql_feedback
from retropack.insights.sends import SendReport, send_report
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.inputs import KpiInputs
from retropack.kpis.weekly import Week, weekly_counts
from retropack.load.dataset import Dataset
from retropack.months import Month

__all__ = ["Cadence", "measure_cadence"]


@dataclass(frozen=True)
class Cadence:
    weeks: tuple[Week, ...]
    sends: SendReport
    feedback: MqlFeedback


def measure_cadence(inputs: KpiInputs, dataset: Dataset, month: Month, results: list[KpiResult]) -> Cadence:
    """Everything from the same validated inputs as the KPIs, so the weeks and sends add up to them."""
    return Cadence(weekly_counts(inputs, month), send_report(inputs, month, results),
                   mql_feedback(inputs, dataset, month))
