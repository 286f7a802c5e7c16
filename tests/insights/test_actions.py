"""retropack.insights.actions: which improvement-action rules fire, which 3–5 of them the meeting commits to,
who does each and by when, and how last month's come back.

Rules and KPI results are built by hand so each case shows one condition: the status list, "worsened"
(10 % worse than last month, direction-aware), both together (either fires), a signal's ``at_least``, a met
target (never fires), and the choice: focus → missed → near → signals → improving → file order, one action per
KPI, two per team, standing rules only to reach three.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from retropack.config import Team
from retropack.insights.actions import Commitment, History, choose_actions, fires, look_back
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult, Status
from retropack.kpis.explain import Breakdown, Explanation, Part, Side
from retropack.months import Month
from retropack.rules import ActionRule, Rules

OCT = Month(2026, 10)


def result(kpi: str, status: Status = "no_target", *, actual: float | None = 100.0, previous: float | None = 100.0,
           target: float | None = None, focus: bool = False) -> KpiResult:
    """A KPI result with only what firing reads: status, focus and the move from last month."""
    return KpiResult(kpi=KPIS[kpi], actual=actual, previous=previous, target=target, status=status, focus=focus,
                     history=())


WORDS = {"title": "t", "evidence": "e", "expected": "x"}


def rule(rule_id: str, kpi: str | None = None, *, owner: str = "joint", serves: str | None = None,
         **fields: Any) -> dict[str, Any]:
    """A rule as the rules file spells it; ``fields`` go to ``when`` except the rule's own keys."""
    own = {k: fields.pop(k) for k in ("role", "due_business_day", "standing") if k in fields}
    raw: dict[str, Any] = {"id": rule_id, "when": fields, "owner": owner, "text": {"ja": WORDS, "en": WORDS}, **own}
    if kpi is not None:
        raw["kpi"] = kpi
    if serves is not None:
        raw["serves"] = serves
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
    assert fires(worsened, result(kpi, "no_target", actual=actual, previous=previous), {}) is fired


