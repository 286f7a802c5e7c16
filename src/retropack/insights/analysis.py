"""Everything the meeting needs, computed from the validated data: the pack's content before any wording."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from retropack._membership import is_in
from retropack.config import Config, Settings, Team
from retropack.insights.actions import ESCALATE_AT, ActionContext, History, PastAction, choose_actions, look_back
from retropack.insights.cadence import Cadence, measure_cadence
from retropack.insights.channels import ChannelTable, channel_table
from retropack.insights.content_plan import ContentPlan, build_content_plan
from retropack.insights.diagnosis import Diagnosis, check_for_actions, diagnose, health_signals
from retropack.insights.diagnosis.capacity import assess_capacity
from retropack.insights.events import events_of
from retropack.insights.findings import Finding, FunnelCounts, find_findings, kpis_touched
from retropack.insights.highlights import Buckets, sla_breaches, sort_into_buckets
from retropack.insights.meeting import MeetingDate, meeting_date
from retropack.insights.open_deals import OpenDeal, longest_open_deals
from retropack.insights.patterns import Insight, find_insights
from retropack.insights.story import Story, find_stories
from retropack.insights.subjects import find_subjects
from retropack.insights.targets import (
    TargetRaise,
    TargetReview,
    focus_without_target,
    targets_to_raise,
    targets_to_review,
)
from retropack.insights.verdict import Verdict, judge_all
from retropack.insights.why import tell
from retropack.kpis.evaluation import KpiResult, evaluate
from retropack.kpis.inputs import KpiInputs, KpiParams, build_inputs
from retropack.kpis.phases import Phase, phase_of
from retropack.load import Dataset
from retropack.months import Month
from retropack.rules import Rules

__all__ = ["FUNNEL_MONTHS", "Analysis", "Funnel", "analyse", "funnel", "kpi_params", "signals"]

FUNNEL_MONTHS = 6  # the funnel follows the leads of half a year: long enough for most to run their course


@dataclass(frozen=True)
class Funnel:
    """One population of leads (created in ``first``…``last``) and how far each got by the end of ``last``:
    every stage is drawn from the same leads, so each rate is a true conversion."""

    first: Month
    last: Month
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
    verdicts: dict[str, Verdict]  # one judgement per KPI (contract §10): every section reads it
    findings: list[Finding]  # the data problems that change how the numbers read (contract §10)
    buckets: Buckets
    stories: list[Story]
    target_reviews: list[TargetReview]
    sla_breaches: pd.DataFrame
    actions: ActionContext  # this month's commitments and what they are worded from
    previous: ActionContext | None  # last month's (None in the program's first month)
    previous_actions: list[PastAction]  # last month's commitments a month on
    content: ContentPlan
    funnel: Funnel
    signals: dict[str, float]
    diagnosis: Diagnosis
    insights: list[Insight]
    cadence: Cadence  # weekly counts, per-send rates and sales' MQL feedback of the month
    non_finite: dict[str, list[Month]]  # KPIs that overflowed in a month the pack shows (given as no value there)
    target_raises: list[TargetRaise] = field(default_factory=list)  # targets beaten 2× three months running
    targets_needed: tuple[str, tuple[str, ...]] = ("", ())  # the next phase and its focus KPIs without a target
    meeting: MeetingDate | None = None  # the day the meeting reviews the pack; the due dates count from it
    channels: ChannelTable | None = None  # spend, leads … won by source, the month and the trailing three months
    open_deals: tuple[OpenDeal, ...] = ()  # the MA-sourced deals open longest at the month's end, for sales


def kpi_params(settings: Settings) -> KpiParams:
    return KpiParams(
        sla_followup_days=settings.sla.followup_days,
        gross_margin=settings.economics.gross_margin,
        lifetime_multiplier=settings.economics.lifetime_multiplier,
        min_sample=settings.insights.min_sample,
    )


def funnel(inputs: KpiInputs, month: Month, months: int = FUNNEL_MONTHS) -> Funnel:
    """The leads created in the ``months`` months ending with ``month``, by the furthest stage reached by its end."""
    first = month.shift(-(months - 1))
    leads = inputs.leads
    cohort = leads[leads["created_at_m"].between(first.index, month.index)]
    deals = inputs.deals
    deals = deals[is_in(deals["lead_id"], cohort["lead_id"]) & (deals["created_at_m"] <= month.index)]
    won = deals[(deals["stage"] == "won") & (deals["closed_at_m"] <= month.index)]
    return Funnel(
        first=first,
        last=month,
        leads=len(cohort),
        mqls=int((cohort["mql_at_m"] <= month.index).sum()),
        sqls=int((cohort["sql_at_m"] <= month.index).sum()),
        opportunities=int(deals["lead_id"].nunique()),
        won=int(won["lead_id"].nunique()),
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


@dataclass(frozen=True)
class _Month:
    """What one month's actions are chosen from: computed for the reported month, and again for the month
    before (whose actions come back a month on)."""

    results: list[KpiResult]
    breaches: pd.DataFrame
    content: ContentPlan
    diagnosis: Diagnosis | None  # None for the month before: only the checks its actions read are run
    signals: dict[str, float]
    insights: list[Insight]
    actions: ActionContext


def _short_of_hours(team: Team | None) -> frozenset[str]:
    """The people of the roles that give MA fewer hours than the seed recommends: one action each at most."""
    capacity = assess_capacity(team)
    if team is None or capacity is None:
        return frozenset()
    return frozenset(member for role in capacity.short_roles if role.role in team.roles
                     for member in team.roles[role.role].members)


def _month(inputs: KpiInputs, dataset: Dataset, config: Config, month: Month, scoring_review: bool,
           *, for_actions_only: bool = False, proposed: tuple[frozenset[str], ...] = (),
           unreliable: frozenset[str] = frozenset(), run_day: date | None = None) -> _Month:
    """``for_actions_only``: last month's pass, which only chooses actions again, explains only the KPIs whose rules
    read an explanation (``explained_by``, a concentration)."""
    settings = config.settings
    phase = phase_of(month, settings.program.start)
    explained = {r.kpi for r in config.rules.actions if r.kpi and (r.when.explained_by or
                                                                    r.when.insight == "concentration")}
    results = evaluate(inputs, month, phase, settings.targets.for_phase(phase.id), settings.targets.tolerance,
                       settings.program.start, explained if for_actions_only else None)
    breaches = sla_breaches(inputs, month)
    content = build_content_plan(dataset, month, dict(settings.content.cadence))
    if for_actions_only:
        diagnosis = None
        health = check_for_actions(inputs, dataset, settings, month, results, content, config.rules.health)
    else:
        diagnosis = diagnose(inputs, dataset, settings, month, results, content, config.rules.health,
                             scoring_review=scoring_review)
        health = diagnosis.health
    subjects = find_subjects(inputs, month, breaches, health)
    sigs = {**signals(dataset, breaches, content), **health_signals(health, assess_capacity(settings.team)),
            **subjects.signals}
    found = find_insights(results, settings.insights.min_sample)
    whys = {r.kpi.id: tell(r) for r in results}
    history = History(proposed, dataset.tables.get("action_log"), _short_of_hours(settings.team))
    meeting = meeting_date(settings, month, run_day).day if run_day is not None else None
    chosen = choose_actions(config.rules, results, sigs, month, settings.team, whys, found, unreliable=unreliable,
                            subjects=subjects, history=history, meeting=meeting)
    return _Month(results, breaches, content, diagnosis, sigs, found, ActionContext(month, chosen, results, whys, sigs,
                                                                                    subjects))


def analyse(dataset: Dataset, config: Config, month: Month, *, scoring_review: bool = False,
            run_time: pd.Timestamp | None = None) -> Analysis:
    """Compute every section of the pack for ``month``; ``scoring_review`` asks for the lead-scoring
    review outside its quarter; ``run_time`` (the run's time, default the clock) tells dates after the run."""
    settings, rules = config.settings, config.rules
    inputs = build_inputs(dataset, kpi_params(settings))
    tz = settings.program.timezone
    run_time = pd.Timestamp.now(tz=tz) if run_time is None else run_time
    local = run_time.tz_convert(tz).tz_localize(None) if run_time.tzinfo else run_time
    run_day = local.date()
    earlier = [_month(inputs, dataset, config, month.shift(-k), False, for_actions_only=True, run_day=run_day)
               for k in range(1, ESCALATE_AT) if month.shift(-k) >= settings.program.start]  # M−1, M−2: repeats
    cohort = funnel(inputs, month)
    found = find_findings(dataset, inputs, month, _stages(cohort), local)
    now = _month(inputs, dataset, config, month, scoring_review,  # a KPI a finding touches gets a data fix only
                 proposed=tuple(frozenset(c.rule.id for c in m.actions.commitments) for m in earlier),
                 unreliable=frozenset(kpis_touched(found)), run_day=run_day)
    before = earlier[0] if earlier else None
    assert now.diagnosis is not None  # the reported month is diagnosed whole
    verdicts = judge_all(now.results, now.insights, events_of(inputs, month, settings.program.start),
                         settings.insights.min_events, kpis_touched(found), settings.targets.tolerance)
    return Analysis(
        month=month,
        phase=phase_of(month, settings.program.start),
        results=now.results,
        verdicts=verdicts,
        findings=found,
        buckets=sort_into_buckets(now.results, verdicts),
        stories=find_stories(now.results, inputs, month, settings.labels, verdicts),
        target_reviews=targets_to_review(now.results, now.insights, settings.targets.tolerance),
        sla_breaches=now.breaches,
        actions=now.actions,
        previous=before.actions if before else None,
        previous_actions=look_back(before.actions.commitments, now.results, dataset.tables.get("action_log"), month)
        if before else [],
        content=now.content,
        funnel=cohort,
        signals=now.signals,
        diagnosis=now.diagnosis,
        insights=[_with_rules(i, rules) for i in now.insights],
        cadence=measure_cadence(inputs, dataset, month, now.results),
        non_finite={kpi: sorted(months) for kpi, months in inputs.non_finite.items()},
        target_raises=targets_to_raise(now.results),
        targets_needed=focus_without_target(phase_of(month, settings.program.start), settings.targets.for_phase),
        meeting=meeting_date(settings, month, run_day),
        channels=channel_table(inputs, month),
        open_deals=longest_open_deals(inputs, month),
    )


def _stages(f: Funnel) -> FunnelCounts:
    return FunnelCounts((("leads", f.leads), ("mqls", f.mqls), ("sqls", f.sqls), ("opportunities", f.opportunities),
                         ("won", f.won)))


def _with_rules(insight: Insight, rules: Rules) -> Insight:
    """The insight with the action rules that fire on its type (for its KPI, or for any)."""
    fed = tuple(rule.id for rule in rules.actions
                if rule.when.insight == insight.type and rule.kpi in (None, insight.kpi_id))
    return replace(insight, rules=fed)
