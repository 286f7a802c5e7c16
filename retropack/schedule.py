"""When a client's monthly run happens: the Nth business day in Japan, at a local time.

Business days skip weekends and Japanese *public* holidays (``holidays`` library, country "JP").
Company closing days such as Jan 2–3 are not public holidays, so they count as business days:
the contract names public holidays only, and a company that closes then can set ``business_day: 2``.

Prefect's cron cannot say "Nth business day skipping JP holidays", and an RRule can only say
"Nth weekday": excluding a holiday there drops the run instead of moving it to the next business
day, and a list of explicit dates would run out silently. So the deployment runs daily at the
configured time over the first days of the month (``prefect_schedule``) and the flow returns early
unless ``is_run_day``; the holiday rules stay in this module, in Python, where they are tested.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from prefect.schedules import Cron, Schedule as PrefectSchedule

from retropack.config import Schedule
from retropack.months import Month

# The most public holidays that fell on weekdays in one month so far is 4 (May 2019: 1, 2, 3, 6);
# one more leaves room for a special holiday declared by a future law.
_MAX_WEEKDAY_HOLIDAYS = 5


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


def is_run_day(today: date, schedule: Schedule) -> bool:
    """Whether ``today`` (the local date in the program's timezone) is the configured business day."""
    return today == business_day(today.year, today.month, schedule.business_day)


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


def format_run(moment: datetime, month: Month) -> str:
    """One line of ``retropack schedule``: ``2027-05-06T09:00:00+09:00 2027-04``."""
    return f"{moment.isoformat()} {month}"


def latest_run_day(n: int) -> int:
    """The latest day of a month the ``n``-th business day can fall on, with worst-case weekends and holidays."""
    needed = n + _MAX_WEEKDAY_HOLIDAYS
    days = needed
    while days - (2 * (days // 7) + min(2, days % 7)) < needed:
        days += 1
    return min(days, 31)


def cron_expression(schedule: Schedule) -> str:
    """Daily at the configured time over the days the configured business day can fall on."""
    hours, minutes = (int(part) for part in schedule.time.split(":"))
    return f"{minutes} {hours} 1-{latest_run_day(schedule.business_day)} * *"


def prefect_schedule(schedule: Schedule, timezone: str) -> PrefectSchedule:
    """The deployment's schedule; the flow must return early unless ``is_run_day`` holds.

    Use: ``flow.deploy(..., schedules=[prefect_schedule(settings.schedule, settings.program.timezone)])``.
    """
    return Cron(cron_expression(schedule), timezone=timezone)
