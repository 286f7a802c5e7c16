"""Text from the data made safe to lay out: control characters removed, long values shortened with an
ellipsis, right-to-left runs isolated so the numbers around them keep their order.

A client's CRM holds anything: a 5,000-character company name runs off a slide, a bell character breaks the
deck's XML, an Arabic campaign name reorders the figures beside it. The full value stays in the data (and in
``rejects/`` or the JSON documents); only what the pages show is cleaned.
"""

from __future__ import annotations

import re

__all__ = ["DATA_LIMIT", "data_text", "strip_controls"]

DATA_LIMIT = 80  # characters of one value on a page: a long company name or content title, not a paragraph
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_ISOLATE, _POP = "\u2068", "\u2069"  # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE


def strip_controls(text: str) -> str:
    """Without the characters no document format can hold (C0/C1 controls); line breaks become spaces."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def data_text(value: object, limit: int = DATA_LIMIT) -> str:
    """One value from the data as a page shows it."""
    text = " ".join(strip_controls(str(value)).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if _RTL.search(text) and not text.startswith(_ISOLATE):
        text = f"{_ISOLATE}{text}{_POP}"
    return text
