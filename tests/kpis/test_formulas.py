"""KPIs of contract §2 on a tiny program whose every number can be checked by hand.

Month under test: 2026-10 (JST). Fixture, in words:
- leads L1..L6: created Oct: L1 L2 L3 L4 (4); Sep: L5 L6.
  MQL in Oct: L1 L2 L3 (3); L5 MQL in Sep. SQL in Oct: L1 (had MQL), L6 (no MQL) → 2 SQLs, 1 with MQL.
  first touch: L1 after 1 day (in time), L2 after 4 days (late), L3 never → SLA 1/3.
- sends in Oct: delivered 100 + 300 = 400, opens 30 + 70 = 100, clicks 4 + 8 = 12, unsubs 1 + 1 = 2.
- deals: D1 (lead L1, created Oct 20, open, ¥1,000,000); L1 SQL Oct 10 ≤ deal → counts for opportunity_rate.
         D2 (lead L5, created Oct 5, won Oct 25, ¥2,000,000, inferred MA: L5 MQL Sep ≤ created).
         D3 (no lead, ma_sourced=false, won Oct, ¥9,000,000) → not MA.
         D4 (lead L6, ma_sourced=true, created Mar 2026, won Jun 2026, ¥4,000,000, cycle 92 days).
         D5 (lead L5, created Sep 15, lost Sep 25, MA by inference: L5 MQL Sep 10, amount empty → 0).
- spend Oct: 300,000 + 100,000 = 400,000.
"""

from __future__ import annotations

import pandas as pd
import pytest

from retropack.kpis.catalog import KPIS
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load.dataset import Dataset
from retropack.months import Month

TZ = "Asia/Tokyo"
OCT = Month(2026, 10)


def ts(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ) if text else pd.NaT


def column(values: list[str | None]) -> pd.Series:
    return pd.Series([ts(v) for v in values], dtype=f"datetime64[ns, {TZ}]")


def make_dataset(*, spend: bool = True, touch: bool = True) -> Dataset:
    leads = pd.DataFrame({
        "lead_id": ["L1", "L2", "L3", "L4", "L5", "L6"],
        "created_at": column(["2026-10-01", "2026-10-02", "2026-10-15", "2026-10-31 23:59",
                              "2026-09-03", "2026-09-20"]),
        "mql_at": column(["2026-10-05", "2026-10-06", "2026-10-20", None, "2026-09-10", None]),
        "sql_at": column(["2026-10-10", None, None, None, None, "2026-10-12"]),
        "first_sales_touch_at": column(["2026-10-06", "2026-10-10", None, None, "2026-09-11", None]),
        "source": ["web", "web", "event", "web", "event", "web"],
        "segment": ["smb", "ent", "ent", "smb", "smb", "ent"],
    })
    sends = pd.DataFrame({
        "send_id": ["S1", "S2", "S3"],
        "sent_at": column(["2026-10-03", "2026-10-17", "2026-09-30"]),
        "campaign": ["nl", "webinar", "nl"],
        "scenario": [None, "wb", None],
        "delivered": [100.0, 300.0, 50.0],
        "unique_opens": [30.0, 70.0, 25.0],
        "unique_clicks": [4.0, 8.0, 5.0],
        "unsubscribes": [1.0, 1.0, 0.0],
    })
    deals = pd.DataFrame({
        "deal_id": ["D1", "D2", "D3", "D4", "D5"],
        "created_at": column(["2026-10-20", "2026-10-05", "2026-10-01", "2026-03-01", "2026-09-15"]),
        "amount": [1_000_000.0, 2_000_000.0, 9_000_000.0, 4_000_000.0, float("nan")],
        "stage": ["open", "won", "won", "won", "lost"],
        "closed_at": column([None, "2026-10-25", "2026-10-28", "2026-06-01", "2026-09-25"]),
        "lead_id": ["L1", "L5", None, "L6", "L5"],
        "ma_sourced": pd.array([pd.NA, pd.NA, False, True, pd.NA], dtype="boolean"),
    })
    tables = {"leads": leads, "email_sends": sends, "deals": deals}
    columns = {name: frozenset(df.columns) for name, df in tables.items()}
    if spend:
        tables["spend"] = pd.DataFrame({"month": ["2026-10", "2026-10", "2026-09"],
                                        "channel": ["ads", "events", "ads"],
                                        "amount": [300_000.0, 100_000.0, 50_000.0]})
        columns["spend"] = frozenset(tables["spend"].columns)
    if not touch:
        columns["leads"] = columns["leads"] - {"first_sales_touch_at"}
    return Dataset(tables=tables, columns=columns, quality={}, findings=[], files=[])


