"""retropack.insights.findings: the data problems that change how October 2026 reads (contract §10), on tiny
datasets written as CSV and loaded like a client's, with counts a reader can check:

- linkage: 4 deals created in October, 3 of them on leads that never reached SQL (75 %), and 1 SQL in October
  against 4 opportunities in the funnel: a later stage above the one before;
- dates: 2 closed deals closing in 2027 (expected close dates) for a run on 2 November 2026;
- a bulk import: 30 of 40 October leads created within two minutes;
- won deals without amount and deals closed before created, kept as contract §1 now keeps them;
- a stage the mapping sent to ``open``, as the load reports it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retropack.insights.analysis import funnel
from retropack.insights.findings import Finding, FunnelCounts, find_findings, kpis_touched
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load import Dataset, load_dataset
from retropack.load.dataset import Finding as LoadFinding
from retropack.months import Month

OCT = Month(2026, 10)
RUN = pd.Timestamp(2026, 11, 2, 9)  # the run's local time
SENDS = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\nS1,2026-10-03,100,30,4,1\n"

LINKED_LEADS = """lead_id,created_at,mql_at,sql_at
L1,2026-10-01,2026-10-02,2026-10-05
L2,2026-10-02,2026-10-03,
L3,2026-10-03,2026-10-04,
L4,2026-10-04,,
L5,2026-10-05,,
"""
UNLINKED_DEALS = """deal_id,created_at,amount,stage,closed_at,lead_id
D1,2026-10-10,100,open,,L1
D2,2026-10-11,100,open,,L2
D3,2026-10-12,100,open,,L3
D4,2026-10-13,100,open,,L4
"""


def dataset(folder: Path, leads: str, deals: str) -> Dataset:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("leads", leads), ("email_sends", SENDS), ("deals", deals)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_dataset(folder)


def findings_of(data: Dataset, run: pd.Timestamp = RUN) -> dict[str, Finding]:
    inputs = build_inputs(data, KpiParams())
    f = funnel(inputs, OCT)
    stages = FunnelCounts((("leads", f.leads), ("mqls", f.mqls), ("sqls", f.sqls),
                           ("opportunities", f.opportunities), ("won", f.won)))
    return {found.id: found for found in find_findings(data, inputs, OCT, stages, run)}


def test_deals_whose_leads_never_reached_sql_are_a_linkage_finding(tmp_path: Path) -> None:
    found = findings_of(dataset(tmp_path, LINKED_LEADS, UNLINKED_DEALS))
    linkage = found["deals_without_sql_lead"]
    assert (linkage.table, linkage.rows, linkage.share, linkage.kpis) == ("deals", 3, 0.75, ("opportunity_rate",))


def test_a_funnel_stage_above_the_one_before_is_conversion_over_100(tmp_path: Path) -> None:
    """The funnel's leads: 5, MQL 3, SQL 1, opportunities 4 (every deal's lead is in the cohort): 400 %."""
    over = findings_of(dataset(tmp_path, LINKED_LEADS, UNLINKED_DEALS))["conversion_over_100"]
    assert dict(over.values) == {"earlier": "sqls", "before": 1, "later": "opportunities", "after": 4}
    assert (over.rows, over.share, over.kpis) == (3, 4.0, ("opportunity_rate",))
    assert kpis_touched([over])["opportunity_rate"] == {"conversion_over_100"}


def test_a_linked_month_has_no_linkage_finding(tmp_path: Path) -> None:
    deals = "deal_id,created_at,amount,stage,closed_at,lead_id\nD1,2026-10-10,100,open,,L1\n"
    assert findings_of(dataset(tmp_path, LINKED_LEADS, deals)) == {}


def test_closed_deals_closing_next_year_are_future_dates(tmp_path: Path) -> None:
    deals = """deal_id,created_at,amount,stage,closed_at,lead_id
