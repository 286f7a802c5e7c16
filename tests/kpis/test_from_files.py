"""From CSV files to KPIs: encodings, UTC month ends, formatted amounts and rejects, worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from retropack.kpis.catalog import KPIS
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load.validation import load_dataset
from retropack.months import Month

OCT = Month(2026, 10)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    leads = (
        "Lead_ID , Created_At ,company,mql_at\n"
        "L1,2026-09-30T15:30:00Z,株式会社テスト,2026-10-05\n"     # 00:30 JST on 1 Oct: October
        "L2,2026-10-31T15:00:00Z,東京商事株式会社,\n"             # 00:00 JST on 1 Nov: November
        "L3,2026-10-31T14:59:59Z,大阪工業株式会社,2026-10-31T23:00:00+09:00\n"  # 23:59:59 JST: October
        "L4,2026-10-15,北海道物産,2026-10-32\n"                    # bad date: rejected whole
        "L1,2026-10-20,重複株式会社,\n"                            # duplicate key: rejected
    )
    (tmp_path / "leads.csv").write_bytes(leads.encode("cp932"))
    (tmp_path / "email_sends.csv").write_text(
        "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\n"
        "S1,2026-10-01T00:00:00+09:00,\"1,000\",250,30,5\n"
        "S2,2026-09-30T14:59:59Z,100,90,1,0\n"  # 23:59:59 JST on 30 Sep: September
        "S3,2026-10-10,100,150,1,0\n",           # opens > delivered: rejected
        encoding="utf-8-sig",
    )
    (tmp_path / "deals.csv").write_text(
        "deal_id,created_at,amount,stage,closed_at,lead_id,ma_sourced\n"
        "D1,2026-10-06,\"¥1,200,000\",won,2026-10-20,L1,\n"
        "D2,2026-10-07,300000円,Open,,L3,yes\n"
        "D3,2026-10-08,,open,,,\n",
        encoding="utf-8",
    )
    return tmp_path


def kpi(folder: Path, kpi_id: str) -> float | None:
    dataset = load_dataset(folder, timezone="Asia/Tokyo", max_reject_share=0.5)
    return KPIS[kpi_id].compute(build_inputs(dataset, KpiParams()), OCT)


def test_month_boundaries_follow_the_program_timezone(folder: Path) -> None:
    assert kpi(folder, "new_leads") == 2  # L1 and L3; L2 is November; L4 and the second L1 rejected
    assert kpi(folder, "mqls") == 2  # L1 on 5 Oct, L3 on 31 Oct 23:00 JST


def test_email_rates_use_only_valid_sends_of_the_month(folder: Path) -> None:
    assert kpi(folder, "email_open_rate") == pytest.approx(250 / 1000)
    assert kpi(folder, "email_ctr") == pytest.approx(30 / 1000)
    assert kpi(folder, "unsubscribe_rate") == pytest.approx(5 / 1000)


def test_formatted_amounts_and_case_insensitive_stages(folder: Path) -> None:
    # D1 MA-sourced by inference (L1's MQL on 5 Oct is before the deal), D2 flagged yes, D3 not MA and empty.
    assert kpi(folder, "ma_pipeline_amount") == 1_500_000
    assert kpi(folder, "ma_won_amount") == 1_200_000


def test_optional_tables_absent_means_no_value(folder: Path) -> None:
    assert kpi(folder, "cpl") is None
    assert kpi(folder, "sla_followup_rate") is None


def test_rejects_are_counted_by_reason(folder: Path) -> None:
    dataset = load_dataset(folder, timezone="Asia/Tokyo", max_reject_share=0.5)
    assert dataset.quality["leads"].encoding == "cp932"
    assert dict(dataset.quality["leads"].reasons) == {"bad_timestamp": 1, "duplicate_key": 1}
    assert dict(dataset.quality["email_sends"].reasons) == {"opens_exceed_delivered": 1}
    assert [f.code for f in dataset.findings] == ["deals_without_amount"]
