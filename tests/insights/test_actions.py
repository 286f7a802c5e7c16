"""retropack.insights.actions: which improvement-action rules fire, and in which order the meeting sees them.

Rules and KPI results are built by hand so each case shows one condition: the status list, "worsened"
(10 % worse than last month, direction-aware), both together (either fires), a signal's ``at_least``,
and the order focus → missed → near → the rest → the rules file's order.
"""

from __future__ import annotations

from typing import Any

import pytest

from retropack.insights.actions import ProposedAction, choose_actions, fires
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult, Status
from retropack.rules import ActionRule, Rules


def result(kpi: str, status: Status = "no_target", *, actual: float | None = 100.0, previous: float | None = 100.0,
           target: float | None = None, focus: bool = False) -> KpiResult:
    """A KPI result with only what firing reads: status, focus and the move from last month."""
    return KpiResult(kpi=KPIS[kpi], actual=actual, previous=previous, target=target, status=status, focus=focus,
                     history=())


def rule(rule_id: str, kpi: str | None = None, **when: Any) -> dict[str, Any]:
    """A rule as the rules file spells it; the wording is irrelevant to firing and left empty."""
    raw: dict[str, Any] = {"id": rule_id, "when": when, "owner": "joint", "text": {}}
    if kpi is not None:
        raw["kpi"] = kpi
    return raw


def one(raw: dict[str, Any]) -> ActionRule:
    return Rules.model_validate({"actions": [raw]}).actions[0]


MISSED_OR_NEAR = ["missed", "near"]


@pytest.mark.parametrize(
    ("status", "fired"),
    [("missed", True), ("near", True), ("achieved", False), ("no_target", False), ("no_data", False)],
)
def test_a_status_rule_fires_only_on_the_listed_statuses(status: Status, fired: bool) -> None:
    assert fires(one(rule("r", "new_leads", status=MISSED_OR_NEAR)), result("new_leads", status), {}) is fired


@pytest.mark.parametrize(
    ("kpi", "previous", "actual", "fired"),
    [
        ("new_leads", 100, 90, True),  # higher is better: −10 % is exactly the threshold
        ("new_leads", 100, 91, False),  # −9 %: not enough
        ("new_leads", 100, 130, False),  # improved
        ("cpl", 5000, 5500, True),  # lower is better: +10 % cost is 10 % worse
        ("cpl", 5000, 4000, False),  # cost fell: better
        ("cpl", 5000, 5400, False),  # +8 %: not enough
        ("new_leads", 0, 0, False),  # no previous value to compare with: no move
        ("new_leads", None, 50, False),
        ("new_leads", 100, None, False),
    ],
)
def test_worsened_is_a_ten_percent_move_the_wrong_way(kpi: str, previous: float | None, actual: float | None,
                                                      fired: bool) -> None:
    worsened = one(rule("r", kpi, worsened=True))
    assert fires(worsened, result(kpi, "achieved", actual=actual, previous=previous), {}) is fired


@pytest.mark.parametrize(
    ("status", "previous", "actual", "fired"),
    [
        ("missed", 100, 100, True),  # listed status, not worse: fires on the status
        ("achieved", 100, 80, True),  # not listed, 20 % worse: fires on the move
        ("missed", 100, 80, True),  # both
        ("achieved", 100, 100, False),  # neither
        ("no_target", 100, 95, False),  # neither (−5 %)
    ],
)
def test_status_and_worsened_together_fire_on_either(status: Status, previous: float, actual: float,
                                                     fired: bool) -> None:
    either = one(rule("r", "new_leads", status=MISSED_OR_NEAR, worsened=True))
    assert fires(either, result("new_leads", status, actual=actual, previous=previous), {}) is fired


@pytest.mark.parametrize(
    ("signal", "value", "at_least", "fired"),
    [
        ("sla_breaches", 5.0, 5, True),  # at the threshold
        ("sla_breaches", 4.0, 5, False),
        ("sla_breaches", 12.0, 5, True),
        ("sla_breaches", None, 5, False),  # an absent signal counts as 0
        ("sla_breaches", 1.0, None, True),  # at_least defaults to 1
        ("sla_breaches", 0.0, None, False),
        ("sla_breaches", None, 0, True),  # at_least 0 fires even when the signal is absent
        ("reject_share", 0.03, 0.02, True),  # fractional signals compare as numbers
        ("reject_share", 0.01, 0.02, False),
    ],
)
def test_a_signal_rule_fires_from_at_least(signal: str, value: float | None, at_least: float | None,
                                           fired: bool) -> None:
    when: dict[str, Any] = {"signal": signal}
    if at_least is not None:
        when["at_least"] = at_least
    signals = {} if value is None else {signal: value}
    assert fires(one(rule("r", **when)), None, signals) is fired


