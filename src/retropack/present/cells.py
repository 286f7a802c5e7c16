"""Tables as the documents show them: header cells and rows of text, and the cell formats they share."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from retropack.present.clean import data_text
from retropack.present.formatting import NO_VALUE

__all__ = ["Table", "date_cell", "text_cell"]


@dataclass(frozen=True)
class Table:
    """A small table: header cells and rows of already formatted cells, and a note under it."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def date_cell(value: object) -> str:
    """``2026-10-05``, or "—" for no date."""
    return NO_VALUE if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def text_cell(value: object) -> str:
    """A value from the data as a cell shows it (cleaned, shortened: ``data_text``), or "—" when it is empty."""
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return NO_VALUE
    return data_text(value) or NO_VALUE
