"""What a check found, as data: a message code, a level, the month it started and typed values.

Values stay raw (numbers with their unit, months, KPI ids, catalogue keys) so the view can word and
format them in either language and ``diagnosis.json`` can carry them as numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from retropack.months import Month
from retropack.rules import Level

__all__ = ["SEVERITY", "Evidence", "KpiRef", "needs", "Quantity", "run_length", "run_start", "Term", "Value", "worst"]

SEVERITY: dict[Level, int] = {"no_data": -1, "ok": 0, "watch": 1, "alert": 2}


@dataclass(frozen=True)
class Quantity:
    """A number and how to show it: count, rate, money, hours, people, score or months."""

    value: float | None
    unit: str

    def __post_init__(self) -> None:  # numpy scalars from pandas become plain floats, for JSON and equality
        if self.value is not None:
            object.__setattr__(self, "value", float(self.value))


@dataclass(frozen=True)
class KpiRef:
    kpi_id: str


@dataclass(frozen=True)
class Term:
    """A word of the message catalogue (a content type, a role, a table column)."""

    key: str


Value = str | Month | Quantity | KpiRef | Term | tuple["Value", ...]


@dataclass(frozen=True)
class Evidence:
    code: str  # the sentence: ``health.evidence.<code>`` in the catalogue
    level: Level
    values: Mapping[str, Value] = field(default_factory=dict)
    since: Month | None = None  # first month of the run that is still going on; None: not a monthly fact


def needs(column: str, *, code: str = "needs_data") -> Evidence:
    """A check that cannot run: it says which table or column would enable it."""
    return Evidence(code, "no_data", {"data": column})


def worst(levels: Iterable[Level]) -> Level:
    """The most severe level; ``no_data`` only when nothing could be checked."""
    found = list(levels)
    return max(found, key=SEVERITY.__getitem__) if found else "no_data"


def run_start(flags: Sequence[tuple[Month, bool]]) -> Month | None:
    """First month of the unbroken run of ``True`` that ends with the last month; None if it is ``False``."""
    start = None
    for month, flag in reversed(flags):
        if not flag:
            break
        start = month
    return start


def run_length(flags: Sequence[tuple[Month, bool]]) -> int:
    start = run_start(flags)
    return 0 if start is None else flags[-1][0] - start + 1
