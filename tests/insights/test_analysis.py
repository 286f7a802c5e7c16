"""retropack.insights.analysis: the funnel and the signals the action rules fire on, and ``analyse`` as a whole.

``funnel`` and ``signals`` run on a tiny dataset written as CSV (month under test: 2026-10, JST):
- leads L1..L5 created in October, L7 at 20:00 UTC on 30 September (05:00 on 1 October in Tokyo),
  L6 in September, and L8 with an unreadable date (rejected) → 6 new leads;
  MQL in October: L1 L2 L3 (L6 was September's) → 3; SQL in October: L1 L2 → 2;
  first touch: L1 the next day (in time), L2 never, L3 after five days → 2 SLA breaches;
- deals: D1 (L1, open) D2 (L6, won in October) D6 (L3, flagged MA, lost) are MA deals created in October
  → 3 opportunities; D3 is flagged not MA; D4 (L6, flagged MA) was created in September and won in
  October; D5's lead never became MQL → not MA. Won in October: D2 and D4 → 2;
- calendar: October plans two blogs and a webinar, one blog published (2 unpublished); November plans
  one blog and one newsletter against a cadence of blog 2, newsletter 1 → 1 short;
- rows read 8 + 1 + 6 + 5 = 20, one rejected → reject share 5 %.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import pytest

from retropack.insights.actions import Commitment
from retropack.insights.analysis import Analysis, Funnel, funnel, signals
from retropack.insights.content_plan import CadenceLine, ContentPlan, build_content_plan
from retropack.insights.highlights import sla_breaches
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load import Dataset, load_dataset
from retropack.months import Month
from retropack.rules import bundled_rules_file, load_rules
from tests.programs import healthy

OCT = Month(2026, 10)

TABLES = {
    "leads": """lead_id,created_at,mql_at,sql_at,first_sales_touch_at
L1,2026-10-01,2026-10-02T09:00:00,2026-10-05,2026-10-03T09:00:00
L2,2026-10-02,2026-10-03T09:00:00,2026-10-06,
L3,2026-10-03,2026-10-04T09:00:00,,2026-10-09T09:00:00
L4,2026-10-04,,,
L5,2026-10-05,,,
L6,2026-09-01,2026-09-02T09:00:00,,2026-09-02T10:00:00
L7,2026-09-30T20:00:00Z,,,
L8,not a date,,,
""",
    "email_sends": "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\nS1,2026-10-03,100,30,4,1\n",
    "deals": """deal_id,created_at,amount,stage,closed_at,lead_id,ma_sourced
D1,2026-10-15,1000000,open,,L1,
D2,2026-10-05,2000000,won,2026-10-25,L6,
D3,2026-10-06,9000000,won,2026-10-26,L2,false
D4,2026-09-01,4000000,won,2026-10-10,L6,true
D5,2026-10-07,500000,lost,2026-10-20,L4,
D6,2026-10-08,700000,lost,2026-10-28,L3,yes
""",
    "content_calendar": """title,type,planned_date,published_at
