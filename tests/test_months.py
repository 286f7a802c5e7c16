"""retropack.months: the calendar month every KPI, phase and file name is keyed on.

A month off by one here shifts the whole pack, so parsing, arithmetic across year ends and the
month's boundaries in the program's timezone are checked with dates a reader can count on a calendar.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from retropack.months import Month, month_index_series


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10", Month(2026, 10)),
        ("2026-01", Month(2026, 1)),
        ("2026-12", Month(2026, 12)),
        ("  2025-06\n", Month(2025, 6)),  # surrounding whitespace is ignored
    ],
)
def test_parse_reads_yyyy_mm(text: str, expected: Month) -> None:
    """The form the command line, the config and spend.month use."""
    assert Month.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",  # no 13th month
        "2026-00",  # no month 0
        "2026-1",  # month needs two digits
        "26-10",  # year needs four digits
        "2026/10",  # wrong separator
        "2026-10-01",  # a date is not a month
        "202610",
        "",
        "October 2026",
    ],
)
def test_parse_refuses_anything_else_and_says_the_form(text: str) -> None:
    """A bad --month must name the value and the expected form, not fail later with a KeyError."""
    with pytest.raises(ValueError) as error:
        Month.parse(text)
    assert str(error.value) == f"'{text}' is not a month in the form YYYY-MM"


def test_str_round_trips_and_pads() -> None:
    """str() is what file names and kpis.json carry: it must read back as the same month."""
    assert str(Month(2026, 3)) == "2026-03"
    assert str(Month(999, 1)) == "0999-01"
    assert Month.parse(str(Month(2026, 3))) == Month(2026, 3)


def test_of_takes_the_calendar_month_of_a_moment() -> None:
    assert Month.of(datetime(2026, 12, 31, 23, 59)) == Month(2026, 12)


@pytest.mark.parametrize(
    ("month", "by", "expected"),
    [
        (Month(2026, 10), 1, Month(2026, 11)),
        (Month(2026, 12), 1, Month(2027, 1)),  # into the next year
        (Month(2026, 1), -1, Month(2025, 12)),  # back into the previous year
        (Month(2026, 1), -13, Month(2024, 12)),
        (Month(2026, 10), -11, Month(2025, 11)),  # the start of a 12-month history window
        (Month(2025, 6), 24, Month(2027, 6)),
        (Month(2026, 5), 0, Month(2026, 5)),
    ],
)
def test_shift_crosses_year_ends(month: Month, by: int, expected: Month) -> None:
    assert month.shift(by) == expected


@pytest.mark.parametrize(
    ("later", "earlier", "months"),
    [
        (Month(2027, 1), Month(2026, 12), 1),
        (Month(2026, 10), Month(2025, 6), 16),  # the demo: program month 17 is 16 months after month 1
        (Month(2025, 6), Month(2026, 10), -16),
        (Month(2026, 3), Month(2026, 3), 0),
    ],
)
def test_subtraction_counts_calendar_months(later: Month, earlier: Month, months: int) -> None:
    assert later - earlier == months
    assert earlier.shift(months) == later


def test_months_order_by_calendar() -> None:
    """December of one year comes before January of the next (not 12 > 1)."""
    assert Month(2025, 12) < Month(2026, 1) < Month(2026, 2)
    assert max(Month(2025, 12), Month(2026, 1)) == Month(2026, 1)


def test_index_and_from_index_are_inverse() -> None:
    assert Month(2026, 1).index == 2026 * 12
    assert Month(2026, 12).index == 2026 * 12 + 11
    assert Month.from_index(2026 * 12 + 11) == Month(2026, 12)
    assert Month.from_index(Month(2026, 12).index + 1) == Month(2027, 1)


def test_start_and_end_in_tokyo_are_local_midnights() -> None:
    """A month in the program's timezone starts at local midnight: 15:00 UTC the day before in Tokyo."""
    october = Month(2026, 10)
    start, end = october.start("Asia/Tokyo"), october.end("Asia/Tokyo")
    assert start == pd.Timestamp("2026-10-01 00:00", tz="Asia/Tokyo")
    assert end == pd.Timestamp("2026-11-01 00:00", tz="Asia/Tokyo")
    assert start == pd.Timestamp("2026-09-30 15:00", tz="UTC")
    assert str(start.tz) == "Asia/Tokyo"


def test_the_same_month_starts_nine_hours_later_in_utc() -> None:
    october = Month(2026, 10)
    assert october.start("UTC") == pd.Timestamp("2026-10-01 00:00", tz="UTC")
    assert october.start("UTC") - october.start("Asia/Tokyo") == pd.Timedelta(hours=9)


def test_december_ends_where_january_starts() -> None:
    """The exclusive end of December is the first instant of the next year."""
    assert Month(2026, 12).end("Asia/Tokyo") == pd.Timestamp("2027-01-01 00:00", tz="Asia/Tokyo")
    assert Month(2026, 12).end("Asia/Tokyo") == Month(2027, 1).start("Asia/Tokyo")


def test_a_moment_just_before_the_tokyo_month_belongs_to_the_month_before() -> None:
    """2026-09-30 23:30 UTC is 08:30 on 1 October in Tokyo: inside October there, not in UTC."""
    moment = pd.Timestamp("2026-09-30 23:30", tz="UTC")
    october = Month(2026, 10)
    assert october.start("Asia/Tokyo") <= moment < october.end("Asia/Tokyo")
    assert not october.start("UTC") <= moment < october.end("UTC")


def test_month_index_series_matches_month_index_and_keeps_gaps() -> None:
    """The vectorised form used by the KPI formulas agrees with Month.index; NaT stays empty (NaN)."""
    moments = pd.Series(
        [pd.Timestamp("2026-01-15 10:00", tz="Asia/Tokyo"), pd.NaT, pd.Timestamp("2025-12-31 23:59", tz="Asia/Tokyo")],
        dtype="datetime64[ns, Asia/Tokyo]",
    )
    index = month_index_series(moments)
    assert index[0] == Month(2026, 1).index == 24312
    assert pd.isna(index[1])
    assert index[2] == Month(2025, 12).index == 24311


def test_month_index_series_reads_the_wall_clock_of_the_series_timezone() -> None:
    """Timestamps must already be in the program's timezone: the same instant is October in Tokyo
    and September in UTC."""
    instant = pd.Series([pd.Timestamp("2026-09-30 23:30", tz="UTC")])
    assert month_index_series(instant)[0] == Month(2026, 9).index
    assert month_index_series(instant.dt.tz_convert("Asia/Tokyo"))[0] == Month(2026, 10).index
