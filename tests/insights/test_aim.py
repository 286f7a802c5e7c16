"""retropack.insights.aim: the driver an action works on is the largest significant adverse part of its KPI's
change, and the figure it promises is the KPI had that part stayed at last month's, computed by hand here."""

from __future__ import annotations

import pytest

from retropack.insights.aim import FACTOR, driver_of, kpi_effect
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Breakdown, Explanation, Factor, Part, Side
from retropack.months import Month


def result(kpi: str, actual: float, previous: float, explanation: Explanation) -> KpiResult:
    return KpiResult(KPIS[kpi], actual, previous, None, "missed", True, ((Month(2026, 10), actual),), explanation)


def rate_part(group: str | None, now: tuple[float, float], before: tuple[float, float], effect: float,
              significant: bool) -> Part:
    """A group's clicks and deliveries this month and last; the effect as the explanation split it."""
    return Part(group, effect, 0.0, effect, Side(now[0], now[1], 10), Side(before[0], before[1], 10), significant,
                False)


# E-mail CTR: newsletters 9,000 deliveries, 252 clicks (2.8 %), last month 324 of 9,000 (3.6 %): significant, the
# decline's bulk. A whitepaper mail of 200 deliveries fell too (4 → 2.1 %) but not beyond noise. A scenario rose.
NEWSLETTERS = rate_part(None, (252, 9_000), (324, 9_000), -0.0070, True)
WHITEPAPER = rate_part("wp", (4, 200), (8, 200), -0.0004, False)
SCENARIO = rate_part("onboarding", (60, 800), (40, 800), 0.0020, True)
CTR = Explanation(-0.0054, (Breakdown("scenario", (NEWSLETTERS, WHITEPAPER, SCENARIO)),), None)


def test_the_driver_is_the_largest_significant_adverse_part() -> None:
    driver = driver_of(result("email_ctr", 316 / 10_000, 372 / 10_000, CTR))
    assert driver is not None
    assert (driver.dimension, driver.group, driver.effect) == ("scenario", None, -0.0070)


def test_a_part_within_noise_or_pushing_the_good_way_is_never_the_driver() -> None:
    only_noise = Explanation(-0.0004, (Breakdown("scenario", (WHITEPAPER, SCENARIO)),), None)
    assert driver_of(result("email_ctr", 0.03, 0.031, only_noise)) is None


def test_the_expected_effect_is_the_kpi_had_the_drivers_rate_stayed_at_last_months() -> None:
    """This month: 252 + 4 + 60 = 316 clicks of 10,000. Newsletters back at 3.6 % of their 9,000: 324 clicks, so
    (324 + 4 + 60) / 10,000 = 3.88 %. Never the target (3.0 %, say) by decree."""
    kpi = result("email_ctr", 316 / 10_000, 372 / 10_000, CTR)
    effect = kpi_effect(kpi, driver_of(kpi))
    assert effect is not None and effect.basis == "rate_back"
    assert (effect.start, effect.to) == (pytest.approx(0.0316), pytest.approx(0.0388))


def test_a_factor_driver_promises_the_kpi_with_that_factor_back() -> None:
    """Velocity ¥62,678/day with cycle days 57.7 (last month 53.5): back at 53.5 it is 62,678 × 57.7 / 53.5."""
    factors = (Factor("win_rate", 1, 0.312, 0.337, 5_016.0), Factor("cycle_days", -1, 53.5, 57.7, -4_925.0),
               Factor("open_deals", 1, 18, 17, -3_746.0), Factor("mean_won_amount", 1, 652_759, 631_765, -2_142.0))
    kpi = result("pipeline_velocity", 62_678, 68_475, Explanation(-5_797, (), factors))
    driver = driver_of(kpi)
    assert driver is not None and (driver.dimension, driver.group) == (FACTOR, "cycle_days")
    effect = kpi_effect(kpi, driver)
    assert effect is not None and effect.to == pytest.approx(62_678 * 57.7 / 53.5)


def test_a_count_driver_promises_the_group_back_at_last_months_level() -> None:
    parts = (Part("event", -46, None, None, Side(13, None, 13), Side(59, None, 59), True, False),
             Part("referral", 15, None, None, Side(31, None, 31), Side(16, None, 16), True, False))
    kpi = result("new_leads", 245, 276, Explanation(-31, (Breakdown("source", parts),), None))
    effect = kpi_effect(kpi, driver_of(kpi))
    assert effect is not None and (effect.to, effect.basis) == (291, "level_back")


def test_more_sqls_lowering_the_opportunity_rate_is_no_driver_to_act_on() -> None:
    """The demo's October: SQLs 14 → 24 lowered the opportunity rate; no action may aim at fewer SQLs (it promised
    the rate 'if the SQL count returned to last month's 14'). What deals came of them is the part to act on."""
    factors = (Factor("opportunity_leads", 1, 7, 9, 0.10), Factor("sqls", -1, 14, 24, -0.225))
    kpi = result("opportunity_rate", 0.375, 0.5, Explanation(-0.125, (), factors))
    assert driver_of(kpi) is None and kpi_effect(kpi, driver_of(kpi)) is None
    fewer = (Factor("opportunity_leads", 1, 7, 4, -0.2), Factor("sqls", -1, 14, 24, -0.225))
    kpi = result("opportunity_rate", 0.167, 0.5, Explanation(-0.425, (), fewer))
    driver = driver_of(kpi)
    assert driver is not None and driver.group == "opportunity_leads"
