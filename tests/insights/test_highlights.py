"""retropack.insights.highlights: what went well, what did not, and the MQLs sales left waiting.

The KPI results are built by hand so the order of wins and misses can be read off the numbers; the
SLA list comes from eight leads written as CSV and loaded like a client's data, so its waits can be
counted on a calendar.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from retropack.insights.highlights import relative_move, sla_breaches, sort_into_buckets
from retropack.insights.verdict import Verdict, judge_kpi
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult, Status
from retropack.kpis.explain import Breakdown, Explanation, Part, Side
from retropack.kpis.inputs import KpiInputs, KpiParams, build_inputs
from retropack.load import load_dataset
from retropack.months import Month

OCT = Month(2026, 10)

# The month's MQLs and when sales first touched them (SLA: 3 days).
LEADS = """lead_id,created_at,source,segment,company,owner,mql_at,first_sales_touch_at
L1,2026-10-01,web,smb,A社,佐藤,2026-10-02T09:00:00,2026-10-03T09:00:00
L2,2026-10-01,web,smb,B社,佐藤,2026-10-02T09:00:00,2026-10-07T21:00:00
L3,2026-10-01,event,ent,C社,鈴木,2026-10-05T09:00:00,
L4,2026-10-01,event,ent,D社,鈴木,2026-10-06T09:00:00,2026-10-10T09:00:00
L5,2026-10-01,web,,E社,,2026-10-07T09:00:00,
L6,2026-09-01,web,smb,F社,佐藤,2026-09-02T09:00:00,
L7,2026-10-01,web,smb,G社,佐藤,2026-10-08T09:00:00,2026-10-11T09:00:00
L8,2026-10-01,web,smb,H社,佐藤,2026-10-08T09:00:00,2026-10-07T09:00:00
L9,2026-10-01,web,smb,I社,佐藤,,
"""
# L1 1 day: in time. L2 5.5 days: late. L3 never. L4 4 days: late. L5 never. L6 a September MQL (not October's).
# L7 exactly 3 days: in time. L8 touched before the MQL: in time. L9 never became MQL.
SENDS = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\nS1,2026-10-03,100,30,4,1\n"
DEALS = "deal_id,created_at,amount,stage,closed_at,lead_id\nD1,2026-10-20,1000000,open,,L1\n"


def inputs_from(folder: Path, leads: str = LEADS) -> KpiInputs:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("leads", leads), ("email_sends", SENDS), ("deals", DEALS)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return build_inputs(load_dataset(folder), KpiParams(sla_followup_days=3))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> KpiInputs:
    return inputs_from(tmp_path_factory.mktemp("highlights"))


def result(kpi: str, status: Status, actual: float | None, previous: float | None = None,
           target: float | None = None) -> KpiResult:
    return KpiResult(kpi=KPIS[kpi], actual=actual, previous=previous, target=target, status=status, focus=False,
                     history=())


# --- relative_move ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kpi", "previous", "actual", "move"),
    [
        ("new_leads", 100, 120, 0.2),  # higher is better: up 20 % is +0.2
        ("new_leads", 100, 80, -0.2),
        ("cpl", 5000, 6000, -0.2),  # lower is better: cost up 20 % is −0.2
        ("cpl", 5000, 4000, 0.2),
        ("roi", -0.5, -0.25, 0.5),  # a negative previous: the move is measured against its size
        ("new_leads", 100, 100, 0.0),
        ("new_leads", 0, 50, None),  # from zero there is no relative move
        ("new_leads", None, 50, None),
        ("new_leads", 100, None, None),
    ],
)
def test_relative_move_is_positive_when_better(kpi: str, previous: float | None, actual: float | None,
                                               move: float | None) -> None:
    got = relative_move(result(kpi, "no_target", actual, previous))
    assert got == (None if move is None else pytest.approx(move))


# --- buckets ----------------------------------------------------------------------------------------------------

def verdicts(results: list[KpiResult], findings: dict[str, tuple[str, ...]] | None = None) -> dict[str, Verdict]:
    return {r.kpi.id: judge_kpi(r, (), None, 10, (findings or {}).get(r.kpi.id, ())) for r in results}


def buckets_of(results: list[KpiResult], findings: dict[str, tuple[str, ...]] | None = None,
               ) -> dict[str, list[tuple[str, str | None]]]:
    got = sort_into_buckets(results, verdicts(results, findings))
    return {name: [(h.result.kpi.id, h.direction) for h in getattr(got, name)]
            for name in ("wins", "watch", "misses", "info")}


def test_every_kpi_lands_in_the_bucket_of_its_verdict() -> None:
    """Contract §10: missed is a miss whatever the month did; near is watched; a met target is a win unless it
    worsens beyond noise; no target is reference only, never a win or a miss (it used to be a win when it rose)."""
    results = [
        result("new_leads", "achieved", 120, 120, target=100),  # met, steady: win
        result("mqls", "achieved", 140, 200, target=100),  # met but 30 % down (Poisson z 3.9): watch
        result("sqls", "missed", 30, 25, target=50),  # missed, even if up: miss
        result("cpl", "near", 5400, 5400, target=5000),  # narrowly missed: watch
        result("roi", "no_target", 0.5, 1.0),  # no target, 50 % worse: reference only
        result("unsubscribe_rate", "no_target", 0.004, 0.005),  # no target, 20 % better: reference, never a win
        result("email_ctr", "no_target", 0.0109, 0.01),  # no target, +9 %: in no bucket
        result("cac", "no_data", None, 300_000, target=400_000),  # no value: in no bucket
    ]
    assert buckets_of(results) == {
        "wins": [("new_leads", "steady")],
        "watch": [("mqls", "worse"), ("cpl", "steady")],  # the furthest from its target first (40 % over, 8 % short)
        "misses": [("sqls", "steady")],  # +20 % on 25 → 30 events is within chance (z 0.67)
        "info": [("roi", "worse"), ("unsubscribe_rate", "better")],
    }


def test_a_finding_makes_any_kpi_a_watch_whatever_its_status() -> None:
    results = [result("sqls", "missed", 30, 25, target=50), result("new_leads", "achieved", 684, 20, target=100)]
    assert buckets_of(results, {"sqls": ("deals_without_sql_lead",), "new_leads": ("bulk_import",)})["watch"] == [
        ("sqls", "steady"), ("new_leads", "better")]


@pytest.mark.parametrize("status", ["achieved", "near", "missed", "no_target", "no_data"])
@pytest.mark.parametrize(("previous", "actual"), [(100, 130), (100, 100), (100, 70), (None, 100), (0, 10)])
def test_a_kpi_is_never_in_two_buckets(status: Status, previous: float | None, actual: float) -> None:
    kpi = result("new_leads", status, actual, previous, target=100)
    verdict = verdicts([kpi])["new_leads"]
    got = sort_into_buckets([kpi], {"new_leads": verdict})
    places = [name for name in ("wins", "watch", "misses", "info") if getattr(got, name)]
    assert len(places) <= 1
    if places:
        assert verdict.bucket == {"wins": "win", "watch": "watch", "misses": "miss", "info": "info"}[places[0]]


def test_buckets_order_focus_first_then_missed_before_near_then_the_furthest() -> None:
    results = [
        result("sqls", "missed", 14, 14, target=20),  # 30 % short
        result("new_leads", "missed", 50, 50, target=100),  # 50 % short
        result("mqls", "missed", 40, 40, target=50),  # 20 % short
        replace(result("cpl", "missed", 6000, 6000, target=5000), focus=True),  # focus first, even close
    ]
    assert [h.result.kpi.id for h in sort_into_buckets(results, verdicts(results)).misses] == [
        "cpl", "new_leads", "sqls", "mqls"]


def test_a_highlight_tells_the_causes_of_its_kpis_change() -> None:
    """The highlight carries its KPI's told causes; with no explanation (no previous value) there are none."""
    results = [result("new_leads", "missed", 50, None, target=100)]
    (highlight,) = sort_into_buckets(results, verdicts(results)).misses
    assert highlight.why.causes == () and highlight.why.small == () and highlight.direction is None


