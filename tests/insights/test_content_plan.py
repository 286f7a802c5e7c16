"""retropack.insights.content_plan: next month's content against the cadence, last month's plan against
what was published, and the scenarios planned or launching.

Month under test: 2026-10 (JST), so "next month" is November. The calendar, in words:
- October: blogs A (on time), B (two days late), C (never published), D (published 2 November: not
  by the month's end, so missing); whitepaper published early; webinar 1 published 23:30 the planned day
  (on time), webinar 2 published 16:00 UTC the planned day = 01:00 the next day in Tokyo (late);
- November: blogs on the 3rd and 17th, a newsletter on the 10th, a case study on the 20th;
- September and December items that neither section may count.
Cadence: blog 4, whitepaper 1, newsletter 2 → November is 2 + 1 + 1 = 4 items short.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retropack.insights.content_plan import CadenceLine, ContentPlan, PlanVsPublished, build_content_plan
from retropack.load import Dataset, load_dataset
from retropack.months import Month

OCT = Month(2026, 10)
CADENCE = {"blog": 4, "whitepaper": 1, "newsletter": 2}

CALENDAR = """title,type,planned_date,published_at,scenario,owner
Blog A,blog,2026-10-05,2026-10-05T10:00:00,,山本
Blog B,blog,2026-10-12,2026-10-14T09:00:00,,山本
Blog C,blog,2026-10-20,,,山本
Blog D,blog,2026-10-28,2026-11-02T09:00:00,,山本
WP Oct,whitepaper,2026-10-15,2026-10-10T09:00:00,SC01,田中
Webinar 1,webinar,2026-10-22,2026-10-22T23:30:00,,田中
Webinar 2,webinar,2026-10-22,2026-10-22T16:00:00Z,,田中
Nov blog 1,blog,2026-11-03,,,山本
Nov newsletter,newsletter,2026-11-10,,,山本
Nov blog 2,blog,2026-11-17,,,山本
Nov case,case_study,2026-11-20,,SC02,田中
Sep blog,blog,2026-09-10,2026-09-10T09:00:00,,山本
Dec WP,whitepaper,2026-12-01,,,田中
"""

SCENARIOS = """scenario_id,name,status,launch_date,owner
S1,資料DL後フォロー,live,2025-01-01,山本
S2,休眠掘り起こし,planned,2026-12-01,田中
S3,ウェビナー参加者育成,live,2026-10-15,山本
S4,展示会フォロー,paused,2026-11-05,田中
S5,既存顧客アップセル,planned,,
S6,旧ナーチャリング,retired,2026-09-01,山本
"""
# S1 launched long ago and S6 retired last month: neither is shown. S2 and S5 are planned; S3 launches
# this month and S4 next month; by launch date, the undated S5 last.

LEADS = "lead_id,created_at\nL1,2026-10-01\n"
SENDS = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\nS1,2026-10-03,100,30,4,1\n"
DEALS = "deal_id,created_at,amount,stage\nD1,2026-10-20,1000000,open\n"


def dataset(folder: Path, **optional: str) -> Dataset:
    """The three required tables (irrelevant here) plus the optional tables given as CSV text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"leads": LEADS, "email_sends": SENDS, "deals": DEALS, **optional}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_dataset(folder)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> ContentPlan:
    folder = tmp_path_factory.mktemp("content")
    return build_content_plan(dataset(folder, content_calendar=CALENDAR, scenarios=SCENARIOS), OCT, CADENCE)


def test_the_plan_looks_at_next_month(plan: ContentPlan) -> None:
    assert plan.next_month == Month(2026, 11)
    assert plan.has_calendar and plan.has_scenarios


def test_cadence_compares_next_months_plan_with_the_target(plan: ContentPlan) -> None:
    """Cadence types first in the configured order, then planned types the cadence does not name."""
    assert plan.cadence == (
        CadenceLine("blog", planned=2, target=4),
        CadenceLine("whitepaper", planned=0, target=1),  # December's whitepaper is not November's
        CadenceLine("newsletter", planned=1, target=2),
        CadenceLine("case_study", planned=1, target=0),
    )
    assert [line.shortfall for line in plan.cadence] == [2, 1, 1, 0]
    assert plan.shortfall == 4


