"""Finding and reading the dataset's files as text, so one validation path serves CSV and Parquet.

Every value is read as a string, nothing converted: a CSV cell ``NA`` stays ``"NA"`` and an empty
cell stays ``""``. Parquet columns are cast to the same text (timestamps in ISO-8601 with ``Z``
when they carry a timezone, booleans as ``true``/``false``), because a typed Parquet file and a
CSV export of the same data must give the same rows, rejects and reasons.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
A CSV record that spans several lines (a quoted line break) is one row; wholly empty lines are
skipped but keep their number, so the numbers in a reject file point at the right lines.
Parquet rows are numbered the same way, as if the file were exported with a header.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from retropack._strict import closest
from retropack.errors import DataError
from retropack.load.tables import TABLES

SUFFIXES = (".csv", ".parquet")
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class RawTable:
    """One input file as text: columns are normalized names, the index is each row's number."""

    name: str
    path: Path
    encoding: str | None  # None for Parquet, which has no text encoding
    frame: pd.DataFrame  # every value a str, "" where empty
    headers: dict[str, str]  # normalized column name -> the header as written in the file
    repeated: frozenset[str] = frozenset()  # headers written twice: only the first is read (see _normalized_headers)

    def require(self, column: str, hint: str = "") -> None:
        """Stop when the file lacks ``column``, suggesting the closest header it does have."""
        if column in self.frame.columns:
            return
        close = closest(column, self.frame.columns)
        found = f"did you mean '{self.headers[close]}'?" if close else f"it has: {', '.join(self.headers.values())}"
        raise DataError(
            f"File '{self.path}' has no column '{column}', which the {self.name} table requires "
            f"({found}); add the column to the file (column names are case-insensitive){hint}."
        )


def find_file(folder: Path, table: str) -> Path | None:
    """``<table>.csv`` or ``<table>.parquet`` in ``folder`` (file names case-insensitive), or None."""
    names = {path.name.lower(): path for path in folder.iterdir() if path.is_file()}
    found = [names[table + suffix] for suffix in SUFFIXES if table + suffix in names]
    if len(found) > 1:
        raise DataError(
            f"Dataset folder '{folder}' holds both '{found[0].name}' and '{found[1].name}'; "
            f"keep only one file for the {table} table."
        )
    return found[0] if found else None


def read_table(name: str, path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    """Read one table file as text, with normalized headers and spreadsheet row numbers. ``encoding`` and
    ``delimiter`` (``data.encoding``/``data.delimiter``) are what detection cannot know: Mac Roman, ``;``."""
    if path.suffix.lower() == ".parquet":
        encoding, written, cells = None, *_parquet_cells(path)
    else:
        encoding, written, cells = _csv_cells(path, encoding, delimiter or ",")
    cells = cells.set_axis(pd.RangeIndex(2, len(cells) + 2, name="row"), axis=0)
    columns, repeated = _normalized_headers(path, written, cells, needed=_contract_columns(name))
    frame = cells.iloc[:, [position for position, _ in columns.values()]].set_axis(list(columns), axis=1)
    frame = frame[frame.ne("").any(axis=1)]
    headers = {name: header for name, (_, header) in columns.items()}
    return RawTable(name=name, path=path, encoding=encoding, frame=frame, headers=headers, repeated=repeated)


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (with or without BOM), else CP932 (Shift_JIS).

    Both are tried strictly, so a bad byte is never replaced silently. When neither decodes, the
    error points at the byte where the likelier encoding failed: the one that read further.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            f"File '{path}' is UTF-16 (Excel's 'Unicode Text' export), which the dataset does not take: "
            "re-save it as UTF-8 (in Excel: 'CSV UTF-8') or as CP932."
        )
    bom = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[bom:].decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as error:
        utf8_offset = bom + error.start
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as error:
        offset = max(utf8_offset, error.start)
    line = data.count(b"\n", 0, offset) + 1
    raise DataError(
        f"File '{path}' cannot be read as UTF-8 or CP932 (Shift_JIS): byte 0x{data[offset]:02x} at offset "
        f"{offset} (line {line}) is invalid in both; fix that line or re-save the file as UTF-8 "
        f"(in Excel: 'CSV UTF-8')."
    )


