"""retropack.present.formatting: the one place a number becomes text.

Every figure in the PDF, the deck, the e-mail and the speaker notes goes through these functions, so the
cases below are the strings a reader sees: thousands separators, the currency mark of the program,
the typographic minus "−", percentage points for rate changes and "—" for no value.
"""

from __future__ import annotations

import pytest

from retropack.present.formatting import (
    NO_VALUE,
    AxisFormat,
    axis_format,
    currency_symbol,
    format_change,
    format_value,
    month_label,
)

UNITS = ("count", "rate", "money", "money_per_day")


@pytest.mark.parametrize(
    ("value", "unit", "locale", "currency", "text"),
    [
        (212, "count", "ja", "JPY", "212"),
        (1234, "count", "en", "JPY", "1,234"),
        (1234.6, "count", "ja", "JPY", "1,235"),
        (-5, "count", "ja", "JPY", "−5"),
        (0.25, "rate", "ja", "JPY", "25.0%"),
        (0.0375, "rate", "en", "JPY", "3.8%"),
        (14.0, "rate", "en", "JPY", "1,400.0%"),  # ROI of 14x
        (-0.034, "rate", "ja", "JPY", "−3.4%"),
        (205_600, "money", "ja", "JPY", "¥205,600"),
        (205_600, "money", "en", "JPY", "¥205,600"),  # the currency is the program's, not the language's
        (1234.4, "money", "en", "USD", "$1,234"),
        (1234.4, "money", "ja", "EUR", "€1,234"),
        (99, "money", "en", "GBP", "£99"),
        (1_500_000, "money", "en", "CHF", "CHF 1,500,000"),  # an unknown mark: its ISO code and a space
        (-50_000, "money", "ja", "JPY", "−¥50,000"),  # the minus goes before the mark
        (-50_000, "money", "en", "CHF", "−CHF 50,000"),
        (62_678, "money_per_day", "ja", "JPY", "¥62,678/日"),
        (62_678, "money_per_day", "en", "JPY", "¥62,678/day"),
        (2500, "money_per_day", "en", "USD", "$2,500/day"),
    ],
)
def test_format_value(value: float, unit: str, locale: str, currency: str, text: str) -> None:
    assert format_value(value, unit, locale, currency) == text


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("locale", ["ja", "en"])
def test_no_value_is_a_dash_in_every_unit(unit: str, locale: str) -> None:
    """A ratio over zero has no value: shown as "—", never 0."""
    assert format_value(None, unit, locale) == NO_VALUE == "—"
    assert format_change(None, unit, locale) == "—"


def test_zero_is_a_value_not_a_dash() -> None:
    assert (format_value(0, "count", "ja"), format_value(0, "rate", "ja"), format_value(0, "money", "ja")) == (
        "0", "0.0%", "¥0")


def test_the_default_currency_is_yen() -> None:
    assert format_value(1000, "money", "en") == "¥1,000"


@pytest.mark.parametrize(
    ("value", "unit", "locale", "currency", "text"),
    [
        (22, "count", "ja", "JPY", "+22"),
        (-3, "count", "ja", "JPY", "−3"),
        (0, "count", "ja", "JPY", "±0"),
        (1234, "count", "en", "JPY", "+1,234"),
        (0.012, "rate", "ja", "JPY", "+1.2pt"),  # rates move in percentage points
        (-0.034, "rate", "en", "JPY", "−3.4pt"),
        (0.005, "rate", "ja", "JPY", "+0.50pt"),  # under one point: two decimals, so +0.5pt ≠ +0.45pt
        (-0.0025, "rate", "en", "JPY", "−0.25pt"),
        (0.0004, "rate", "ja", "JPY", "+0.04pt"),
        (0.01, "rate", "ja", "JPY", "+1.0pt"),  # exactly one point: back to one decimal
        (0, "rate", "ja", "JPY", "±0.0pt"),
        (22_000, "money", "ja", "JPY", "+¥22,000"),
        (-22_000, "money", "ja", "JPY", "−¥22,000"),
        (0, "money", "ja", "JPY", "±¥0"),
        (1500, "money", "en", "USD", "+$1,500"),
        (-1500, "money", "en", "EUR", "−€1,500"),
        (1500, "money", "en", "CHF", "+CHF 1,500"),
        (1000, "money_per_day", "ja", "JPY", "+¥1,000/日"),
        (-1000, "money_per_day", "en", "USD", "−$1,000/day"),
    ],
)
def test_format_change_is_signed(value: float, unit: str, locale: str, currency: str, text: str) -> None:
    assert format_change(value, unit, locale, currency) == text


