"""The insight types on hand-made KPI histories: concentration, an unusual change, a trend, the pace."""

from __future__ import annotations

import pytest

from retropack.insights.patterns import find_insights
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Breakdown, Explanation, Part, Side
from retropack.months import Month

OCT = Month(2026, 10)


def history(values: list[float | None]) -> tuple[tuple[Month, float | None], ...]:
    return tuple((OCT.shift(i - len(values) + 1), v) for i, v in enumerate(values))


def result(kpi: str, values: list[float | None], target: float | None = None, status: str = "no_target",
           explanation: Explanation | None = None) -> KpiResult:
    return KpiResult(KPIS[kpi], values[-1], values[-2], target, status, False, history(values),  # type: ignore[arg-type]
                     explanation)


def part(group: str | None, now: float, before: float, rows: int = 3) -> Part:
    return Part(group, now - before, None, None, Side(now, None, rows), Side(before, None, rows), True, False)


def kinds(found) -> list[tuple[str, str]]:
    return [(i.type, i.kpi_id) for i in found]


def test_one_owner_with_half_the_won_revenue_is_a_concentration() -> None:
    """¥1,500,000 of ¥2,550,000 (58.8 %) with one owner; the rows without an owner never count."""
    by = (Breakdown("owner", (part("佐藤", 1_500_000, 0), part("鈴木", 1_050_000, 940_000), part(None, 0, 0))),)
    found = find_insights([result("ma_won_amount", [940_000.0, 2_550_000.0], explanation=Explanation(1, by, None))],
                          min_sample=5)
    [insight] = [i for i in found if i.type == "concentration"]
    assert insight.evidence == {"dimension": "owner", "group": "佐藤", "share": pytest.approx(1_500_000 / 2_550_000),
                                "value": 1_500_000, "total": 2_550_000}


def test_no_concentration_on_too_few_rows_or_below_half() -> None:
    few = (Breakdown("owner", (part("佐藤", 100, 0, rows=1), part("鈴木", 10, 0, rows=1))),)
    even = (Breakdown("owner", (part("a", 40, 0), part("b", 30, 0), part("c", 30, 0))),)
    for by in (few, even):
        found = find_insights([result("ma_won_amount", [0.0, 110.0], explanation=Explanation(1, by, None))], 5)
        assert "concentration" not in [i.type for i in found]


def test_a_change_outside_median_plus_three_mad_is_unusual() -> None:
    """Changes of the 12 months before: eight of ±1 and four of ±2 (median 0, MAD 1): +10 is outside −3…+3."""
    values = [100.0]
    for change in [1, -1, 2, -2, 1, -1, 2, -2, 1, -1, 1, -1, 10]:
        values.append(values[-1] + change)
    [insight] = [i for i in find_insights([result("sqls", values)], 5) if i.type == "unusual_change"]
    assert (insight.evidence["median"], insight.evidence["mad"], insight.evidence["low"], insight.evidence["high"]) \
        == (0.0, 1.0, -3.0, 3.0)
    assert insight.evidence["months"] == 12 and insight.evidence["change"] == 10
    values[-1] = values[-2] + 3  # on the band's edge: usual
    assert "unusual_change" not in [i.type for i in find_insights([result("sqls", values)], 5)]


def test_three_months_the_same_way_is_a_trend_and_it_knows_better_from_worse() -> None:
    rising_cost = find_insights([result("cpl", [5000.0, 4000.0, 4500.0, 4800.0, 5200.0])], 5)
    [trend] = [i for i in rising_cost if i.type == "trend"]
    assert trend.evidence == {"direction": "up", "better": False, "months": 3, "from": 4000.0, "to": 5200.0}
    broken = find_insights([result("cpl", [4000.0, 4500.0, 4400.0, 4800.0])], 5)
    assert "trend" not in [i.type for i in broken]


def test_the_pace_says_how_many_months_to_the_target_or_never() -> None:
    """MQLs 40, 42, 44, 46 against 50: +2 a month, 4 short: 2 months. Falling instead: never."""
    [pace] = [i for i in find_insights([result("mqls", [40.0, 42.0, 44.0, 46.0], 50.0, "missed")], 5)
              if i.type == "pace"]
    assert pace.evidence == {"gap": 4.0, "monthly_change": 2.0, "months": 2, "target": 50.0}
    [never] = [i for i in find_insights([result("mqls", [52.0, 50.0, 48.0, 46.0], 50.0, "missed")], 5)
               if i.type == "pace"]
    assert never.evidence["months"] is None
    cost = [i for i in find_insights([result("cpl", [6400.0, 6200.0, 6000.0, 5800.0], 5000.0, "missed")], 5)
            if i.type == "pace"]
    assert cost[0].evidence["months"] == 4  # lower is better: 800 over, −200 a month
    achieved = find_insights([result("mqls", [40.0, 42.0, 44.0, 55.0], 50.0, "achieved")], 5)
    assert "pace" not in [i.type for i in achieved]
