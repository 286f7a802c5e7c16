"""Reading a tool's export as it is: which file is a table's, which header is which column, the report
footer that is not data, and the values that mean the contract's values (contract §7.1).

Every step keeps the file as read for the rejects: only the cells handed to validation are mapped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from retropack.errors import DataError
from retropack.load._reading import RawTable, find_file
from retropack.load.dataset import Finding
from retropack.load.mapping import ANY_VALUE, ColumnMap, ExportMapping, header_key

__all__ = ["drop_footer", "locate", "map_columns", "prepare_cells"]


def _listing(folder: Path) -> str:
    names = sorted(path.name for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
    return ", ".join(names) or "no files"


def locate(folder: Path, table: str, pattern: str | None, *, configured: bool) -> Path | None:
    """The table's file: the newest file matching ``data.files`` (a name or a glob), else ``<table>.csv``
    or ``<table>.parquet``; None when there is none. A pattern the config itself sets must match."""
    if pattern:
        if "/" in pattern or "\\" in pattern or pattern.startswith(".."):
            raise DataError(f"data.files.{table}: '{pattern}' must be a file name or pattern inside the dataset "
                            f"folder '{folder}', without a path.")
        matches = [path for path in folder.glob(pattern) if path.is_file()]
        if matches:
            return max(matches, key=lambda path: (path.stat().st_mtime, path.name))
    found = find_file(folder, table)
    if found is None and pattern and configured:
        raise DataError(f"data.files.{table}: no file matching '{pattern}' in '{folder}' (nor {table}.csv or "
                        f"{table}.parquet); its files are {_listing(folder)}. Export the table there or correct "
                        f"data.files.{table}.")
    return found


def map_columns(raw: RawTable, preset: ColumnMap, own: ColumnMap) -> RawTable:
    """Rename the export's headers to the contract's columns. A header named in the config must exist;
    a preset's headers are alternatives (English, Japanese, older labels), the first present wins."""
    by_key = {header_key(written): name for name, written in raw.headers.items()}
    renames: dict[str, str] = {}
    for header, column in own.items():
        found = by_key.get(header_key(header))
        if found is None:
            raise DataError(f"data.columns.{raw.name}: no column '{header}' in {raw.path.name}; its headers are "
                            f"{', '.join(raw.headers.values())}. Correct the header in the config (headers are "
                            f"case-insensitive).")
        renames[found] = column
    for header, column in preset.items():
        found = by_key.get(header_key(header))
        if found is not None and found not in renames and column not in renames.values():
            renames[found] = column
    for name, column in renames.items():
        if name in raw.repeated:
            raise DataError(f"{raw.path.name} has two columns '{raw.headers[name]}', which data.columns.{raw.name} "
                            f"reads as {column}; remove one of them from the export.")
    for name, column in renames.items():
        if column in raw.frame.columns and column not in renames and column != name:
            raise DataError(f"{raw.path.name} has a column '{raw.headers[column]}' and a column "
                            f"'{raw.headers[name]}' that data.columns.{raw.name} reads as {column}; map only one "
                            f"of them to {column}.")
    frame = raw.frame.rename(columns=renames)
    headers = {renames.get(name, name): written for name, written in raw.headers.items()}
    return replace(raw, frame=frame, headers=headers)


def drop_footer(raw: RawTable, patterns: list[str]) -> tuple[RawTable, list[Finding]]:
    """Drop a report's footer: from the first line whose only cell matches a footer pattern (with the
    one-cell lines just above it, such as the report's name) to the end, when every one of those lines
    holds a single cell. Such lines are not data, so they are not rejects either."""
    frame = raw.frame
    if not patterns or frame.empty:
        return raw, []
    first = pa.array(frame.iloc[:, 0].str.strip().to_numpy(dtype=object), pa.string())
    single = frame.iloc[:, 1:].eq("").all(axis=1) if frame.shape[1] > 1 else pd.Series(True, index=frame.index)
    # RE2 (Arrow's), never Python's re: its time is linear in the cell whatever the pattern (see mapping.py)
    found = pc.match_substring_regex(first, pattern="|".join(f"(?:{p})" for p in patterns))
    matching = single & pd.Series(found.to_numpy(zero_copy_only=False), index=frame.index)
    if not matching.any():
        return raw, []
    start = list(frame.index).index(matching[matching].index[0])
    while start > 0 and single.iloc[start - 1]:
        start -= 1
    if not single.iloc[start:].all():
        return raw, []
    dropped = len(frame) - start
    finding = Finding("footer_skipped", raw.name, dropped, {"file": raw.path.name})
    return replace(raw, frame=frame.iloc[:start]), [finding]


def prepare_cells(cells: pd.DataFrame, table: str, mapping: ExportMapping) -> pd.DataFrame:
    """The cells validation reads: lists cut to their first item, empty cells filled with the configured
    default, and the export's values replaced by the contract's (case-insensitive, trimmed; ``*`` for any
    other non-empty value). A value with no mapping stays as read, so validation names it."""
    cells = cells.copy()
    for column, separator in mapping.first_of.get(table, {}).items():
        if column in cells:
            cells[column] = cells[column].str.split(re.escape(separator), regex=True).str[0].str.strip()
    for column, value in mapping.defaults.get(table, {}).items():
        cells[column] = cells[column].where(cells[column].str.strip().ne(""), value) if column in cells else value
    for column, values in mapping.values.get(table, {}).items():
        if column not in cells:
            continue
        lookup = {key.strip().lower(): value for key, value in values.items() if key != ANY_VALUE}
        text = cells[column].str.strip()
        mapped = text.str.lower().map(lookup)
        if ANY_VALUE in values:
            mapped = mapped.where(mapped.notna() | text.eq(""), values[ANY_VALUE])
        cells[column] = mapped.where(mapped.notna(), cells[column])
    return cells