def _decode_as(path: Path, data: bytes, encoding: str) -> str:
    """The file's text in the configured encoding, strictly: a byte it cannot hold is an error, not a guess."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DataError(f"File '{path}' cannot be read as {encoding} (data.encoding): byte 0x{data[error.start]:02x} "
                        f"at offset {error.start} (line {line}) is invalid in it; correct data.encoding for this "
                        f"file or re-save it as UTF-8.") from None


def _csv_cells(path: Path, encoding: str | None = None, delimiter: str = ",") -> tuple[str, list[str], pd.DataFrame]:
    """The encoding, the header cells and every other cell of a CSV file, all as text."""
    data = path.read_bytes()
    text, encoding = (_decode_as(path, data, encoding), encoding) if encoding else decode(path, data)
    try:
        cells = pd.read_csv(io.StringIO(text), header=None, dtype=str, na_filter=False, skip_blank_lines=False,
                            sep=delimiter)
    except pd.errors.EmptyDataError:
        raise DataError(f"File '{path}' is empty; it needs at least a header row with the column names.") from None
    except pd.errors.ParserError as error:
        raise DataError(
            f"File '{path}' is not a well-formed CSV ({str(error).strip()}); check the commas and quotes on that line."
        ) from None
    return encoding, [str(cell) for cell in cells.iloc[0]], cells.iloc[1:]


def _parquet_cells(path: Path) -> tuple[list[str], pd.DataFrame]:
    """The column names and every value of a Parquet file, cast to the text a CSV export would hold."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        raise DataError(f"File '{path}' cannot be read as Parquet ({error}); re-export it or save it as CSV.") from None
    cells = pd.DataFrame({i: _as_text(column) for i, column in enumerate(table.columns)}, index=range(table.num_rows))
    return list(table.column_names), cells


def _as_text(column: pa.ChunkedArray) -> pd.Series:
    """One Parquet column as text, null as "" (a type pyarrow cannot cast falls back to Python's str)."""
    try:
        text = pc.cast(column, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # lists, structs, maps: no cast to text in Arrow
        text = pa.array([None if value is None else str(value) for value in column.to_pylist()], pa.string())
    return pd.Series(pc.fill_null(text, "").to_pandas(), dtype=str)


def _contract_columns(table: str) -> frozenset[str]:
    return frozenset(column.name for column in TABLES[table].columns) if table in TABLES else frozenset()


def _normalized_headers(path: Path, written: list[str], cells: pd.DataFrame,
                        needed: frozenset[str]) -> tuple[dict[str, tuple[int, str]], frozenset[str]]:
    """Normalized column name -> (position, header as written), and the names written more than once.

    Names are trimmed and lower-cased (the contract makes them case-insensitive). Two headers that
    normalize alike stop the run when the table reads that column (``needed``): which one is meant is
    not for retropack to guess. Any other repeated header (wide CRM exports repeat some) keeps its
    first column. A column without a header is dropped when it is empty (Excel's trailing commas) and
    named ``column_<n>`` otherwise.
    """
    columns: dict[str, tuple[int, str]] = {}
    repeated: set[str] = set()
    for position, header in enumerate(written):
        name = header.strip().lower()
        if not name:
            if not cells.iloc[:, position].ne("").any():
                continue
            name = f"column_{position + 1}"
        if name in columns:
            if name in needed:
                raise DataError(
                    f"File '{path}' has two columns named '{name}' ('{columns[name][1]}' and '{header}'; column "
                    f"names are case-insensitive); rename or remove one of them."
                )
            repeated.add(name)
            continue
        columns[name] = (position, header)
    return columns, frozenset(repeated)
