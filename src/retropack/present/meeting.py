"""The meeting date as the cover reads it, and where it comes from (set, or counted from the run)."""

from __future__ import annotations

from datetime import date, timedelta

from retropack.insights.meeting import MeetingDate
from retropack.present.formatting import format_day
from retropack.present.messages import Translator

__all__ = ["meeting_basis", "meeting_day"]


def meeting_day(day: date, tr: Translator) -> str:
    """``2026年11月9日(月)`` or ``Mon 9 Nov 2026``."""
    return tr("meeting.day", year=day.year, month=day.month if tr.locale == "ja" else tr(f"month.short.{day.month}"),
              day=day.day, weekday=tr(f"weekday.{day.weekday()}"))


def meeting_basis(meeting: MeetingDate, tr: Translator) -> str:
    """Which date it is: the one set for the meeting, or so many days after the scheduled or actual pack date."""
    run = format_day(meeting.day - timedelta(days=meeting.days_after_run), tr.locale)
    return tr(f"meeting.basis.{meeting.source}", run=run, days=meeting.days_after_run)
