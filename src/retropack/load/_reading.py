"""Finding and reading the dataset's files as text, so one validation path serves CSV and Parquet.

Every value is read as a string, nothing converted: a CSV cell ``NA`` stays ``"NA"`` and an empty
cell stays ``""``. Parquet columns are cast to the same text (timestamps in ISO-8601 with ``Z``
when they carry a timezone, booleans as ``true``/``false``), because a typed Parquet file and a
CSV export of the same data must give the same rows, rejects and reasons.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
A CSV record that spans several lines (a quoted line break) is one row; wholly empty lines are
skipped but keep their number, so the numbers in a reject file point at the right lines.
Parquet rows are numbered the same way, as if the file were exported with a header.

A file is bounded before it is parsed: a line longer than ``MAX_LINE_BYTES`` or a run of NUL bytes (a download
cut short, a binary file) stops the reading at that point, and a cell longer than a spreadsheet cell holds is an
error naming its row. Only the columns the table reads (its contract's and those the mapping names), plus the
first ``MAX_OTHER_COLUMNS`` others (rejected rows are written with them), are parsed, so a file with a hundred
thousand extra columns costs what its useful columns cost.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from retropack._strict import closest
from retropack.errors import DataError
from retropack.load.mapping import header_key
from retropack.load.tables import TABLES

SUFFIXES = (".csv", ".parquet")
BOM = b"\xef\xbb\xbf"
MAX_LINE_BYTES = 8 << 20  # no export's row is this long: past it the file is not a table (or not only one)
NUL_RUN = b"\0" * 4096  # text never holds this; a download cut short leaves its unwritten rest as NUL bytes
MAX_CELL_CHARS = 32_767  # what a spreadsheet cell holds (Excel's limit)
MAX_COLUMNS = 200_000  # columns in a header; more is not an export of one table
MAX_OTHER_COLUMNS = 1_000  # columns read besides those the table reads (kept for the rejected rows)
_SCAN_BYTES = 4 << 20


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


def read_table(name: str, path: Path, mapped: Iterable[str] = (), *, encoding: str | None = None,
               delimiter: str | None = None) -> RawTable:
    """Read one table file as text, with normalized headers and spreadsheet row numbers. ``mapped`` holds the
    export's headers the mapping reads (``data.columns``, a preset's), read like the contract's columns;
    ``encoding`` and ``delimiter`` (``data.encoding``/``data.delimiter``) are what detection cannot know."""
    refuse_outside_links(path)
    needed = _needed(name, mapped)
    if path.suffix.lower() == ".parquet":
        encoding, written, cells = None, *_parquet_cells(path, needed)
    else:
        encoding, written, cells = _csv_cells(path, needed, encoding, delimiter or ",")
    cells = cells.set_axis(pd.RangeIndex(2, len(cells) + 2, name="row"), axis=0)
    _check_cells(path, written, cells)
    columns, repeated = _normalized_headers(path, written, cells, needed=_contract_columns(name))
    frame = cells.loc[:, [position for position, _ in columns.values()]].set_axis(list(columns), axis=1)
    frame = frame[frame.ne("").any(axis=1)]
    headers = {name: header for name, (_, header) in columns.items()}
    return RawTable(name=name, path=path, encoding=encoding, frame=frame, headers=headers, repeated=repeated)


def refuse_outside_links(path: Path) -> None:
    """Stop when the table's file is a link to a file outside its dataset folder. Nothing of that file is read or
    quoted: a link could otherwise show any file this machine can read in an error, the run log or a mail."""
    folder = path.parent.resolve()
    if not path.resolve().is_relative_to(folder):
        raise DataError(f"File '{path}' is a link to a file outside the dataset folder '{path.parent}', which "
                        "retropack does not follow; copy the table's file into the folder instead of linking it.")


def refuse_workbook(path: Path, head: bytes) -> None:
    """Stop on an Excel workbook saved under a .csv name: a ZIP (.xlsx) or OLE (.xls) file is not text."""
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise DataError(
            f"File '{path}' is an Excel workbook, not CSV text, though its name ends in {path.suffix}: open it in "
            "Excel and save it with 'Save As' → 'CSV UTF-8 (comma delimited) (*.csv)', then use that file."
        )


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
    refuse_workbook(path, data[:4])
    bom = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[bom:].decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as error:
        utf8_offset = bom + error.start
    if bom:  # the mark says UTF-8; a body that is CP932 was saved with a mark in front by a tool
        line = data.count(b"\n", 0, utf8_offset) + 1
        try:
            data[bom:].decode("cp932")
        except UnicodeDecodeError:
            pass
        else:
            raise DataError(
                f"File '{path}' starts with a UTF-8 byte-order mark, but its text is CP932 (Shift_JIS): byte "
                f"0x{data[utf8_offset]:02x} at offset {utf8_offset} (line {line}) "
                "is not UTF-8. Re-save the file as UTF-8 (in Excel: 'CSV UTF-8'), or as CP932 without the mark."
            )
        raise DataError(
            f"File '{path}' starts with a UTF-8 byte-order mark, but byte 0x{data[utf8_offset]:02x} at offset "
            f"{utf8_offset} (line {line}) is not UTF-8; fix that line or re-save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8')."
        )
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


def _needed(table: str, mapped: Iterable[str]) -> Callable[[str], bool]:
    """Whether a header names a column the table reads: one of its contract's, or one the mapping names."""
    contract, keys = _contract_columns(table), {header_key(header) for header in mapped}
    return lambda header: header.strip().lower() in contract or header_key(header) in keys


def _chosen(written: list[str], needed: Callable[[str], bool]) -> dict[int, str]:
    """Position -> header of the columns to read: every needed one, and the first ``MAX_OTHER_COLUMNS`` others."""
    chosen, others = {}, 0
    for position, header in enumerate(written):
        if needed(header) or others < MAX_OTHER_COLUMNS:
            others += not needed(header)
            chosen[position] = header
    return chosen