@pytest.mark.parametrize(
    ("status", "previous", "actual", "fired"),
    [
        ("missed", 100, 100, True),  # listed status, not worse: fires on the status
        ("no_target", 100, 80, True),  # not listed, 20 % worse: fires on the move
        ("missed", 100, 80, True),  # both
        ("achieved", 100, 80, False),  # a met target is watched, never acted on, however far it fell
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
        ("sla_breaches", None, 5, False),  # an absent signal counts as 0
        ("sla_breaches", 1.0, None, True),  # at_least defaults to 1
        ("sla_breaches", 0.0, None, False),
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
    assert fires(one(rule("r", serves="new_leads", **when)), None, signals) is fired


def test_a_kpi_rule_with_a_signal_needs_both() -> None:
    both = one(rule("r", "new_leads", status=MISSED_OR_NEAR, signal="content_shortfall", at_least=2))
    missed = result("new_leads", "missed")
    assert fires(both, missed, {"content_shortfall": 2.0}) is True
    assert fires(both, missed, {"content_shortfall": 1.0}) is False


def test_a_standing_rule_always_fires() -> None:
    assert fires(one(rule("r", serves="new_leads", standing=True)), None, {}) is True


# --- choose_actions -------------------------------------------------------------------------------------------

def ids(chosen: list[Commitment]) -> list[str]:
    return [c.rule.id for c in chosen]


RESULTS = [
    result("new_leads", "missed", actual=80, previous=90, target=100),
    result("mqls", "near", actual=46, previous=46, target=50, focus=True),
    result("sqls", "missed", actual=5, previous=8, target=15, focus=True),
    result("email_open_rate", "achieved", actual=0.25, previous=0.30, target=0.20),  # met, 17 % worse
    result("email_ctr", "near", actual=0.028, previous=0.028, target=0.03),
    result("roi", "missed", actual=0.8, previous=0.4, target=1.5),  # missed but improving a lot
]


def test_the_meeting_gets_at_most_five_focus_then_severity_then_file_order() -> None:
    rules = Rules.model_validate({"actions": [
        rule("open-worse", "email_open_rate", worsened=True, owner="marketing"),  # met target: never
        rule("leads", "new_leads", status=MISSED_OR_NEAR, owner="marketing"),
        rule("late-mqls", serves="sla_followup_rate", signal="sla_breaches", at_least=3, owner="sales"),
        rule("mqls", "mqls", status=MISSED_OR_NEAR, owner="marketing"),
        rule("sqls", "sqls", status=MISSED_OR_NEAR, owner="sales"),
        rule("roi", "roi", status=MISSED_OR_NEAR, owner="joint"),  # improving: after the signals
        rule("ctr", "email_ctr", status=MISSED_OR_NEAR, owner="joint"),
    ]})
    chosen = choose_actions(rules, RESULTS, {"sla_breaches": 4.0}, OCT, None)
    assert ids(chosen) == ["sqls", "mqls", "leads", "ctr", "late-mqls"]


def test_one_action_per_kpi_the_first_in_the_file_wins() -> None:
    rules = Rules.model_validate({"actions": [
        rule("specific", "new_leads", status=["missed"], signal="content_shortfall"),
        rule("generic", "new_leads", status=["missed"]),
        rule("signal-for-leads", serves="new_leads", signal="content_shortfall"),
    ]})
    results = [result("new_leads", "missed", target=100)]
    assert ids(choose_actions(rules, results, {"content_shortfall": 2.0}, OCT, None)) == ["specific"]
    assert ids(choose_actions(rules, results, {}, OCT, None)) == ["generic"]


def test_no_team_gets_more_than_two_so_both_sides_leave_with_work() -> None:
    kpis = ["new_leads", "mqls", "email_ctr", "email_open_rate", "sqls"]
    rules = Rules.model_validate({"actions": [rule(k, k, status=["missed"], owner="marketing") for k in kpis[:4]]
                                  + [rule("sqls", "sqls", status=["missed"], owner="sales")]})
    results = [result(k, "missed", target=100) for k in kpis]
    assert ids(choose_actions(rules, results, {}, OCT, None)) == ["new_leads", "mqls", "sqls"]


def test_standing_rules_fill_a_quiet_month_up_to_three() -> None:
    rules = Rules.model_validate({"actions": [
        rule("leads", "new_leads", status=["missed"], owner="marketing"),
        rule("standing-a", serves="email_open_rate", standing=True, owner="marketing"),
        rule("standing-b", serves="new_leads", standing=True, owner="sales"),  # its KPI already has an action
        rule("standing-c", serves="mqls", standing=True, owner="joint"),
        rule("standing-d", serves="sqls", standing=True, owner="sales"),
    ]})
    quiet = [result("new_leads", "missed", target=100)]
    assert ids(choose_actions(rules, quiet, {}, OCT, None)) == ["leads", "standing-a", "standing-c"]


def test_due_dates_are_business_days_of_the_month_after_and_assignees_the_roles_first_member() -> None:
    """November 2026: the 5th business day is Mon 9 Nov (3 Nov is Culture Day); the 10th is Mon 16 Nov; a day
    past the month's last business day is its last (Mon 30 Nov)."""
    rules = Rules.model_validate({"actions": [
        rule("soon", "new_leads", status=["missed"], role="sales_liaison", due_business_day=5),
        rule("later", "mqls", status=["near"], role="content", due_business_day=10),
        rule("last", "sqls", status=["missed"], role="analyst", due_business_day=23, owner="sales"),
    ]})
    team = Team.model_validate({"company_size": "50-200", "roles": {
        "sales_liaison": {"people": 1, "weekly_hours": 2, "members": ["高橋 美咲", "佐藤 健太"]},
        "content": {"people": 1, "weekly_hours": 6}}})
    chosen = {c.rule.id: c for c in choose_actions(rules, RESULTS, {}, OCT, team)}
    assert (chosen["soon"].due, chosen["soon"].assignee) == (date(2026, 11, 9), "高橋 美咲")
    assert (chosen["later"].due, chosen["later"].assignee) == (date(2026, 11, 16), None)  # a role without members
    assert (chosen["last"].due, chosen["last"].assignee) == (date(2026, 11, 30), None)  # a role not in the team
    for commitment in chosen.values():
        assert Month.of(commitment.due) == OCT.shift(1)


def test_every_commitment_names_a_kpi_of_the_catalogue() -> None:
    rules = Rules.model_validate({"actions": [rule("late", serves="sla_followup_rate", signal="sla_breaches")]})
    (chosen,) = choose_actions(rules, RESULTS, {"sla_breaches": 2.0}, OCT, None)
    assert chosen.kpi_id == "sla_followup_rate" and chosen.result is None


# --- look_back --------------------------------------------------------------------------------------------------

def test_last_months_actions_come_back_with_their_kpi_and_the_logged_status() -> None:
    rules = Rules.model_validate({"actions": [rule("leads", "new_leads", status=["missed"]),
                                              rule("roi", "roi", status=["missed"])]})
    september = choose_actions(rules, [result("new_leads", "missed", target=100), result("roi", "missed")],
                               {}, OCT.shift(-1), None)
    log = pd.DataFrame({"month": ["2026-09", "2026-09", "2026-08", "2026-09"],
                        "action_id": ["leads", "roi", "roi", "leads"],
                        "status": ["in_progress", "dropped", "done", "done"],
                        "note": [None, "予算凍結のため", None, "11/2に完了"]})
    past = {p.commitment.rule.id: p for p in look_back(september, RESULTS, log, OCT)}
    assert (past["leads"].status, past["leads"].note) == ("done", "11/2に完了")  # the later row wins
    assert (past["roi"].status, past["roi"].note) == ("dropped", "予算凍結のため")  # August's row is not September's
    assert past["roi"].result is RESULTS[5]  # its KPI this month: 0.4 → 0.8


def test_without_a_log_the_status_is_unknown_not_done() -> None:
    rules = Rules.model_validate({"actions": [rule("leads", "new_leads", status=["missed"])]})
    september = choose_actions(rules, [result("new_leads", "missed")], {}, OCT.shift(-1), None)
    (past,) = look_back(september, RESULTS, None, OCT)
    assert past.status is None and past.note is None


NEWSLETTERS_AS_WP = Part("wp", -0.0054, 0.0, -0.0054, Side(252, 9_000, 10), Side(324, 9_000, 10), True, False)


# --- aimed at the driver, repeats, the client's dates, capacity, unreliable KPIs (contract §10) ------------------

def log_rows(*rows: tuple[str, str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["month", "action_id", "status", "note"])


def test_an_action_proposed_three_months_running_and_not_done_is_escalated() -> None:
    """Proposed in August (action_log) and September (recomputed), again in October: the third month running, never
    done, so the owner becomes joint (and the meeting decides on it)."""

    rules = Rules.model_validate({"actions": [rule("leads", "new_leads", owner="marketing", status=["missed"])]})
    history = History(proposed=(frozenset({"leads"}),), log=log_rows(("2026-08", "leads", "in_progress", None)))
    (chosen,) = choose_actions(rules, [result("new_leads", "missed")], {}, OCT, None, history=history)
    assert (chosen.repeat, chosen.escalated, chosen.owner) == (3, True, "joint")
    twice = History(proposed=(frozenset({"leads"}),))
    (second,) = choose_actions(rules, [result("new_leads", "missed")], {}, OCT, None, history=twice)
    assert (second.repeat, second.escalated, second.owner) == (2, False, "marketing")
    done = History(proposed=(frozenset({"leads"}),), log=log_rows(("2026-08", "leads", "done", None)))
    (third,) = choose_actions(rules, [result("new_leads", "missed")], {}, OCT, None, history=done)
    assert (third.repeat, third.escalated) == (3, False)  # done once: a new round of the same work, not stuck


def test_the_clients_own_date_or_forum_in_last_months_note_stands() -> None:

    rules = Rules.model_validate({"actions": [rule("ltv-target", "ltv", status=["missed"]),
                                              rule("leads", "new_leads", status=["missed"])]})
    log = log_rows(("2026-09", "ltv-target", "in_progress", "12月の経営会議までに目標の根拠を説明"),
                   ("2026-09", "leads", "in_progress", "担当者が休暇中"))
    chosen = {c.rule.id: c for c in choose_actions(rules, [result("ltv", "missed"), result("new_leads", "missed")],
                                                   {}, OCT, None, history=History(log=log))}
    assert chosen["ltv-target"].due_note == "12月の経営会議までに目標の根拠を説明"
    assert chosen["leads"].due_note is None  # a note naming no date or forum leaves the due date as it was


def test_a_person_already_short_of_hours_gets_one_action_not_two() -> None:

    rules = Rules.model_validate({"actions": [
        rule("a", "new_leads", owner="marketing", status=["missed"], role="content"),
        rule("b", "mqls", owner="sales", status=["missed"], role="content"),
        rule("c", "sqls", owner="sales", status=["missed"], role="content")]})
    team = Team.model_validate({"company_size": "50-200", "roles": {
        "content": {"people": 2, "weekly_hours": 6, "members": ["中村 翔", "田中 花子"]}}})
    results = [result("new_leads", "missed"), result("mqls", "missed"), result("sqls", "missed")]
    spread = choose_actions(rules, results, {}, OCT, team, history=History(short=frozenset({"中村 翔"})))
    assert [c.assignee for c in spread] == ["中村 翔", "田中 花子", "田中 花子"]
    full = choose_actions(rules, results, {}, OCT, team, history=History(short=frozenset({"中村 翔", "田中 花子"})))
    assert [c.assignee for c in full] == ["中村 翔", "田中 花子", None]  # no one left: the meeting names one


def test_an_unreliable_kpi_gets_only_the_data_fix() -> None:
    rules = Rules.model_validate({"actions": [
        rule("opps", "opportunity_rate", status=["missed"]),
        {"id": "fix-data", "when": {"unreliable": True}, "owner": "joint", "text": {"ja": WORDS, "en": WORDS}}]})
    results = [result("opportunity_rate", "missed")]
    assert ids(choose_actions(rules, results, {}, OCT, None)) == ["opps"]
    (fix,) = choose_actions(rules, results, {}, OCT, None, unreliable=frozenset({"opportunity_rate"}))
    assert (fix.rule.id, fix.kpi_id, fix.driver, fix.effect) == ("fix-data", "opportunity_rate", None, None)


def test_a_rule_on_the_reported_months_own_records_promises_no_figure() -> None:
    """Following up October's late MQLs cannot change October's SLA rate: kpi_effect is null."""
    from tests.insights.test_aim import CTR

    explained = KpiResult(kpi=KPIS["email_ctr"], actual=0.0316, previous=0.0372, target=0.03, status="near",
                          focus=False, history=(), explanation=CTR)
    aimed = Rules.model_validate({"actions": [rule("ctr", "email_ctr", status=["near"])]})
    closed = Rules.model_validate({"actions": [{**rule("ctr", "email_ctr", status=["near"]), "moves_kpi": False}]})
    (open_month,) = choose_actions(aimed, [explained], {}, OCT, None)
    (closed_month,) = choose_actions(closed, [explained], {}, OCT, None)
    assert open_month.driver is not None and open_month.driver.group is None
    assert open_month.effect is not None and open_month.effect.to == pytest.approx(0.0388)
    assert closed_month.driver is not None and closed_month.effect is None


def test_a_rule_naming_a_worn_out_piece_fires_only_when_that_piece_is_the_driver() -> None:
    """The decline came from newsletters; the worn-out whitepaper mail (2 % of deliveries) is not where it came from,
    so the rule replacing it does not fire and the generic rule, aimed at the newsletters, does."""
    from retropack.insights.subjects import StalePiece, Subjects
    from tests.insights.test_aim import CTR

    explained = KpiResult(kpi=KPIS["email_ctr"], actual=0.0316, previous=0.0372, target=0.03, status="near",
                          focus=False, history=(), explanation=CTR)
    rules = Rules.model_validate({"actions": [
        rule("replace-piece", "email_ctr", status=["near"], signal="stale_content", subject_is_driver=True),
        rule("content", "email_ctr", status=["near"])]})

    def subjects(title: str) -> Subjects:
        return Subjects(0, 0, (), StalePiece(title, "health.metric.ctr", 0.04, 0.021, 9), None, None)

    chosen = choose_actions(rules, [explained], {"stale_content": 1.0}, OCT, None, subjects=subjects("wp"))
    assert [c.rule.id for c in chosen] == ["content"] and chosen[0].driver.group is None  # type: ignore[union-attr]
    by_scenario = Explanation(-0.0054, (Breakdown("scenario", (NEWSLETTERS_AS_WP,)),), None)
    worn = KpiResult(kpi=KPIS["email_ctr"], actual=0.0316, previous=0.0372, target=0.03, status="near", focus=False,
                     history=(), explanation=by_scenario)
    chosen = choose_actions(rules, [worn], {"stale_content": 1.0}, OCT, None, subjects=subjects("wp"))
    assert [c.rule.id for c in chosen] == ["replace-piece"]  # the piece is the driver: the rule naming it fires