def test_a_kpi_rule_with_a_signal_needs_both() -> None:
    """The KPI condition and the signal are joined by AND."""
    both = one(rule("r", "new_leads", status=MISSED_OR_NEAR, signal="content_shortfall", at_least=2))
    missed = result("new_leads", "missed")
    assert fires(both, missed, {"content_shortfall": 2.0}) is True
    assert fires(both, missed, {"content_shortfall": 1.0}) is False
    assert fires(both, result("new_leads", "achieved"), {"content_shortfall": 3.0}) is False


def test_a_kpi_rule_without_conditions_always_fires() -> None:
    """An empty ``when`` is an always-on reminder (the rules file may hold one)."""
    assert fires(one(rule("r", "new_leads")), result("new_leads", "achieved"), {}) is True


# --- choose_actions -------------------------------------------------------------------------------------------

RULES = Rules.model_validate({"actions": [
    rule("open-worse", "email_open_rate", worsened=True),  # 0: fires (−16.7 %), achieved, not focus
    rule("leads", "new_leads", status=MISSED_OR_NEAR),  # 1: fires, missed, not focus
    rule("late-mqls", signal="sla_breaches", at_least=3),  # 2: fires, signal-only
    rule("mqls", "mqls", status=MISSED_OR_NEAR),  # 3: fires, near, focus
    rule("sqls", "sqls", status=MISSED_OR_NEAR),  # 4: fires, missed, focus
    rule("cpl-always", "cpl"),  # 5: would always fire, but cpl is not among the results
    rule("leads-achieved", "new_leads", status=["achieved"]),  # 6: does not fire
    rule("ctr", "email_ctr", status=MISSED_OR_NEAR),  # 7: fires, near, not focus
]})
RESULTS = [
    result("new_leads", "missed", actual=80, previous=90, target=100),
    result("mqls", "near", actual=46, previous=46, target=50, focus=True),
    result("sqls", "missed", actual=5, previous=8, target=15, focus=True),
    result("email_open_rate", "achieved", actual=0.25, previous=0.30, target=0.20),
    result("email_ctr", "near", actual=0.028, previous=0.028, target=0.03),
]
SIGNALS = {"sla_breaches": 4.0}


def test_choose_actions_orders_focus_then_severity_then_file_order() -> None:
    """Focus KPIs first (missed before near), then the others: missed, near and signal-only rules
    (ranked like near misses) in the file's order, then the rest."""
    chosen = choose_actions(RULES, RESULTS, SIGNALS)
    assert [a.rule.id for a in chosen] == ["sqls", "mqls", "leads", "late-mqls", "ctr", "open-worse"]
    assert [a.priority for a in chosen] == [(0, 0, 4), (0, 1, 3), (1, 0, 1), (1, 1, 2), (1, 1, 7), (1, 2, 0)]


def test_choose_actions_carries_the_result_it_fired_on() -> None:
    chosen = {a.rule.id: a for a in choose_actions(RULES, RESULTS, SIGNALS)}
    assert chosen["sqls"].result is RESULTS[2]
    assert chosen["late-mqls"].result is None  # a signal-only rule has no KPI
    assert isinstance(chosen["sqls"], ProposedAction)


def test_a_rule_whose_kpi_is_absent_is_skipped() -> None:
    """cpl-always has no condition, yet does not fire: its KPI is not among the results."""
    ids = [a.rule.id for a in choose_actions(RULES, RESULTS, SIGNALS)]
    assert "cpl-always" not in ids
    with_cpl = [*RESULTS, result("cpl", "no_target", actual=None, previous=None)]
    assert "cpl-always" in [a.rule.id for a in choose_actions(RULES, with_cpl, SIGNALS)]


def test_a_signal_below_its_threshold_drops_only_that_rule() -> None:
    ids = [a.rule.id for a in choose_actions(RULES, RESULTS, {"sla_breaches": 2.0})]
    assert ids == ["sqls", "mqls", "leads", "ctr", "open-worse"]


def test_an_all_green_flat_month_fires_only_the_rule_asking_for_achieved() -> None:
    green = [result(kpi, "achieved") for kpi in ("new_leads", "mqls", "sqls", "email_open_rate", "email_ctr")]
    assert [a.rule.id for a in choose_actions(RULES, green, {})] == ["leads-achieved"]


def test_the_file_order_breaks_ties() -> None:
    """Two non-focus misses keep the order the team wrote them in, whichever KPI comes first in the results."""
    rules = Rules.model_validate({"actions": [rule("second-kpi", "sqls", status=["missed"]),
                                              rule("first-kpi", "new_leads", status=["missed"])]})
    results = [result("new_leads", "missed"), result("sqls", "missed")]
    assert [a.rule.id for a in choose_actions(rules, results, {})] == ["second-kpi", "first-kpi"]
