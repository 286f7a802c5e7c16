"""retropack.insights.verdict: one judgement per KPI (contract §10), on KPI results built by hand so each bucket and
reason can be read off the numbers; the few-events counts and trailing values come from a tiny program loaded
like a client's (CAC on 2 won deals).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retropack.insights.events import events_of
from retropack.insights.patterns import Insight
from retropack.insights.verdict import judge_kpi
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult, Status
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load import load_dataset
from retropack.months import Month

OCT = Month(2026, 10)


def result(kpi: str, status: Status, actual: float | None, previous: float | None, target: float | None = None,
           history: tuple[float | None, ...] = ()) -> KpiResult:
    months = tuple((OCT.shift(i - len(history) + 1), v) for i, v in enumerate(history))
    return KpiResult(KPIS[kpi], actual, previous, target, status, False, months)


def test_a_kpi_without_target_far_below_the_seeds_sla_is_no_win() -> None:
    """The held-out program: 38.5 % of MQLs followed up in time, up from 28 %, no target set. It used to be filed
    under うまくいったこと; now it is reference only, and says it is far below the seed's commitment (90 %)."""
    verdict = judge_kpi(result("sla_followup_rate", "no_target", 0.385, 0.28), (), None, 10)
    assert verdict.bucket == "info" and verdict.bucket != "win"
    assert verdict.reasons[:2] == ("no_target", "below_commitment")
    near = judge_kpi(result("sla_followup_rate", "no_target", 0.85, 0.84), (), None, 10)
    assert "below_commitment" not in near.reasons  # within the tolerance of 90 %


@pytest.mark.parametrize(
    ("status", "actual", "previous", "bucket", "reasons"),
    [
        ("missed", 30, 25, "miss", ("below_target",)),  # missed, even when up
        ("near", 48, 47, "watch", ("near_target",)),
        ("achieved", 120, 118, "win", ()),
        ("achieved", 120, 200, "watch", ("worsening",)),  # met, but 200 → 120 is beyond chance (Poisson z 4.5)
        ("achieved", 120, 130, "win", ()),  # met; 130 → 120 is within chance (z 0.63): no worsening
        ("no_target", 120, 60, "info", ("no_target",)),  # rose, but no target: never a win
    ],
)
def test_the_bucket_follows_the_contract(status: Status, actual: float, previous: float, bucket: str,
                                         reasons: tuple[str, ...]) -> None:
    verdict = judge_kpi(result("mqls", status, actual, previous, 50 if status != "no_target" else None), (), None,
                        10)
    assert (verdict.bucket, verdict.reasons, verdict.reliable) == (bucket, reasons, True)


def test_a_finding_makes_a_kpi_unreliable_and_watched() -> None:
    verdict = judge_kpi(result("opportunity_rate", "achieved", 1.158, 0.9, 0.5), (), None, 10,
                        ("conversion_over_100", "deals_without_sql_lead"))
    assert (verdict.bucket, verdict.reliable, verdict.findings) == (
        "watch", False, ("conversion_over_100", "deals_without_sql_lead"))
    assert "unreliable" in verdict.reasons and not verdict.headline


def test_met_but_off_pace_is_watched() -> None:
    """Against 3.0 %: 4.0, 3.8, 3.6, 3.4 falls 0.2 pt a month → 3.2 % next month, still met; 3.3, 3.2, 3.1, 3.05
    falls 0.083 pt a month → 2.97 % next month: off pace."""
    on = judge_kpi(result("email_ctr", "achieved", 0.034, 0.036, 0.03, (0.040, 0.038, 0.036, 0.034)), (), None, 10)
    assert "off_pace" not in on.reasons
    off = judge_kpi(result("email_ctr", "achieved", 0.0305, 0.031, 0.03, (0.033, 0.032, 0.031, 0.0305)), (), None,
                    10)
    assert off.bucket == "watch" and "off_pace" in off.reasons


def test_no_improvement_beside_a_pace_that_never_reaches_the_target() -> None:
    """ROI up 130 pt this month while the last three months fall: the chip does not say ↑ 改善."""
    roi = result("roi", "missed", 0.736, -0.562, 1.5, (1.2, 0.9, -0.562, 0.736))
    pace = Insight("pace", "roi", {"months": None, "monthly_change": -0.277})
    assert judge_kpi(roi, (), None, 10).direction == "better"
    assert judge_kpi(roi, (pace,), None, 10).direction == "steady"


def test_a_trend_of_three_months_is_a_move_even_when_each_month_is_small() -> None:
    """LTV −3 % a month for three months: the card says 3ヶ月連続で悪化, so the chip is not → steady."""
    ltv = result("ltv", "missed", 1_326_706, 1_370_793, 5_000_000)
    trend = Insight("trend", "ltv", {"direction": "down", "better": False, "months": 3})
    assert judge_kpi(ltv, (), None, 10).direction == "steady"
    assert judge_kpi(ltv, (trend,), None, 10).direction == "worse"


SPEND = "month,channel,amount\n" + "".join(f"2026-{m:02d},ads,{a}\n" for m, a in
                                           ((7, 600000), (8, 900000), (9, 1500000), (10, 1000000)))
# won MA deals closed: July 3, August 3, September 2, October 2 → CAC Oct ¥500,000 on 2 deals;
# trailing (Aug–Oct) = 3,400,000 / 7 = ¥485,714; a month earlier (Jul–Sep) = 3,000,000 / 8 = ¥375,000
WON = [(7, 3), (8, 3), (9, 2), (10, 2)]


def test_cac_on_two_won_deals_is_few_events_with_its_trailing_value(tmp_path: Path) -> None:
    leads = ["lead_id,created_at,mql_at"] + [f"L{m}{i},2026-{m:02d}-01,2026-{m:02d}-02" for m, n in WON
                                             for i in range(n)]
    deals = ["deal_id,created_at,amount,stage,closed_at,lead_id,ma_sourced"] + [
        f"D{m}{i},2026-{m:02d}-03,1000000,won,2026-{m:02d}-20,L{m}{i},true" for m, n in WON for i in range(n)]
    sends = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\nS1,2026-10-03,100,30,4,1\n"
    for name, text in (("leads", "\n".join(leads) + "\n"), ("deals", "\n".join(deals) + "\n"),
                       ("email_sends", sends), ("spend", SPEND)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    inputs = build_inputs(load_dataset(tmp_path), KpiParams())
    events = events_of(inputs, OCT, Month(2026, 7))
    cac = events["cac"]
    assert cac.now == 2
    assert cac.trailing == pytest.approx(3_400_000 / 7) and cac.trailing_before == pytest.approx(3_000_000 / 8)
    verdict = judge_kpi(result("cac", "missed", 500_000, 750_000, 400_000), (), cac, 10)
    assert "few_events" in verdict.reasons and not verdict.headline
    assert verdict.trailing == pytest.approx(3_400_000 / 7)
    assert verdict.direction == "worse"  # judged on three months (¥375,000 → ¥485,714), not on 2 deals' ¥750k → ¥500k
    enough = judge_kpi(result("cac", "missed", 500_000, 750_000, 400_000), (), cac, 2)
    assert "few_events" not in enough.reasons  # insights.min_events: 2
