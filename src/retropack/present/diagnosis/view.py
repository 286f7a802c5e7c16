"""The diagnosis as the pack shows it: every sentence from the message catalogue, every number
formatted (``words``), one part per section (``health_view``, ``roadmap_view``, ``scoring_view``).
Templates and slides only place these values."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.config import Settings
from retropack.insights.diagnosis import Diagnosis
from retropack.months import Month
from retropack.present.actions import ActionView
from retropack.present.diagnosis.health_view import HealthView, health_view
from retropack.present.diagnosis.roadmap_view import CapacityView, RoadmapView, capacity_view, roadmap_view
from retropack.present.diagnosis.scoring_view import ScoringView, scoring_view
from retropack.present.diagnosis.words import Words
from retropack.present.messages import Translator

__all__ = ["DiagnosisView", "build_diagnosis_view"]


@dataclass(frozen=True)
class DiagnosisView:
    health: HealthView
    roadmap: RoadmapView
    capacity: CapacityView
    scoring: ScoringView | None  # None: not a review month and not asked for
    titles: tuple[str, ...]  # the diagnosis pages in the order they are shown, for the covers' agenda


def build_diagnosis_view(diagnosis: Diagnosis, actions: list[ActionView], settings: Settings, month: Month,
                         tr: Translator) -> DiagnosisView:
    """``actions`` are this month's (section 4, in their order)."""
    words = Words(tr, settings.program.currency)
    roadmap = diagnosis.roadmap
    scoring = scoring_view(diagnosis.scoring, roadmap.month_index, settings.advice.scoring_review_every_months,
                           month, words) if diagnosis.scoring else None
    titles = ("section.health", "section.roadmap", *(("section.scoring",) if scoring else ()))
    return DiagnosisView(
        health=health_view(diagnosis.health, actions, words),
        roadmap=roadmap_view(roadmap, month, words),
        capacity=capacity_view(diagnosis.capacity, words),
        scoring=scoring,
        titles=tuple(tr(key) for key in titles),
    )