# --- sla_breaches ----------------------------------------------------------------------------------------------

def test_sla_breaches_lists_the_months_late_mqls_never_touched_first(inputs: KpiInputs) -> None:
    breaches = sla_breaches(inputs, OCT)
    assert list(breaches.columns) == ["lead_id", "company", "owner", "segment", "source", "mql_at", "waited_days"]
    assert list(breaches["lead_id"][:2]) == ["L3", "L5"]  # never followed up, the oldest MQL first
    assert breaches["waited_days"][:2].isna().all()
    assert list(breaches["lead_id"][2:]) == ["L2", "L4"]  # then the longest wait
    assert list(breaches["waited_days"][2:]) == [5.5, 4.0]


def test_sla_breaches_leaves_out_in_time_other_months_and_non_mqls(inputs: KpiInputs) -> None:
    """Exactly 3 days (L7) and a touch before the MQL (L8) are in time; L6 is September's; L9 no MQL."""
    listed = set(sla_breaches(inputs, OCT)["lead_id"])
    assert listed.isdisjoint({"L1", "L6", "L7", "L8", "L9"})
    assert list(sla_breaches(inputs, Month(2026, 9))["lead_id"]) == ["L6"]


def test_sla_breaches_carries_company_owner_and_segment(inputs: KpiInputs) -> None:
    by_lead = sla_breaches(inputs, OCT).set_index("lead_id")
    assert (by_lead.loc["L2", "company"], by_lead.loc["L2", "owner"], by_lead.loc["L2", "segment"]) == (
        "B社", "佐藤", "smb")
    assert by_lead.loc["L2", "mql_at"] == pd.Timestamp("2026-10-02 09:00", tz="Asia/Tokyo")
    assert pd.isna(by_lead.loc["L5", "owner"]) and pd.isna(by_lead.loc["L5", "segment"])


