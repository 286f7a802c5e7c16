"""Loading the dataset: every table read as text, then checked against its declaration in ``tables``.

A row that breaks a rule is rejected whole, with one ``code: sentence`` reason (its first problem,
in the order key, duplicate, columns as declared, row rules, references), and handed on for the
pack's data-quality section. Only a missing file or column, an unreadable file, or a table with
too many rejected rows stops the run, with a ``DataError`` saying what, where and how to fix it.

Parsing is vectorised per column, so a 10x program with hundreds of thousands of events stays
fast; Python loops run only over rejected rows, to word their reasons.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from retropack._membership import is_in
from retropack.errors import DataError, visible
from retropack.load._events import EventFile, Unsupported
from retropack.load._export import drop_footer, leave_out, locate, map_columns, prepare_cells, suspect_encoding
from retropack.load._reading import RawTable, read_table
from retropack.load.dataset import Dataset, Finding, TableQuality
from retropack.load.mapping import ExportMapping, merged
from retropack.load.spill import RejectSpill
from retropack.load.tables import EMAIL_EVENTS, EVENT_COUNTS, TABLES, Column, Kind, Table, opt

__all__ = ["DEFAULT_MAX_AMOUNT", "apply_event_counts", "derive_send_counts", "load_dataset", "parse_numbers",
           "parse_timestamps", "require_rows"]

# Patterns spell digits [0-9] and spaces [ ] (not \d, \s) so pandas runs them in pyarrow, not row by row.
# A number may carry a currency mark before it (¥, $) or after it (円) and thousands separators;
# the grouping must be real (1,234,000), so a European decimal comma such as 1,5 is refused
# rather than read as 15. The marks and separators are then dropped.
_NUMBER = r"^[-+]?[ ]*[¥$]?[ ]*[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:[.][0-9]+)?(?:[eE][-+]?[0-9]+)?[ ]*円?$"
_NUMBER_MARKS = r"[¥$円, ]"
# Excel re-saves ISO dates as 2025/6/1 9:05; those are rewritten to ISO-8601 before parsing.
_SLASH_DATE = r"^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})(?:[ T]([0-9]{1,2})(:[0-9]{2}.*))?$"
# Locale dates of US/UK exports (Salesforce, Excel): 6/1/2025, 6/1/2025 9:05, 6/1/2025, 9:05 PM; read in the
# configured data.date_order (MDY or DMY), never guessed.
_LOCALE_DATE = (r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:,?[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?"
                r"(?:[ ]*([AaPp][Mm]))?)?$")
_OFFSET = r"[T ][0-9]{1,2}.*(?:[zZ]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
# A month; also accepted as the first day of the month, as a Parquet date column or Excel writes it.
_MONTH = r"^([0-9]{4})[-/]([0-9]{1,2})(?:[-/]0?1(?:[ T]00:00(?::00(?:[.]0+)?)?)?)?$"
_T = TypeVar("_T")
DEFAULT_MAX_AMOUNT = 1e15  # ¥1,000兆: above any real deal or budget, far below where sums of amounts overflow
_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

# The reject code and the explanation for a value its column's type cannot read (text always reads).
_UNREADABLE: dict[Kind, tuple[str, str]] = {
    Kind.TIMESTAMP: (
        "bad_timestamp",
        "is not a valid ISO-8601 date or date-time (such as 2025-06-30 or 2025-06-30T09:15:00+09:00)",
    ),
    Kind.NUMBER: ("bad_number", "is not a number (such as 1234000, 1,234,000 or ¥1,234,000)"),
    Kind.AMOUNT: ("bad_number", "is not a number (such as 1234000, 1,234,000 or ¥1,234,000)"),
    Kind.COUNT: ("bad_number", "is not a whole number"),
    Kind.BOOL: ("bad_bool", "is not true/false, 1/0 or yes/no"),
    Kind.ENUM: ("bad_enum", "is not one of {values}"),
    Kind.MONTH: ("bad_month", "is not a month written YYYY-MM"),
}


@dataclass(frozen=True)
class _Options:
    """How values are read: the program's timezone, and the order of a date written 6/1/2025."""

    tz: str
    date_order: str | None = None
    date_formats: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # table -> column (or *) -> formats
    table: str = ""  # the table being read, whose date formats apply
    value_maps: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> columns with a value map
    max_amount: float = DEFAULT_MAX_AMOUNT  # a larger amount is a typo or an attack, not money


