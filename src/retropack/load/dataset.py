"""What loading and validation hand to the rest of the run: typed tables plus a quality report.

Column types after validation (names lower-case, trimmed):
- timestamps: ``datetime64[ns, <program timezone>]`` (NaT where empty);
- numbers (amounts, counts, score): ``float64`` (NaN where empty);
- ``ma_sourced``: pandas ``boolean`` (NA where empty);
- enums (stage, event, type, status): lower-case ``str``;
- ``spend.month``: ``str`` ``YYYY-MM``; ``planned_date``/``launch_date``: timestamps like the others;
- everything else: ``str`` (or NA).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from retropack.load.spill import SpilledRows
from retropack.load.tables import TABLES, Kind

__all__ = ["Dataset", "Finding", "TableQuality"]


@dataclass(frozen=True)
class Finding:
    """A data-quality observation that is not a rejected row (e.g. events disagree with send counts).

    ``code`` picks the sentence in the message catalogue; ``params`` fill it.
    """

    code: str
    table: str
    count: int
    params: dict[str, str | int | float] = field(default_factory=dict)


@dataclass
class TableQuality:
    """Rows read and rejected for one table, and each rejected row whole: in memory (``rejects``), or on disk
    (``spilled``) for email_events counted by DuckDB, whose rejects may be too many to hold."""

    table: str
    file: Path | None
    encoding: str | None
    rows_read: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    rejects: pd.DataFrame | None = None  # original columns + "row" (1-based, header = 1) + "reason"
    spilled: SpilledRows | None = None  # the same columns, on disk

    @property
    def keeps_rejects(self) -> bool:
        """Whether rejected rows are kept, in memory or on disk, for ``rejects/``."""
        return (self.rejects is not None and not self.rejects.empty) or self.spilled is not None

    def reject_batches(self) -> Iterator[pd.DataFrame]:
        """The rejected rows in file order, a batch at a time, wherever they are kept; nothing when none."""
        if self.rejects is not None and not self.rejects.empty:
            yield self.rejects
        if self.spilled is not None:
            yield from self.spilled.batches()

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())

    @property
    def reject_share(self) -> float:
        return self.rejected / self.rows_read if self.rows_read else 0.0


@dataclass
class Dataset:
    tables: dict[str, pd.DataFrame]
    columns: dict[str, frozenset[str]]  # columns each input file actually had
    quality: dict[str, TableQuality]
    findings: list[Finding]
    files: list[Path]

    def has_table(self, table: str) -> bool:
        return table in self.tables

    def has_column(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, frozenset())

    def newest_date(self) -> tuple[pd.Timestamp, str] | None:
        """The latest date of the required tables' kept rows, in any of their date columns, with where it is
        (``table.column``); None when they hold no date at all. A month after it has no data to report."""
        found = []
        for table in (t for t in TABLES.values() if t.required and t.name in self.tables):
            frame = self.tables[table.name]
            for column in (c.name for c in table.columns if c.kind is Kind.TIMESTAMP and c.name in frame):
                latest = frame[column].max()
                if not pd.isna(latest):
                    found.append((latest, f"{table.name}.{column}"))
        return max(found, key=lambda item: item[0]) if found else None
