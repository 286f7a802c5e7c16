"""The diagnosis as the pack shows it: every sentence from the message catalogue, every number
formatted (``words``), one part per section (``health_view``, ``roadmap_view``, ``scoring_view``).
Templates and slides only place these values."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.actions import Action
from retropack.config import Settings
from retropack.diagnosis import Diagnosis
from retropack.diagnosis.health_view import HealthView, health_view
from retropack.diagnosis.roadmap_view import CapacityView, RoadmapView, capacity_view, roadmap_view
from retropack.diagnosis.scoring_view import ScoringView, scoring_view
from retropack.diagnosis.words import Words
from retropack.messages import Translator
from retropack.months import Month


@dataclass(frozen=True)
class DiagnosisView:
    health: HealthView
    roadmap: RoadmapView
    capacity: CapacityView
    scoring: ScoringView | None  # None: not a review month and not asked for


@dataclass(frozen=True)
class PdfSection:
    """One PDF page of the diagnosis: the template that lays it out, the view it reads, and the
    message key of its title (for the agendas on the PDF and deck covers)."""

    template: str
    data: object
    title_key: str


def build_diagnosis_view(diagnosis: Diagnosis, actions: list[Action], rule_actions: dict[str, Action],
                         settings: Settings, month: Month, tr: Translator) -> DiagnosisView:
    """``actions`` are this month's (section 4, in their order); ``rule_actions`` every rule worded."""
    words = Words(tr, settings.program.currency)
    listed = [a.rule_id for a in actions]
    roadmap = diagnosis.roadmap
    return DiagnosisView(
        health=health_view(diagnosis.health, rule_actions, listed, words),
        roadmap=roadmap_view(roadmap, month, words),
        capacity=capacity_view(diagnosis.capacity, words),
        scoring=scoring_view(diagnosis.scoring, roadmap.month_index, settings.advice.scoring_review_every_months, month,
                         words) if diagnosis.scoring else None,
    )


def pdf_sections(view: DiagnosisView) -> list[PdfSection]:
    """The diagnosis pages of the PDF, in the order the meeting reads them."""
    sections = [PdfSection("sections/health.html.j2", view.health, "section.health"),
                PdfSection("sections/roadmap.html.j2", view, "section.roadmap")]
    if view.scoring is not None:
        sections.append(PdfSection("sections/scoring.html.j2", view.scoring, "section.scoring"))
    return sections
