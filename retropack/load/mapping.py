"""A tool's export read as it is: which file holds each table, which header is which column, which value
means which (contract §7.1). The ``data`` block of the config, optionally starting from a bundled preset.

Mapping happens between reading and validation, so every rule of §1 still holds, and a rejected row is
written whole, as exported, under the export's own headers.
"""

from __future__ import annotations

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

__all__ = ["ANY_VALUE", "DataSettings", "ExportMapping", "PRESETS", "footer_pattern_error", "header_key",
           "load_preset", "merged"]

ANY_VALUE = "*"  # in data.values: any other non-empty value
PRESETS = ("hubspot-export", "salesforce-report")

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


class ExportMapping(StrictModel):
    """What a preset holds, and the mapping keys of the ``data`` block."""

    files: dict[str, str] = Field(default_factory=dict)  # table -> file name, or a glob such as "export-*.csv"
    columns: dict[str, ColumnMap] = Field(default_factory=dict)
    values: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)  # table -> column -> value -> value
    first_of: dict[str, dict[str, str]] = Field(default_factory=dict)  # table -> column -> separator of a list
    defaults: dict[str, dict[str, str]] = Field(default_factory=dict)  # table -> column -> value when empty
    footer: list[str] = Field(default_factory=list)  # patterns of report footer lines, which are not data
    date_order: Literal["MDY", "DMY"] | None = None  # how to read 6/1/2025 (a year written first is always Y/M/D)

    @field_validator("files", "columns", "values", "first_of", "defaults")
    @classmethod
    def _known_tables(cls, value: dict[str, object]) -> dict[str, object]:
        for table in value:
            if table not in TABLES:
                raise ValueError(f"unknown table '{table}'{did_you_mean(table, TABLES)}")
        return value

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
                            ("defaults", {t: m.keys() for t, m in self.defaults.items()})):
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
    preset: str | None = None

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str | None) -> str | None:
        if value is not None and value not in PRESETS:
            raise ValueError(f"unknown preset '{value}'{did_you_mean(value, PRESETS)}; the bundled presets are "
                             f"{', '.join(PRESETS)}")
        return value

    def mapping(self) -> tuple[ExportMapping, ExportMapping]:
        """(the preset's mapping, the config's own keys); the config's keys win where both set one."""
        own = ExportMapping(files=self.files, columns=self.columns, values=self.values, first_of=self.first_of,
                            defaults=self.defaults, footer=self.footer, date_order=self.date_order)
        return (load_preset(self.preset) if self.preset else ExportMapping()), own


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
                         date_order=own.date_order or preset.date_order)