def load_dataset(folder: Path, *, timezone: str = "Asia/Tokyo", max_reject_share: float = 0.05,
                 export: tuple[ExportMapping, ExportMapping] | None = None,
                 max_amount: float = DEFAULT_MAX_AMOUNT) -> Dataset:
    """Read and validate every table of the dataset in ``folder``; raise DataError when it cannot be used.

    ``export`` is (a preset's mapping, the config's own keys) for reading a tool's export as it is.
    ``max_amount`` (``data_quality.max_amount``): an amount above it is a rejected row (``amount_too_large``).
    email_events is counted by DuckDB from its file (``_events``) unless the mapping reshapes it or DuckDB
    would read the file differently; either way the dataset holds the counts in email_sends, and the
    events table only as its number of kept rows (a frame without columns).
    """
    preset, own = export or (ExportMapping(), ExportMapping())
    mapping = merged(preset, own)
    paths, located = _locate_all(Path(folder), preset, own)
    by_duckdb = paths["email_events"] is not None and _countable(mapping)
    raws, findings = _read_all({n: p for n, p in paths.items() if n != "email_events" or not by_duckdb}, preset, own)
    cells = {}
    for name, raw in raws.items():
        cells[name], prepared = prepare_cells(raw, mapping)
        findings += prepared
    findings = located + findings
    with ExitStack() as stack:
        events = _open_events(paths["email_events"], cells["email_sends"], stack) if by_duckdb else None
        if by_duckdb and events is None:  # a file DuckDB would read differently: the pandas way, like any table
            more, skipped = _read_all({"email_events": paths["email_events"]}, preset, own)
            raws, findings = _in_table_order({**raws, **more}), findings + skipped
            cells["email_events"], _ = prepare_cells(more["email_events"], mapping)
        headers = dict(raws)
        if events is not None:
            headers["email_events"], cells["email_events"] = events.header, events.header.frame
        headers = _in_table_order(headers)
        specs = {name: _effective(TABLES[name], has_events="email_events" in headers) for name in headers}
        for name, raw in headers.items():
            _require_columns(specs[name], raw, cells[name], mapped=bool(mapping.columns.get(name)),
                             export_headers=_headers_for(mapping.columns.get(name, {})))
        options = _Options(timezone, mapping.date_order, {t: mapping.date_formats(t) for t in TABLES},
                           value_maps={t: tuple(m) for t, m in mapping.values.items()}, max_amount=max_amount)
        checked = {name: _check_table(specs[name], raw, cells, options) for name, raw in raws.items()}
        frames = {name: result.frame for name, result in checked.items()}
        if events is not None:
            checked["email_events"], counts = _count_events(events, cells, options, max_reject_share)
        elif "email_events" in frames:
            counts = derive_send_counts(frames["email_events"])
    if "email_events" in checked:
        file_columns = frozenset(cells["email_sends"].columns)
        frames["email_sends"], disagreeing = apply_event_counts(frames["email_sends"], counts, file_columns)
        findings += disagreeing
        frames["email_events"] = _kept_rows(len(checked["email_events"].frame))
    findings += _deals_without_amount(frames["deals"])
    checked = _in_table_order(checked)
    emptied = any(TABLES[name].required and result.quality.rows_read == 0 for name, result in checked.items())
    for result in checked.values():  # rows rejected for pointing into an empty required table are its consequence:
        if not emptied:              # the run names the empty table instead (require_rows)
            result.stop_if_too_many_rejects(max_reject_share)
    return Dataset(
        tables=_in_table_order(frames),
        columns={name: frozenset(cells[name].columns) for name in checked},
        quality={name: result.quality for name, result in checked.items()},
        findings=findings,
        files=[path for name, path in paths.items() if name in checked],
    )


def _headers_for(columns: dict[str, str]) -> dict[str, list[str]]:
    """Per contract column, the export headers a mapping reads for it, in the mapping's order."""
    headers: dict[str, list[str]] = {}
    for header, column in columns.items():
        headers.setdefault(column, []).append(header)
    return headers


