"""Calendar months in the program's timezone: parsing, arithmetic and boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pandas as pd

__all__ = ["REPORTABLE", "Month", "month_index_series"]

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; ordering and subtraction follow the calendar."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH_RE.match(str(text).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"'{text}' is not a month in the form YYYY-MM")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> Month:
        return cls(moment.year, moment.month)

    @property
    def index(self) -> int:
        """Months since year 0: a plain integer that makes month arithmetic exact."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def shift(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: Month) -> int:
        return self.index - other.index

    def start(self, tz: str) -> pd.Timestamp:
        """First instant of the month in timezone ``tz``."""
        return pd.Timestamp(year=self.year, month=self.month, day=1, tz=ZoneInfo(tz))

    def end(self, tz: str) -> pd.Timestamp:
        """First instant of the next month (exclusive end) in timezone ``tz``."""
        return self.shift(1).start(tz)

    def business_days(self) -> list[date]:
        """The month's days that are neither weekends nor Japanese public holidays."""
        first = date(self.year, self.month, 1)
        closed = _jp_holidays(self.year)
        days = (first + timedelta(days=i) for i in range(31))
        return [d for d in days if d.month == self.month and d.weekday() < 5 and d not in closed]

    def business_day(self, n: int) -> date:
        """The ``n``-th business day, or the month's last one when it has fewer."""
        days = self.business_days()
        return days[min(n, len(days)) - 1]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


# The months a program may start in and a run may report: with a year of history before and the month after, they
# stay well inside the dates the tables can hold (pandas: 1677 to 2262).
REPORTABLE = (Month(1900, 1), Month(2200, 12))


@cache
def _jp_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year))


def month_index_series(timestamps: pd.Series) -> pd.Series:
    """Month.index of each timestamp (already in the program's timezone); NaN where empty."""
    return timestamps.dt.year * 12 + timestamps.dt.month - 1
