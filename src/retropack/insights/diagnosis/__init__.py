"""The seed's diagnosis of an MA operation, computed from the data: the health check against the five
failure patterns, the quarterly lead-scoring review, the roadmap position and the team's capacity.

``diagnose`` is pure: validated tables and settings in, plain values out. Wording and formatting
happen in ``retropack.present.diagnosis.view``; slides in ``slides``, PDF charts in ``charts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retropack.config import Settings
from retropack.insights.content_plan import ContentPlan
from retropack.insights.diagnosis._inputs import diagnosis_inputs
from retropack.insights.diagnosis.capacity import Capacity, assess_capacity
from retropack.insights.diagnosis.health import PatternCheck, check_health, pattern_in
from retropack.insights.diagnosis.roadmap import Roadmap, position
from retropack.insights.diagnosis.scoring import ScoringReview, review_due, review_scoring
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.inputs import KpiInputs
from retropack.load.dataset import Dataset
from retropack.months import Month
from retropack.rules import HealthThresholds

__all__ = ["Diagnosis", "HealthThresholds", "check_for_actions", "diagnose", "health_signals"]

SIGNAL_PATTERNS = ("tool_as_goal", "content_shortage")  # the patterns whose evidence the action rules read


@dataclass(frozen=True)
class Diagnosis:
    health: tuple[PatternCheck, ...]
    scoring: ScoringReview | None  # None: not a review month and not asked for
    roadmap: Roadmap
    capacity: Capacity | None  # None: the config has no ``team`` block

    def pattern(self, pattern_id: str) -> PatternCheck:
        return pattern_in(self.health, pattern_id)

    @property
    def signals(self) -> dict[str, float]:
        """Facts the improvement-action rules can fire on (``when.signal`` in the rules file)."""
        return health_signals(self.health, self.capacity)


def health_signals(health: Sequence[PatternCheck], capacity: Capacity | None) -> dict[str, float]:
    """The diagnosis' facts the action rules read, from ``health`` (which must hold ``SIGNAL_PATTERNS``)."""
    tool, content = (pattern_in(health, pid) for pid in SIGNAL_PATTERNS)
    focus = next(e for e in tool.evidence if e.code in ("focus_without_target", "focus_all_targeted"))
    return {
        "focus_without_target": float(focus.values["count"].value or 0),  # type: ignore[union-attr]
        "capacity_shortfall_hours": capacity.shortfall_hours if capacity else 0.0,
        "silent_scenarios": float(sum(e.code == "scenario_silent" for e in content.raised)),
        "stale_content": float(sum(e.code == "content_reused" for e in content.raised)),
    }


def check_for_actions(kpis: KpiInputs, dataset: Dataset, settings: Settings, month: Month, results: list[KpiResult],
                      content: ContentPlan, thresholds: HealthThresholds) -> tuple[PatternCheck, ...]:
    """Only the checks the action rules read (``SIGNAL_PATTERNS``): last month's actions are chosen again from
    them, without the whole diagnosis a pack shows."""
    inputs = diagnosis_inputs(kpis, dataset, settings, month, results)
    return check_health(inputs, thresholds, assess_capacity(settings.team), content, dict(settings.content.cadence),
                        only=SIGNAL_PATTERNS)


def diagnose(kpis: KpiInputs, dataset: Dataset, settings: Settings, month: Month, results: list[KpiResult],
             content: ContentPlan, thresholds: HealthThresholds, *, scoring_review: bool = False) -> Diagnosis:
    """Diagnose ``month``; ``scoring_review`` asks for the scoring review outside its quarter."""
    inputs = diagnosis_inputs(kpis, dataset, settings, month, results)
    capacity = assess_capacity(settings.team)
    due = review_due(inputs.month_index(month), settings.advice.scoring_review_every_months)
    scoring = review_scoring(inputs, thresholds.scoring, "quarter" if due else "asked") \
        if due or scoring_review else None
    health = check_health(inputs, thresholds, capacity, content, dict(settings.content.cadence))
    return Diagnosis(
        health=health,
        scoring=scoring,
        roadmap=position(inputs, health, settings.advice.scoring_review_every_months),
        capacity=capacity,
    )
