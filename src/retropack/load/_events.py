"""``email_events`` counted by DuckDB straight from its file, so millions of events never become a pandas frame.

All a run needs from the events is, per send, the number of distinct ``lead_id`` with each event (contract
§1). DuckDB reads the file and sorts its rows with cheap checks that only pass values today's validation
passes unchanged too: a send_id written exactly as a send_id of email_sends, an event in ASCII, a lead_id
without whitespace at its ends, an ISO-8601 time of a plain shape (or a Parquet timestamp). Those rows are
counted in SQL. Every other row (empty, unknown, spelled unusually) is *odd*: it is handed back in batches,
as text with its row number, to the validator every table goes through, which keeps it or rejects it with
its usual reason; the odd rows it keeps are then counted with the rest. So the rules live in one place.

A CSV is first copied into a temporary Parquet file (from CP932 when that is its encoding), so that its rows
keep their numbers. A file DuckDB would read differently from pandas raises ``Unsupported`` and is read the
pandas way: a blank line between rows (DuckDB skips it, which would shift the row numbers), a CSV DuckDB
cannot parse strictly (ragged rows), an unreadable file, or id and event columns of other types than text
and integers.
"""

from __future__ import annotations

import codecs
import csv
import importlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from retropack.errors import DataError
from retropack.load._reading import RawTable, _as_text, _normalized_headers, decode, refuse_outside_links
from retropack.load.tables import EMAIL_EVENTS, EVENT_COUNTS, EVENTS

__all__ = ["EventFile", "Unsupported"]

_NEEDED = tuple(column.name for column in EMAIL_EVENTS.columns)
_CHUNK = 1 << 24  # bytes read at a time when a CSV's encoding is checked
_BATCH = 200_000  # odd rows handed to the validator at a time
# DuckDB's memory: past it, the distinct counts of a large file spill to the temporary folder, so a run of
# 10 million events stays within its budget (1.5 GB for all processes, issue 15) on any machine.
_MEMORY = "256MB"
# A time every one of whose spellings pandas reads (tests/load/test_events.py checks it against the parser):
# years 1900-2199, days that every year has (29 February goes to the validator), seconds to microseconds.
_PLAIN_TIME = (
    r"(?:19|20|21)[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,6})?)?"
    r"(?:Z|[+-](?:0[0-9]|1[0-4]):?[0-5][0-9])?)?"
)
# A code point that may start or end a value any strip() leaves as it is: printable ASCII, or above U+00A0
# any but those Python or Arrow count as whitespace (U+1680, U+180E, U+2000-U+200B, U+2028/9, U+202F, U+205F,
# U+3000, U+FEFF).
_PLAIN_END = ("({c} BETWEEN 33 AND 126 OR ({c} > 160 AND {c} NOT IN (5760, 6158, 8232, 8233, 8239, 8287, 12288, "
              "65279) AND {c} NOT BETWEEN 8192 AND 8203))")
_YEAR_1900, _YEAR_2200 = -2_208_988_800, 7_258_118_400  # seconds from 1970 (a typed time's plain range)
_TEXT_TYPES = ("VARCHAR",)
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT")
_TIME_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE")


def _duckdb() -> Any:
    """DuckDB, an optional dependency (``retropack[events]``): only a program that hands over raw events needs it."""
    try:
        return importlib.import_module("duckdb")
    except ImportError:
        raise DataError("email_events is counted by DuckDB, which is not installed: install retropack with its "
                        "'events' extra (pip install 'retropack[events]'), or hand over per-send counts in "
                        "email_sends instead of email_events.") from None


class Unsupported(Exception):
    """The file is one DuckDB would read differently from pandas: it is read the pandas way instead."""


