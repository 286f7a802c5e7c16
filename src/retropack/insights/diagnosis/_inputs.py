"""What every diagnosis check reads, gathered once: the month, the program months before it, the KPI
history with each month's own targets, and the validated tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from retropack.config import Settings
from retropack.kpis.evaluation import KpiResult, Status, judge
from retropack.kpis.inputs import KpiInputs
from retropack.kpis.phases import phase_for_index
from retropack.load.dataset import Dataset
from retropack.months import Month

LOOKBACK_MONTHS = 12


@dataclass(frozen=True)
class DiagnosisInputs:
    month: Month
    start: Month
    months: tuple[Month, ...]  # program months up to and including ``month`` (at most 12), oldest first
    kpis: KpiInputs
    dataset: Dataset
    results: dict[str, KpiResult]
    targets_for: Callable[[Month], dict[str, float]]  # the targets of that month's phase
    tolerance: float
    timezone: str

    def month_index(self, month: Month) -> int:
        """Program month number: the start month is 1."""
        return month - self.start + 1

    def focus_for(self, month: Month) -> tuple[str, ...]:
        return phase_for_index(self.month_index(month)).focus

    def value(self, kpi_id: str, month: Month) -> float | None:
        return dict(self.results[kpi_id].history).get(month)

    def status(self, kpi_id: str, month: Month) -> Status:
        """The KPI's status in ``month`` against that month's targets (contract §3)."""
        kpi = self.results[kpi_id].kpi
        return judge(self.value(kpi_id, month), self.targets_for(month).get(kpi_id), kpi.better, self.tolerance)

    def month_end(self, month: Month) -> pd.Timestamp:
        return month.end(self.timezone)

    def table(self, name: str) -> pd.DataFrame | None:
        return self.dataset.tables.get(name)

    def has_column(self, table: str, column: str) -> bool:
        return self.dataset.has_column(table, column)


def diagnosis_inputs(kpis: KpiInputs, dataset: Dataset, settings: Settings, month: Month,
                     results: list[KpiResult]) -> DiagnosisInputs:
    start = settings.program.start
    first = max(start, month.shift(-(LOOKBACK_MONTHS - 1)))
    targets = settings.targets

    def targets_for(m: Month) -> dict[str, float]:
        return targets.for_phase(phase_for_index(m - start + 1).id)

    return DiagnosisInputs(
        month=month,
        start=start,
        months=tuple(first.shift(i) for i in range(month - first + 1)),
        kpis=kpis,
        dataset=dataset,
        results={r.kpi.id: r for r in results},
        targets_for=targets_for,
        tolerance=targets.tolerance,
        timezone=settings.program.timezone,
    )