def _in_table_order(tables: dict[str, _T]) -> dict[str, _T]:
    return {name: tables[name] for name in TABLES if name in tables}


def _locate_all(folder: Path, preset: ExportMapping,
                own: ExportMapping) -> tuple[dict[str, Path | None], list[Finding]]:
    """Every table's file (None where absent), with the findings naming exports chosen among several; stops when
    the folder or a required file is missing."""
    if not folder.is_dir():
        raise DataError(
            f"Dataset folder '{folder}' does not exist or is not a folder; check data.path in the configuration "
            f"or the --data option."
        )
    located = {name: locate(folder, name, own.files.get(name) or preset.files.get(name), configured=name in own.files)
               for name in TABLES}
    paths = {name: path for name, (path, _) in located.items()}
    for name, table in TABLES.items():
        if table.required and paths[name] is None:
            pattern = own.files.get(name) or preset.files.get(name)
            also = f" (data.files.{name}: nothing matches '{pattern}')" if pattern else ""
            raise DataError(
                f"Required file '{folder / name}.csv' (or '{name}.parquet') is missing{also}; export the {name} "
                f"table into the dataset folder as CSV or Parquet."
            )
    return paths, [finding for _, found in located.values() for finding in found]


def _read_all(paths: dict[str, Path | None], preset: ExportMapping,
              own: ExportMapping) -> tuple[dict[str, RawTable], list[Finding]]:
    """Each table file of ``paths``, in declaration order, in its configured encoding and delimiter, with the
    export's headers read as the contract's columns, report footers dropped and ``where``'s rows left out."""
    mapping = merged(preset, own)
    raws, findings = {}, []
    for name, path in paths.items():
        if path is None:
            continue
        mapped = [*preset.columns.get(name, {}), *own.columns.get(name, {})]
        raw = read_table(name, path, mapped, encoding=mapping.encoding.get(name),
                         delimiter=mapping.delimiter.get(name))
        findings += suspect_encoding(raw)
        raw = map_columns(raw, preset.columns.get(name, {}), own.columns.get(name, {}))
        raw, skipped = drop_footer(raw, [*preset.footer, *own.footer])
        raws[name], left_out = leave_out(raw, mapping.where.get(name, []))
        findings += skipped + left_out
    return raws, findings


def _effective(table: Table, *, has_events: bool) -> Table:
    """The table as it applies to this dataset: with email_events, email_sends' counts become optional."""
    if table.name != "email_sends" or not has_events:
        return table
    derived = set(EVENT_COUNTS.values())
    columns = tuple(
        dataclasses.replace(c, required=False, may_be_empty=True) if c.name in derived else c for c in table.columns
    )
    return dataclasses.replace(table, columns=columns)


def _require_columns(table: Table, raw: RawTable, cells: pd.DataFrame, *, mapped: bool,
                     export_headers: dict[str, list[str]]) -> None:
    """Stop when the file lacks required columns, naming every one of them at once; for an export (a preset or
    data.columns read it), with the export's headers for them, to add to the export view before exporting again."""
    missing = [c.name for c in table.columns if c.required and c.name not in cells.columns]
    if not missing:
        return
    hint = ", or provide email_events, from which the counts are derived" \
        if set(missing) <= set(EVENT_COUNTS.values()) else ""
    if len(missing) == 1 and not mapped:
        raw.require(missing[0], hint)
    named = ", ".join(f"'{column}'" + (f" (the export's '{export_headers[column][0]}')"
                                       if export_headers.get(column) else "") for column in missing)
    plural = "s" if len(missing) > 1 else ""
    fix = ("add these columns to the export view and export again, or name the export's header for each in "
           f"data.columns.{table.name}") if mapped else "add them to the file (column names are case-insensitive)"
    raise DataError(f"File '{raw.path}' has no column{plural} {named}, which the {table.name} table requires "
                    f"(it has: {', '.join(raw.headers.values())}); {fix}{hint}.")


def require_rows(dataset: Dataset) -> None:
    """Stop on a required table without a single data row: that is a broken export (a filter that matched
    nothing, a download cut after its header), not a month without activity, and its pack would be all zeros.
    The run asks this of the dataset it builds a pack from; a dataset read for a part of the analysis alone may
    leave a table empty."""
    for name, table in TABLES.items():
        quality = dataset.quality.get(name)
        if not table.required or quality is None or quality.rows_read or quality.file is None:
            continue
        raise DataError(
            f"Table {name} ('{quality.file}') has its header row and no data rows; a required table with no rows is "
            f"a broken export, not a quiet month, so export the {name} table again with its rows (check the "
            f"export's filters and that the download finished) and run again."
        )