Oct blog 1,blog,2026-10-05,2026-10-05T10:00:00
Oct blog 2,blog,2026-10-19,
Oct webinar,webinar,2026-10-22,
Nov blog,blog,2026-11-04,
Nov newsletter,newsletter,2026-11-10,
""",
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("analysis")
    for name, text in TABLES.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_dataset(folder, max_reject_share=0.5)  # one bad lead in eight must not stop the run


def test_the_funnel_follows_one_group_of_leads_to_the_end_of_the_month(dataset: Dataset) -> None:
    """The leads created May–October 2026 (L1–L7; L8 was rejected): MQL by October's end L1 L2 L3 L6, SQL L1 L2,
    a deal created by then L1 L2 L3 L4 L6 (D3 is not MA-sourced but is still L2's deal), won L2 (D3) and L6
    (D2, D4: one lead). Every stage counts the same leads, so each rate is a true conversion."""
    inputs = build_inputs(dataset, KpiParams())
    assert funnel(inputs, OCT) == Funnel(first=Month(2026, 5), last=OCT, leads=7, mqls=4, sqls=2, opportunities=5,
                                         won=2)


def test_the_funnel_of_the_month_before_ignores_what_happened_after_it(dataset: Dataset) -> None:
    """September in Tokyo: only L6 (L7's 30 September is a UTC date: 1 October in Tokyo); D4 was created in
    September but won only in October."""
    inputs = build_inputs(dataset, KpiParams())
    assert funnel(inputs, Month(2026, 9)) == Funnel(first=Month(2026, 4), last=Month(2026, 9), leads=1, mqls=1,
                                                    sqls=0, opportunities=1, won=0)


def test_no_stage_of_the_funnel_exceeds_the_one_before(dataset: Dataset) -> None:
    inputs = build_inputs(dataset, KpiParams())
    for month in (Month(2026, 9), OCT, Month(2026, 11)):
        f = funnel(inputs, month)
        assert f.leads >= f.mqls >= f.sqls and f.leads >= f.opportunities >= f.won


def test_signals_from_breaches_content_and_rejects(dataset: Dataset) -> None:
    inputs = build_inputs(dataset, KpiParams(sla_followup_days=3))
    breaches = sla_breaches(inputs, OCT)
    content = build_content_plan(dataset, OCT, {"blog": 2, "newsletter": 1})
    assert list(breaches["lead_id"]) == ["L2", "L3"]
    assert signals(dataset, breaches, content) == {
        "sla_breaches": 2.0,
        "content_shortfall": 1.0,
        "unpublished_content": 2.0,
        "reject_share": pytest.approx(1 / 20),
    }


def test_without_a_calendar_no_content_shortfall_is_signalled() -> None:
    """Unknown is not a shortfall: the cadence lines say 4 short, but nothing fires on content."""
    empty = Dataset(tables={}, columns={}, quality={}, findings=[], files=[])
    content = ContentPlan(has_calendar=False, has_scenarios=False, next_month=OCT.shift(1),
                          cadence=(CadenceLine("blog", 0, 4),), last_month=(), upcoming=pd.DataFrame(),
                          scenarios=pd.DataFrame())
    assert content.shortfall == 4
    assert signals(empty, pd.DataFrame(columns=["lead_id"]), content) == {
        "sla_breaches": 0.0, "content_shortfall": 0.0, "unpublished_content": 0.0, "reject_share": 0.0}


# --- analyse on the healthy fixture program (tests/programs.py) --------------------------------------------------

@pytest.fixture()
def healthy_june(analyse: Callable[..., Analysis]) -> Analysis:
    return analyse(healthy())


def test_analyse_the_healthy_program(healthy_june: Analysis) -> None:
    """June 2025 is month 6 of a program started in January: growth, focus on MQLs and MQL→SQL."""
    analysis = healthy_june
    assert (analysis.month, analysis.phase.id, analysis.phase.month_index) == (Month(2025, 6), "growth", 6)
    assert analysis.funnel == Funnel(first=Month(2025, 1), last=Month(2025, 6), leads=600, mqls=240, sqls=120,
                                     opportunities=72, won=36)  # six months of the same 100 leads
    assert len(analysis.results) == 16
    assert {r.kpi.id for r in analysis.results if r.focus} == {"mqls", "mql_to_sql_rate"}
    assert {r.status for r in analysis.results} == {"achieved", "no_target"}
    assert analysis.buckets.misses == () and analysis.buckets.watch == () and analysis.sla_breaches.empty
    # nothing to fix: the three standing actions keep the improvement cycle going, one team each at most twice
    assert [c.rule.id for c in analysis.actions.commitments] == ["standing-ab-test", "standing-mql-review",
                                                                 "standing-new-content"]
    assert {k: analysis.signals[k] for k in ("sla_breaches", "content_shortfall", "unpublished_content",
                                             "reject_share")} == dict.fromkeys(
        ("sla_breaches", "content_shortfall", "unpublished_content", "reject_share"), 0.0)


def test_analyse_returns_actions_as_rules_not_words(analyse: Callable[..., Analysis]) -> None:
    """Targets above the healthy program's 100 leads and 40 MQLs fire the volume rules: the analysis
    hands on the rule (and its KPI result), never a title or reason — those are worded in present."""
    program = healthy()
    program.config["targets"]["default"] |= {"new_leads": 150, "mqls": 42}  # 100 missed; 40 near (≥ 37.8)
    analysis = analyse(program)
    bundled = load_rules(bundled_rules_file())
    chosen = analysis.actions.commitments
    # focus near before missed; a standing action of another team makes the third
    assert [a.rule.id for a in chosen] == ["mql-volume", "lead-volume", "standing-mql-review"]
    assert [(a.result.kpi.id, a.result.status) for a in chosen if a.result] == [("mqls", "near"), ("new_leads", "missed")]
    assert all(a.rule == bundled.rule(a.rule.id) for a in chosen)
    assert {f.name for f in dataclasses.fields(Commitment)} == {"rule", "result", "due", "assignee", "driver",
                                                                 "effect", "repeat", "escalated", "due_note"}
