"""Why a KPI moved, exactly (contract §8): hand-worked mix/rate splits (with a group in one month only),
LMDI factors (with a zero that makes them null), the z-test, small samples; and a property test that
every breakdown and the factors add up to the change on generated programs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retropack.kpis.catalog import CATALOG
from retropack.kpis.explain import explain, log_mean
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load import load_dataset
from retropack.months import Month

JUNE = Month(2025, 6)
LEADS = "lead_id,created_at,source,mql_at,sql_at,first_sales_touch_at\n"
DEALS = "deal_id,created_at,amount,stage,closed_at,lead_id,ma_sourced\n"


def inputs(folder: Path, *, sends: str, leads: str = LEADS, deals: str = DEALS, spend: str | None = None,
           min_sample: int = 5):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leads.csv").write_text(leads, encoding="utf-8")
    (folder / "email_sends.csv").write_text(sends, encoding="utf-8")
    (folder / "deals.csv").write_text(deals, encoding="utf-8")
    if spend is not None:
        (folder / "spend.csv").write_text(spend, encoding="utf-8")
    return build_inputs(load_dataset(folder, max_reject_share=1.0), KpiParams(min_sample=min_sample))


def sends_rows(rows: list[tuple[str, str, str, int, int]]) -> str:
    """(send_id, month, scenario, delivered, opens)"""
    text = "send_id,sent_at,campaign,scenario,delivered,unique_opens,unique_clicks,unsubscribes\n"
    return text + "".join(f"{sid},{month}-10,c-{sid},{scenario},{d},{o},0,0\n" for sid, month, scenario, d, o in rows)


# May: A 20/100, B 40/100 → 30 %. June: A 60/300, B 50/100, C (new) 10/100 → 24 %.
MIX_RATE = sends_rows([("1", "2025-05", "A", 100, 20), ("2", "2025-05", "B", 100, 40),
                       ("3", "2025-06", "A", 300, 60), ("4", "2025-06", "B", 100, 50), ("5", "2025-06", "C", 100, 10)])


def test_a_rate_splits_into_mix_and_rate_by_hand(tmp_path: Path) -> None:
    """R0 = 0.30, R1 = 0.24, mean 0.27. A: share 0.5 → 0.6 at 20 % both months: mix 0.1 × (0.20 − 0.27) = −0.007.
    B: share 0.5 → 0.2, rate 40 % → 50 %: mix −0.3 × (0.45 − 0.27) = −0.054, rate 0.1 × 0.35 = +0.035.
    C: new, so its May rate is its June rate: mix 0.2 × (0.10 − 0.27) = −0.034, rate 0. Sum −0.06."""
    explanation = explain("email_open_rate", inputs(tmp_path, sends=MIX_RATE), JUNE, 0.24, 0.30)
    assert explanation is not None and explanation.factors is None
    scenario = next(b for b in explanation.by if b.dimension == "scenario")
    parts = {p.group: p for p in scenario.parts}
    assert set(parts) == {"A", "B", "C"}
    expected = {"A": (-0.007, 0.0), "B": (-0.054, 0.035), "C": (-0.034, 0.0)}
    for group, (mix, rate) in expected.items():
        assert parts[group].mix == pytest.approx(mix, abs=1e-12)
        assert parts[group].rate == pytest.approx(rate, abs=1e-12)
        assert parts[group].effect == pytest.approx(mix + rate, abs=1e-12)
    assert sum(p.effect for p in scenario.parts) == pytest.approx(-0.06, abs=1e-12)
    assert (parts["C"].before.denominator, parts["C"].now.numerator) == (0.0, 10.0)


def test_the_z_test_marks_a_real_rate_change_and_not_noise(tmp_path: Path) -> None:
    """B 40/100 → 50/100: pooled 0.45, z = 0.10 / √(0.45 × 0.55 × 0.02) = 1.42 < 1.96: noise.
    The same rates on 1,000 each: z = 4.49: a real change. A group in one month cannot be tested."""
    small = explain("email_open_rate", inputs(tmp_path / "s", sends=MIX_RATE), JUNE, 0.24, 0.30)
    parts = {p.group: p for p in next(b for b in small.by if b.dimension == "scenario").parts}
    assert (parts["B"].significant, parts["A"].significant, parts["C"].significant) == (False, False, False)
    large = sends_rows([("1", "2025-05", "B", 1000, 400), ("2", "2025-06", "B", 1000, 500)])
    big = explain("email_open_rate", inputs(tmp_path / "l", sends=large), JUNE, 0.5, 0.4)
    [part] = next(b for b in big.by if b.dimension == "scenario").parts
    assert part.significant and part.rate == pytest.approx(0.1) and part.mix == pytest.approx(0.0)


def test_counts_split_by_group_and_small_groups_are_marked(tmp_path: Path) -> None:
    """new_leads by source: web 6 → 8 (+2, 14 rows), ads 3 → 0 (−3, 3 rows: small at min_sample 5)."""
    leads = LEADS + "".join(f"L{i},2025-05-0{1 + i % 9},web,,,\n" for i in range(6))
    leads += "".join(f"M{i},2025-05-1{i},ads,,,\n" for i in range(3))
    leads += "".join(f"N{i},2025-06-0{1 + i},web,,,\n" for i in range(8))
    explanation = explain("new_leads", inputs(tmp_path, sends=MIX_RATE, leads=leads), JUNE, 8.0, 9.0)
    source = {p.group: p for p in next(b for b in explanation.by if b.dimension == "source").parts}
    assert (source["web"].effect, source["web"].small, source["web"].significant) == (2.0, False, True)
    assert (source["ads"].effect, source["ads"].small, source["ads"].significant) == (-3.0, True, False)
    segment = next(b for b in explanation.by if b.dimension == "segment")
    assert [(p.group, p.effect) for p in segment.parts] == [(None, -1.0)]  # no segment column: the null group


def test_cpl_splits_into_spend_and_leads_by_lmdi(tmp_path: Path) -> None:
    """May ¥100,000 / 50 leads = ¥2,000; June ¥150,000 / 60 = ¥2,500. L = 500 / ln 1.25 = 2240.69.
    Spend: L × ln 1.5 = +908.5; leads: −L × ln 1.2 = −408.5; together +500."""
    leads = LEADS + "".join(f"L{i},2025-05-10,web,,,\n" for i in range(50))
    leads += "".join(f"N{i},2025-06-10,web,,,\n" for i in range(60))
    spend = "month,channel,amount\n2025-05,ads,100000\n2025-06,ads,120000\n2025-06,events,30000\n"
    explanation = explain("cpl", inputs(tmp_path, sends=MIX_RATE, leads=leads, spend=spend), JUNE, 2500.0, 2000.0)
    assert explanation.by == ()
    factors = {f.name: f for f in explanation.factors}
    weight = 500 / math.log(1.25)
    assert factors["spend"].effect == pytest.approx(weight * math.log(1.5), abs=1e-9)
    assert factors["new_leads"].effect == pytest.approx(-weight * math.log(1.2), abs=1e-9)
    assert round(factors["spend"].effect, 1) == 908.5 and round(factors["new_leads"].effect, 1) == -408.5
    assert sum(f.effect for f in factors.values()) == pytest.approx(500, abs=1e-9)
    channels = {p.group: p.effect for p in factors["spend"].by[0].parts}
    assert channels == {"ads": 20000.0, "events": 30000.0}  # the factor's own change, by channel


def test_a_zero_makes_the_factors_null(tmp_path: Path) -> None:
    leads = LEADS + "".join(f"L{i},2025-05-10,web,,,\n" for i in range(50)) + "N0,2025-06-10,web,,,\n"
    spend = "month,channel,amount\n2025-05,ads,100000\n2025-06,ads,0\n"
    explanation = explain("cpl", inputs(tmp_path, sends=MIX_RATE, leads=leads, spend=spend), JUNE, 0.0, 2000.0)
    assert explanation is not None and explanation.factors is None and explanation.change == -2000.0
    assert explain("cpl", inputs(tmp_path / "x", sends=MIX_RATE), JUNE, None, 2000.0) is None  # no value: no change


def test_roi_is_explained_through_roi_plus_one(tmp_path: Path) -> None:
    """ROI + 1 = won × margin ÷ spend: won ¥300,000 → ¥600,000 on spend ¥200,000 → ¥300,000 (margin 1):
    ROI 0.5 → 1.0; the won and spend terms sum to +0.5."""
    leads = LEADS + "L1,2025-04-01,web,2025-04-02,,\n"
    deals = DEALS + "D1,2025-05-01,300000,won,2025-05-20,L1,\nD2,2025-06-01,600000,won,2025-06-20,L1,\n"
    spend = "month,channel,amount\n2025-05,ads,200000\n2025-06,ads,300000\n"
    explanation = explain("roi", inputs(tmp_path, sends=MIX_RATE, leads=leads, deals=deals, spend=spend), JUNE,
                          1.0, 0.5)
    factors = {f.name: f.effect for f in explanation.factors}
    weight = log_mean(2.0, 1.5)
    assert factors["won_amount"] == pytest.approx(weight * math.log(2), abs=1e-12)
    assert factors["spend"] == pytest.approx(-weight * math.log(1.5), abs=1e-12)
    assert sum(factors.values()) == pytest.approx(0.5, abs=1e-12)


def test_log_mean() -> None:
    assert log_mean(2.0, 2.0) == 2.0
    assert log_mean(math.e, 1.0) == pytest.approx(math.e - 1)


# --- every KPI adds up, on generated programs ---------------------------------------------------------

SOURCES = st.sampled_from(["web", "ads", "event", ""])
DAY = st.integers(min_value=1, max_value=28)
MONTH = st.sampled_from(["2025-05", "2025-06"])


@st.composite
def programs(draw) -> dict[str, str]:
    leads, deals = [LEADS.strip()], [DEALS.strip()]
    for i in range(draw(st.integers(min_value=0, max_value=40))):
        created = f"{draw(MONTH)}-{draw(DAY):02d}"
        mql = draw(st.sampled_from(["", f"{draw(MONTH)}-{draw(DAY):02d}"]))
        sql = draw(st.sampled_from(["", f"2025-06-{draw(DAY):02d}"])) if mql else ""
        touch = draw(st.sampled_from(["", f"{draw(MONTH)}-{draw(DAY):02d}"])) if mql else ""
        leads.append(f"L{i},{created},{draw(SOURCES)},{mql},{sql},{touch}")
    lead_count = len(leads) - 1
    for i in range(draw(st.integers(min_value=0, max_value=15))):
        stage = draw(st.sampled_from(["open", "won", "lost"]))
        closed = f"2025-{draw(st.sampled_from(['05', '06']))}-28" if stage != "open" else ""
        lead = f"L{draw(st.integers(0, lead_count - 1))}" if lead_count else ""
        deals.append(f"D{i},2025-0{draw(st.sampled_from([4, 5]))}-{draw(DAY):02d},"
                     f"{draw(st.integers(1, 50)) * 10000},{stage},{closed},{lead},{draw(st.sampled_from(['', 'true']))}")
    sends = ["send_id,sent_at,campaign,scenario,delivered,unique_opens,unique_clicks,unsubscribes"]
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        delivered = draw(st.integers(0, 500))
        opens = draw(st.integers(0, delivered))
        sends.append(f"S{i},{draw(MONTH)}-{draw(DAY):02d},c{draw(st.integers(0, 3))},{draw(st.sampled_from(['A', 'B', '']))},"
                     f"{delivered},{opens},{draw(st.integers(0, opens))},{draw(st.integers(0, opens))}")
    spend = ["month,channel,amount"] + [f"{m},{c},{draw(st.integers(0, 5)) * 50000}"
                                        for m in ("2025-05", "2025-06") for c in ("ads", "events")]
    return {"leads": "\n".join(leads) + "\n", "deals": "\n".join(deals) + "\n", "sends": "\n".join(sends) + "\n",
            "spend": "\n".join(spend) + "\n"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=programs())
def test_every_breakdown_and_the_factors_add_up_to_the_change(tmp_path_factory: pytest.TempPathFactory,
                                                              program: dict[str, str]) -> None:
    folder = tmp_path_factory.mktemp("generated")
    data = inputs(folder, sends=program["sends"], leads=program["leads"], deals=program["deals"],
                  spend=program["spend"])
    for kpi in CATALOG:
        actual, previous = kpi.compute(data, JUNE), kpi.compute(data, JUNE.shift(-1))
        explanation = explain(kpi.id, data, JUNE, actual, previous)
        if actual is None or previous is None:
            assert explanation is None
            continue
        change = actual - previous
        for breakdown in explanation.by:
            assert math.isclose(sum(p.effect for p in breakdown.parts), change, rel_tol=1e-9, abs_tol=1e-9), \
                (kpi.id, breakdown.dimension)
        if explanation.factors is not None:
            assert math.isclose(sum(f.effect for f in explanation.factors), change, rel_tol=1e-9, abs_tol=1e-9), \
                kpi.id
            for factor in explanation.factors:
                for breakdown in factor.by:
                    assert math.isclose(sum(p.effect for p in breakdown.parts), factor.now - factor.before,
                                        rel_tol=1e-9, abs_tol=1e-9)
