"""The story line: one group behind several KPIs, found in the explanations.

The demo's October in miniature: September's exhibition (spend channel ``events`` ¥381,000 → ¥0, lead source
``event`` 59 → 13 leads) moves CPL and CAC through spend and new leads directly; codes of different dimensions
meet up to case and plural, or through their labels.
"""

from __future__ import annotations

import pandas as pd

from retropack.insights.story import OneOff, find_stories, group_key
from retropack.insights.verdict import Verdict
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Breakdown, Explanation, Factor, Part, Side
from retropack.kpis.inputs import KpiInputs, KpiParams
from retropack.months import Month

OCT = Month(2026, 10)


def count(group: str | None, now: float, before: float, rows: int = 30) -> Part:
    return Part(group, now - before, None, None, Side(now, None, rows), Side(before, None, rows), rows >= 5, rows < 5)


def result(kpi: str, actual: float, previous: float, explanation: Explanation, focus: bool = False) -> KpiResult:
    return KpiResult(KPIS[kpi], actual, previous, None, "no_target", focus, ((OCT, actual),), explanation)


SPEND_BY_CHANNEL = (Breakdown("channel", (count("events", 0, 381_000, 1), count("ads", 500_000, 520_000, 1))),)
LEADS_BY_SOURCE = (Breakdown("source", (count("event", 13, 59), count("web", 150, 166), count("referral", 82, 97))),)


def spend(effect: float) -> Factor:
    """The spend factor of a ratio: its share of the ratio's change, and the spend's own change by channel."""
    return Factor("spend", 1, 901_000, 500_000, effect, SPEND_BY_CHANNEL)


def october(events_months: tuple[int, ...] = (1, 5, 9)) -> KpiInputs:
    """Spend on events in the given months of 2026 (and ads every month)."""
    rows = [{"month_m": Month(2026, m).index, "channel": "events", "amount": 381_000.0} for m in events_months]
    rows += [{"month_m": Month(2026, m).index, "channel": "ads", "amount": 500_000.0} for m in range(1, 11)]
    empty = pd.DataFrame()
    return KpiInputs(empty, empty, empty, pd.DataFrame(rows), False, KpiParams())


RESULTS = [
    result("new_leads", 245, 322, Explanation(-77, LEADS_BY_SOURCE, None)),
    result("cpl", 2_041, 2_798, Explanation(-757, (), (spend(-1_200.0), Factor("new_leads", -1, 322, 245, 443.0)))),
    result("cac", 100_000, 300_000, Explanation(-200_000, (), (spend(-80_000.0), Factor("won_deals", -1, 3, 5,
                                                                                         -120_000.0))), focus=True),
    result("mqls", 60, 58, Explanation(2, (Breakdown("source", (count("event", 10, 10), count("web", 50, 48))),),
                                       None)),
]


def test_one_group_behind_several_kpis_is_a_story() -> None:
    (story,) = find_stories(RESULTS, october(), OCT, {})
    assert story.key == "event"
    assert set(story.better) == {"cpl", "cac"} and story.worse == ("new_leads",)
    assert {(m.dimension, m.group, m.before, m.now) for m in story.movements} == {
        ("source", "event", 59, 13), ("channel", "events", 381_000, 0)}


def test_a_spend_channel_spent_once_in_a_year_is_a_one_off() -> None:
    (story,) = find_stories(RESULTS, october(events_months=(9,)), OCT, {})
    assert story.one_off == OneOff("channel", "events", 1, Month(2026, 9), 381_000.0)
    assert not story.one_off.recurring
    (regular,) = find_stories(RESULTS, october(events_months=tuple(range(1, 10))), OCT, {})
    assert regular.one_off is None  # 9 of 12 months: a channel that stopped, not a one-off


def test_an_exhibition_every_four_months_recurs_and_is_compared_with_its_previous_occurrence() -> None:
    """January, May, September: September's spend is compared with May's, not called a one-off (issue 20)."""
    rows = [{"month_m": Month(2026, m).index, "channel": "events", "amount": amount}
            for m, amount in ((1, 432_000.0), (5, 439_000.0), (9, 381_000.0))]
    inputs = KpiInputs(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(rows), False, KpiParams())
    (story,) = find_stories(RESULTS, inputs, OCT, {})
    assert story.one_off == OneOff("channel", "events", 3, Month(2026, 9), 381_000.0, Month(2026, 5), 439_000.0)
    assert story.one_off.recurring


def test_a_kpi_on_few_events_takes_no_part_in_a_story() -> None:
    """CAC on 2 won deals is noise: without it, the exhibition still moves new leads and CPL."""
    few = Verdict("win", ("few_events",), True, "better", 300_000.0)
    (story,) = find_stories(RESULTS, october(), OCT, {}, {"cac": few})
    assert "cac" not in story.kpis and set(story.kpis) == {"cpl", "new_leads"}
    unreliable = Verdict("watch", ("unreliable",), False, None, None, None, ("bulk_import",))
    assert find_stories(RESULTS, october(), OCT, {}, {"cac": few, "new_leads": unreliable}) == []


def test_a_group_behind_one_kpi_only_is_no_story() -> None:
    assert find_stories(RESULTS[:1] + RESULTS[3:], october(), OCT, {}) == []


def test_groups_of_different_dimensions_meet_by_label_or_code() -> None:
    assert group_key("channel", "events", {}) == group_key("source", "event", {}) == "event"
    assert group_key("channel", "Paid_Search", {}) == group_key("source", "paid search", {})
    labels = {"channel": {"trade_show": "展示会"}, "source": {"expo": "展示会"}}
    assert group_key("channel", "trade_show", labels) == group_key("source", "expo", labels)
    assert group_key("scenario", None, {}) != group_key("campaign", None, {})  # "no value" meets only its own kind


def test_a_small_sample_of_leads_is_no_story_but_the_spend_ledger_is() -> None:
    """Two leads from an event are noise; one spend row is the whole ledger of that channel's month."""
    few = (Breakdown("source", (count("event", 1, 3, rows=4), count("web", 244, 319))),)
    results = [result("new_leads", 245, 322, Explanation(-77, few, None)), *RESULTS[1:3]]
    (story,) = find_stories(results, october(), OCT, {})
    assert story.kpis == ("cpl", "cac") and [m.dimension for m in story.movements] == ["channel"]


def test_a_kpi_that_moved_within_chance_takes_no_part_unless_the_spend_ledger_moved_it() -> None:
    """New leads 322 → 245 told as steady (within chance) leave the story; CPL, moved by the spend ledger's exact
    ¥381,000, stays even when its own move is within its usual range."""
    steady = Verdict("win", (), True, "steady")
    (story,) = find_stories(RESULTS, october(), OCT, {}, {"new_leads": steady, "cpl": steady})
    assert set(story.kpis) == {"cpl", "cac"} and story.worse == ()