def test_more_than_the_cadence_is_no_negative_shortfall() -> None:
    assert CadenceLine("blog", planned=6, target=4).shortfall == 0


def test_last_month_plan_vs_published_by_type(plan: ContentPlan) -> None:
    assert plan.last_month == (
        PlanVsPublished("blog", planned=4, published=2, late=1, missing=2),  # B late; C and D not out by 31 Oct
        PlanVsPublished("webinar", planned=2, published=2, late=1, missing=0),  # late by Tokyo's calendar day
        PlanVsPublished("whitepaper", planned=1, published=1, late=0, missing=0),  # early is not late
    )


def test_upcoming_lists_next_months_items_by_date(plan: ContentPlan) -> None:
    upcoming = plan.upcoming
    assert list(upcoming.columns) == ["title", "type", "planned_date", "owner", "scenario"]
    assert list(upcoming["title"]) == ["Nov blog 1", "Nov newsletter", "Nov blog 2", "Nov case"]
    assert upcoming["planned_date"][0] == pd.Timestamp("2026-11-03", tz="Asia/Tokyo")
    assert list(upcoming.index) == [0, 1, 2, 3]


def test_scenarios_planned_or_launching_this_or_next_month(plan: ContentPlan) -> None:
    scenarios = plan.scenarios
    assert list(scenarios.columns) == ["scenario_id", "name", "status", "launch_date", "owner"]
    assert list(scenarios["scenario_id"]) == ["S3", "S4", "S2", "S5"]
    assert list(scenarios["status"]) == ["live", "paused", "planned", "planned"]
    assert pd.isna(scenarios["launch_date"][3])


def test_without_a_calendar_the_whole_cadence_is_short(tmp_path: Path) -> None:
    """No content_calendar table: nothing planned, nothing published, the scenarios still listed."""
    plan = build_content_plan(dataset(tmp_path, scenarios=SCENARIOS), OCT, CADENCE)
    assert not plan.has_calendar and plan.has_scenarios
    assert plan.cadence == (CadenceLine("blog", 0, 4), CadenceLine("whitepaper", 0, 1), CadenceLine("newsletter", 0, 2))
    assert plan.shortfall == 7
    assert plan.last_month == ()
    assert plan.upcoming.empty
    assert list(plan.scenarios["scenario_id"]) == ["S3", "S4", "S2", "S5"]


def test_without_scenarios_the_scenario_list_is_empty(tmp_path: Path) -> None:
    plan = build_content_plan(dataset(tmp_path, content_calendar=CALENDAR), OCT, CADENCE)
    assert not plan.has_scenarios
    assert plan.scenarios.empty
    assert plan.shortfall == 4


def test_without_a_cadence_only_what_is_planned_is_listed(tmp_path: Path) -> None:
    plan = build_content_plan(dataset(tmp_path, content_calendar=CALENDAR), OCT, {})
    assert {(line.type, line.planned, line.target) for line in plan.cadence} == {
        ("blog", 2, 0), ("newsletter", 1, 0), ("case_study", 1, 0)}
    assert plan.shortfall == 0


def test_a_month_with_nothing_planned_has_no_plan_vs_published(tmp_path: Path) -> None:
    """Plan vs published for November: only planned items count, and nothing is published yet."""
    plan = build_content_plan(dataset(tmp_path, content_calendar=CALENDAR), Month(2026, 11), CADENCE)
    assert plan.next_month == Month(2026, 12)
    assert [line for line in plan.cadence if line.planned] == [CadenceLine("whitepaper", 1, 1)]
    assert [(p.type, p.planned, p.published, p.missing) for p in plan.last_month] == [
        ("blog", 2, 0, 2), ("case_study", 1, 0, 1), ("newsletter", 1, 0, 1)]
    assert build_content_plan(dataset(tmp_path, content_calendar=CALENDAR), Month(2027, 3), CADENCE).last_month == ()
