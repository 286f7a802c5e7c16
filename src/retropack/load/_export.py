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
from retropack.load.mapping import ANY_VALUE, ColumnMap, ExportMapping, RowFilter, StageFlags, header_key

__all__ = ["drop_footer", "leave_out", "locate", "map_columns", "prepare_cells", "suspect_encoding"]


def _listing(folder: Path) -> str:
    names = sorted(path.name for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
    return ", ".join(names) or "no files"


def locate(folder: Path, table: str, pattern: str | None, *, configured: bool) -> tuple[Path | None, list[Finding]]:
    """The table's file: the newest file matching ``data.files`` (a name or a glob), else ``<table>.csv``
    or ``<table>.parquet``; None when there is none. A pattern the config itself sets must match. A file read
    through a pattern is named in a finding (``file_read``), and so is a much larger or smaller other match."""
    if pattern:
        if "/" in pattern or "\\" in pattern or pattern.startswith(".."):
            raise DataError(f"data.files.{table}: '{pattern}' must be a file name or pattern inside the dataset "
                            f"folder '{folder}', without a path.")
        matches = [path for path in folder.glob(pattern) if path.is_file()]
        if matches:
            return newest_export(table, matches)
    found = find_file(folder, table)
    if found is None and pattern and configured:
        raise DataError(f"data.files.{table}: no file matching '{pattern}' in '{folder}' (nor {table}.csv or "
                        f"{table}.parquet); its files are {_listing(folder)}. Export the table there or correct "
                        f"data.files.{table}.")
    return found, []


# The export date a tool writes into the file name (HubSpot: hubspot-crm-exports-all-deals-2023-05-16.csv).
_NAME_DATE = re.compile(r"(?<![0-9])(20[0-9]{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12][0-9]|3[01])(?![0-9])")
_SIZE_RATIO = 2.0  # another match this many times larger or smaller than the file read: a truncated download?


def _name_date(path: Path) -> str:
    """The last export date in the file's name as YYYYMMDD, or "" when it has none."""
    found = _NAME_DATE.findall(path.stem)
    return "".join(found[-1]) if found else ""


def newest_export(table: str, matches: list[Path]) -> tuple[Path, list[Finding]]:
    """Of several exports matching one pattern, the one with the latest export date in its name, then the latest
    modification time (a copy or a checkout changes modification times, not names); with the findings naming it."""
    chosen = max(matches, key=lambda path: (_name_date(path), path.stat().st_mtime, path.name))
    variant = {} if len(matches) > 1 else {"variant": "only"}
    findings = [Finding("file_read", table, len(matches), {"file": chosen.name, **variant})]
    size = chosen.stat().st_size
    for other in sorted(matches):
        other_size = other.stat().st_size
        if other != chosen and max(size, other_size) > _SIZE_RATIO * max(min(size, other_size), 1):
            findings.append(Finding("export_size_differs", table, 1, {
                "file": chosen.name, "size": f"{size:,}", "other": other.name, "other_size": f"{other_size:,}"}))
    return chosen, findings


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


def prepare_cells(raw: RawTable, mapping: ExportMapping) -> tuple[pd.DataFrame, list[Finding]]:
    """The cells validation reads: lists cut to their first item, empty cells filled with the configured
    default, and the export's values replaced by the contract's (case-insensitive, trimmed; ``*`` for any
    other non-empty value). A value with no mapping stays as read, so validation names it. A deals export's
    own closed/won flags decide its stage where they say (``stage_flags``); a stage still sent to ``open``
    by ``*``, and a deals table without any won or lost deal, are findings (``stage_defaulted``)."""
    table, cells = raw.name, raw.frame.copy()
    for column, headers in mapping.stand_in.get(table, {}).items():
        stand_in = None if column in cells else _column_of(raw, headers, lower=False)
        if stand_in is not None:
            cells[column] = stand_in
    for column, separator in mapping.first_of.get(table, {}).items():
        if column in cells:
            cells[column] = cells[column].str.split(re.escape(separator), regex=True).str[0].str.strip()
    for column, value in mapping.defaults.get(table, {}).items():
        cells[column] = cells[column].where(cells[column].str.strip().ne(""), value) if column in cells else value
    defaulted = pd.Series(False, index=cells.index)
    for column, values in mapping.values.get(table, {}).items():
        if column not in cells:
            continue
        lookup = {key.strip().lower(): value for key, value in values.items() if key != ANY_VALUE}
        text = cells[column].str.strip()
        mapped = text.str.lower().map(lookup)
        if ANY_VALUE in values:
            if column == "stage":
                defaulted = mapped.isna() & text.ne("")
            mapped = mapped.where(mapped.notna() | text.eq(""), values[ANY_VALUE])
        cells[column] = mapped.where(mapped.notna(), cells[column])
    if table != "deals" or "stage" not in cells:
        return cells, []
    if mapping.stage_flags is not None:
        flagged = _stage_from_flags(raw, mapping.stage_flags)
        cells["stage"] = flagged.where(flagged.notna(), cells["stage"])
        defaulted &= flagged.isna()
    return cells, _stage_findings(raw, cells["stage"], defaulted)


_TRUE, _FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})


def _column_of(raw: RawTable, headers: list[str], *, lower: bool = True) -> pd.Series | None:
    """The cells under the first of ``headers`` the export has (headers compared like data.columns'; also the
    contract's column a header was mapped to), trimmed and lower-cased unless told not to; None when there is none."""
    by_key = {header_key(written): name for name, written in raw.headers.items() if name in raw.frame}
    by_key |= {name: name for name in raw.frame.columns}
    found = next((by_key[header_key(h)] for h in headers if header_key(h) in by_key), None)
    if found is None:
        return None
    return raw.frame[found].str.strip().str.lower() if lower else raw.frame[found]