def value(kpi: str, dataset: Dataset | None = None, month: Month = OCT, params: KpiParams | None = None):
    inputs = build_inputs(dataset or make_dataset(), params or KpiParams())
    return KPIS[kpi].compute(inputs, month)


@pytest.mark.parametrize(
    ("kpi", "expected"),
    [
        ("new_leads", 4),
        ("cpl", 400_000 / 4),
        ("mqls", 3),
        ("email_open_rate", 100 / 400),
        ("email_ctr", 12 / 400),
        ("unsubscribe_rate", 2 / 400),
        ("mql_to_sql_rate", 1 / 3),
        ("sqls", 2),
        ("opportunity_rate", 1 / 2),
        ("ma_pipeline_amount", 3_000_000),  # D1 + D2; D3 is flagged not MA
        ("ma_won_amount", 2_000_000),  # D2 only
        ("sla_followup_rate", 1 / 3),
        ("roi", (2_000_000 - 400_000) / 400_000),
        ("cac", 400_000 / 1),
        ("ltv", (2_000_000 + 4_000_000) / 2),  # MA wins closed Nov 2025..Oct 2026: D2, D4
        # open at end of Oct: D1 → 1; mean won 3,000,000; win rate 2 / 3 (D5 lost);
        # mean cycle: D2 20 days, D4 92 days → 56 days
        ("pipeline_velocity", 1 * 3_000_000 * (2 / 3) / 56),
    ],
)
def test_kpi_matches_hand_computed_value(kpi: str, expected: float) -> None:
    assert value(kpi) == pytest.approx(expected)


def test_economics_scale_roi_and_ltv() -> None:
    params = KpiParams(gross_margin=0.5, lifetime_multiplier=3.0)
    assert value("roi", params=params) == pytest.approx((2_000_000 * 0.5 - 400_000) / 400_000)
    assert value("ltv", params=params) == pytest.approx(3_000_000 * 0.5 * 3.0)


def test_sla_window_follows_the_configured_days() -> None:
    assert value("sla_followup_rate", params=KpiParams(sla_followup_days=4)) == pytest.approx(2 / 3)


@pytest.mark.parametrize("kpi", ["cpl", "roi", "cac"])
def test_kpi_reading_spend_has_no_value_without_spend_table(kpi: str) -> None:
    assert value(kpi, make_dataset(spend=False)) is None


def test_sla_has_no_value_without_first_touch_column() -> None:
    assert value("sla_followup_rate", make_dataset(touch=False)) is None


@pytest.mark.parametrize(
    "kpi",
    ["cpl", "email_open_rate", "email_ctr", "unsubscribe_rate", "mql_to_sql_rate", "opportunity_rate",
     "sla_followup_rate", "roi", "cac"],
)
def test_zero_denominator_gives_no_value_not_zero(kpi: str) -> None:
    empty_month = Month(2025, 1)  # nothing at all happened: every ratio's denominator is 0
    dataset = make_dataset()
    dataset.tables["spend"].loc[len(dataset.tables["spend"])] = ["2025-01", "ads", 0.0]
    assert value(kpi, dataset, empty_month) is None


def test_counts_and_sums_are_zero_in_an_empty_month() -> None:
    empty_month = Month(2025, 1)
    for kpi in ("new_leads", "mqls", "sqls", "ma_pipeline_amount", "ma_won_amount"):
        assert value(kpi, month=empty_month) == 0


def test_previous_month_is_computed_from_its_own_rows() -> None:
    sep = Month(2026, 9)
    assert value("new_leads", month=sep) == 2
    assert value("mqls", month=sep) == 1
    assert value("email_open_rate", month=sep) == pytest.approx(25 / 50)
    assert value("cpl", month=sep) == pytest.approx(50_000 / 2)


def test_deal_created_before_its_lead_became_mql_is_not_ma_sourced() -> None:
    from retropack.kpis.inputs import ma_sourced

    dataset = make_dataset()
    deals = dataset.tables["deals"]
    deals.loc[deals["deal_id"] == "D2", "created_at"] = ts("2026-09-01")  # before L5's MQL on Sep 10
    flags = ma_sourced(deals, dataset.tables["leads"])
    assert flags.tolist() == [True, False, False, True, True]