class EventFile:
    """One email_events file opened in DuckDB; a context manager (it holds a connection and temporary files).

    ``send_keys`` are email_sends' send_id cells, trimmed, rejected rows included (as the reference check
    takes them). ``header`` is the file's columns with no rows, for the check of required columns.
    """

    def __init__(self, path: Path, send_keys: pd.Series) -> None:
        refuse_outside_links(path)
        self.path = path
        self._kept = False
        self._folder = tempfile.TemporaryDirectory(prefix="retropack-events-")
        work = Path(self._folder.name)
        self._db = _duckdb().connect(config={"temp_directory": str(work / "spill"), "memory_limit": _MEMORY})
        try:
            self._db.register("send_keys", pa.table({"key": pa.array(send_keys.unique(), pa.string())}))
            if path.suffix.lower() == ".parquet":
                self.encoding, self._parquet, self._first = None, path, 0
            else:
                self.encoding, self._parquet, self._first = _inspect_csv(path), work / "events.parquet", 1
                self._copy_csv(work)
            self._columns = self._describe()
            self.header = self._header()
            self._check_types()
            if set(_NEEDED) <= set(self._positions):  # else the check of required columns names the missing one
                self._db.execute(f"CREATE TEMP VIEW checked AS {self._checked()}")
        except (_duckdb().Error, pa.ArrowException) as error:
            self.close()
            raise Unsupported(str(error)) from None
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> EventFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None,
                 ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def counts(self) -> tuple[pd.DataFrame, int, np.ndarray]:
        """Per send and event, the distinct leads of the rows that passed; the number of rows; and the positions
        of the odd rows, found by a second look at the sends and events that have any (usually few rows)."""
        try:
            groups = self._db.execute("SELECT send_id, lower(event) AS event, ok, count(DISTINCT lead_id) AS leads "
                                      "FROM checked GROUP BY ALL").df()
            positions = np.empty(0, dtype=np.int64)
            if not groups["ok"].all():
                self._db.register("odd_groups", pa.Table.from_pandas(groups.loc[~groups["ok"], ["send_id", "event"]],
                                                                     preserve_index=False))
                positions = self._db.execute(f"SELECT position FROM ({self._checked(odd_groups=True)}) WHERE NOT ok "
                                             "ORDER BY position").fetchnumpy()["position"].astype(np.int64)
        except _duckdb().Error as error:
            raise self._unreadable(error) from None
        rows = pq.ParquetFile(self._parquet).metadata.num_rows - self._first
        return groups.loc[groups["ok"], ["send_id", "event", "leads"]], rows, positions

    def odd_rows(self, positions: np.ndarray) -> Iterator[RawTable]:
        """The odd rows at ``positions`` (sorted), whole and as text as ``read_table`` reads them, in batches.

        Wholly empty rows are left out, as ``read_table`` leaves them out.
        """
        for start in range(0, len(positions), _BATCH):
            batch = positions[start:start + _BATCH]
            try:
                rows = self._rows(batch)
            except (_duckdb().Error, pa.ArrowException, OSError) as error:
                raise self._unreadable(error) from None
            yield self._as_raw(rows, batch)

    def keep(self, rows: pd.DataFrame) -> None:
        """Count odd rows the validator kept (their send_id, event and lead_id as typed) with those that passed;
        they wait in DuckDB, which spills them to disk when they are many."""
        if rows.empty:
            return
        self._db.register("batch", pa.Table.from_pandas(rows[["send_id", "event", "lead_id"]], preserve_index=False))
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS extra (send_id VARCHAR, event VARCHAR, lead_id VARCHAR)")
        self._db.execute("INSERT INTO extra SELECT * FROM batch")
        self._db.unregister("batch")
        self._kept = True

    def send_counts(self, groups: pd.DataFrame) -> pd.DataFrame:
        """Per send_id (the index), distinct lead_id per counted event, shaped like ``derive_send_counts``.

        ``groups`` comes from ``counts``; the sends and events of rows passed to ``keep`` are counted again,
        together with the rows that passed.
        """
        if self._kept:
            recounted = self._db.execute(
                "WITH passed AS (SELECT send_id, lower(event) AS event, lead_id FROM checked WHERE ok), "
                "touched AS (SELECT DISTINCT send_id, event FROM extra) "
                "SELECT send_id, event, count(DISTINCT lead_id) AS leads FROM "
                "(SELECT * FROM passed SEMI JOIN touched USING (send_id, event) UNION ALL SELECT * FROM extra) "
                "GROUP BY ALL"
            ).df()
            touched = pd.MultiIndex.from_frame(recounted[["send_id", "event"]])
            untouched = ~pd.MultiIndex.from_frame(groups[["send_id", "event"]]).isin(touched)
            groups = pd.concat([groups[untouched], recounted], ignore_index=True)
        counted = groups[groups["event"].isin(list(EVENT_COUNTS))]
        leads = counted.pivot(index="send_id", columns="event", values="leads")
        leads = leads.reindex(index=pd.Index(groups["send_id"].unique(), dtype=object), columns=list(EVENT_COUNTS))
        return leads.fillna(0).rename(columns=EVENT_COUNTS).rename_axis(index=None, columns=None).astype("float64")

    def _unreadable(self, error: Exception) -> DataError:
        return DataError(f"File '{self.path}' cannot be read to the end ({str(error).strip()}); export the "
                         f"email_events table again, as CSV or Parquet.")

    def _copy_csv(self, work: Path) -> None:
        """The CSV as UTF-8 (transcoded from CP932) and then as Parquet, the header its first row."""
        source = self.path
        if self.encoding == "cp932":
            source = work / "events.csv"
            with self.path.open(encoding="cp932", newline="") as read, source.open("w", encoding="utf-8",
                                                                                   newline="") as write:
                while chunk := read.read(_CHUNK):
                    write.write(chunk)
        with source.open(encoding="utf-8-sig", newline="") as text:
            written = next(csv.reader(text), None)
        if not written:
            raise Unsupported("no header row")
        columns = ", ".join(f"'column{i}': 'VARCHAR'" for i in range(len(written)))
        self._db.execute(  # a ragged or malformed row fails here, and the file is read the pandas way
            f"COPY (SELECT * FROM read_csv('{_literal(source)}', header=false, auto_detect=false, "
            f"columns={{{columns}}}, delim=',', quote='\"', escape='\"', comment='', skip=0, strict_mode=true, "
            f"null_padding=false)) TO '{_literal(self._parquet)}' (FORMAT parquet)")

    def _describe(self) -> list[tuple[str, str]]:
        """(name, DuckDB type) of every column of the Parquet file, in file order."""
        return [(row[0], row[1]) for row in self._db.execute(
            "DESCRIBE SELECT * FROM read_parquet(?)", [str(self._parquet)]).fetchall()]

    def _header(self) -> RawTable:
        """The file's normalized columns and headers as written, with no rows."""
        if self._first:  # a CSV copy: the header is the first row
            first = self._db.execute("SELECT * EXCLUDE (file_row_number) FROM read_parquet(?, file_row_number=true) "
                                     "WHERE file_row_number = 0", [str(self._parquet)]).fetchone()
            written = ["" if cell is None else cell for cell in first or ()]
        else:  # as pyarrow names them (DuckDB renames a repeated name)
            written = pq.read_schema(self._parquet).names
        filled = pd.DataFrame([[self._holds_values(name) if not header.strip() else "x"
                                for (name, _), header in zip(self._columns, written, strict=True)]])
        columns, repeated = _normalized_headers(self.path, dict(enumerate(written)), filled, frozenset(_NEEDED))
        self._positions = {name: position for name, (position, _) in columns.items()}
        return RawTable(name="email_events", path=self.path, encoding=self.encoding,
                        frame=pd.DataFrame(columns=list(columns), dtype=str),
                        headers={name: header for name, (_, header) in columns.items()}, repeated=repeated)

    def _holds_values(self, column: str) -> str:
        """"x" when a column without a header holds any value (else ``read_table`` drops it), else ""."""
        found = self._db.execute(f"SELECT bool_or(coalesce(CAST({_quote(column)} AS VARCHAR), '') <> '') FROM "
                                 f"read_parquet(?, file_row_number=true) WHERE file_row_number >= {self._first}",
                                 [str(self._parquet)]).fetchone()
        return "x" if found and found[0] else ""

    def _check_types(self) -> None:
        """Unsupported when an id or the event is neither text nor an integer, or the time neither text nor a
        date or timestamp: their text would not be pyarrow's, which validation reads."""
        for name, position in self._positions.items():
            kind = self._columns[position][1]
            if name in _NEEDED and not (kind in _TEXT_TYPES or kind in _INTEGER_TYPES
                                        or (name == "occurred_at" and kind in _TIME_TYPES)):
                raise Unsupported(f"column {name} is {kind}")

    def _checked(self, *, odd_groups: bool = False) -> str:
        """SQL: every row's position, its send_id, lead_id and event as text, and ``ok`` when it passes; with
        ``odd_groups``, only the rows of the sends and events in the table ``odd_groups``."""
        source = {name: "file." + _quote(self._columns[self._positions[name]][0]) for name in _NEEDED}
        moment = source["occurred_at"]
        if self._columns[self._positions["occurred_at"]][1] in _TIME_TYPES:
            on_time = f"epoch({moment}) BETWEEN {_YEAR_1900} AND {_YEAR_2200}"  # years 1900-2199, NULL not
        else:
            on_time = f"regexp_full_match({moment}, '{_PLAIN_TIME}')"
        text = {name: f"coalesce(CAST({source[name]} AS VARCHAR), '')" for name in _NEEDED[:3]}
        only = (f"SEMI JOIN odd_groups AS odd ON {text['send_id']} = odd.send_id AND lower({text['event']}) = odd.event"
                if odd_groups else "")
        events = ", ".join(f"'{event}'" for event in EVENTS)
        ends = " AND ".join(_PLAIN_END.format(c=c) for c in ("first", "last"))
        return (
            f"SELECT position, send_id, lead_id, event, on_time AND send_id <> '' AND send_id IN "
            f"(SELECT key FROM send_keys) AND lower(event) IN ({events}) AND strlen(event) = length(event) "
            f"AND {ends} AS ok FROM (SELECT *, ord(lead_id) AS first, ord(reverse(lead_id)) AS last FROM "
            f"(SELECT file.file_row_number AS position, "
            + ", ".join(f"{expression} AS {name}" for name, expression in text.items())
            + f", coalesce({on_time}, false) AS on_time FROM read_parquet('{_literal(self._parquet)}', "
            f"file_row_number=true) AS file {only} WHERE file.file_row_number >= {self._first}))"
        )

    def _rows(self, positions: np.ndarray) -> pa.Table:
        """The rows at ``positions`` in the types pyarrow reads, so their text is the text ``read_table`` gives.

        DuckDB fetches them (it decodes little more than those rows); where its type differs it is cast back.
        A type it does not hand back exactly (INT96 times lose their nanoseconds) is read through pyarrow.
        """
        file = pq.ParquetFile(self._parquet)
        if any(column.physical_type == "INT96" for column in file.schema):
            return self._rows_by_pyarrow(file, positions)
        self._db.register("wanted", pa.table({"position": positions}))
        fetched = self._db.sql(
            "SELECT " + ", ".join(f"file.{_quote(name)}" for name, _ in self._columns)
            + f" FROM read_parquet('{_literal(self._parquet)}', file_row_number=true) AS file SEMI JOIN wanted "
            "ON file.file_row_number = wanted.position ORDER BY file.file_row_number").to_arrow_table()
        self._db.unregister("wanted")
        schema = file.schema_arrow
        try:
            return pa.Table.from_arrays([column if column.type == field.type else column.cast(field.type)
                                         for column, field in zip(fetched.columns, schema, strict=True)], schema=schema)
        except pa.ArrowException:
            return self._rows_by_pyarrow(file, positions)

    @staticmethod
    def _rows_by_pyarrow(file: pq.ParquetFile, positions: np.ndarray) -> pa.Table:
        """The rows at ``positions``, read by pyarrow a whole row group at a time."""
        starts = np.cumsum([0, *(file.metadata.row_group(group).num_rows for group in range(file.num_row_groups))])
        taken = []
        for group in range(file.num_row_groups):
            inside = positions[(positions >= starts[group]) & (positions < starts[group + 1])]
            if inside.size:
                taken.append(file.read_row_group(group).take(pa.array(inside - starts[group])))
        return pa.concat_tables(taken)

    def _as_raw(self, rows: pa.Table, positions: np.ndarray) -> RawTable:
        """Odd rows as ``read_table`` gives them: text columns, numbered as a spreadsheet shows them."""
        frame = pd.DataFrame({name: _as_text(rows.column(position)) for name, position in self._positions.items()})
        frame.index = pd.Index(positions + (2 - self._first), name="row")
        frame = frame[frame.ne("").any(axis=1)]
        return RawTable(name="email_events", path=self.path, encoding=self.encoding, frame=frame,
                        headers=self.header.headers, repeated=self.header.repeated)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _inspect_csv(path: Path) -> str:
    """The CSV's encoding as ``decode`` tells it, read a chunk at a time; Unsupported when a blank line
    comes before the last row (pandas keeps its number, DuckDB skips it)."""
    with path.open("rb") as file:
        head = file.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        decode(path, head)  # raises the UTF-16 error
    for encoding in ("utf-8", "cp932"):
        try:
            blank, content = _scan(path, encoding)
        except UnicodeDecodeError:
            continue
        if blank is not None and blank < content:
            raise Unsupported("a blank line between rows")
        return ("utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8") if encoding == "utf-8" else encoding
    return decode(path, path.read_bytes())[1]  # neither: decode raises its error, which points at the bad byte


def _scan(path: Path, encoding: str) -> tuple[int | None, int]:
    """Decode the whole file strictly; the offset of its first blank line (or None) and of its last content."""
    decoder = codecs.getincrementaldecoder(encoding)()
    blank, content, offset, tail = None, -1, 0, b"\n"
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            decoder.decode(chunk)
            joined = tail + chunk
            if blank is None and (found := re.search(rb"\n\r?\n|\r\r", joined)):
                blank = offset - len(tail) + found.start()
            stripped = len(chunk.rstrip(b"\r\n"))
            if stripped:
                content = offset + stripped
            offset += len(chunk)
            tail = joined[-2:]
    decoder.decode(b"", final=True)
    return blank, content
