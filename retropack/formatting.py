"""Numbers as people read them: counts, money, percentages, and signed changes; "—" for no value."""

from __future__ import annotations

from retropack.messages import t

NO_VALUE = "—"
_SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€"}


def _money(value: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    sign = "−" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.0f}"


def format_value(value: float | None, unit: str, locale: str, currency: str = "JPY") -> str:
    if value is None:
        return NO_VALUE
    if unit == "count":
        return f"{value:,.0f}".replace("-", "−")
    if unit == "rate":
        return f"{value * 100:,.1f}%".replace("-", "−")
    if unit == "money_per_day":
        return t("unit.per_day", locale, value=_money(value, currency))
    return _money(value, currency)


def format_change(value: float | None, unit: str, locale: str, currency: str = "JPY") -> str:
    """A signed change; rates move in percentage points."""
    if value is None:
        return NO_VALUE
    sign = "+" if value > 0 else ("±" if value == 0 else "−")
    magnitude = abs(value)
    if unit == "count":
        return f"{sign}{magnitude:,.0f}"
    if unit == "rate":
        points = magnitude * 100
        return f"{sign}{points:,.2f}pt" if 0 < points < 1 else f"{sign}{points:,.1f}pt"
    text = format_value(magnitude, unit, locale, currency)
    return f"{sign}{text}"
