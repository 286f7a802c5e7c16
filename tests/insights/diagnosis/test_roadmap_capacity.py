"""The roadmap position by program month, and the team against the seed's hours and structure."""

from __future__ import annotations

import pytest

from retropack.config import Team
from retropack.insights.diagnosis.capacity import assess_capacity
from tests.programs import HEALTHY_TEAM, healthy


def test_month_3_is_due_for_the_first_kpi_review_and_enters_growth_next(analyse) -> None:
    roadmap = analyse(healthy(), month="2025-03").diagnosis.roadmap
    assert (roadmap.month_index, roadmap.phase_id, roadmap.launch_step, roadmap.due_now) == (3, "launch", 2,
                                                                                             "first_kpi_review")
    assert (roadmap.next_phase, roadmap.next_focus) == ("growth", ("mqls", "mql_to_sql_rate"))
    assert roadmap.next_targets == {"mqls": 40, "mql_to_sql_rate": 0.3}
    states = {m.id: (m.state, str(m.reached) if m.reached else None) for m in roadmap.milestones}
    assert states == {"first_send": ("reached", "2025-01"), "mql_definition": ("reached", "2025-01"),
                      "first_kpi_review": ("reached", "2025-01"),
                      "monthly_review": ("reached", "2025-03"),  # measured Jan–Mar, SC03 launched in March
                      "roi_visible": ("reached", "2025-01")}


def test_milestones_the_data_does_not_show_are_due_or_overdue(analyse) -> None:
    program = healthy()
    program.tables["scenarios"] = program.tables["scenarios"].iloc[:2]  # SC03 never launched …
    sends = program.tables["email_sends"]
    program.tables["email_sends"] = sends[sends["scenario"] != "SC03"]  # … nor sent
    del program.tables["spend"]
    roadmap = analyse(program).diagnosis.roadmap
    states = {m.id: (m.state, m.missing) for m in roadmap.milestones}
    assert states["monthly_review"] == ("due", ())  # month 6 is the last of its window
    assert states["roi_visible"] == ("upcoming", ("spend",))
    assert (roadmap.next_phase, roadmap.months_to_next_phase) == ("optimization", 1)


@pytest.mark.parametrize(("size", "gaps"), [
    ("~50", {"structure_no_external_support"}),
    ("50-200", set()),
    ("200-500", {"structure_dedicated_short", "structure_role_not_dedicated"}),
    ("500+", {"structure_dedicated_short", "structure_role_not_dedicated"}),
])
def test_the_structure_is_checked_against_the_size_band(size: str, gaps: set[str]) -> None:
    capacity = assess_capacity(Team.model_validate({**HEALTHY_TEAM, "company_size": size}))
    assert {g.code for g in capacity.structure_gaps} == gaps


def test_hours_are_compared_role_by_role_with_the_seed() -> None:
    team = Team.model_validate({"company_size": "50-200", "roles": {
        "ma_admin": {"people": 1, "weekly_hours": 12}, "content": {"people": 1, "weekly_hours": 6},
        "analyst": {"people": 0.5, "weekly_hours": 3}, "sales_liaison": {"people": 1, "weekly_hours": 2}}})
    capacity = assess_capacity(team)
    assert [(r.role, r.recommended, r.shortfall) for r in capacity.roles] == [
        ("ma_admin", (15, 20), 3), ("content", (10, 15), 4), ("analyst", (5, 10), 2), ("sales_liaison", (3, 5), 1)]
    assert (capacity.total_hours, capacity.recommended_total, capacity.shortfall_hours) == (23, (33, 50), 10)
    assert (capacity.dedicated_people, capacity.part_time_people) == (0, 3.5)


def test_a_role_left_out_counts_as_no_hours() -> None:
    capacity = assess_capacity(Team.model_validate({"company_size": "~50", "external_support": True,
                                                    "roles": {"ma_admin": {"people": 1, "weekly_hours": 8}}}))
    assert [r.role for r in capacity.short_roles] == ["ma_admin", "content", "analyst", "sales_liaison"]
    assert capacity.structure_gaps == ()


def test_no_team_block_no_capacity() -> None:
    assert assess_capacity(None) is None
