"""Rejected rows kept on disk instead of in memory: ``email_events`` may reject hundreds of thousands of rows.

The validator hands over each batch's rejected rows as it goes; they are appended to a Parquet file and read
back a batch at a time when the pack writes ``rejects/email_events.csv`` and hashes it, so the run's memory does
not grow with them. Columns are stored by position (a file's headers as written may repeat, Parquet's may not)
and named again when read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["RejectSpill", "SpilledRows"]

_READ_BATCH = 100_000  # rows read back at a time


@dataclass(frozen=True, eq=False)
class SpilledRows:
    """A table's rejected rows in a Parquet file of a temporary folder, which goes with this object: the dataset a
    backfill keeps for its months keeps them with it."""

    headers: tuple[str, ...]
    rows: int
    folder: tempfile.TemporaryDirectory[str]

    @property
    def path(self) -> Path:
        return Path(self.folder.name) / "rejects.parquet"

    def batches(self) -> Iterator[pd.DataFrame]:
        """The rows in the order they were added, at most ``_READ_BATCH`` at a time, under their headers."""
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=_READ_BATCH):
            frame = batch.to_pandas()
            frame.columns = list(self.headers)
            yield frame


class RejectSpill:
    """Appends rejected rows (all batches under the same headers) to a Parquet file; ``finish`` hands it over."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="retropack-rejects-")
        self._writer: pq.ParquetWriter | None = None
        self._headers: tuple[str, ...] = ()
        self._rows = 0

    def add(self, rows: pd.DataFrame) -> None:
        positional = pa.Table.from_pandas(rows.set_axis([f"c{i}" for i in range(rows.shape[1])], axis=1),
                                          preserve_index=False)
        if self._writer is None:
            self._headers = tuple(str(header) for header in rows.columns)
            self._writer = pq.ParquetWriter(Path(self._folder.name) / "rejects.parquet", positional.schema)
        self._writer.write_table(positional.cast(self._writer.schema))
        self._rows += len(rows)

    def finish(self) -> SpilledRows | None:
        """The rows written, or None (and the folder removed) when there were none."""
        if self._writer is None:
            self._folder.cleanup()
            return None
        self._writer.close()
        return SpilledRows(self._headers, self._rows, self._folder)
