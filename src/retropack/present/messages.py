"""The one message catalogue: every word shown to people, in ``ja`` and ``en``.

Entries live in ``messages.yaml`` beside this module (installed with the package) as
``key: {ja: …, en: …}``; ``{name}`` fields are filled by ``format``. A missing key or locale is a
programming error and fails loudly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

from retropack._yaml import load_yaml
from retropack.config import label_of
from retropack.kpis.catalog import KPIS
from retropack.present.clean import data_text

__all__ = ["LOCALES", "Translator", "catalogue", "t"]

LOCALES = ("ja", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    return load_yaml(files(__package__).joinpath("messages.yaml").read_text(encoding="utf-8"))


def t(key: str, locale: str, **params: Any) -> str:
    """The text of ``key`` in ``locale``, with ``params`` filled in."""
    text = catalogue()[key][locale]
    return text.format(**params) if params else text


class Translator:
    """``t`` bound to one locale: the words of one view, handed to templates and renderers, with the program's
    display names of its codes (``labels:`` in the config)."""

    def __init__(self, locale: str, labels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        if locale not in LOCALES:
            raise ValueError(f"locale '{locale}' is not one of {', '.join(LOCALES)}")
        self.locale = locale
        self.labels = labels or {}

    def __call__(self, key: str, **params: Any) -> str:
        return t(key, self.locale, **params)

    def kpi_name(self, kpi_id: str | None) -> str:
        return KPIS[kpi_id].name(self.locale) if kpi_id else "—"

    def group(self, dimension: str, code: str | None) -> str:
        """How a group of a breakdown reads: its label, its code, or what rows without a value are."""
        if code is None:
            key = f"dimension_unset.{dimension}"
            return self(key) if key in catalogue() else self("driver.unset")
        return data_text(label_of(self.labels, dimension, code) or code)

    def listing(self, items: Sequence[str]) -> str:
        """``A・B・C`` or ``A, B and C``."""
        if len(items) < 2:
            return "".join(items)
        return self("list.and", items=self("list.dot").join(items[:-1]), last=items[-1])

    def sentence_start(self, text: str) -> str:
        """English sentences start with a capital, even when they open with a label written in lower case."""
        return text[:1].upper() + text[1:] if self.locale == "en" else text

    def mid_sentence(self, text: str) -> str:
        """A label inside an English sentence: "the change in spend", but "MA-sourced deals" stays as written."""
        if self.locale != "en" or len(text) < 2 or not text[1].islower():
            return text
        return text[:1].lower() + text[1:]

    def reason(self, code: str) -> str:
        """The label of a reject reason code."""
        return t(f"reject.{code}", self.locale)
