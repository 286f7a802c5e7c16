"""Every key of a client's config, read from the settings models themselves.

The configuration reference (``docs/gen.py``), its JSON Schema and the commented config that
``retropack init`` writes all come from here, so none of them can name a key the models do not
have or miss one they do. A key's note is the comment written after its field in the model's
source (``min_sample: int = Field(5, ge=1)  # …``): the model stays the one place to document it.
"""

from __future__ import annotations

import inspect
import json
import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from retropack.config import Settings

__all__ = ["Key", "Section", "json_schema", "keys_of", "sections"]

_COMMENT = re.compile(r"^\s+(\w+)\s*:[^#]*#\s*(.+)$")
_CONSTRAINTS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "min_length": "at least", "max_length": "at most"}


@dataclass(frozen=True)
class Key:
    """One key of a block: its name in the file, kind of value, default (``None`` when required) and note."""

    name: str
    kind: str  # the type as a reader of YAML thinks of it (type_text)
    required: bool
    default: Any
    constraints: str
    note: str
    block: type[BaseModel] | None  # the model of a nested block, described in its own section
    annotation: Any = None  # the field's type as declared


@dataclass(frozen=True)
class Section:
    """A block of the config (``program``, ``delivery.smtp``, …) and its keys; ``path`` is "" for the top."""

    path: str
    doc: str
    optional: bool
    keys: tuple[Key, ...]


def _notes(model: type[BaseModel]) -> dict[str, str]:
    """The trailing comments of the model's fields, its base models' included."""
    notes: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if isinstance(cls, type) and issubclass(cls, BaseModel) and cls is not BaseModel:
            try:
                source = inspect.getsource(cls)
            except (OSError, TypeError):
                continue
            for line in source.splitlines():
                if match := _COMMENT.match(line):
                    notes[match.group(1)] = match.group(2).strip()
    return notes


def _block(annotation: Any) -> type[BaseModel] | None:
    """The model of a nested block, unwrapping ``X | None`` and the values of ``dict[str, X]``."""
    if get_origin(annotation) is dict:
        return _block(get_args(annotation)[1])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else None
    return None


def type_text(annotation: Any) -> str:
    """A type as a reader of YAML thinks of it: ``list of text``, ``ja | en``, ``number or empty``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " | ".join(str(a) for a in args)
    if origin in (Union, types.UnionType):
        kept = [type_text(a) for a in args if a is not type(None)]
        return " or ".join(kept) + (" or null" if type(None) in args else "")
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is dict:
        return f"map of {type_text(args[0])} to {type_text(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "block"
    names = {str: "text", int: "whole number", float: "number", bool: "true | false", Path: "path"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))


def _constraints(info: FieldInfo) -> str:
    found = []
    for item in info.metadata:
        for attr, word in _CONSTRAINTS.items():
            value = getattr(item, attr, None)
            if value is not None:
                found.append(f"{word} {value}")
    return ", ".join(found)


def _default(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
        return value.model_dump(by_alias=True) if isinstance(value, BaseModel) else value
    return None if info.default is PydanticUndefined else info.default


def keys_of(model: type[BaseModel]) -> tuple[Key, ...]:
    """The keys of one block, in the order of its fields."""
    notes = _notes(model)
    keys = []
    for name, info in model.model_fields.items():
        if info.exclude:  # set by the program (e.g. config_file), not a key of the file
            continue
        keys.append(Key(info.alias or name, type_text(info.annotation), info.is_required(), _default(info),
                        _constraints(info), notes.get(name, ""), _block(info.annotation), info.annotation))
    return tuple(keys)


def sections(model: type[BaseModel] = Settings, path: str = "", optional: bool = False) -> list[Section]:
    """The model's section, then each nested block's, depth first in the order of the fields."""
    keys = keys_of(model)
    found = [Section(path, inspect.cleandoc(model.__doc__ or ""), optional, keys)]
    for key in keys:
        if key.block is not None:
            where = f"{path}.{key.name}" if path else key.name
            if key.kind.startswith("map of"):  # one block per key of the map, e.g. team.roles.<role>
                where += ".<key>"
            found += sections(key.block, where, optional=not key.required and key.default in (None, {}))
    return found


def json_schema() -> str:
    """The JSON Schema of a config file, for editors (yaml-language-server) to check and complete keys."""
    schema = Settings.model_json_schema(by_alias=True)
    excluded = [n for n, info in Settings.model_fields.items() if info.exclude]
    for name in excluded:
        schema["properties"].pop(name, None)
    schema["title"] = "retropack client config"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
