"""What an action names: the MQLs never followed up, the deals standing still past the mean sales cycle, and the
segment whose MQLs most often become opportunities, on a dataset small enough to count by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from retropack.insights.highlights import sla_breaches
from retropack.insights.subjects import LeadRef, best_segment, never_followed_up, stalled_deals
from retropack.kpis.inputs import KpiInputs, KpiParams, build_inputs
from retropack.load import load_dataset
from retropack.months import Month

OCT = Month(2026, 10)


def _leads() -> str:
    """Ten enterprise and ten smb MQLs in August; 4 enterprise and 1 smb get a deal. Three October MQLs: one
    followed up late, two never (one without a company)."""
    rows = ["lead_id,created_at,segment,company,owner,mql_at,first_sales_touch_at"]
    for i in range(10):
        rows.append(f"E{i},2026-08-01,enterprise,E{i}社,佐藤,2026-08-02,2026-08-02")
        rows.append(f"S{i},2026-08-01,smb,S{i}社,鈴木,2026-08-02,2026-08-02")
    rows += ["N1,2026-10-01,smb,遅延株式会社,佐藤,2026-10-01T09:00:00,2026-10-09T09:00:00",
             "N2,2026-10-01,smb,未対応株式会社,鈴木,2026-10-02T09:00:00,",
             "N3,2026-10-01,,,,2026-10-03T09:00:00,"]
    return "\n".join(rows) + "\n"


# Won deals closed in the last 12 months: cycles of 30 and 50 days → mean 40. Open at October's end: D3 created
# 29 Aug (63 days before 1 Nov: stalled), D4 created 20 Oct (12 days: not), D5 created 1 Aug but closed in
# September (not open).
DEALS = """deal_id,created_at,amount,stage,closed_at,lead_id,ma_sourced
D1,2026-06-01,1000000,won,2026-07-01,E0,true
D2,2026-06-01,2000000,won,2026-07-21,E1,true
D3,2026-08-30,3000000,open,,E2,true
D4,2026-10-20,4000000,open,,E3,true
D5,2026-08-01,500000,lost,2026-09-15,S0,true
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> KpiInputs:
    folder = tmp_path_factory.mktemp("subjects")
    (folder / "leads.csv").write_text(_leads(), encoding="utf-8")
    (folder / "deals.csv").write_text(DEALS, encoding="utf-8")
    (folder / "email_sends.csv").write_text("send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\n",
                                            encoding="utf-8")
    return build_inputs(load_dataset(folder), KpiParams(sla_followup_days=3, min_sample=5))


def test_the_mqls_never_followed_up_by_name(inputs: KpiInputs) -> None:
    never = never_followed_up(sla_breaches(inputs, OCT))
    assert never == (LeadRef("N2", "未対応株式会社", "鈴木"), LeadRef("N3", None, None))


def test_stalled_deals_are_open_longer_than_the_mean_cycle(inputs: KpiInputs) -> None:
    stalled = stalled_deals(inputs, OCT)
    assert stalled is not None
    assert (stalled.count, stalled.amount, stalled.cycle_days) == (1, 3_000_000, pytest.approx(40.0, abs=0.1))


def test_the_segment_whose_mqls_most_often_become_deals(inputs: KpiInputs) -> None:
    """Enterprise: 4 of 10 MQLs have a deal (E0–E3); smb: 1 of 12 (S0); N3 has no segment; both have ≥ 10 MQLs."""
    best = best_segment(inputs, OCT, min_sample=5)
    assert best is not None and best.segment == "enterprise"
    assert (best.rate, best.mqls, best.overall) == (pytest.approx(0.4), 10, pytest.approx(5 / 22))


def test_no_best_segment_without_two_segments_of_enough_mqls(inputs: KpiInputs) -> None:
    assert best_segment(inputs, OCT, min_sample=6) is None  # enterprise has 10 MQLs, fewer than 2 × 6


def test_without_won_deals_nothing_is_stalled(tmp_path: Path) -> None:
    (tmp_path / "leads.csv").write_text("lead_id,created_at\nL1,2026-10-01\n", encoding="utf-8")
    (tmp_path / "deals.csv").write_text("deal_id,created_at,amount,stage,closed_at\nD1,2026-01-01,1,open,\n",
                                        encoding="utf-8")
    (tmp_path / "email_sends.csv").write_text("send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\n",
                                              encoding="utf-8")
    assert stalled_deals(build_inputs(load_dataset(tmp_path), KpiParams()), OCT) is None
