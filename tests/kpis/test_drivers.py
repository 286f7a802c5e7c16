"""Drivers (sections 2 and 3: what moved a KPI) on the hand-checkable fixture of test_formulas.

Counts and sums: a group's effect is its change from September to October. Rates: a group's
effect is (its rate − the overall rate) × its share of the denominator.
"""

from __future__ import annotations

import pytest

from retropack.kpis.drivers import UNSET, find_drivers
from retropack.kpis.inputs import KpiParams, build_inputs
from tests.kpis.test_formulas import OCT, make_dataset


@pytest.fixture(scope="module")
def inputs():
    return build_inputs(make_dataset(), KpiParams())


def rows(drivers) -> list[tuple]:
    return [(d.dimension, d.group, d.current, d.previous, pytest.approx(d.effect), d.unit, d.kind) for d in drivers]


def test_a_count_is_explained_by_each_groups_change_from_last_month(inputs) -> None:
    # new leads Oct: web L1 L2 L4 = 3, event L3 = 1; smb L1 L4 = 2, ent L2 L3 = 2.
    # Sep: web L6 = 1, event L5 = 1; smb L5 = 1, ent L6 = 1. Event did not move, so it is no driver.
    assert rows(find_drivers("new_leads", inputs, OCT, direction=+1)) == [
        ("source", "web", 3.0, 1.0, 2.0, "count", "change"),
        ("segment", "ent", 2.0, 1.0, 1.0, "count", "change"),
        ("segment", "smb", 2.0, 1.0, 1.0, "count", "change"),
    ]
    assert find_drivers("new_leads", inputs, OCT, direction=-1) == []


def test_a_rate_is_explained_by_the_groups_that_pull_it_down(inputs) -> None:
    # open rate Oct: overall 100 / 400 = 25 %. Campaign nl 30/100 = 30 % (pulls up by 5 pt × 100/400),
    # webinar 70/300 (pulls down by (70/300 − 25 %) × 300/400 = −1.25 pt). The same sends by scenario:
    # S2 'wb' is the webinar; S1 has no scenario (the unset group). September had only nl: 25/50.
    down = rows(find_drivers("email_open_rate", inputs, OCT, direction=-1))
    assert down == [("campaign", "webinar", pytest.approx(70 / 300), None, -0.0125, "rate", "share"),
                    ("scenario", "wb", pytest.approx(70 / 300), None, -0.0125, "rate", "share")]
    up = rows(find_drivers("email_open_rate", inputs, OCT, direction=+1))
    assert up == [("campaign", "nl", pytest.approx(0.30), 0.5, 0.0125, "rate", "share"),
                  ("scenario", UNSET, pytest.approx(0.30), 0.5, 0.0125, "rate", "share")]


def test_money_of_ma_deals_is_explained_by_the_leads_behind_them(inputs) -> None:
    # Won MA-sourced in Oct: D2 (lead L5: event, smb) ¥2,000,000; D3 is flagged not MA. None won in Sep.
    # The fixture's deals have no owner column, so owner gives no drivers.
    assert rows(find_drivers("ma_won_amount", inputs, OCT, direction=+1)) == [
        ("lead_source", "event", 2_000_000.0, 0.0, 2_000_000.0, "money", "change"),
        ("lead_segment", "smb", 2_000_000.0, 0.0, 2_000_000.0, "money", "change"),
    ]


def test_a_conditional_rate_counts_only_the_rows_that_meet_its_condition(inputs) -> None:
    # SLA Oct: MQLs L1 (web, smb, in time), L2 (web, ent, late), L3 (event, ent, never); overall 1/3.
    # source: web 1/2 → (1/2 − 1/3) × 2/3 = +1/9; event 0/1 → (0 − 1/3) × 1/3 = −1/9.
    # segment: smb 1/1 → (1 − 1/3) × 1/3 = +2/9; ent 0/2 → (0 − 1/3) × 2/3 = −2/9. No owner column.
    def effects(direction: int) -> list[tuple]:
        return [(d.dimension, d.group, pytest.approx(d.effect))
                for d in find_drivers("sla_followup_rate", inputs, OCT, direction=direction)]

    assert effects(-1) == [("segment", "ent", -2 / 9), ("source", "event", -1 / 9)]
    assert effects(+1) == [("segment", "smb", 2 / 9), ("source", "web", 1 / 9)]
