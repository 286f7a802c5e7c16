"""Findings worded in one language: the typed values of the diagnosis (numbers with units, months,
KPIs, catalogue terms) formatted the way the rest of the pack formats them."""

from __future__ import annotations

from collections.abc import Sequence

from retropack.insights.diagnosis.evidence import Evidence, KpiRef, Quantity, Term, Value
from retropack.months import Month
from retropack.present.formatting import NO_VALUE, format_value, month_label
from retropack.present.messages import Translator, catalogue

__all__ = ["STYLE", "SYMBOLS", "Words"]


SYMBOLS = {"ok": "○", "watch": "△", "alert": "×", "no_data": "？"}
STYLE = {"ok": "achieved", "watch": "near", "alert": "missed", "no_data": "no_data"}  # the pack's status colours


class Words:
    """Formats the typed values of findings in one locale and currency."""

    def __init__(self, tr: Translator, currency: str) -> None:
        self.tr, self.currency = tr, currency

    def month(self, month: Month | None) -> str:
        return NO_VALUE if month is None else month_label(str(month), self.tr.locale)

    def number(self, quantity: Quantity) -> str:
        value, unit = quantity.value, quantity.unit
        if value is None:
            return NO_VALUE
        if unit == "months":
            return self.tr("unit.month" if value == 1 else "unit.months", value=f"{value:.0f}")
        if unit in ("hours", "people", "score"):
            return self.tr(f"unit.{unit}", value=f"{value:,.1f}".removesuffix(".0"))
        return format_value(value, unit, self.tr.locale, self.currency)

    def value(self, value: Value) -> str:
        if isinstance(value, Quantity):
            return self.number(value)
        if isinstance(value, Month):
            return self.month(value)
        if isinstance(value, KpiRef):
            return self.tr.kpi_name(value.kpi_id)
        if isinstance(value, Term):
            return self.tr(value.key)
        if isinstance(value, tuple):
            return self.tr("list.sep").join(self.value(v) for v in value) or NO_VALUE
        return str(value)

    def data(self, items: str | Sequence[str]) -> str:
        """Tables and columns as people call them (リード, 営業の初回フォロー日時); "a / b" means either."""
        names = [items] if isinstance(items, str) else list(items)
        return self.join([self.tr("list.or").join(self.tr(f"data.{part.strip()}") for part in name.split("/"))
                          for name in names])

    def sentence(self, evidence: Evidence) -> str:
        values = {k: self.data(v) if k == "data" and isinstance(v, str) else self.value(v)
                  for k, v in evidence.values.items()}
        key = f"health.evidence.{evidence.code}"
        months = evidence.values.get("months")
        if isinstance(months, Quantity) and months.value == 1 and f"{key}.once" in catalogue():
            key += ".once"  # a run of one month is no run: 「1ヶ月連続」 is not said
        return self.tr(key, **values)

    def join(self, items: Sequence[str]) -> str:
        return self.tr("list.sep").join(items)
