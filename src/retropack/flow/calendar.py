"""When a client's monthly run happens: the Nth business day in Japan, at a local time.

Business days skip weekends and Japanese *public* holidays (``holidays`` library, country "JP").
Company closing days such as Jan 2–3 are not public holidays, so they count as business days:
the contract names public holidays only, and a company that closes then can set ``business_day: 2``.

The deployments' schedules (``retropack.operations.deployments``) are the exact dates these rules give,
and a run reports the month before the time it was *scheduled* for, however late it starts.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from retropack.config import Schedule
from retropack.months import Month

__all__ = ["business_day", "default_month", "format_run", "jp_holidays", "next_runs", "runs_between"]


def default_month(now: datetime, timezone: str) -> Month:
    """The previous complete month at ``now`` in ``timezone``: what a scheduled run reports."""
    if now.tzinfo is None:
        raise ValueError(f"default_month needs a timezone-aware time, got naive {now.isoformat()}")
    return Month.of(now.astimezone(ZoneInfo(timezone))).shift(-1)


def jp_holidays(years: int | list[int]) -> holidays.HolidayBase:
    """Japanese public holidays of ``years`` (more years are added on lookup)."""
    return holidays.country_holidays("JP", years=years)


def business_day(year: int, month: int, n: int, holidays_calendar: Container[date] | None = None) -> date:
    """The ``n``-th day of the month that is neither a weekend nor in ``holidays_calendar`` (JP by default)."""
    if n < 1:
        raise ValueError(f"business day {n} does not exist: count from 1")
    calendar = jp_holidays(year) if holidays_calendar is None else holidays_calendar
    day = date(year, month, 1)
    seen = 0
    while day.month == month:
        if day.weekday() < 5 and day not in calendar:
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)
    raise ValueError(f"{year:04d}-{month:02d} has fewer than {n} business days")


def next_runs(schedule: Schedule, timezone: str, start: date, count: int) -> list[tuple[datetime, Month]]:
    """The next ``count`` run times (aware, local) on or after ``start``, each with the month it reports."""
    zone = ZoneInfo(timezone)
    at = time.fromisoformat(schedule.time)
    calendar = jp_holidays(start.year)
    runs: list[tuple[datetime, Month]] = []
    month = Month.of(start)
    while len(runs) < count:
        day = business_day(month.year, month.month, schedule.business_day, calendar)
        if day >= start:
            runs.append((datetime.combine(day, at, tzinfo=zone), month.shift(-1)))
        month = month.shift(1)
    return runs


def runs_between(schedule: Schedule, timezone: str, first: datetime, last: datetime) -> list[tuple[datetime, Month]]:
    """The run times from ``first`` to ``last`` (both aware, both included), each with the month it reports."""
    start = first.astimezone(ZoneInfo(timezone)).date()
    months = Month.of(last.astimezone(ZoneInfo(timezone))) - Month.of(start) + 1
    return [(moment, month) for moment, month in next_runs(schedule, timezone, start, max(months, 0))
            if first <= moment <= last]


def format_run(moment: datetime, month: Month) -> str:
    """One line of ``retropack schedule``: ``2027-05-06T09:00:00+09:00 2027-04``."""
    return f"{moment.isoformat()} {month}"
