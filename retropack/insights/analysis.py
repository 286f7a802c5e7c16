"""Everything the meeting needs, computed from the validated data: the pack's content before any wording."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from retropack.config import Config, Settings
from retropack.insights.actions import ProposedAction, choose_actions
from retropack.insights.content_plan import ContentPlan, build_content_plan
from retropack.insights.diagnosis import Diagnosis, diagnose
from retropack.insights.highlights import Highlight, misses, sla_breaches, wins
from retropack.insights.patterns import Insight, find_insights
from retropack.insights.why import tell
from retropack.kpis.evaluation import KpiResult, evaluate
from retropack.kpis.inputs import KpiInputs, KpiParams, build_inputs
from retropack.kpis.phases import Phase, phase_of
from retropack.load import Dataset
from retropack.months import Month
from retropack.rules import Rules

__all__ = ["Analysis", "Funnel", "analyse", "funnel", "kpi_params", "signals"]


@dataclass(frozen=True)
class Funnel:
    leads: int
    mqls: int
    sqls: int
    opportunities: int
    won: int


@dataclass(frozen=True)
class Analysis:
    month: Month
    phase: Phase
    results: list[KpiResult]
    wins: list[Highlight]
    misses: list[Highlight]
    sla_breaches: pd.DataFrame
    actions: list[ProposedAction]
    content: ContentPlan
    funnel: Funnel
    signals: dict[str, float]
    diagnosis: Diagnosis
    insights: list[Insight]


def kpi_params(settings: Settings) -> KpiParams:
    return KpiParams(
        sla_followup_days=settings.sla.followup_days,
        gross_margin=settings.economics.gross_margin,
        lifetime_multiplier=settings.economics.lifetime_multiplier,
        min_sample=settings.insights.min_sample,
    )


def funnel(inputs: KpiInputs, month: Month) -> Funnel:
    leads, deals = inputs.leads, inputs.deals
    ma = deals[deals["ma"]]
    return Funnel(
        leads=int((leads["created_at_m"] == month.index).sum()),
        mqls=int((leads["mql_at_m"] == month.index).sum()),
        sqls=int((leads["sql_at_m"] == month.index).sum()),
        opportunities=int((ma["created_at_m"] == month.index).sum()),
        won=int(((ma["closed_at_m"] == month.index) & (ma["stage"] == "won")).sum()),
    )


def signals(dataset: Dataset, breaches: pd.DataFrame, content: ContentPlan) -> dict[str, float]:
    """Non-KPI facts the action rules can fire on."""
    read = sum(q.rows_read for q in dataset.quality.values())
    rejected = sum(q.rejected for q in dataset.quality.values())
    return {
        "sla_breaches": float(len(breaches)),
        "content_shortfall": float(content.shortfall) if content.has_calendar else 0.0,
        "unpublished_content": float(sum(line.missing for line in content.last_month)),
        "reject_share": rejected / read if read else 0.0,
    }


def analyse(dataset: Dataset, config: Config, month: Month, *, scoring_review: bool = False) -> Analysis:
    """Compute every section of the pack for ``month``; ``scoring_review`` asks for the lead-scoring
    review outside its quarter."""
    settings, rules = config.settings, config.rules
    phase = phase_of(month, settings.program.start)
    inputs = build_inputs(dataset, kpi_params(settings))
    results = evaluate(inputs, month, phase, settings.targets.for_phase(phase.id), settings.targets.tolerance,
                       settings.program.start)
    went_well, went_badly = wins(results), misses(results)
    breaches = sla_breaches(inputs, month)
    content = build_content_plan(dataset, month, dict(settings.content.cadence))
    diagnosis = diagnose(inputs, dataset, settings, month, results, content, rules.health,
                         scoring_review=scoring_review)
    sigs = {**signals(dataset, breaches, content), **diagnosis.signals}
    found = find_insights(results, settings.insights.min_sample)
    whys = {r.kpi.id: tell(r) for r in results}
    actions = choose_actions(rules, results, sigs, whys, found)
    return Analysis(
        month=month,
        phase=phase,
        results=results,
        wins=went_well,
        misses=went_badly,
        sla_breaches=breaches,
        actions=actions,
        content=content,
        funnel=funnel(inputs, month),
        signals=sigs,
        diagnosis=diagnosis,
        insights=[_with_rules(i, rules) for i in found],
    )


def _with_rules(insight: Insight, rules: Rules) -> Insight:
    """The insight with the action rules that fire on its type (for its KPI, or for any)."""
    fed = tuple(rule.id for rule in rules.actions
                if rule.when.insight == insight.type and rule.kpi in (None, insight.kpi_id))
    return replace(insight, rules=fed)
