"""The monthly schedule: which month a run reports and on which Japanese business day it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from retropack.config import Schedule
from retropack.flow.calendar import business_day, default_month, format_run, jp_holidays, next_runs, runs_between
from retropack.months import Month


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2025, 12, 31, 15, 30, tzinfo=UTC), Month(2025, 12)),  # 2026-01-01 00:30 JST
        (datetime(2025, 12, 31, 14, 59, tzinfo=UTC), Month(2025, 11)),  # 2025-12-31 23:59 JST
        (datetime(2026, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo")), Month(2025, 12)),
        (datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")), Month(2026, 2)),
    ],
)
def test_default_month_is_previous_complete_month_in_program_timezone(now: datetime, expected: Month) -> None:
    assert default_month(now, "Asia/Tokyo") == expected


def test_default_month_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        default_month(datetime(2026, 1, 1, 0, 30), "Asia/Tokyo")


# Worked out by hand from a 2026 calendar:
# January 2026: Thu 1 New Year's Day (holiday), Fri 2 (business: Jan 2-3 are company closing days,
#   not public holidays), Sat 3, Sun 4, Mon 5 ... Fri 9, Mon 12 Coming of Age Day (holiday), Tue 13.
# April/May 2026: Wed Apr 29 Showa Day; Fri May 1 business, Sat 2, Sun 3 Constitution Day,
#   Mon 4 Greenery Day, Tue 5 Children's Day, Wed 6 substitute holiday, Thu 7, Fri 8, Mon 11.
# May 2027: Sat 1, Sun 2, Mon 3 / Tue 4 / Wed 5 holidays, Thu 6 is the first business day.
@pytest.mark.parametrize(
    ("year", "month", "n", "expected"),
    [
        (2026, 1, 1, date(2026, 1, 2)),
        (2026, 1, 2, date(2026, 1, 5)),
        (2026, 1, 6, date(2026, 1, 9)),
        (2026, 1, 7, date(2026, 1, 13)),
        (2026, 4, 20, date(2026, 4, 28)),
        (2026, 4, 21, date(2026, 4, 30)),
        (2026, 5, 1, date(2026, 5, 1)),
        (2026, 5, 2, date(2026, 5, 7)),
        (2026, 5, 3, date(2026, 5, 8)),
        (2026, 5, 4, date(2026, 5, 11)),
        (2027, 1, 1, date(2027, 1, 4)),
        (2027, 5, 1, date(2027, 5, 6)),
    ],
)
def test_business_day_skips_weekends_and_japanese_public_holidays(
    year: int, month: int, n: int, expected: date
) -> None:
    assert business_day(year, month, n, jp_holidays(year)) == expected


def test_business_day_uses_the_given_calendar() -> None:
    company_closing = {date(2026, 1, 1), date(2026, 1, 2)}
    assert business_day(2026, 1, 1, company_closing) == date(2026, 1, 5)


@pytest.mark.parametrize("n", [0, 23])
def test_business_day_that_does_not_exist_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match="business day"):
        business_day(2026, 5, n)


def test_next_runs_lists_local_run_times_and_reported_months() -> None:
    runs = next_runs(Schedule(business_day=1, time="09:00"), "Asia/Tokyo", date(2026, 1, 1), 3)
    assert [format_run(moment, month) for moment, month in runs] == [
        "2026-01-02T09:00:00+09:00 2025-12",
        "2026-02-02T09:00:00+09:00 2026-01",  # Feb 1 is a Sunday
        "2026-03-02T09:00:00+09:00 2026-02",  # Mar 1 is a Sunday
    ]


def test_next_runs_starts_on_or_after_the_given_date() -> None:
    schedule = Schedule(business_day=2, time="8:30")
    assert [format_run(*run) for run in next_runs(schedule, "Asia/Tokyo", date(2026, 5, 7), 2)] == [
        "2026-05-07T08:30:00+09:00 2026-04",
        "2026-06-02T08:30:00+09:00 2026-05",
    ]
    assert format_run(*next_runs(schedule, "Asia/Tokyo", date(2026, 5, 8), 1)[0]).startswith("2026-06-02")


def test_next_runs_matches_the_contract_example() -> None:
    (run,) = next_runs(Schedule(), "Asia/Tokyo", date(2027, 4, 10), 1)
    assert format_run(*run) == "2027-05-06T09:00:00+09:00 2027-04"


def test_next_runs_count_spans_years() -> None:
    runs = next_runs(Schedule(), "Asia/Tokyo", date(2026, 1, 1), 24)
    assert len(runs) == 24
    assert runs[-1][1] == Month(2027, 11)


JST = ZoneInfo("Asia/Tokyo")


def test_runs_between_lists_the_run_times_in_a_window_both_ends_included() -> None:
    schedule = Schedule(business_day=1, time="09:00")
    runs = runs_between(schedule, "Asia/Tokyo", datetime(2026, 10, 1, 9, 0, tzinfo=JST),
                        datetime(2027, 1, 4, 9, 0, tzinfo=JST))
    assert [format_run(*run) for run in runs] == [
        "2026-10-01T09:00:00+09:00 2026-09",
        "2026-11-02T09:00:00+09:00 2026-10",  # Nov 1 is a Sunday
        "2026-12-01T09:00:00+09:00 2026-11",
        "2027-01-04T09:00:00+09:00 2026-12",
    ]


def test_runs_between_takes_aware_times_in_any_zone_and_may_be_empty() -> None:
    schedule = Schedule(business_day=1, time="09:00")
    # 2026-11-02 00:00 UTC is 09:00 JST, the run itself; a minute earlier there is none yet
    assert [m for _, m in runs_between(schedule, "Asia/Tokyo", datetime(2026, 10, 2, tzinfo=UTC),
                                       datetime(2026, 11, 2, 0, 0, tzinfo=UTC))] == [Month(2026, 10)]
    assert runs_between(schedule, "Asia/Tokyo", datetime(2026, 10, 2, tzinfo=UTC),
                        datetime(2026, 11, 1, 23, 59, tzinfo=UTC)) == []
