"""Targets out of reach: a KPI missed against today's target for six months or more in a row, with a recent trend
that never gets there, is proposed for a target review; a near miss, a short run or a reachable pace is not."""

from __future__ import annotations

import pytest

from retropack.insights.patterns import Insight
from retropack.insights.targets import TargetReview, focus_without_target, targets_to_raise, targets_to_review
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult, Status
from retropack.kpis.phases import Phase, phase_for_index
from retropack.months import Month

OCT = Month(2026, 10)
NEVER = Insight("pace", "ltv", {"months": None, "monthly_change": -27_000.0})


def ltv(values: list[float | None], target: float = 5_000_000, status: Status = "missed") -> KpiResult:
    history = tuple((OCT.shift(i - len(values) + 1), v) for i, v in enumerate(values))
    return KpiResult(KPIS["ltv"], values[-1], values[-2], target, status, True, history)


def test_a_target_missed_by_far_all_year_with_no_pace_is_proposed_for_review() -> None:
    values = [1_400_000, 1_300_000, 1_350_000, 1_420_000, 1_380_000, 1_360_000, 1_330_000, 1_370_000, 1_390_000,
              1_410_000, 1_370_000, 1_326_706, 1_300_000, 1_320_000]  # 14 months: the last 12 are read
    (review,) = targets_to_review([ltv(values)], [NEVER], 0.10)
    assert review == TargetReview("ltv", 5_000_000, 12, pytest.approx(1_365_000), 1_420_000)
    assert review.share_of_target == pytest.approx(0.273)


@pytest.mark.parametrize(
    ("values", "insights", "why"),
    [
        ([5_200_000] * 3 + [1_000_000] * 5, [NEVER], "five months in a row are not a long run"),
        ([1_000_000] * 12, [Insight("pace", "ltv", {"months": 9, "monthly_change": 500_000.0})], "a pace reaches it"),
        ([1_000_000] * 12, [], "no pace was found"),
        ([1_000_000] * 6 + [None] + [1_000_000] * 5, [NEVER], "a month without value breaks the run"),
    ],
)
def test_no_review_without_a_long_run_and_a_pace_of_never(values: list[float | None], insights: list[Insight],
                                                          why: str) -> None:
    assert targets_to_review([ltv(values)], insights, 0.10) == [], why


def test_a_near_miss_is_not_out_of_reach() -> None:
    """4.6M against 5M is within the 10 % tolerance: the months are near, not missed."""
    near = ltv([4_600_000] * 12, status="near")
    assert targets_to_review([near], [NEVER], 0.10) == []


def result_of(kpi: str, values: list[float | None], target: float) -> KpiResult:
    history = tuple((OCT.shift(i - len(values) + 1), v) for i, v in enumerate(values))
    return KpiResult(KPIS[kpi], values[-1], values[-2], target, "achieved", False, history)


@pytest.mark.parametrize(
    ("kpi", "values", "target", "raised"),
    [
        ("sqls", [30, 60, 62, 58], 15, 58 / 15),  # beaten ~4× every month: propose raising it
        ("sqls", [29, 60, 62, 58], 15, 58 / 15),  # only the last three months are read
        ("sqls", [60, 62, 29, 58], 15, None),  # one month of the three under 2×
        ("sqls", [None, 62, 58], 15, None),  # a month without value
        ("cpl", [2_000, 2_400, 2_500], 5_000, 2.0),  # lower is better: half the target or less is 2×
        ("cpl", [2_000, 2_400, 2_600], 5_000, None),
    ],
)
def test_a_target_met_twice_over_three_months_running_is_proposed_for_raising(kpi: str, values: list[float | None],
                                                                              target: float,
                                                                              raised: float | None) -> None:
    found = targets_to_raise([result_of(kpi, values, target)])
    if raised is None:
        assert found == []
    else:
        (one,) = found
        assert (one.kpi_id, one.target) == (kpi, target) and one.lowest == pytest.approx(raised)


def test_the_next_phases_focus_kpis_without_a_target_are_asked_for() -> None:
    growth_month_6 = Phase(phase_for_index(6), 6)
    phase, missing = focus_without_target(growth_month_6, lambda p: {"ma_pipeline_amount": 5e6} if p == "optimization"
                                          else {})
    assert (phase, missing) == ("optimization", ("ma_won_amount", "roi"))
    maturity = Phase(phase_for_index(20), 20)  # the last phase: its own focus KPIs
    assert focus_without_target(maturity, lambda p: {"ltv": 1.0}) == ("maturity", ("cac", "pipeline_velocity"))
