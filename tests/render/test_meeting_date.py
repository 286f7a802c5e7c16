"""The meeting date (issue 21): ``meeting.date`` or the schedule's run date + ``meeting.days_after_run`` on the
cover, saying which, and the actions' due dates counted from it while staying in M+1 (contract §9)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from retropack.config import Config, Meeting, load_config
from retropack.errors import ConfigError
from retropack.flow import steps
from retropack.insights.meeting import due_date, meeting_date
from retropack.months import Month
from retropack.render.deck import render_pptx
from retropack.render.pdf import render_pdf
from tests.conftest import DEMO_CONFIG, GENERATED

OCTOBER = Month(2026, 10)


def with_meeting(config: Config, **meeting: object) -> Config:
    return Config(config.settings.model_copy(update={"meeting": Meeting(**meeting)}), config.rules)


def cover_text(path: Path) -> str:
    slide = Presentation(str(path)).slides[0]
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_a_set_meeting_date_is_on_the_cover_and_the_actions_fall_due_after_it(tmp_path: Path) -> None:
    config = with_meeting(load_config(DEMO_CONFIG), date=date(2026, 11, 12))
    dataset = steps.load(config.settings)
    analysis = steps.compute(dataset, config, OCTOBER)
    view = steps.view(analysis, dataset, config, "test", GENERATED)
    render_pptx(view, tmp_path / "pack.pptx")
    render_pdf(view, tmp_path / "pack.pdf")
    cover = cover_text(tmp_path / "pack.pptx")
    assert "ミーティング日:2026年11月12日(木)" in cover
    assert "予定として指定された日付" in cover
    assert "2026年11月12日(木)" in PdfReader(tmp_path / "pack.pdf").pages[0].extract_text()
    dues = [c.due for c in analysis.actions.commitments]
    assert dues and all(date(2026, 11, 12) < due <= date(2026, 11, 30) for due in dues)
    # the demo's rules ask for the 3rd, 5th, … business day: counted from the meeting, not from 11/1
    assert min(dues) >= date(2026, 11, 13)


def test_without_a_date_the_meeting_is_days_after_the_scheduled_run(tmp_path: Path) -> None:
    settings = load_config(DEMO_CONFIG).settings  # schedule: the 1st business day, 2026-11-02 (a Monday)
    meeting = meeting_date(settings, OCTOBER, date(2026, 12, 3))
    assert (meeting.day, meeting.source) == (date(2026, 11, 9), "schedule")
    unscheduled = settings.model_copy(update={"schedule": None, "meeting": Meeting(days_after_run=3)})
    assert meeting_date(unscheduled, OCTOBER, date(2026, 11, 4)).day == date(2026, 11, 7)
    assert meeting_date(unscheduled, OCTOBER, date(2026, 11, 4)).source == "run"


def test_due_dates_count_business_days_after_the_meeting_and_stay_in_the_month() -> None:
    november = Month(2026, 11)
    assert due_date(date(2026, 11, 12), november, 3) == date(2026, 11, 17)  # Fri 13, Mon 16, Tue 17
    assert due_date(date(2026, 11, 25), november, 10) == date(2026, 11, 30)  # past the month: its last business day
    assert due_date(date(2026, 12, 3), november, 3) == date(2026, 11, 5)  # a meeting outside M+1: M+1's own 3rd
    assert due_date(None, november, 3) == date(2026, 11, 5)  # 11/3 is 文化の日


def test_an_unknown_meeting_key_is_refused_by_name(tmp_path: Path) -> None:
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("../data/demo", str(DEMO_CONFIG.parent.parent / "data/demo"))
    config = tmp_path / "client.yaml"
    config.write_text(text + "meeting:\n  dat: 2026-11-12\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"meeting\.dat.*did you mean 'date'"):
        load_config(config)