D1,2026-10-10,100,won,2027-03-31,L1
D2,2026-10-11,100,lost,2027-01-15,L1
D3,2026-10-12,100,won,2026-10-20,L1
D4,2026-10-13,100,open,2027-06-30,L1
"""
    future = findings_of(dataset(tmp_path, LINKED_LEADS, deals))["future_dates"]
    # D4 is open: its close date is a forecast, as HubSpot writes it, not a closing
    assert (future.table, future.rows, future.share) == ("deals", 2, 0.5)
    assert "ma_won_amount" in future.kpis and "pipeline_velocity" in future.kpis
    assert dict(future.values)["latest"] == "2027-03-31"
    assert "future_dates" not in findings_of(dataset(tmp_path, LINKED_LEADS, deals), pd.Timestamp(2027, 7, 1))


def test_most_new_leads_created_within_minutes_are_a_bulk_import(tmp_path: Path) -> None:
    rows = [f"B{i},2026-10-20T10:{i // 20:02d}:{i % 60:02d}" for i in range(30)]  # 30 leads in under 2 minutes
    rows += [f"S{i},2026-10-{1 + i:02d}T09:00:00" for i in range(10)]  # 10 spread over the month
    leads = "lead_id,created_at\n" + "\n".join(rows) + "\n"
    bulk = findings_of(dataset(tmp_path, leads, "deal_id,created_at,amount,stage\n"))["bulk_import"]
    assert (bulk.table, bulk.rows, bulk.share, bulk.kpis) == ("leads", 30, 0.75, ("new_leads", "cpl"))
    spread = "lead_id,created_at\n" + "\n".join(f"S{i},2026-10-{1 + i % 28:02d}T09:00:00" for i in range(40)) + "\n"
    assert "bulk_import" not in findings_of(dataset(tmp_path, spread, "deal_id,created_at,amount,stage\n"))


def test_won_deals_without_amount_and_closed_before_created_are_found_on_kept_rows(tmp_path: Path) -> None:
    """The load keeps them (contract §1); here they are put back by hand, as the load will keep them."""
    data = dataset(tmp_path, LINKED_LEADS, "deal_id,created_at,amount,stage,closed_at,lead_id\n"
                                           "D1,2026-10-01,100,won,2026-10-20,L1\n")
    kept = pd.DataFrame({
        "deal_id": ["D2", "D3", "D4"], "created_at": pd.to_datetime(["2026-09-01", "2026-10-05", "2026-10-09"]),
        "amount": [float("nan"), float("nan"), 500.0], "stage": ["won", "won", "lost"],
        "closed_at": pd.to_datetime(["2026-10-02", "2026-10-20", "2026-10-08"]), "lead_id": ["L1", "L1", "L1"],
    })
    tz = data.tables["deals"]["created_at"].dt.tz
    for column in ("created_at", "closed_at"):
        kept[column] = kept[column].dt.tz_localize(tz)
    data.tables["deals"] = pd.concat([data.tables["deals"], kept], ignore_index=True)
    found = findings_of(data)
    assert (found["won_without_amount"].rows, found["won_without_amount"].share) == (2, 2 / 3)
    assert "ma_won_amount" in found["won_without_amount"].kpis and "cac" not in found["won_without_amount"].kpis
    assert (found["closed_before_created"].rows, found["closed_before_created"].kpis) == (1, ("pipeline_velocity",))


def test_one_won_deal_without_amount_among_many_is_listed_but_leaves_its_kpis_reliable(tmp_path: Path) -> None:
    """1 of 40 won deals without amount moves the sums by a few per cent: said in data quality, not a reason to
    call LTV or the pipeline velocity unreliable (and fix data instead of acting on them)."""
    wins = "".join(f"D{i},2026-0{1 + i % 9}-01,100,won,2026-10-0{1 + i % 9},L1\n" for i in range(39))
    data = dataset(tmp_path, LINKED_LEADS, "deal_id,created_at,amount,stage,closed_at,lead_id\n" + wins)
    kept = pd.DataFrame({"deal_id": ["D99"], "created_at": pd.to_datetime(["2026-09-01"]), "amount": [float("nan")],
                         "stage": ["won"], "closed_at": pd.to_datetime(["2026-10-02"]), "lead_id": ["L1"]})
    tz = data.tables["deals"]["created_at"].dt.tz
    for column in ("created_at", "closed_at"):
        kept[column] = kept[column].dt.tz_localize(tz)
    data.tables["deals"] = pd.concat([data.tables["deals"], kept], ignore_index=True)
    found = findings_of(data)
    assert (found["won_without_amount"].rows, found["won_without_amount"].share) == (1, 1 / 40)
    assert found["won_without_amount"].kpis == ()


@pytest.mark.parametrize("values", ["Closed: abandoned 12", ""])
def test_stages_sent_to_open_come_from_the_load(tmp_path: Path, values: str) -> None:
    data = dataset(tmp_path, LINKED_LEADS, "deal_id,created_at,amount,stage,closed_at,lead_id\n"
                                           "D1,2026-10-01,100,won,2026-10-20,L1\n")
    data.findings.append(LoadFinding("stage_defaulted", "deals", 12, {"values": values} if values else {}))
    stage = findings_of(data)["stage_defaulted"]
    assert (stage.rows, stage.kpis[0]) == (12, "ma_won_amount")
    assert dict(stage.values)["values"] == values


def test_a_deals_table_without_any_closed_deal_is_stage_defaulted(tmp_path: Path) -> None:
    """20 deals and none won or lost: the stages were not read; 4 open deals of a young program are no finding."""
    deals = "deal_id,created_at,amount,stage,closed_at,lead_id\n" + "".join(
        f"D{i},2026-{1 + i % 10:02d}-10,100,open,,L1\n" for i in range(20))
    stage = findings_of(dataset(tmp_path, LINKED_LEADS, deals))["stage_defaulted"]
    assert (stage.rows, stage.share) == (20, 1.0)
    assert "stage_defaulted" not in findings_of(dataset(tmp_path, LINKED_LEADS, UNLINKED_DEALS))