def check_lines(path: Path) -> None:
    """Stop at the first run of NUL bytes or line longer than ``MAX_LINE_BYTES``, reading the file a piece at a
    time, so a file that is mostly garbage is refused before it is read whole."""
    line, length, offset, tail = 1, 0, 0, b""  # ``length``: bytes of line ``line`` so far
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_BYTES):
            nul = (tail + chunk).find(NUL_RUN)
            if nul >= 0:
                raise DataError(
                    f"File '{path}' holds a run of NUL bytes from byte {offset - len(tail) + nul:,} on: a download "
                    "cut short, or not a text file. Nothing of it was read; download or export the file again."
                )
            newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n"))
            ends = np.concatenate(([length + newlines[0]] if newlines.size else [], np.diff(newlines) - 1,
                                   [len(chunk) - 1 - newlines[-1]] if newlines.size else [length + len(chunk)]))
            too_long = np.flatnonzero(ends > MAX_LINE_BYTES)
            if too_long.size:
                raise DataError(
                    f"File '{path}': line {line + int(too_long[0]):,} is longer than {MAX_LINE_BYTES >> 20} MiB, "
                    "which no table's row is: a download cut short, or not a CSV file. Nothing of it was read; "
                    "download or export the file again."
                )
            line, length = line + newlines.size, int(ends[-1])
            tail, offset = chunk[-len(NUL_RUN) + 1:], offset + len(chunk)


def _csv_cells(path: Path, needed: Callable[[str], bool], encoding: str | None = None,
               delimiter: str = ",") -> tuple[str, dict[int, str], pd.DataFrame]:
    """The encoding, the headers read (by position) and their cells of a CSV file, all as text."""
    with path.open("rb") as handle:
        refuse_workbook(path, handle.read(4))
    check_lines(path)
    data = path.read_bytes()
    text, encoding = (_decode_as(path, data, encoding), encoding) if encoding else decode(path, data)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), None)  # the first record: its width
    if not header:
        raise DataError(f"File '{path}' is empty; it needs at least a header row with the column names.")
    _check_width(path, len(header))
    chosen = _chosen(header, needed)
    every = len(chosen) == len(header)  # a wide file parses only the chosen (its rows' lengths go unchecked)
    try:
        cells = pd.read_csv(io.StringIO(text), header=None, dtype=str, na_filter=False, skip_blank_lines=False,
                            sep=delimiter, usecols=None if every else list(chosen))
    except pd.errors.ParserError as error:
        raise DataError(
            f"File '{path}' is not a well-formed CSV ({str(error).strip()}); check the commas and quotes on that line."
        ) from None
    return encoding, chosen, cells.iloc[1:]


def _check_width(path: Path, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise DataError(f"File '{path}' has {columns:,} columns, more than the {MAX_COLUMNS:,} any export of one "
                        "table has: it is not the table's file, or its first line is not the header. Export the "
                        "table again.")


def _check_cells(path: Path, written: dict[int, str], cells: pd.DataFrame) -> None:
    """Stop at a cell longer than a spreadsheet cell holds: such a cell is damage, not data."""
    for position in cells.columns:
        lengths = cells[position].str.len()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            row = lengths.idxmax()
            raise DataError(f"File '{path}': row {row}, column '{written[position]}' holds {lengths[row]:,} "
                            f"characters, more than a spreadsheet cell holds ({MAX_CELL_CHARS:,}): the file is "
                            "damaged there. Export it again, or correct that cell.")


def _parquet_cells(path: Path, needed: Callable[[str], bool]) -> tuple[dict[int, str], pd.DataFrame]:
    """The column names and every value of the columns read of a Parquet file, cast to the text a CSV export
    would hold."""
    try:
        names = pq.ParquetFile(path).schema_arrow.names
        _check_width(path, len(names))
        chosen = _chosen(names, needed)
        table = pq.read_table(path, columns=list(dict.fromkeys(chosen.values())))
    except (pa.ArrowException, OSError) as error:
        raise DataError(f"File '{path}' cannot be read as Parquet ({error}); re-export it or save it as CSV.") from None
    positions = {name: position for position, name in reversed(list(chosen.items()))}  # the first of a name
    kept = {positions[name]: name for name in table.column_names if name in positions}
    cells = pd.DataFrame({position: _as_text(table.column(name)) for position, name in kept.items()},
                         index=range(table.num_rows))
    return kept, cells


def _as_text(column: pa.ChunkedArray) -> pd.Series:
    """One Parquet column as text, null as "" (a type pyarrow cannot cast falls back to Python's str). Bytes that
    are not UTF-8 (a text column Parquet does not check, or a binary one) are kept visible as escapes (``\\xff``),
    so their row is read, and rejected or kept for what it holds, instead of stopping the run."""
    try:
        text = pc.cast(column, pa.string())
        text.validate(full=True)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # lists, structs, maps; text that is not UTF-8
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = column.cast(pa.large_binary())  # a view of the same bytes, unchecked
        text = pa.array([None if value is None else _text_of(value) for value in column.to_pylist()], pa.string())
    return pd.Series(pc.fill_null(text, "").to_pandas(), dtype=str)


def _text_of(value: object) -> str:
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else str(value)


def _contract_columns(table: str) -> frozenset[str]:
    return frozenset(column.name for column in TABLES[table].columns) if table in TABLES else frozenset()


def _normalized_headers(path: Path, written: dict[int, str], cells: pd.DataFrame,
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
    for position, header in written.items():
        name = header.strip().lower()
        if not name:
            if not cells[position].ne("").any():
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
