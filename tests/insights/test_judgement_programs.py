"""The pack's judgement on whole fixture programs (tests/programs.py), as a client's data is loaded and analysed:

- the held-out program's worst problem: no SLA target, and MQLs followed up in time 25 % in May and 37.5 % in June
  (25 then 15 of the 40 MQLs touched ten days late); it rose, and it used to be filed under うまくいったこと;
- a CRM whose deals are not linked to SQL leads: SQL kept only for scores 99–100 (2 a month), while the 12 deals a
  month go to leads of scores 89–100, so 10 of June's 12 deals have no SQL lead and the funnel's 72 opportunities
  exceed its 12 SQLs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from retropack.flow import steps
from retropack.insights.analysis import Analysis
from retropack.publish.kpis_json import kpis_document
from tests.conftest import GENERATED
from tests.programs import Program, healthy


def _score(leads: pd.DataFrame) -> pd.Series:
    return leads["score"].astype(int)


def slow_sales_without_target() -> Program:
    program = healthy()
    del program.config["targets"]["default"]["sla_followup_rate"]
    program.config["targets"]["growth"] = {"sla_followup_rate": None}  # no target in this phase
    leads = program.tables["leads"]
    month = pd.to_datetime(leads["created_at"]).dt.month
    late = ((month == 5) & _score(leads).between(61, 90)) | ((month == 6) & _score(leads).between(61, 85))
    leads.loc[late, "first_sales_touch_at"] = (pd.to_datetime(leads.loc[late, "mql_at"])
                                               + pd.Timedelta(days=10)).map(pd.Timestamp.isoformat)
    return program


def unlinked_deals() -> Program:
    program = healthy()
    leads = program.tables["leads"]
    leads.loc[_score(leads) < 99, "sql_at"] = ""
    return program


def test_a_kpi_without_target_far_below_the_seeds_sla_is_no_win_and_no_fine_health(
        analyse: Callable[..., Analysis], tmp_path: Path) -> None:
    analysis = analyse(slow_sales_without_target())
    sla = next(r for r in analysis.results if r.kpi.id == "sla_followup_rate")
    assert (sla.actual, sla.previous, sla.status) == (0.375, 0.25, "no_target")
    verdict = analysis.verdicts["sla_followup_rate"]
    assert verdict.bucket == "info" and "below_commitment" in verdict.reasons
    assert "sla_followup_rate" not in [h.result.kpi.id for h in analysis.buckets.wins]
    check = analysis.diagnosis.pattern("sales_alignment")
    evidence = next(e for e in check.evidence if e.values.get("kpi") and e.values["kpi"].kpi_id == "sla_followup_rate")
    assert evidence.code == "kpi_below_commitment" and evidence.level != "ok" and check.status != "ok"
    assert evidence.values["target"].value == 0.9  # the seed's commitment, named as the standard

    config, dataset = slow_sales_without_target().load(tmp_path / "view")
    view = steps.view(analysis, dataset, config, "test", GENERATED)
    assert "sla_followup_rate" not in {h.kpi_id for h in (*view.wins, *view.watch_better, *view.top_wins)}
    (card,) = [h for h in view.info if h.kpi_id == "sla_followup_rate"]
    assert "基準を大きく下回" in card.summary and "90%" in card.caution
    assert next(r for r in view.kpis if r.id == "sla_followup_rate").caution


def test_the_sla_defaults_to_ninety_percent_in_every_phase(analyse: Callable[..., Analysis]) -> None:
    """Contract §3: without a target in the config, the SLA's is 0.90, in the launch phase too."""
    program = slow_sales_without_target()
    program.config["targets"]["growth"] = {}
    analysis = analyse(program)
    sla = next(r for r in analysis.results if r.kpi.id == "sla_followup_rate")
    assert (sla.target, sla.status, analysis.verdicts["sla_followup_rate"].bucket) == (0.9, "missed", "miss")
    launch = analyse(program, "2025-02")
    targets = {r.kpi.id: r.target for r in launch.results}
    assert targets["sla_followup_rate"] == 0.9 and targets["new_leads"] == 100  # config's default stays
    assert targets["ma_pipeline_amount"] is None and targets["sqls"] is None  # no pipeline target in launch


def test_deals_not_linked_to_sql_leads_are_found_and_their_kpis_unreliable(
        analyse: Callable[..., Analysis], tmp_path: Path) -> None:
    analysis = analyse(unlinked_deals())
    found = {f.id: f for f in analysis.findings}
    assert (found["deals_without_sql_lead"].rows, found["deals_without_sql_lead"].share) == (10, 10 / 12)
    assert dict(found["conversion_over_100"].values) == {"earlier": "sqls", "before": 12, "later": "opportunities",
                                                         "after": 72}
    verdict = analysis.verdicts["opportunity_rate"]
    assert (verdict.bucket, verdict.reliable) == ("watch", False)
    assert set(verdict.findings) == {"deals_without_sql_lead", "conversion_over_100"}

    config, dataset = unlinked_deals().load(tmp_path / "view")
    view = steps.view(analysis, dataset, config, "test", GENERATED)
    over = [s for s in view.funnel if s.rate.rstrip(" ※").endswith("%") and float(s.rate.split("%")[0]) > 100]
    assert over and all("※" in s.rate for s in over)  # never a rate above 100 % without its mark …
    assert "商談" in view.funnel_note and "72" in view.funnel_note  # … and the finding beside the funnel
    assert any("SQLに到達したリードに紐づいていません" in line for line in view.data_findings)
    row = next(r for r in view.kpis if r.id == "opportunity_rate")
    assert "SQLに紐づかない商談" in row.caution

    document = kpis_document("fixture", "2025-06", analysis.phase, analysis.results, analysis.insights,
                             analysis.verdicts, analysis.findings)
    kpi = next(k for k in document["kpis"] if k["id"] == "opportunity_rate")
    assert kpi["verdict"]["reliable"] is False and kpi["verdict"]["bucket"] == "watch"
    assert {f["id"] for f in document["findings"]} >= {"deals_without_sql_lead", "conversion_over_100"}


def test_the_only_action_on_a_kpi_a_finding_touches_is_to_fix_its_data(analyse: Callable[..., Analysis]) -> None:
    """Contract §10: an unreliable KPI gets the data fix, and no action that reads its value as real."""
    analysis = analyse(unlinked_deals())
    unreliable = {kpi for kpi, v in analysis.verdicts.items() if not v.reliable}
    assert "opportunity_rate" in unreliable
    on_unreliable = [c for c in analysis.actions.commitments if c.kpi_id in unreliable]
    assert on_unreliable and {c.rule.id for c in on_unreliable} == {"fix-data"}