def test_without_the_first_touch_column_there_is_no_list(tmp_path: Path) -> None:
    """Unknown is not zero: without the column, no MQL can be called late; the columns stay for the view."""
    leads = "\n".join(",".join(line.split(",")[:-1]) for line in LEADS.splitlines()) + "\n"
    breaches = sla_breaches(inputs_from(tmp_path, leads), OCT)
    assert breaches.empty
    assert list(breaches.columns) == ["lead_id", "company", "owner", "segment", "source", "mql_at", "waited_days"]


def test_a_lead_table_without_company_or_owner_still_lists_breaches(tmp_path: Path) -> None:
    leads = "lead_id,created_at,mql_at,first_sales_touch_at\nL1,2026-10-01,2026-10-01T09:00:00,\n"
    breaches = sla_breaches(inputs_from(tmp_path, leads), OCT)
    assert list(breaches["lead_id"]) == ["L1"]
    assert breaches[["company", "owner", "segment"]].isna().all().all()


def test_a_money_swing_from_few_deals_is_a_small_sample_never_a_cause() -> None:
    """Pipeline +¥12M from 5 deals against 1 in one source was a "cause" (issue 20); 30 deals against 25 is one."""
    def part(group: str, now: float, before: float, rows_now: int, rows_before: int) -> Part:
        return Part(group, now - before, None, None, Side(now, None, rows_now), Side(before, None, rows_before), True,
                    False)

    few = part("partner", 14_000_000, 2_000_000, 5, 1)
    many = part("web", 9_000_000, 8_000_000, 30, 25)
    explanation = Explanation(13_000_000, (Breakdown("lead_source", (few, many)),), None)
    kpi = replace(result("ma_pipeline_amount", "achieved", 23_000_000, 10_000_000, 5_000_000),
                  explanation=explanation)
    (highlight,) = sort_into_buckets([kpi], verdicts([kpi])).all()
    assert [c.part.group for c in highlight.why.causes if c.part] == ["web"]
    assert [c.part.group for c in highlight.why.small if c.part] == ["partner"]
