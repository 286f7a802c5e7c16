"""The one message catalogue: every word shown to people, in ``ja`` and ``en``.

Entries live in ``messages.yaml`` beside this module (installed with the package) as
``key: {ja: …, en: …}``; ``{name}`` fields are filled by ``format``. A missing key or locale is a
programming error and fails loudly.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

from retropack._yaml import load_yaml
from retropack.kpis.catalog import KPIS

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
    """``t`` bound to one locale: the words of one view, handed to templates and renderers."""

    def __init__(self, locale: str) -> None:
        if locale not in LOCALES:
            raise ValueError(f"locale '{locale}' is not one of {', '.join(LOCALES)}")
        self.locale = locale

    def __call__(self, key: str, **params: Any) -> str:
        return t(key, self.locale, **params)

    def kpi_name(self, kpi_id: str | None) -> str:
        return KPIS[kpi_id].name(self.locale) if kpi_id else "—"

    def reason(self, code: str) -> str:
        """The label of a reject reason code."""
        return t(f"reject.{code}", self.locale)