@dataclass
class _Checked:
    """One validated table: the rows that passed, the quality report, and the first row of each reason."""

    table: str
    frame: pd.DataFrame
    quality: TableQuality
    examples: dict[str, tuple[int, str]]

    def stop_if_too_many_rejects(self, limit: float) -> None:
        q = self.quality
        if q.reject_share <= limit:
            return
        code, count = q.reasons.most_common(1)[0]
        row, reason = self.examples[code]
        raise DataError(
            f"Table {self.table} ('{q.file}'): {q.rejected} of {q.rows_read} rows ({q.reject_share:.1%}) were "
            f"rejected, more than data_quality.max_reject_share ({limit:.1%}); the most common reason is {code} "
            f"({count} of them, e.g. row {row}: {reason.rstrip('.')}), so fix those rows in the file or raise "
            f"data_quality.max_reject_share in the configuration."
        )


class _Verdicts:
    """The first reason each row is rejected for; a row already rejected is not rejected again."""

    def __init__(self, index: pd.Index) -> None:
        self.codes = pd.Series(None, index=index, dtype=object)
        self.reasons = pd.Series(None, index=index, dtype=object)

    def reject(self, mask: pd.Series, code: str, sentence: Callable[[pd.Index], pd.Series | str]) -> None:
        """Reject the rows of ``mask`` not rejected yet; ``sentence`` words the reason for just those rows."""
        rows = mask.index[mask.to_numpy(dtype=bool, na_value=False) & self.codes.isna().to_numpy()]
        if rows.empty:
            return
        self.codes[rows] = code
        self.reasons[rows] = code + ": " + sentence(rows) + "."

    @property
    def rejected(self) -> pd.Series:
        return self.codes.notna()


def _check_table(table: Table, raw: RawTable, prepared: dict[str, pd.DataFrame], options: _Options) -> _Checked:
    """Type every column, apply the table's rules, and split the rows into kept and rejected.

    ``prepared`` holds every table's cells after the export mapping; reasons quote the cells as read.
    """
    cells = prepared[table.name]
    options = dataclasses.replace(options, table=table.name)
    verdicts = _Verdicts(cells.index)
    typed = {}
    for column in _key_first(table):
        if column.name in cells:
            shown = raw.frame[column.name] if column.name in raw.frame else cells[column.name]
            mapped = column.name in options.value_maps.get(table.name, ())
            hint = f"; map it to one of them in data.values.{table.name}.{column.name}" if mapped else ""
            typed[column.name] = _read_column(column, cells[column.name], verdicts, options, shown, hint,
                                              _label(column.name, raw.headers.get(column.name)))
        else:
            typed[column.name] = _PARSERS[column.kind](pd.Series("", index=cells.index, dtype=str), column, options)
        if column.name == table.key:
            _reject_duplicates(column.name, cells[column.name], verdicts)
    for name in cells.columns.difference(list(typed), sort=False):
        typed[name] = _read_column(opt(name, Kind.TEXT), cells[name], verdicts, options, cells[name])  # kept
    frame = pd.DataFrame(typed, index=cells.index)
    for rule in table.rules:
        verdicts.reject(rule.broken(frame), rule.code, _rule_sentence(rule.sentence, rule.columns, cells))
    for ref in table.references:
        keys = prepared[ref.table][TABLES[ref.table].key].str.strip()
        value = cells[ref.column].str.strip()
        unknown = value.ne("") & ~is_in(value, keys)
        verdicts.reject(unknown, ref.code, _reference_sentence(ref.column, ref.table, cells))
    return _Checked(
        table=table.name,
        frame=frame[~verdicts.rejected].reset_index(drop=True),
        quality=TableQuality(
            table=table.name,
            file=raw.path,
            encoding=raw.encoding,
            rows_read=len(cells),
            reasons=Counter(verdicts.codes.dropna().to_list()),
            rejects=_rejects(raw, verdicts),
        ),
        examples=_examples(verdicts),
    )