def test_minus_signs_are_typographic() -> None:
    """Negative values use "−" (U+2212), never the ASCII hyphen, in every unit."""
    texts = [format_value(-1234, unit, "en") for unit in UNITS] + [format_change(-0.5, unit, "en") for unit in UNITS]
    assert all("−" in text and "-" not in text for text in texts), texts


@pytest.mark.parametrize(
    ("month", "locale", "label"),
    [
        ("2026-01", "ja", "2026年1月"),
        ("2026-12", "ja", "2026年12月"),
        ("2026-10", "ja", "2026年10月"),
        ("2026-01", "en", "January 2026"),
        ("2026-12", "en", "December 2026"),
    ],
)
def test_month_label(month: str, locale: str, label: str) -> None:
    assert month_label(month, locale) == label


@pytest.mark.parametrize(
    ("currency", "symbol"),
    [("JPY", "¥"), ("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("CHF", "CHF ")],
)
def test_currency_symbol(currency: str, symbol: str) -> None:
    assert currency_symbol(currency) == symbol


@pytest.mark.parametrize(
    ("unit", "locale", "currency", "value", "label", "excel"),
    [
        ("rate", "ja", "JPY", 0.25, "25%", "0.0%"),
        ("rate", "en", "USD", 1.5, "150%", "0.0%"),
        ("count", "ja", "JPY", 12_345, "12,345", "#,##0"),
        ("count", "en", "USD", 200, "200", "#,##0"),
        ("money", "ja", "JPY", 1_500_000, "¥150万", "¥#,##0"),  # Japanese axes count in 万 (10,000)
        ("money", "ja", "JPY", 12_000_000, "¥1,200万", "¥#,##0"),
        ("money", "en", "JPY", 1_500_000, "¥1.5M", "¥#,##0"),  # English axes count in millions
        ("money", "en", "USD", 2_500_000, "$2.5M", "$#,##0"),
        ("money", "ja", "USD", 2_500_000, "$250万", "$#,##0"),
        ("money_per_day", "en", "EUR", 120_000, "€120K", "€#,##0"),  # below a million: thousands
        ("money", "ja", "JPY", 68_000, "¥6.8万", "¥#,##0"),  # below 10万 a decimal, or the ticks repeat
        ("money", "ja", "JPY", 250_000_000, "¥2.5億", "¥#,##0"),
        ("money", "ja", "JPY", 5_000, "¥5,000", "¥#,##0"),
        ("money", "ja", "JPY", -1_500_000, "−¥150万", "¥#,##0"),  # the sign before the mark, as in tables
    ],
)
def test_axis_format(unit: str, locale: str, currency: str, value: float, label: str, excel: str) -> None:
    """The PDF's tick labels and the deck's number format, in the view's locale and the program's currency."""
    axis = axis_format(unit, locale, currency)
    assert axis == AxisFormat(unit, locale, currency)
    assert axis.label(value) == label
    assert axis.excel == excel


def test_a_money_axis_never_shows_yen_for_another_currency() -> None:
    """The bug the view's AxisFormat exists to prevent: a USD program's charts in ¥."""
    for locale in ("ja", "en"):
        axis = AxisFormat("money", locale, "USD")
        assert "¥" not in axis.label(1_000_000) and "¥" not in axis.excel


def test_an_iso_code_on_a_money_axis_is_separated_from_the_number() -> None:
    axis = AxisFormat("money", "en", "CHF")
    assert axis.excel == '"CHF "#,##0'
    assert axis.label(2_500_000) == "CHF 2.5M"
