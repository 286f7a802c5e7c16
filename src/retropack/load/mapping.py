"""A tool's export read as it is: which file holds each table, which header is which column, which value
means which (contract §7.1). The ``data`` block of the config, optionally starting from a bundled preset.

Mapping happens between reading and validation, so every rule of §1 still holds, and a rejected row is
written whole, as exported, under the export's own headers.
"""

from __future__ import annotations

import codecs
import re
from importlib.resources import files
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from retropack._strict import StrictModel, did_you_mean
from retropack._yaml import load_yaml
from retropack.errors import ConfigError
from retropack.load.tables import TABLES

__all__ = ["ANY_VALUE", "PRESETS", "DataSettings", "ExportMapping", "RowFilter", "StageFlags", "footer_pattern_error",
           "header_key", "load_preset", "merged"]

ANY_VALUE = "*"  # in data.values: any other non-empty value
PRESETS = ("hubspot-export", "mailchimp-campaigns", "salesforce-report")

ColumnMap = dict[str, str]  # the export's header -> the contract's column


def footer_pattern_error(pattern: str) -> None:
    """Refuse a footer pattern RE2 cannot run. Footer patterns meet every first cell of an export, so they run in
    RE2 (Arrow's), which takes time linear in the cell: a pattern such as ``(a+)+$`` cannot hang a run on a hostile
    cell. RE2 has no lookaround nor back-references, the constructs that need backtracking."""
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern=pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        reason = str(exc).split(": ", 1)[-1].strip()
        raise ValueError(f"'{pattern}' cannot be used ({reason}): footer patterns run in RE2, which never "
                         "backtracks, so lookaround ((?=…), (?!…), (?<=…)) and back-references (\\1) are not "
                         "available; write the pattern without them") from None


def header_key(header: str) -> str:
    """How headers are compared: trimmed, case-insensitive, and any quote mark the same (HubSpot writes
    ``Date entered "Lead (…)"`` in files and ``Date entered 'Lead (…)'`` in its API)."""
    return re.sub(r"[\"'“”‘’]", '"', header.strip().lower())


class StageFlags(StrictModel):
    """Headers of a deals export's own facts about a deal's stage, read the way the HubSpot sync reads the stage's
    metadata (closed and won → won, closed and not won → lost, not closed → open): a portal's own stage labels
    (``Closed: won``) then need no mapping. Each key lists alternative headers; the first present is read."""

    won: list[str] = Field(default_factory=list)  # true/false: the deal is closed and won (HubSpot's Is Closed Won)
    closed: list[str] = Field(default_factory=list)  # true/false: the deal is closed (HubSpot's Is Deal Closed?)
    probability: list[str] = Field(default_factory=list)  # 1.0 (or 100 %) on a closed deal: won


class RowFilter(StrictModel):
    """Rows of a table kept or left out by one column's value (a bulk import, another pipeline, test sends); values
    match case-insensitively after trimming. Rows left out are counted in the data-quality section, not rejected."""

    column: str  # the export's header, or the contract's column it is mapped to
    keep: list[str] | None = None  # only rows with one of these values
    leave_out: list[str] | None = None  # every row but those with one of these values

    @model_validator(mode="after")
    def _one_of(self) -> RowFilter:
        if (self.keep is None) == (self.leave_out is None):
            raise ValueError(f"the filter on '{self.column}' needs exactly one of keep or leave_out")
        return self


DateFormats = str | list[str]  # strptime formats (%m/%d/%y %H:%M), tried in order before ISO 8601


