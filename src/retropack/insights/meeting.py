"""The day the joint meeting reviews the pack, and the due dates counted from it.

``meeting.date`` in the config wins; else ``meeting.days_after_run`` calendar days after the run: the schedule's
run date for the month (its ``business_day``-th business day of M+1), or, without a schedule, the day the pack is
made. An action is due the rule's ``due_business_day``-th business day after the meeting, and stays in M+1
(contract §9): when the meeting is not in M+1 the due date is M+1's own ``due_business_day``-th business day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from retropack.config import Settings
from retropack.months import Month

__all__ = ["MeetingDate", "due_date", "meeting_date"]

MeetingSource = Literal["config", "schedule", "run"]


@dataclass(frozen=True)
class MeetingDate:
    day: date
    source: MeetingSource  # set in the config, the schedule's run date + days, or the run's date + days
    days_after_run: int


def meeting_date(settings: Settings, month: Month, run_day: date) -> MeetingDate:
    """The meeting that reviews ``month``'s pack, and where its date comes from."""
    meeting = settings.meeting
    if meeting.date is not None:
        return MeetingDate(meeting.date, "config", meeting.days_after_run)
    after = timedelta(days=meeting.days_after_run)
    if settings.schedule is not None:
        run = month.shift(1).business_day(settings.schedule.business_day)
        return MeetingDate(run + after, "schedule", meeting.days_after_run)
    return MeetingDate(run_day + after, "run", meeting.days_after_run)


def due_date(meeting: date | None, due_month: Month, business_days: int) -> date:
    """The ``business_days``-th business day after ``meeting`` while that is in ``due_month``, else its last
    business day; M+1's ``business_days``-th business day when the meeting is not in ``due_month``."""
    days = due_month.business_days()
    if meeting is None or Month(meeting.year, meeting.month) != due_month:
        return due_month.business_day(business_days)
    after = [d for d in days if d > meeting]
    return after[business_days - 1] if len(after) >= business_days else days[-1]
