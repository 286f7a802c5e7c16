"""``retropack init NAME``: a new client's config, with every key commented, and its data folder's empty tables.

The config is written from the settings models (``settings_reference``), so it names every key the
models have, with its default, type and allowed values; optional blocks are written commented out. The
data folder gets one header-only CSV per required table (the columns a tool's export must be mapped
onto), and the optional tables under ``optional/``, which a run does not read until they are moved up.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel

from retropack.config import Settings
from retropack.errors import ConfigError
from retropack.load.tables import TABLES
from retropack.months import Month
from retropack.operations.settings_reference import Key, json_schema, keys_of

__all__ = ["SCHEMA_FILE", "write_new_client", "write_schema"]

SCHEMA_FILE = "retropack.schema.json"  # beside the config: editors complete and check keys with it
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_COLUMN = 34  # where a key's comment starts


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()  # a plain scalar ends its document with "..."


def _comment(key: Key) -> str:
    parts = [key.note] if key.note else []
    described = key.kind + (f" ({key.constraints})" if key.constraints else "")
    parts.append(("required: " if key.required else "") + described)
    return "; ".join(parts)


def _line(indent: int, text: str, comment: str, off: bool) -> str:
    body = ("# " if off else "") + "  " * indent + text
    return f"{body:<{_COLUMN}} # {comment}" if comment else body


def _example_key(annotation: Any) -> str:
    """A key of a map of blocks, e.g. ``ma_admin`` for ``team.roles``."""
    key_type = get_args(annotation)[0] if get_origin(annotation) is dict else None
    return str(get_args(key_type)[0]) if get_origin(key_type) is Literal else "name"


def _block_lines(model: type[BaseModel], indent: int, off: bool, values: dict[str, Any]) -> list[str]:
    lines = []
    for key in keys_of(model):
        value = values.get(key.name, key.default)
        if key.block is not None:
            optional = not key.required and key.default is None
            doc = (key.block.__doc__ or "").strip().split("\n\n")[0].replace("``", "`").replace("\n", " ")
            what = key.note or doc or key.kind
            lines.append(_line(indent, f"{key.name}:", f"optional: {what}" if optional else what, off or optional))
            inner = value if isinstance(value, dict) else {}
            if key.kind.startswith("map of"):
                example = _example_key(key.annotation)
                lines.append(_line(indent + 1, f"{example}:", "one block per key", True))
                lines += _block_lines(key.block, indent + 2, True, {})
            else:
                lines += _block_lines(key.block, indent + 1, off or optional, inner)
            continue
        shown = "<fill in>" if key.required and key.name not in values else _scalar(value)
        lines.append(_line(indent, f"{key.name}: {shown}", _comment(key), off))
    return lines


def config_text(name: str, data_folder: str, start_month: str) -> str:
    """The commented config of a new client named ``name``."""
    values = {"client": name, "program": {"name": name, "start_month": start_month}, "data": {"path": data_folder}}
    head = [f"# yaml-language-server: $schema={SCHEMA_FILE}",
            f"# The client '{name}', written by `retropack init`: every key, with its default. Lines starting with '#'",
            "# are optional blocks left out; remove the '# ' of a block's lines to use it. Keys ending in _env name an",
            "# environment variable (or prefect-secret:<block>) holding a secret: never put the secret here.",
            ""]
    return "\n".join(head + _block_lines(Settings, 0, False, values)) + "\n"


def _write_headers(folder: Path, required: bool) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES.values():
        if table.required == required:
            path = folder / f"{table.name}.csv"
            with path.open("w", encoding="utf-8", newline="") as file:
                csv.writer(file, lineterminator="\n").writerow([c.name for c in table.columns])
            written.append(path)
    return written


def write_schema(folder: Path) -> Path:
    """The settings' JSON Schema beside a config, where its yaml-language-server line points."""
    path = folder / SCHEMA_FILE
    path.write_text(json_schema(), encoding="utf-8")
    return path


def write_new_client(name: str, folder: Path, today: date | None = None) -> list[Path]:
    """Write ``<folder>/<name>.yaml``, the schema beside it and ``<folder>/<name>-data/``; return what was written.

    Nothing is overwritten: an existing config or data folder is an error that names it."""
    if not _NAME.match(name):
        raise ConfigError(f"'{name}' cannot name a client's files: use letters, digits, '-' and '_' (at most 64), "
                          "starting with a letter or digit, e.g. acme.")
    config, data = folder / f"{name}.yaml", folder / f"{name}-data"
    for path in (config, data):
        if path.exists():
            raise ConfigError(f"'{path}' exists already: retropack init writes a new client only. Choose another "
                              "name, or remove it first.")
    today = today or date.today()
    start = str(Month(today.year, today.month).shift(-1))
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(name, f"{name}-data", start), encoding="utf-8")
    return [config, write_schema(folder), *_write_headers(data, True), *_write_headers(data / "optional", False)]