def _key_first(table: Table) -> list[Column]:
    """The key column is checked first, so a row with a missing or repeated key says so."""
    return sorted(table.columns, key=lambda column: column.name != table.key)


def _label(column: str, header: str | None) -> str:
    """How a reason names a column: ``'created_at'``, or ``'created_at' (the export's 'engage_date')``."""
    if header is None or header.strip().lower() == column:
        return f"'{column}'"
    return f"'{column}' (the export's '{header}')"


def _read_column(column: Column, cells: pd.Series, verdicts: _Verdicts, options: _Options,
                 shown: pd.Series, hint: str = "", label: str | None = None) -> pd.Series:
    """The column's typed values; rows with an empty required value or an unreadable value are rejected.
    ``shown`` is the column as the file wrote it, which a reason quotes; ``hint`` ends an unknown value's
    reason; ``label`` names the column (with the export's header when it was mapped)."""
    text = cells.str.strip()
    filled = text.ne("")
    label = label or f"'{column.name}'"

    def quoted(rows: pd.Index) -> pd.Series:
        return f"column {label} holds '" + shown[rows].map(visible) + "', which "

    if not column.may_be_empty:
        empty = f"column {label} is empty, but every row needs a value"
        verdicts.reject(~filled, "missing_value", lambda rows: empty)
    values = _PARSERS[column.kind](text, column, options)
    if column.kind in _UNREADABLE:
        code, why = _UNREADABLE[column.kind]
        why = why.format(values=", ".join(column.values)) + (hint if column.kind is Kind.ENUM else "")
        verdicts.reject(filled & values.isna(), code, lambda rows: quoted(rows) + why)
    if column.kind in (Kind.AMOUNT, Kind.COUNT):
        negative = "is negative; an amount or a count cannot be"
        verdicts.reject(values < 0, "negative", lambda rows: quoted(rows) + negative)
    if column.kind is Kind.AMOUNT:
        large = (f"is more than data_quality.max_amount ({options.max_amount:,.0f}); check its digits, or raise "
                 "data_quality.max_amount if such amounts are real")
        verdicts.reject(values > options.max_amount, "amount_too_large", lambda rows: quoted(rows) + large)
    return values


def _reject_duplicates(key: str, cells: pd.Series, verdicts: _Verdicts) -> None:
    """Each later row with a key already seen is rejected; the first row is kept."""
    text = cells.str.strip()
    repeated = text.duplicated() & text.ne("")
    first_row = pd.Series(text.index, index=text.to_numpy())
    first_row = first_row[~first_row.index.duplicated()]

    def sentence(rows: pd.Index) -> pd.Series:
        seen = pd.Series(first_row.reindex(text[rows].to_numpy()).to_numpy(), index=rows).astype(str)
        return f"{key} '" + cells[rows] + "' already appears on row " + seen + ", which is kept"

    verdicts.reject(repeated, "duplicate_key", sentence)


def _rule_sentence(template: str, columns: tuple[str, ...], cells: pd.DataFrame) -> Callable[[pd.Index], pd.Series]:
    """Words a row rule's reason from the row's values as read (only for the rows it rejects)."""

    def sentence(rows: pd.Index) -> pd.Series:
        values = cells.reindex(columns=list(columns), fill_value="").loc[rows]
        return pd.Series([template.format(**row) for row in values.to_dict("records")], index=rows, dtype=object)

    return sentence


def _reference_sentence(column: str, table: str, cells: pd.DataFrame) -> Callable[[pd.Index], pd.Series]:
    """Words the reason of a row whose ``column`` names no row of ``table``."""
    return lambda rows: f"{column} '" + cells.loc[rows, column] + f"' is not in {table}"


def _rejects(raw: RawTable, verdicts: _Verdicts) -> pd.DataFrame | None:
    """Rejected rows whole, under their headers as written, between ``row`` and ``reason``; None if none.

    A table with a column of its own named ``row`` or ``reason`` (mql_feedback's reason) keeps it as written, and
    ours become ``reject_row`` / ``reject_reason``, so every header of the file names one column."""
    rejected = verdicts.rejected
    if not rejected.any():
        return None
    rows = raw.frame[rejected].rename(columns=raw.headers)
    rows.insert(0, _own_name("row", rows.columns), rows.index.to_numpy())
    rows.insert(len(rows.columns), _own_name("reason", rows.columns), verdicts.reasons[rejected].astype(str))
    return rows.reset_index(drop=True)


