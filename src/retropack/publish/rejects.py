"""``rejects/<table>.csv``: every rejected input row, whole, with its row number and reason.

People open these files in Excel, and a rejected row is exactly where a hostile or broken value lands: a cell
beginning ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula
(``=HYPERLINK("http://…")``). As OWASP recommends for CSV injection, such a cell is written with a ``'`` in front;
so is a cell that already begins with ``'``, which makes the escape exact: removing the first ``'`` of every
cell that begins with one gives the value as read. A negative number such as ``-5`` is escaped too (``'-5``):
rejected rows are evidence to read, not numbers to add up. ``manifest.json`` says the same (``rejects_csv``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from retropack.load import Dataset

__all__ = ["ESCAPE", "ESCAPED_STARTS", "rows_as_read", "write_rejects"]

ESCAPE = "'"
ESCAPED_STARTS = ("=", "+", "-", "@", "\t", "\r", ESCAPE)
_ESCAPED = "^[" + "".join(f"\\x{ord(c):02x}" for c in ESCAPED_STARTS) + "]"


def write_rejects(dataset: Dataset, folder: Path) -> list[Path]:
    """One file per table with rejected rows; UTF-8 with BOM and CRLF so Excel reads Japanese and lines as
    written; formula cells escaped. Written a batch at a time: email_events' rejects stay on disk until here."""
    written = []
    for quality in dataset.quality.values():
        if not quality.keeps_rejects:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{quality.table}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            for number, rows in enumerate(quality.reject_batches()):
                # CRLF, Excel's own line end: a cell holding a carriage return is then quoted, not split in two rows
                _escaped(rows).to_csv(file, index=False, header=not number, lineterminator="\r\n")
        written.append(path)
    return written


def rows_as_read(dataset: Dataset) -> dict[str, Iterator[bytes]]:
    """Each rejects file as it would be without the escape, by its path in the pack (``rejects/leads.csv``), in
    pieces: the pack's identity reads these, since the escape is how a cell is written, not what it holds."""
    return {f"rejects/{q.table}.csv": _csv_pieces(q.reject_batches())
            for q in dataset.quality.values() if q.keeps_rejects}


def _csv_pieces(batches: Iterator[pd.DataFrame]) -> Iterator[bytes]:
    """The bytes of the batches' CSV, the header and BOM once: together, the whole frame's ``to_csv``."""
    for number, rows in enumerate(batches):
        text = rows.to_csv(index=False, header=not number)
        yield text.encode("utf-8-sig" if not number else "utf-8")


def _escaped(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``'`` before every text cell a spreadsheet would run as a formula (or that begins with ``'``)."""
    escaped = rows.copy()
    for position in range(escaped.shape[1]):  # by position: a table's own column may share a name with ours
        cells = escaped.iloc[:, position]
        if not (pd.api.types.is_string_dtype(cells) or cells.dtype == object):
            continue
        text = cells.astype(str)
        risky = cells.notna() & text.str.contains(_ESCAPED, regex=True)
        escaped.isetitem(position, cells.where(~risky, ESCAPE + text))
    return escaped
