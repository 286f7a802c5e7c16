"""``diagnosis.json``: the diagnosis for machines, beside ``kpis.json``. Values stay raw (numbers, months
as ``YYYY-MM``, KPI ids, message keys); each finding also carries its sentence in both languages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from retropack.insights.diagnosis import Diagnosis
from retropack.insights.diagnosis.capacity import Capacity
from retropack.insights.diagnosis.evidence import Evidence, KpiRef, Quantity, Term, Value
from retropack.insights.diagnosis.roadmap import Roadmap
from retropack.insights.diagnosis.scoring import ScoringReview
from retropack.months import Month
from retropack.present.diagnosis.words import Words
from retropack.present.messages import LOCALES, Translator

__all__ = ["diagnosis_document"]


def _raw(value: Value | None) -> Any:
    if isinstance(value, Quantity):
        whole = value.unit in ("count", "months") and value.value is not None and value.value.is_integer()
        return int(value.value) if whole else value.value  # type: ignore[union-attr]
    if isinstance(value, Month):
        return str(value)
    if isinstance(value, KpiRef):
        return value.kpi_id
    if isinstance(value, Term):
        return value.key
    if isinstance(value, tuple):
        return [_raw(v) for v in value]
    return value


def _evidence(evidence: Evidence, words: dict[str, Words]) -> dict[str, Any]:
    return {
        "code": evidence.code,
        "level": evidence.level,
        "since": _raw(evidence.since),
        "values": {key: _raw(value) for key, value in evidence.values.items()},
        "text": {locale: w.sentence(evidence) for locale, w in words.items()},
    }


def _scoring(review: ScoringReview) -> dict[str, Any]:
    stuck = review.high_without_opportunity
    return {
        "reason": review.reason,
        "missing": list(review.missing),
        "first_month": str(review.first_month),
        "months": review.months,
        "mqls": review.mqls,
        "sql_mqls": review.sql_mqls,
        "sql_median": review.sql_median,
        "other_median": review.other_median,
        "separates": review.separates,
        "observed_threshold": review.observed_threshold,
        "mqls_per_month": review.mqls_per_month,
        "bins": [asdict(b) for b in review.bins],
        "suggestion": asdict(review.suggestion) if review.suggestion else None,
        "high_score": {
            "threshold": review.high_score, "quantile": review.high_quantile, "leads": review.high_leads,
            "without_opportunity": None if stuck is None else stuck["lead_id"].astype(str).tolist(),
            "missing": list(review.opportunity_missing),
        },
        "inactivity": asdict(review.inactivity) | {"decaying": review.inactivity.decaying}
        if review.inactivity else {"missing": list(review.inactivity_missing)},
    }


def _roadmap(roadmap: Roadmap) -> dict[str, Any]:
    return {
        "month_index": roadmap.month_index,
        "phase": roadmap.phase_id,
        "launch_step": roadmap.launch_step,
        "due_now": roadmap.due_now,
        "milestones": [{"id": m.id, "window": list(m.window), "state": m.state, "reached": _raw(m.reached),
                        "missing": list(m.missing), "kept": m.kept, "proof": [_fact(e) for e in m.proof],
                        "now": [_fact(e) for e in m.now]} for m in roadmap.milestones],
        "next_phase": roadmap.next_phase,
        "next_focus": list(roadmap.next_focus),
        "next_targets": roadmap.next_targets,
        "months_to_next_phase": roadmap.months_to_next_phase,
        "scoring_review": {"every_months": roadmap.scoring.every, "due_now": roadmap.scoring.due_now,
                           "next": _raw(roadmap.scoring.next_month), "next_index": roadmap.scoring.next_index,
                           "last": _raw(roadmap.scoring.last_month), "last_index": roadmap.scoring.last_index},
    }


def _fact(evidence: Evidence) -> dict[str, Any]:
    """A milestone's evidence, raw: its code and values."""
    return {"code": evidence.code, "level": evidence.level,
            "values": {key: _raw(value) for key, value in evidence.values.items()}}


def _capacity(capacity: Capacity, words: dict[str, Words]) -> dict[str, Any]:
    return {
        "company_size": capacity.company_size,
        "roles": [{"role": r.role, "people": r.people, "weekly_hours": r.weekly_hours, "dedicated": r.dedicated,
                   "recommended_hours": list(r.recommended), "shortfall_hours": r.shortfall} for r in capacity.roles],
        "total_hours": capacity.total_hours,
        "recommended_total_hours": list(capacity.recommended_total),
        "shortfall_hours": capacity.shortfall_hours,
        "dedicated_people": capacity.dedicated_people,
        "part_time_people": capacity.part_time_people,
        "external_support": capacity.external_support,
        "structure_gaps": [_evidence(g, words) for g in capacity.structure_gaps],
    }


def diagnosis_document(client: str, month: Month, diagnosis: Diagnosis, currency: str) -> dict[str, Any]:
    words = {locale: Words(Translator(locale), currency) for locale in LOCALES}
    return {
        "client": client,
        "month": str(month),
        "health": [{"id": p.id, "number": p.number, "status": p.status, "since": _raw(p.since),
                    "actions": list(p.action_ids), "evidence": [_evidence(e, words) for e in p.evidence]}
                   for p in diagnosis.health],
        "scoring_review": _scoring(diagnosis.scoring) if diagnosis.scoring else None,
        "roadmap": _roadmap(diagnosis.roadmap),
        "capacity": _capacity(diagnosis.capacity, words) if diagnosis.capacity else None,
    }
