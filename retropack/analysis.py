"""Everything the meeting needs, computed from the validated data: the pack's content before formatting."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from retropack.actions import Action, Rules, choose_actions, describe_rules
from retropack.config import Settings
from retropack.content_plan import ContentPlan, build_content_plan
from retropack.dataset import Dataset
from retropack.diagnosis import Diagnosis, diagnose
from retropack.drivers import UNSET
from retropack.formatting import format_change, format_value
from retropack.highlights import Highlight, misses, sla_breaches, wins
from retropack.kpis.evaluation import KpiResult, evaluate
from retropack.kpis.inputs import KpiInputs, KpiParams, build_inputs
from retropack.messages import t
from retropack.months import Month
from retropack.phases import Phase, phase_of


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
    actions: list[Action]
    content: ContentPlan
    funnel: Funnel
    signals: dict[str, float]
    diagnosis: Diagnosis
    rule_actions: dict[str, Action]  # every action rule worded for the month: what health alerts link to


def kpi_params(settings: Settings) -> KpiParams:
    return KpiParams(
        sla_followup_days=settings.sla.followup_days,
        gross_margin=settings.economics.gross_margin,
        lifetime_multiplier=settings.economics.lifetime_multiplier,
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


def _driver_text(highlight: Highlight | None, settings: Settings, locale: str) -> str:
    if highlight is None or not highlight.drivers:
        return t("driver.none", locale)
    driver = highlight.drivers[0]
    group = t("driver.unset", locale) if driver.group == UNSET else driver.group
    return t(
        "driver.sentence",
        locale,
        dimension=t(f"dimension.{driver.dimension}", locale),
        group=group,
        effect=format_change(driver.effect, driver.unit, locale, settings.program.currency),
    )


def _signal_text(name: str, value: float) -> str:
    if name == "reject_share":
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def action_fields(
    results: list[KpiResult], found: list[Highlight], sigs: dict[str, float], settings: Settings, locale: str
) -> dict[str, dict[str, str]]:
    currency = settings.program.currency
    by_kpi = {h.result.kpi.id: h for h in found}
    fields: dict[str, dict[str, str]] = {}
    for r in results:
        unit = r.kpi.unit
        fields[r.kpi.id] = {
            "name": r.kpi.name(locale),
            "actual": format_value(r.actual, unit, locale, currency),
            "target": format_value(r.target, unit, locale, currency),
            "previous": format_value(r.previous, unit, locale, currency),
            "change": format_change(r.change, unit, locale, currency),
            "driver": _driver_text(by_kpi.get(r.kpi.id), settings, locale),
        }
    fields["_signals"] = {name: _signal_text(name, value) for name, value in sigs.items()}
    return fields


def analyse(dataset: Dataset, settings: Settings, month: Month, rules: Rules, *,
            scoring_review: bool = False) -> Analysis:
    """Compute every section of the pack for ``month``; ``scoring_review`` asks for the lead-scoring
    review outside its quarter."""
    locale = settings.program.locale
    phase = phase_of(month, settings.program.start)
    inputs = build_inputs(dataset, kpi_params(settings))
    results = evaluate(inputs, month, phase, settings.targets.for_phase(phase.id), settings.targets.tolerance,
                       settings.program.start)
    went_well, went_badly = wins(results, inputs, month), misses(results, inputs, month)
    breaches = sla_breaches(inputs, month)
    content = build_content_plan(dataset, month, dict(settings.content.cadence))
    diagnosis = diagnose(inputs, dataset, settings, month, results, content, rules.health,
                         scoring_review=scoring_review)
    sigs = {**signals(dataset, breaches, content), **diagnosis.signals}
    fields = action_fields(results, went_badly, sigs, settings, locale)
    return Analysis(
        month=month,
        phase=phase,
        results=results,
        wins=went_well,
        misses=went_badly,
        sla_breaches=breaches,
        actions=choose_actions(rules, results, sigs, fields, locale),
        content=content,
        funnel=funnel(inputs, month),
        signals=sigs,
        diagnosis=diagnosis,
        rule_actions=describe_rules(rules, results, fields, locale),
    )