class ExportMapping(StrictModel):
    """What a preset holds, and the mapping keys of the ``data`` block."""

    files: dict[str, str] = Field(default_factory=dict)  # table -> file name, or a glob such as "export-*.csv"
    columns: dict[str, ColumnMap] = Field(default_factory=dict)
    values: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)  # table -> column -> value -> value
    first_of: dict[str, dict[str, str]] = Field(default_factory=dict)  # table -> column -> separator of a list
    defaults: dict[str, dict[str, str]] = Field(default_factory=dict)  # table -> column -> value when empty
    footer: list[str] = Field(default_factory=list)  # patterns of report footer lines, which are not data
    date_order: Literal["MDY", "DMY"] | None = None  # how to read 6/1/2025 (a year written first is always Y/M/D)
    stage_flags: StageFlags | None = None  # deals: won/lost from the export's closed and won flags
    where: dict[str, list[RowFilter]] = Field(default_factory=dict)  # table -> filters, all applied
    date_format: dict[str, DateFormats | dict[str, DateFormats]] = Field(default_factory=dict)  # table -> (column ->)
    encoding: dict[str, str] = Field(default_factory=dict)  # table -> a Python codec (mac_roman, cp1252, …)
    delimiter: dict[str, str] = Field(default_factory=dict)  # table -> the one character between cells (";")
    stand_in: dict[str, dict[str, list[str]]] = Field(default_factory=dict)  # table -> column -> headers read for
    # it when the export has no column for it (Mailchimp's Title for the send's id)

    @field_validator("files", "columns", "values", "first_of", "defaults", "where", "date_format", "encoding",
                     "delimiter", "stand_in")
    @classmethod
    def _known_tables(cls, value: dict[str, object]) -> dict[str, object]:
        for table in value:
            if table not in TABLES:
                raise ValueError(f"unknown table '{table}'{did_you_mean(table, TABLES)}")
        return value

    @field_validator("encoding")
    @classmethod
    def _codecs(cls, value: dict[str, str]) -> dict[str, str]:
        for table, name in value.items():
            try:
                codecs.lookup(name)
            except LookupError:
                raise ValueError(f"{table}: unknown encoding '{name}' (such as utf-8, cp932, mac_roman, "
                                 "cp1252)") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _delimiters(cls, value: dict[str, str]) -> dict[str, str]:
        for table, text in value.items():
            if len(text) != 1 or text in "\"\r\n":
                raise ValueError(f"{table}: the delimiter '{text}' must be one character other than a quote or "
                                 "a line end")
        return value

    @field_validator("date_format")
    @classmethod
    def _formats(cls, value: dict[str, DateFormats | dict[str, DateFormats]]
                 ) -> dict[str, DateFormats | dict[str, DateFormats]]:
        for table, formats in value.items():
            for column, given in (formats.items() if isinstance(formats, dict) else [("", formats)]):
                known = [c.name for c in TABLES[table].columns if c.kind == "timestamp"] if table in TABLES else []
                if column and column not in known:
                    raise ValueError(f"date_format.{table}: '{column}' is not a date column of the {table} table"
                                     f"{did_you_mean(column, known)}; its date columns are {', '.join(known)}")
                for text in [given] if isinstance(given, str) else given:
                    if "%" not in text:
                        raise ValueError(f"date_format.{table}: '{text}' is not a date format (such as %m/%d/%y %H:%M)")
        return value

    def date_formats(self, table: str) -> dict[str, list[str]]:
        """Per timestamp column of ``table`` (``*`` for every one), the formats to try before ISO 8601."""
        formats = self.date_format.get(table)
        if formats is None:
            return {}
        per_column = formats if isinstance(formats, dict) else {"*": formats}
        return {column: [given] if isinstance(given, str) else list(given) for column, given in per_column.items()}

    @field_validator("footer")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            footer_pattern_error(pattern)
        return value

    @model_validator(mode="after")
    def _known_columns(self) -> ExportMapping:
        for key, tables in (("columns", {t: m.values() for t, m in self.columns.items()}),
                            ("values", {t: m.keys() for t, m in self.values.items()}),
                            ("first_of", {t: m.keys() for t, m in self.first_of.items()}),
                            ("defaults", {t: m.keys() for t, m in self.defaults.items()}),
                            ("stand_in", {t: m.keys() for t, m in self.stand_in.items()})):
            for table, columns in tables.items():
                known = [c.name for c in TABLES[table].columns]
                for column in columns:
                    if column not in known:
                        raise ValueError(f"{key}.{table}: '{column}' is not a column of the {table} table"
                                         f"{did_you_mean(column, known)}; its columns are {', '.join(known)}")
        return self


class DataSettings(ExportMapping):
    """The config's ``data`` block: where the dataset is, and how to read a tool's export there."""

    path: Path
    preset: str | list[str] | None = None  # several: a CRM's and an e-mail tool's, laid over each other in order

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str | list[str] | None) -> str | list[str] | None:
        for name in [value] if isinstance(value, str) else value or []:
            if name not in PRESETS:
                raise ValueError(f"unknown preset '{name}'{did_you_mean(name, PRESETS)}; the bundled presets are "
                                 f"{', '.join(PRESETS)}")
        return value

    def mapping(self) -> tuple[ExportMapping, ExportMapping]:
        """(the preset's mapping, the config's own keys); the config's keys win where both set one."""
        own = ExportMapping.model_validate(self.model_dump(include=set(ExportMapping.model_fields)))
        names = [self.preset] if isinstance(self.preset, str) else self.preset or []
        preset = ExportMapping()
        for name in names:
            preset = merged(preset, load_preset(name))
        return preset, own


def load_preset(name: str) -> ExportMapping:
    """A bundled preset (``retropack/load/presets/<name>.yaml``)."""
    text = files(__package__).joinpath("presets", f"{name}.yaml").read_text(encoding="utf-8")
    try:
        return ExportMapping.model_validate(load_yaml(text))
    except (yaml.YAMLError, ValidationError) as exc:  # a broken bundled file is a bug, said plainly
        raise ConfigError(f"The bundled preset '{name}' cannot be read ({exc}); reinstall retropack.") from None


def merged(preset: ExportMapping, own: ExportMapping) -> ExportMapping:
    """The preset with the config's keys laid over it, key by key."""
    def deep(a: dict, b: dict) -> dict:
        out = dict(a)
        for key, value in b.items():
            out[key] = deep(out.get(key, {}), value) if isinstance(value, dict) else value
        return out

    return ExportMapping(files={**preset.files, **own.files}, columns=deep(preset.columns, own.columns),
                         values=deep(preset.values, own.values), first_of=deep(preset.first_of, own.first_of),
                         defaults=deep(preset.defaults, own.defaults), footer=[*preset.footer, *own.footer],
                         date_order=own.date_order or preset.date_order,
                         stage_flags=own.stage_flags or preset.stage_flags, where={**preset.where, **own.where},
                         date_format={**preset.date_format, **own.date_format},
                         encoding={**preset.encoding, **own.encoding}, delimiter={**preset.delimiter, **own.delimiter},
                         stand_in=deep(preset.stand_in, own.stand_in))
