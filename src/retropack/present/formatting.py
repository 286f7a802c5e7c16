"""Numbers as people read them: counts, money, percentages, signed changes, months and chart axes.

This is the one place where a number becomes text, in the view's locale and the program's currency;
"—" stands for no value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from retropack.present.messages import t

__all__ = ["NO_VALUE", "AxisFormat", "axis_format", "currency_symbol", "format_amount", "format_change",
           "format_day", "format_value", "month_label"]

NO_VALUE = "—"
_SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}
# Chart axes show money in a round unit, large (億, M) or medium (万, K): (from this size, divide by, decimals, unit).
_AXIS_MONEY = {
    "ja": ((100_000_000, 100_000_000, 1, "large"), (100_000, 10_000, 0, "medium"), (10_000, 10_000, 1, "medium")),
    "en": ((1_000_000, 1_000_000, 1, "large"), (1_000, 1_000, 0, "medium")),
}


def currency_symbol(currency: str) -> str:
    """The mark written before an amount: ``¥``, ``$``, … or the ISO code and a space."""
    return _SYMBOLS.get(currency, f"{currency} ")


def _money(value: float, currency: str) -> str:
    sign = "−" if value < 0 else ""
    return f"{sign}{currency_symbol(currency)}{abs(value):,.0f}"


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


def _short(number: float) -> str:
    """Three significant digits at most, without trailing zeros: 255, 38.1, 2.55."""
    text = f"{number:,.2f}" if number < 10 else f"{number:,.1f}" if number < 100 else f"{number:,.0f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_amount(value: float | None, locale: str, currency: str = "JPY") -> str:
    """Money in a sentence, rounded as people say it: 255万円 / 38.1万円 / 2.55億円 in Japanese yen, ¥2.55M or
    $381K otherwise. Tables keep the exact amount (``format_value``)."""
    if value is None:
        return NO_VALUE
    sign, size = ("−" if value < 0 else ""), abs(value)
    if currency == "JPY" and locale == "ja":
        for scale, unit in ((100_000_000, "億円"), (10_000, "万円")):
            if size >= scale:
                return f"{sign}{_short(size / scale)}{unit}"
        return f"{sign}{size:,.0f}円"
    for scale, unit in ((1_000_000, "M"), (1_000, "K")):
        if size >= scale:
            return f"{sign}{currency_symbol(currency)}{_short(size / scale)}{unit}"
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


def month_label(month: str, locale: str) -> str:
    """``2026年10月`` or ``October 2026`` from ``2026-10``."""
    year, number = month.split("-")
    return t("month.label", locale, year=year, month=int(number), name=t(f"month.name.{int(number)}", locale))


def format_day(day: date, locale: str) -> str:
    """A due date as a meeting reads it: ``11/9(月)`` or ``Mon 9 Nov``."""
    return t("date.due", locale, month=t(f"month.short.{day.month}", locale), day=day.day,
             weekday=t(f"weekday.{day.weekday()}", locale))


@dataclass(frozen=True)
class AxisFormat:
    """How a chart's value axis reads: tick labels for matplotlib (``label``) and the number format
    of a native PowerPoint chart (``excel``), in the view's locale and currency."""

    unit: str
    locale: str
    currency: str

    def label(self, value: float) -> str:
        if self.unit == "rate":
            return f"{value * 100:.0f}%"
        if self.unit in ("money", "money_per_day"):
            sign = "−" if value < 0 else ""
            for size, scale, decimals, unit in _AXIS_MONEY[self.locale]:
                if abs(value) >= size:
                    number = f"{abs(value) / scale:,.{decimals}f}"
                    return sign + t(f"chart.money_axis.{unit}", self.locale, symbol=currency_symbol(self.currency),
                                    value=number)
            return _money(value, self.currency)
        return f"{value:,.0f}"

    def labels(self, values: Sequence[float]) -> list[str]:
        """Tick labels for a whole axis: the short form, or more digits when the short form would repeat a
        label (¥1.4M three times on a narrow range reads as a flat line)."""
        short = [self.label(v) for v in values]
        if len(set(short)) == len(short):
            return short
        for decimals in range(1, 4):
            exact = [self._exact(v, decimals) for v in values]
            if len(set(exact)) == len(exact):
                return exact
        return exact

    def _exact(self, value: float, decimals: int) -> str:
        if self.unit == "rate":
            return f"{value * 100:.{decimals}f}%"
        if self.unit in ("money", "money_per_day"):
            return _money(value, self.currency)
        return f"{value:,.{decimals}f}"

    @property
    def excel(self) -> str:
        if self.unit == "rate":
            return "0.0%"
        if self.unit in ("money", "money_per_day"):
            symbol = currency_symbol(self.currency).strip()
            return f"{symbol}#,##0" if len(symbol) == 1 else f'"{symbol} "#,##0'
        return "#,##0"


def axis_format(unit: str, locale: str, currency: str) -> AxisFormat:
    return AxisFormat(unit, locale, currency)
