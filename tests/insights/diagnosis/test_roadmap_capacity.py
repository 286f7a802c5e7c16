"""The roadmap position by program month, and the team against the seed's hours and structure."""

from __future__ import annotations

import pandas as pd
import pytest

from retropack.config import Team
from retropack.insights.diagnosis.capacity import assess_capacity
from tests.programs import HEALTHY_TEAM, healthy, unaligned


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


def codes(evidence) -> list[tuple[str, dict]]:
    return [(e.code, {k: getattr(v, "value", v) for k, v in e.values.items()}) for e in evidence]


def test_a_milestone_is_shown_by_the_work_itself_with_the_month_and_the_facts(analyse) -> None:
    milestones = {m.id: m for m in analyse(healthy()).diagnosis.roadmap.milestones}
    agreed = milestones["mql_definition"]  # every MQL touched the next day: SLA 100 % against 85 %
    assert (agreed.state, str(agreed.reached), agreed.kept) == ("reached", "2025-01", True)
    assert codes(agreed.proof) == codes(agreed.now) == [("sla_met", {"rate": 1.0, "target": 0.85})]
    sent = milestones["first_send"]  # January: two scenarios × 10 sends of 100 + a newsletter of 1,000
    assert (codes(sent.proof), sent.kept, sent.now) == ([("first_send", {"delivered": 3000.0})], None, ())
    roi = milestones["roi_visible"]  # June: 6 won × ¥1,000,000 against ¥400,000 of spend
    assert codes(roi.now) == [("roi_computed", {"roi": 14.0})]


def test_reached_once_but_not_kept_now_agrees_with_the_health_check(analyse) -> None:
    analysis = analyse(unaligned(healthy()))  # sales stopped touching MQLs in May
    assert analysis.diagnosis.pattern("sales_alignment").status == "alert"
    agreed = next(m for m in analysis.diagnosis.roadmap.milestones if m.id == "mql_definition")
    assert (agreed.state, str(agreed.reached), agreed.kept) == ("lapsed", "2025-01", False)
    assert codes(agreed.proof) == [("sla_met", {"rate": 1.0, "target": 0.85})]
    assert codes(agreed.now) == [("sla_missed", {"rate": 0.0, "target": 0.85})]


def test_sales_feedback_alone_does_not_hide_a_failure_pattern_on_alert(analyse) -> None:
    program = unaligned(healthy())
    program.tables["mql_feedback"] = pd.DataFrame({"month": ["2025-06"], "lead_id": ["L6070"], "verdict": ["bad"]})
    agreed = next(m for m in analyse(program).diagnosis.roadmap.milestones if m.id == "mql_definition")
    assert (agreed.state, agreed.kept) == ("lapsed", False)
    assert [e.code for e in agreed.now] == ["sla_missed"]  # what fails: the SLA, although sales gave feedback


def test_without_first_contact_dates_sales_feedback_shows_the_agreement(analyse) -> None:
    program = healthy()
    del program.tables["leads"]["first_sales_touch_at"]
    program.tables["mql_feedback"] = pd.DataFrame({"month": ["2025-03", "2025-03", "2025-06"],
                                                   "lead_id": ["L3070", "L3071", "L6070"],
                                                   "verdict": ["good", "bad", "good"]})
    agreed = next(m for m in analyse(program).diagnosis.roadmap.milestones if m.id == "mql_definition")
    assert (agreed.state, str(agreed.reached), agreed.kept) == ("reached_late", "2025-03", True)  # due in month 2
    assert codes(agreed.proof) == [("feedback_given", {"count": 2.0})]
    assert codes(analyse(program, month="2025-05").diagnosis.roadmap.milestones[1].now) == [("no_feedback", {})]


def test_without_contact_dates_or_feedback_the_agreement_cannot_be_checked(analyse) -> None:
    program = healthy()
    del program.tables["leads"]["first_sales_touch_at"]
    agreed = next(m for m in analyse(program).diagnosis.roadmap.milestones if m.id == "mql_definition")
    assert (agreed.state, agreed.reached, agreed.missing) == ("overdue", None,
                                                              ("leads.first_sales_touch_at", "mql_feedback"))


def test_roi_no_longer_computed_is_not_kept(analyse) -> None:
    program = healthy()
    spend = program.tables["spend"]
    program.tables["spend"] = spend[spend["month"] != "2025-06"]  # June's spend not recorded
    roi = next(m for m in analyse(program).diagnosis.roadmap.milestones if m.id == "roi_visible")
    assert (roi.state, str(roi.reached), codes(roi.now)) == ("lapsed", "2025-01", [("no_spend", {})])


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
