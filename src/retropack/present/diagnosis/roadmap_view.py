"""The roadmap position and the team capacity worded: milestones as a table with the evidence the data
holds for each, when the lead-scoring review is next due, next month's phase change with its focus KPIs
and targets, and the team against the source article's recommendation."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.diagnosis.capacity import Capacity
from retropack.insights.diagnosis.evidence import Evidence, Quantity
from retropack.insights.diagnosis.roadmap import LAUNCH_STEPS, MILESTONES, Milestone, Roadmap
from retropack.insights.diagnosis.scoring import ReviewSchedule
from retropack.kpis.catalog import KPIS
from retropack.kpis.phases import PHASES
from retropack.months import Month
from retropack.present.cells import Table
from retropack.present.diagnosis.words import Words
from retropack.present.formatting import NO_VALUE, format_value
from retropack.present.messages import Translator

__all__ = ["capacity_view", "CapacityView", "roadmap_view", "RoadmapView"]


@dataclass(frozen=True)
class RoadmapView:
    position: str
    step: str
    milestones: Table
    due_now: str
    scoring_status: str  # when the lead-scoring review is next due, and when it last was
    next_month: str


@dataclass(frozen=True)
class CapacityView:
    present: bool
    note: str  # without a team block: what would enable the section
    table: Table
    structure: str
    actual: str
    gaps: tuple[str, ...]  # where the team differs from the recommended structure
    meets: str  # said instead when there is no gap


def _window(first: int, last: int | None, tr: Translator) -> str:
    if last is None:
        return tr("roadmap.window_open", first=first)
    return tr("roadmap.window", first=first) if first == last else tr("roadmap.window_range", first=first, last=last)


def _state(milestone: Milestone, tr: Translator) -> str:
    if milestone.missing:
        return tr("roadmap.state.no_data")
    return tr(f"roadmap.state.{milestone.state}")


def _facts(evidence: tuple[Evidence, ...], words: Words) -> str:
    tr = words.tr
    return tr("list.sep").join(tr(f"roadmap.proof.{e.code}", **{k: words.value(v) for k, v in e.values.items()})
                               for e in evidence)


def _missing(milestone: Milestone, words: Words) -> str:
    """The data the check lacks, in plain words: "A, B" for data it needs each of, "C or D" for either."""
    tr = words.tr
    either = next(d.either for d in MILESTONES if d.id == milestone.id)
    each = [tr(f"roadmap.data.{d}") for d in milestone.missing if d not in either]
    one_of = tr("roadmap.data.or").join(tr(f"roadmap.data.{d}") for d in milestone.missing if d in either)
    return words.join([*each, *([one_of] if one_of else [])])


def _evidence(milestone: Milestone, words: Words) -> str:
    """The column データでの確認: what showed the milestone and when, and for a lasting one whether it holds now."""
    tr = words.tr
    if milestone.missing:
        return tr("roadmap.needs", data=_missing(milestone, words))
    if milestone.reached is None:
        return tr("roadmap.cell.not_yet", now=_facts(milestone.now, words))
    reached = tr("roadmap.cell.reached", month=words.month(milestone.reached), facts=_facts(milestone.proof, words))
    if milestone.kept is None:
        return reached
    return tr("roadmap.cell.kept" if milestone.kept else "roadmap.cell.lapsed", reached=reached,
              now=_facts(milestone.now, words))


def _scoring_status(schedule: ReviewSchedule, words: Words) -> str:
    tr = words.tr
    values = {"every": schedule.every, "next": words.month(schedule.next_month), "next_index": schedule.next_index}
    now = tr("scoring.status.due" if schedule.due_now else "scoring.status.next", **values)
    if schedule.last_month is None:
        return tr("sentences", first=now, second=tr("scoring.status.no_last"))
    return tr("sentences", first=now, second=tr("scoring.status.last", last=words.month(schedule.last_month),
                                                last_index=schedule.last_index))


def _next_month(roadmap: Roadmap, month: Month, words: Words) -> str:
    tr = words.tr

    def with_target(kpi_id: str) -> str:
        target = roadmap.next_targets.get(kpi_id)
        if target is None:
            return tr.kpi_name(kpi_id)
        return tr("roadmap.kpi_target", kpi=tr.kpi_name(kpi_id),
                  target=format_value(target, KPIS[kpi_id].unit, tr.locale, words.currency))

    phase = tr(f"phase.{roadmap.phase_id}")
    if roadmap.next_phase:
        return tr("roadmap.next_change", month=words.month(month.shift(1)), phase=tr(f"phase.{roadmap.next_phase}"),
                  kpis=words.join([with_target(k) for k in roadmap.next_focus]))
    if roadmap.months_to_next_phase is None:
        return tr("roadmap.last_phase", phase=phase, kpis=words.join([with_target(k) for k in roadmap.next_focus]))
    following = next(p for p in PHASES if p.first_month == roadmap.month_index + roadmap.months_to_next_phase)
    return tr("roadmap.next_same", phase=phase, next=tr(f"phase.{following.id}"),
              months=words.number(Quantity(roadmap.months_to_next_phase, "months")))


def roadmap_view(roadmap: Roadmap, month: Month, words: Words) -> RoadmapView:
    tr = words.tr
    phase = next(p for p in PHASES if p.id == roadmap.phase_id)
    step = roadmap.launch_step
    first, last = LAUNCH_STEPS[step - 1]
    rows = tuple((_window(*m.window, tr), tr(f"roadmap.milestone.{m.id}"), _evidence(m, words), _state(m, tr),
                  words.month(m.reached)) for m in roadmap.milestones)
    due = next((m for m in roadmap.milestones if m.id == roadmap.due_now), None)
    return RoadmapView(
        position=tr("roadmap.position", index=roadmap.month_index, phase=tr(f"phase.{roadmap.phase_id}"),
                    focus=words.join([tr.kpi_name(k) for k in phase.focus])),
        step=tr("roadmap.step", step=step, months=_window(first, last, tr), doing=tr(f"roadmap.step.{step}.doing"),
                goal=tr(f"roadmap.step.{step}.goal")),
        milestones=Table(tuple(tr(f"roadmap.col.{c}") for c in ("when", "milestone", "check", "state", "reached")),
                         rows),
        due_now=tr("roadmap.due_now", milestone=tr(f"roadmap.milestone.{due.id}"), state=_state(due, tr))
        if due else tr("roadmap.none_due"),
        scoring_status=_scoring_status(roadmap.scoring, words),
        next_month=_next_month(roadmap, month, words),
    )


def capacity_view(capacity: Capacity | None, words: Words) -> CapacityView:
    tr = words.tr
    if capacity is None:
        return CapacityView(False, tr("capacity.no_team"), Table((), ()), "", "", (), "")

    def hours(value: float) -> str:
        return words.number(Quantity(value, "hours"))

    def span(low: float, high: float) -> str:
        return tr("capacity.range", low=f"{low:g}", high=f"{high:g}")

    rows = [(tr(f"role.{r.role}"), f"{r.people:g}", tr("capacity.dedicated" if r.dedicated else "capacity.part_time")
             if r.people else NO_VALUE, hours(r.weekly_hours), span(*r.recommended),
             hours(r.shortfall) if r.shortfall else NO_VALUE) for r in capacity.roles]
    rows.append((tr("capacity.total"), f"{capacity.dedicated_people + capacity.part_time_people:g}", "",
                 hours(capacity.total_hours), span(*capacity.recommended_total),
                 hours(capacity.shortfall_hours) if capacity.shortfall_hours else NO_VALUE))
    size = capacity.company_size
    return CapacityView(
        present=True,
        note="",
        table=Table(tuple(tr(f"capacity.col.{c}") for c in ("role", "people", "kind", "hours", "recommended",
                                                            "shortfall")), tuple(rows)),
        structure=tr("capacity.structure", size=tr(f"capacity.size.{size}"),
                     recommended=tr(f"capacity.recommended.{size}"), point=tr(f"capacity.point.{size}")),
        actual=tr("capacity.actual", dedicated=words.number(Quantity(capacity.dedicated_people, "people")),
                  part_time=words.number(Quantity(capacity.part_time_people, "people")),
                  external=tr("capacity.external.yes" if capacity.external_support else "capacity.external.no")),
        gaps=tuple(words.sentence(g) for g in capacity.structure_gaps),
        meets="" if capacity.structure_gaps else tr("capacity.meets"),
    )