def _own_name(name: str, headers: pd.Index) -> str:
    """``name``, or ``reject_name`` (prefixed again as needed) when the file has a header of that name."""
    taken = {str(header).strip().lower() for header in headers}
    while name in taken:
        name = f"reject_{name}"
    return name


def _examples(verdicts: _Verdicts) -> dict[str, tuple[int, str]]:
    """The first row rejected for each code, with its reason (quoted when too many rows are rejected)."""
    found = verdicts.codes.dropna()
    first = found[~found.duplicated()]
    return {code: (int(row), verdicts.reasons[row]) for row, code in first.items()}


def _text(text: pd.Series, column: Column, options: _Options) -> pd.Series:
    return text.where(text.ne(""))


def _timestamps(text: pd.Series, column: Column, options: _Options) -> pd.Series:
    formats = options.date_formats.get(options.table, {})
    return parse_timestamps(text, options.tz, date_order=options.date_order,
                            formats=formats.get(column.name) or formats.get("*", []))


def _numbers(text: pd.Series, column: Column, options: _Options) -> pd.Series:
    return parse_numbers(text)


def _counts(text: pd.Series, column: Column, options: _Options) -> pd.Series:
    values = parse_numbers(text)
    return values.where(values % 1 == 0)


def _bools(text: pd.Series, column: Column, options: _Options) -> pd.Series:
    return text.str.lower().map(_BOOLS).astype("boolean")


def _enum(text: pd.Series, column: Column, options: _Options) -> pd.Series:
    lowered = text.str.lower()
    return lowered.where(lowered.isin(column.values))


def _months(text: pd.Series, column: Column, options: _Options) -> pd.Series:
    parts = text.str.extract(_MONTH)
    valid = pd.to_numeric(parts[1], errors="coerce").between(1, 12)
    return (parts[0] + "-" + parts[1].str.zfill(2)).where(valid).astype(text.dtype)


# Each parser turns trimmed text into the column's dtype (see ``retropack.load.dataset``), NA where
# the text is empty or unreadable; an absent column is parsed from "" to get its empty dtype.
_PARSERS: dict[Kind, Callable[[pd.Series, Column, _Options], pd.Series]] = {
    Kind.ID: _text,
    Kind.TEXT: _text,
    Kind.TIMESTAMP: _timestamps,
    Kind.NUMBER: _numbers,
    Kind.AMOUNT: _numbers,
    Kind.COUNT: _counts,
    Kind.BOOL: _bools,
    Kind.ENUM: _enum,
    Kind.MONTH: _months,
}


def parse_numbers(text: pd.Series) -> pd.Series:
    """float64 of text such as ``1234000``, ``1,234,000``, ``¥1,234,000``, ``1,234円``; NaN if unreadable.

    NFKC folds full-width digits and marks (``１２３``, ``￥``, ``＄``) into their ASCII forms first.
    """
    wide = text.str.contains(r"[^\x00-\x7f]", regex=True)
    folded = text.where(~wide, text[wide].str.normalize("NFKC"))
    plain = folded.where(folded.str.contains(_NUMBER, regex=True), "").str.replace(_NUMBER_MARKS, "", regex=True)
    values = pd.to_numeric(plain, errors="coerce").astype("float64")
    return values.where(np.isfinite(values))


def parse_timestamps(text: pd.Series, tz: str, *, date_order: str | None = None,
                     formats: list[str] | tuple[str, ...] = ()) -> pd.Series:
    """``datetime64[ns, tz]`` of ISO-8601 text: with an offset converted to ``tz``, without one taken as in ``tz``.

    A local time that a daylight-saving change makes ambiguous or skips is resolved (standard
    time; shifted forward) rather than rejected. NaT where empty or unreadable. ``date_order``
    (``MDY`` or ``DMY``) reads locale dates such as ``6/1/2025 9:05 PM``; ``formats`` (``data.date_format``) are
    the export's own, tried in order before ISO 8601, a two-digit year read as 20yy.
    """
    text = _formatted_dates(text, formats) if formats else text
    iso = _iso_dates(text, date_order)
    with_offset = iso.str.contains(_OFFSET, regex=True)
    result = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[ns, {tz}]")
    for part, utc in ((with_offset, True), (iso.ne("") & ~with_offset, False)):
        if part.any():
            parsed = pd.to_datetime(iso[part], format="ISO8601", errors="coerce", utc=utc)
            result[part] = _in_zone(parsed.where(parsed.dt.year.between(1678, 2261)), tz).astype(result.dtype)
    return result