def _flag(raw: RawTable, headers: list[str]) -> pd.Series | None:
    """A true/false column as booleans (NA where empty or neither), or None when the export lacks it."""
    text = _column_of(raw, headers)
    if text is None:
        return None
    return text.map(lambda v: True if v in _TRUE else False if v in _FALSE else pd.NA).astype("boolean")


def _stage_from_flags(raw: RawTable, flags: StageFlags) -> pd.Series:
    """won/lost/open where the export's flags say (as the sync reads HubSpot's stage metadata); NA elsewhere.

    Closed and won (``Is Closed Won``, else a probability of 1.0 or 100 %) is won, closed and not won is lost,
    not closed is open; with only a won flag, a true one is won and a false one leaves the stage's label to say."""
    stage = pd.Series(pd.NA, index=raw.frame.index, dtype=object)
    won, closed = _flag(raw, flags.won), _flag(raw, flags.closed)
    probability = _column_of(raw, flags.probability)
    if won is None and probability is not None:
        per_cent = probability.str.endswith("%")
        number = pd.to_numeric(probability.str.rstrip("%").str.strip(), errors="coerce")
        won = (number.where(~per_cent, number / 100) >= 1).astype("boolean").where(number.notna())
    if closed is not None:
        stage[closed.eq(False).fillna(False)] = "open"
        if won is not None:
            stage[(closed & won).fillna(False)] = "won"
            stage[(closed & ~won).fillna(False)] = "lost"
    elif won is not None:
        stage[won.fillna(False)] = "won"
    return stage


def _stage_findings(raw: RawTable, stage: pd.Series, defaulted: pd.Series) -> list[Finding]:
    """``stage_defaulted``: the stage values ``*`` sent to open, with their counts, most frequent first (then by
    value); and, in a finding of its own (``variant: no_closed``), a deals table without a single won or lost deal."""
    findings = []
    if defaulted.any():
        counts = sorted(raw.frame.loc[defaulted, "stage"].str.strip().value_counts().items(),
                        key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{value} ({count})" for value, count in counts[:_MAX_VALUES])
        more = ", …" if len(counts) > _MAX_VALUES else ""
        findings.append(Finding("stage_defaulted", "deals", int(defaulted.sum()), {"values": shown + more}))
    filled = stage.str.strip().ne("")
    if filled.any() and not stage.str.strip().str.lower().isin(("won", "lost")).any():
        findings.append(Finding("stage_defaulted", "deals", int(filled.sum()), {"variant": "no_closed"}))
    return findings


_MAX_VALUES = 12  # stage values named in the finding; more are "…"


def leave_out(raw: RawTable, filters: list[RowFilter]) -> tuple[RawTable, list[Finding]]:
    """The table without the rows ``data.where`` leaves out (values compared case-insensitively, trimmed); each
    filter that leaves rows out is a finding ``rows_left_out`` naming the column and the values with their counts.
    A filter's column is the export's header or the contract's column it is mapped to, and must exist."""
    findings, frame = [], raw.frame
    for rule in filters:
        by_key = {header_key(written): name for name, written in raw.headers.items() if name in frame}
        name = rule.column if rule.column in frame else by_key.get(header_key(rule.column))
        if name is None:
            raise DataError(f"data.where.{raw.name}: no column '{rule.column}' in {raw.path.name}; its headers are "
                            f"{', '.join(raw.headers.values())}. Correct the column in the config (headers are "
                            f"case-insensitive).")
        values = frame[name].str.strip()
        listed = values.str.lower().isin([v.strip().lower() for v in (rule.keep or rule.leave_out or [])])
        dropped = ~listed if rule.keep is not None else listed
        if dropped.any():
            counts = sorted(values[dropped].value_counts().items(), key=lambda item: (-item[1], item[0]))
            shown = ", ".join(f"{value or '—'} ({count})" for value, count in counts[:_MAX_VALUES])
            findings.append(Finding("rows_left_out", raw.name, int(dropped.sum()),
                                    {"column": raw.headers.get(name, name),
                                     "values": shown + (", …" if len(counts) > _MAX_VALUES else "")}))
        frame = frame[~dropped]
    return replace(raw, frame=frame), findings


# Half-width katakana (ｱ-ﾝ, ﾉ): what a Western file (Mac Roman, cp1252) read as CP932 turns into, and what no
# Japanese export holds beside ASCII alone; hiragana, kanji or full-width katakana beside it mean real Japanese.
_HALF_WIDTH_KANA = r"[\uff61-\uff9f]"
_JAPANESE = r"[\u3040-\u30ff\u4e00-\u9fff]"


def suspect_encoding(raw: RawTable) -> list[Finding]:
    """``suspect_encoding`` when a file detected as CP932 reads as half-width katakana amid ASCII and holds no
    other Japanese: likely a Mac Roman or cp1252 export (``…`` becomes ``ﾉ``); set data.encoding for it."""
    if raw.encoding != "cp932" or raw.frame.empty:
        return []
    text = raw.frame.apply(lambda column: column.str.cat(sep="\n"))
    joined = "\n".join([*raw.headers.values(), *text.to_list()])
    if re.search(_JAPANESE, joined) or not re.search(_HALF_WIDTH_KANA, joined):
        return []
    rows = raw.frame.apply(lambda column: column.str.contains(_HALF_WIDTH_KANA, regex=True)).any(axis=1)
    example = next(v for v in raw.frame[rows].to_numpy().ravel() if re.search(_HALF_WIDTH_KANA, v))
    return [Finding("suspect_encoding", raw.name, int(rows.sum()), {"file": raw.path.name, "example": example})]
