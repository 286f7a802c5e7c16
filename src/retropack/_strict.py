"""The strict pydantic base of every settings model, and the "did you mean" hint of their errors.

Strict means: an unknown key is an error (``extra="forbid"``) and a loaded value never changes
(``frozen``), so a typo in a YAML file is reported instead of silently ignored.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

__all__ = ["StrictModel", "closest", "did_you_mean"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice that looks most like ``word`` (a likely typo), or None."""
    found = difflib.get_close_matches(word, list(choices), n=1)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or "" when none is close."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""