def _formatted_dates(text: pd.Series, formats: list[str] | tuple[str, ...]) -> pd.Series:
    """Text read by the first of ``formats`` that reads it rewritten as ISO 8601 (``Jun 01, 2023 09:46 pm`` →
    ``2023-06-01 21:46:00``); other text unchanged. ``%y`` is 20yy, never 19yy (exports are recent)."""
    result, left = text.copy(), text.ne("")
    for fmt in formats:
        if not left.any():
            break
        parsed = pd.to_datetime(text[left].str.strip(), format=fmt, errors="coerce")
        if "%y" in fmt:
            parsed = parsed.where(parsed.dt.year >= 2000, parsed + pd.DateOffset(years=100))
        read = parsed.notna()
        result[read[read].index] = parsed[read].dt.strftime("%Y-%m-%d %H:%M:%S")
        left &= ~read.reindex(left.index, fill_value=False)
    return result


def _iso_dates(text: pd.Series, date_order: str | None = None) -> pd.Series:
    """Text with Excel's ``2025/6/1 9:05`` rewritten as ``2025-06-01 09:05`` (and, with ``date_order``,
    ``6/1/2025 9:05 PM`` as ``2025-06-01 21:05``); other text unchanged."""
    slashed = text.str.contains("/", regex=False)
    if not slashed.any():
        return text
    parts = text[slashed].str.extract(_SLASH_DATE)
    time = (" " + parts[3].str.zfill(2) + parts[4]).fillna("")
    rebuilt = parts[0] + "-" + parts[1].str.zfill(2) + "-" + parts[2].str.zfill(2) + time
    if date_order is not None:
        rebuilt = rebuilt.fillna(_locale_dates(text[slashed], date_order))
    return text.where(~slashed, rebuilt.fillna(text[slashed]))


def _locale_dates(text: pd.Series, date_order: str) -> pd.Series:
    """ISO text of ``M/D/YYYY`` (``MDY``) or ``D/M/YYYY`` (``DMY``) dates with an optional 12- or 24-hour time."""
    parts = text.str.extract(_LOCALE_DATE)
    month, day = (parts[0], parts[1]) if date_order == "MDY" else (parts[1], parts[0])
    hour = pd.to_numeric(parts[3], errors="coerce")
    meridiem = parts[6].str.lower()
    hour = hour.where(meridiem.isna(), hour % 12 + meridiem.eq("pm") * 12)
    clock = (" " + hour.astype("Int64").astype(str).str.zfill(2) + ":" + parts[4] + ":" + parts[5].fillna("00"))
    time = clock.where(hour.notna(), "")
    return parts[2] + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + time


def _in_zone(parsed: pd.Series, tz: str) -> pd.Series:
    if parsed.dt.tz is not None:
        return parsed.dt.tz_convert(tz)
    standard_time = np.zeros(len(parsed), dtype=bool)
    return parsed.dt.tz_localize(tz, ambiguous=standard_time, nonexistent="shift_forward")


def _countable(mapping: ExportMapping) -> bool:
    """Whether DuckDB may count email_events: not when the export mapping reshapes the events (their columns,
    values, lists or defaults) or drops report footers, which the pandas path applies."""
    shaped = (mapping.columns, mapping.values, mapping.first_of, mapping.defaults, mapping.where, mapping.date_format,
              mapping.encoding, mapping.delimiter)
    return not mapping.footer and not any("email_events" in part for part in shaped)


def _open_events(path: Path, sends: pd.DataFrame, stack: ExitStack) -> EventFile | None:
    """The events file opened in DuckDB (closed with ``stack``), or None when it must be read the pandas way."""
    try:
        return stack.enter_context(EventFile(path, sends["send_id"].str.strip()))
    except Unsupported:
        return None


