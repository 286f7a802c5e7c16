"""Where the program stands: month index, phase and focus KPIs (contract §3, seed フェーズ別KPIの重点)."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.errors import ConfigError
from retropack.months import Month

__all__ = ["PHASE_IDS", "PHASES", "Phase", "phase_for_index", "phase_of", "PhaseDefinition"]


@dataclass(frozen=True)
class PhaseDefinition:
    id: str
    first_month: int
    last_month: int | None  # None: open-ended
    focus: tuple[str, ...]


PHASES: tuple[PhaseDefinition, ...] = (
    PhaseDefinition("launch", 1, 3, ("new_leads", "email_open_rate", "email_ctr")),
    PhaseDefinition("growth", 4, 6, ("mqls", "mql_to_sql_rate")),
    PhaseDefinition("optimization", 7, 12, ("ma_pipeline_amount", "ma_won_amount", "roi")),
    PhaseDefinition("maturity", 13, None, ("ltv", "cac", "pipeline_velocity")),
)
PHASE_IDS: tuple[str, ...] = tuple(phase.id for phase in PHASES)


@dataclass(frozen=True)
class Phase:
    definition: PhaseDefinition
    month_index: int

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def focus(self) -> tuple[str, ...]:
        return self.definition.focus


def phase_for_index(month_index: int) -> PhaseDefinition:
    for phase in PHASES:
        if month_index >= phase.first_month and (phase.last_month is None or month_index <= phase.last_month):
            return phase
    raise ValueError(f"month index {month_index} is before the program started")


def phase_of(month: Month, start: Month) -> Phase:
    """The phase of month M; the start month is month 1."""
    month_index = month - start + 1
    if month_index < 1:
        raise ConfigError(
            f"Month {month} is before the program's start month {start} (program.start_month): "
            f"report a month from {start} on, or correct program.start_month."
        )
    return Phase(phase_for_index(month_index), month_index)