def _count_events(events: EventFile, cells: dict[str, pd.DataFrame], options: _Options,
                  max_reject_share: float) -> tuple[_Checked, pd.DataFrame]:
    """Validate the events as every table is validated, and count them per send (``derive_send_counts``).

    DuckDB counts the rows its checks pass; the odd rows come back in batches and go through ``_check_table``,
    so a rejected row has today's reason and row number. Rejected rows go to a file on disk, batch by batch, while
    their share stays within ``max_reject_share`` (past it the run stops, naming the most common reason, and
    writes no rejects).
    """
    groups, rows, odd = events.counts()
    reasons: Counter[str] = Counter()
    examples: dict[str, tuple[int, str]] = {}
    spill, spilling = RejectSpill(), True
    read = rows - len(odd)
    for batch in events.odd_rows(odd):
        read += len(batch.frame)
        result = _check_table(EMAIL_EVENTS, batch, cells | {"email_events": batch.frame}, options)
        events.keep(result.frame)
        reasons += result.quality.reasons
        for code, example in result.examples.items():
            examples.setdefault(code, example)
        spilling = spilling and reasons.total() <= max_reject_share * rows
        if spilling and result.quality.rejects is not None:
            spill.add(result.quality.rejects)
    quality = TableQuality(table="email_events", file=events.path, encoding=events.encoding, rows_read=read,
                           reasons=reasons, spilled=spill.finish())
    checked = _Checked("email_events", _kept_rows(read - reasons.total()), quality, examples)
    return checked, events.send_counts(groups)


def _kept_rows(count: int) -> pd.DataFrame:
    """What the dataset holds of email_events once counted: its kept rows, without their columns."""
    return pd.DataFrame(index=pd.RangeIndex(count))


def derive_send_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Per ``send_id`` (the index), the number of distinct ``lead_id`` with each counted event.

    Columns are named like email_sends' counts (``EVENT_COUNTS``); every send with any event has
    a row, so a send with no ``open`` event counts 0 opens.
    """
    counted = events.loc[events["event"].isin(list(EVENT_COUNTS)), ["send_id", "event", "lead_id"]].drop_duplicates()
    counts = counted.groupby(["send_id", "event"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=events["send_id"].unique(), columns=list(EVENT_COUNTS), fill_value=0)
    return counts.rename(columns=EVENT_COUNTS).astype("float64")


def apply_event_counts(
    sends: pd.DataFrame, derived: pd.DataFrame, file_columns: frozenset[str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """email_sends with the counts from events, which win; a disagreement with the file is a finding.

    A send without any event keeps the counts of its own row (an events export often covers
    fewer months than the sends), or 0 where the row has none.
    """
    covered = is_in(sends["send_id"], derived.index)
    from_events = derived.reindex(sends["send_id"]).set_axis(sends.index)
    compared = [column for column in EVENT_COUNTS.values() if column in file_columns]
    stated = sends[compared]
    disagree = covered & (stated.notna() & stated.ne(from_events[compared])).any(axis=1)
    updated = sends.copy()
    for column in EVENT_COUNTS.values():
        updated[column] = from_events[column].where(covered, sends[column]).fillna(0.0)
    findings = []
    if disagree.any():
        example = str(sends.loc[disagree, "send_id"].iloc[0])
        findings.append(Finding("events_disagree_with_sends", "email_sends", int(disagree.sum()), {"example": example}))
    return updated, findings


def _deals_without_amount(deals: pd.DataFrame) -> list[Finding]:
    """Deals kept with an empty amount, and won deals kept although closed before created (contract §1): the pack
    says how many. A deal that is not won counts as 0 in sums; a won one counts in won-deal counts, win rate and
    sales cycle but not in sums and means (``won_without_amount``); one closed before it was created has a cycle of
    0 days (``closed_before_created``)."""
    missing = deals["amount"].isna()
    won = deals["stage"].eq("won")
    early = deals["stage"].isin(("won", "lost")) & (deals["closed_at"] < deals["created_at"]).fillna(False)
    counts = {"deals_without_amount": int((missing & ~won).sum()), "won_without_amount": int((missing & won).sum()),
              "closed_before_created": int(early.sum())}
    return [Finding(code, "deals", count) for code, count in counts.items() if count]
