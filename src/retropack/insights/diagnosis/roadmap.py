"""Where the program stands on the seed's roadmap (運用フェーズ別ロードマップ, 立ち上げステップ): the
milestones by month with the evidence the data holds for each, and the phase change coming next month.

A milestone is shown by what the data records of the work itself, not by a proxy: the MQL definition
is agreed when sales acts on MQLs (first follow-up within the SLA at or above its target, or sales'
feedback on them), the first KPI review when the funnel KPIs are all measured, ROI is visible when it
can be computed from spend and MA-sourced wins. A milestone that describes a way of working (``lasting``)
is checked again this month and must agree with the health check: reached once but not holding now,
or with its failure pattern on alert, it reads as reached but not kept, with what fails now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from retropack.insights.diagnosis._activity import scenario_changes
from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis.evidence import Evidence, KpiRef, Quantity, Term
from retropack.insights.diagnosis.health import PatternCheck
from retropack.insights.diagnosis.scoring import ReviewSchedule, review_schedule
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import judge, kpi_value
from retropack.kpis.phases import PHASES, phase_for_index
from retropack.months import Month

__all__ = ["FUNNEL_KPIS", "LAUNCH_STEPS", "MILESTONES", "REVIEW_RUN", "SCENARIOS_BY_REVIEW", "Milestone",
           "MilestoneDefinition", "MilestoneState", "Proof", "position", "Roadmap"]

MilestoneState = Literal["reached", "reached_late", "lapsed", "due", "overdue", "upcoming"]
FUNNEL_KPIS = (*PHASES[0].focus, *PHASES[1].focus)  # what a first KPI review reads: launch and growth focus
REVIEW_RUN = 3  # months in a row the funnel is measured before the monthly review counts as settled
SCENARIOS_BY_REVIEW = 3  # seed: the first scenario plus シナリオ追加(2〜3本)
LAUNCH_STEPS = ((1, 2), (3, 4), (5, 6), (7, None))  # 成功パターン1: Phase 1–4 by program month


@dataclass(frozen=True)
class MilestoneDefinition:
    id: str
    window: tuple[int, int]  # program months in which the seed schedules it
    requires: tuple[str, ...]  # data the check reads, every one: "table" or "table.column"
    either: tuple[str, ...] = ()  # data of which the check needs at least one
    lasting: bool = False  # a way of working, checked again every month (not a one-off event)
    pattern: str | None = None  # the failure pattern whose alert means it is not kept this month


MILESTONES: tuple[MilestoneDefinition, ...] = (
    MilestoneDefinition("first_send", (1, 1), ("email_sends",)),  # 初回メール配信
    MilestoneDefinition("mql_definition", (2, 2), ("leads.mql_at",),  # MQLの定義合意
                        either=("leads.first_sales_touch_at", "mql_feedback"), lasting=True,
                        pattern="sales_alignment"),
    MilestoneDefinition("first_kpi_review", (3, 3), ("leads.mql_at", "leads.sql_at")),  # 初回KPIレビュー完了
    MilestoneDefinition("monthly_review", (4, 6), ("leads.mql_at", "leads.sql_at"),  # 月次レビュー定着
                        lasting=True, pattern="tool_as_goal"),
    MilestoneDefinition("roi_visible", (7, 12), ("spend",), lasting=True),  # ROI可視化
)


@dataclass(frozen=True)
class Proof:
    """What the data shows of a milestone in one month: whether it shows it, and the facts either way."""

    shown: bool
    evidence: tuple[Evidence, ...]  # level ok: a fact that shows it; alert: a fact that falls short

    @property
    def showing(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.level == "ok")

    @property
    def failing(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.level != "ok")


@dataclass(frozen=True)
class Milestone:
    id: str
    window: tuple[int, int]
    state: MilestoneState
    reached: Month | None
    missing: tuple[str, ...]  # data the check needs and the dataset lacks
    lasting: bool = False
    proof: tuple[Evidence, ...] = ()  # what showed it in the month it was reached
    now: tuple[Evidence, ...] = ()  # this month (lasting or not reached): what holds, or what falls short
    kept: bool | None = None  # lasting and reached: whether it holds this month


@dataclass(frozen=True)
class Roadmap:
    month_index: int
    phase_id: str
    launch_step: int  # 1–4
    milestones: tuple[Milestone, ...]
    due_now: str | None  # the milestone whose window holds this month
    next_phase: str | None  # set when next month starts a new phase
    next_focus: tuple[str, ...]
    next_targets: dict[str, float]
    months_to_next_phase: int | None  # None: no phase after this one
    scoring: ReviewSchedule  # when the lead-scoring review is next due, and when it last was


def _proof(*evidence: Evidence, any_of: bool = False) -> Proof:
    """Shown when every fact holds (or, with ``any_of``, one of them)."""
    oks = [e.level == "ok" for e in evidence]
    return Proof(any(oks) if any_of else all(oks), evidence)


def _checks(inputs: DiagnosisInputs) -> dict[str, Callable[[Month], Proof]]:
    """Milestone id → "what does the data show of it in this month?"."""

    @cache
    def value(kpi_id: str, month: Month) -> float | None:
        return kpi_value(KPIS[kpi_id], inputs.kpis, month)  # cached, and no value where it overflows

    def unmeasured(month: Month) -> tuple[KpiRef, ...]:
        return tuple(KpiRef(k) for k in FUNNEL_KPIS if value(k, month) is None)

    def first_send(month: Month) -> Proof:
        sends = inputs.kpis.sends
        delivered = float(sends.loc[sends["sent_at_m"] == month.index, "delivered"].sum())
        if not delivered:
            return _proof(Evidence("no_send", "alert"))
        return _proof(Evidence("first_send", "ok", {"delivered": Quantity(delivered, "count")}))

    def sla(month: Month) -> Evidence:
        rate, target = value("sla_followup_rate", month), inputs.targets_for(month).get("sla_followup_rate")
        values = {"rate": Quantity(rate, "rate"), "target": Quantity(target, "rate")}
        if rate is None:
            return Evidence("sla_no_mqls", "alert", values)
        if target is None:
            return Evidence("sla_no_target", "alert", values)
        met = judge(rate, target, "higher", inputs.tolerance) == "achieved"
        return Evidence("sla_met" if met else "sla_missed", "ok" if met else "alert", values)

    feedback = inputs.table("mql_feedback")

    def mql_definition(month: Month) -> Proof:
        found = [sla(month)] if inputs.has_column("leads", "first_sales_touch_at") else []
        if feedback is not None:
            given = int(feedback.loc[feedback["month"] == str(month), "lead_id"].nunique())
            found.append(Evidence("feedback_given", "ok", {"count": Quantity(given, "count")}) if given
                         else Evidence("no_feedback", "alert"))
        return _proof(*found, any_of=True)

    def first_kpi_review(month: Month) -> Proof:
        missing = unmeasured(month)
        if missing:
            return _proof(Evidence("funnel_unmeasured", "alert", {"kpis": missing}))
        return _proof(Evidence("funnel_measured", "ok", {"kpis": tuple(KpiRef(k) for k in FUNNEL_KPIS)}))

    launched = scenario_changes(inputs).groupby("scenario")["m"].min()

    def monthly_review(month: Month) -> Proof:
        found = []
        for back in range(REVIEW_RUN):
            earlier = month.shift(-back)
            if missing := unmeasured(earlier):
                found.append(Evidence("review_gap", "alert", {"month": earlier, "kpis": missing}))
                break
        else:
            found.append(Evidence("review_run", "ok", {"months": Quantity(REVIEW_RUN, "months")}))
        count = int((launched <= month.index).sum())
        found.append(Evidence("scenarios_live" if count >= SCENARIOS_BY_REVIEW else "scenarios_few",
                              "ok" if count >= SCENARIOS_BY_REVIEW else "alert",
                              {"count": Quantity(count, "count"), "needed": Quantity(SCENARIOS_BY_REVIEW, "count")}))
        return _proof(*found)

    def roi_visible(month: Month) -> Proof:
        roi = value("roi", month)
        if roi is None:
            return _proof(Evidence("no_spend", "alert"))
        if value("ltv", month) is None:  # no MA-sourced win in the 12 months ending here: nothing attributed
            return _proof(Evidence("no_ma_wins", "alert", {"roi": Quantity(roi, "rate")}))
        return _proof(Evidence("roi_computed", "ok", {"roi": Quantity(roi, "rate")}))

    return {"first_send": first_send, "mql_definition": mql_definition, "first_kpi_review": first_kpi_review,
            "monthly_review": monthly_review, "roi_visible": roi_visible}


def _missing(inputs: DiagnosisInputs, definition: MilestoneDefinition) -> tuple[str, ...]:
    def has(data: str) -> bool:
        table, _, column = data.partition(".")
        return inputs.has_column(table, column) if column else inputs.table(table) is not None

    missing = tuple(d for d in definition.requires if not has(d))
    if definition.either and not any(has(d) for d in definition.either):
        missing += definition.either
    return missing


def _first_month(inputs: DiagnosisInputs, check: Callable[[Month], Proof]) -> tuple[Month, Proof] | None:
    for offset in range(inputs.month - inputs.start + 1):
        month = inputs.start.shift(offset)
        proof = check(month)
        if proof.shown:
            return month, proof
    return None


def _pattern_alert(definition: MilestoneDefinition, health: dict[str, PatternCheck]) -> Evidence | None:
    check = health.get(definition.pattern or "")
    if check is None or check.status != "alert":
        return None
    return Evidence("pattern_alert", "alert", {"number": Quantity(check.number, "count"),
                                               "pattern": Term(f"health.pattern.{check.id}.name")})


def _milestone(definition: MilestoneDefinition, inputs: DiagnosisInputs, check: Callable[[Month], Proof],
               health: dict[str, PatternCheck]) -> Milestone:
    index = inputs.month_index(inputs.month)
    missing = _missing(inputs, definition)
    first, last = definition.window
    if missing:
        state = "overdue" if index > last else "due" if index >= first else "upcoming"
        return Milestone(definition.id, definition.window, state, None, missing, definition.lasting)
    found, now = _first_month(inputs, check), check(inputs.month)
    if found is None:
        state = "overdue" if index > last else "due" if index >= first else "upcoming"
        return Milestone(definition.id, definition.window, state, None, (), definition.lasting, now=now.failing)
    reached, proof = found
    if not definition.lasting:
        state = "reached" if reached - inputs.start + 1 <= last else "reached_late"
        return Milestone(definition.id, definition.window, state, reached, (), False, proof.showing)
    alert = _pattern_alert(definition, health)
    kept = now.shown and alert is None
    if kept:
        state, said = ("reached" if reached - inputs.start + 1 <= last else "reached_late"), now.showing
    else:  # what fails now: the milestone's own facts first, else the pattern's alert
        state, said = "lapsed", now.failing or ((alert,) if alert else ())
    return Milestone(definition.id, definition.window, state, reached, (), True, proof.showing, said, kept)


def _launch_step(index: int) -> int:
    return next(step for step, (first, last) in enumerate(LAUNCH_STEPS, 1) if last is None or index <= last)


def position(inputs: DiagnosisInputs, health: tuple[PatternCheck, ...], review_every: int) -> Roadmap:
    """The roadmap this month; ``health`` is the same month's health check, which the milestones never
    contradict; ``review_every`` the months between lead-scoring reviews."""
    index = inputs.month_index(inputs.month)
    checks = _checks(inputs)
    patterns = {p.id: p for p in health}
    milestones = tuple(_milestone(d, inputs, checks[d.id], patterns) for d in MILESTONES)
    phase, following = phase_for_index(index), phase_for_index(index + 1)
    changes = phase.last_month is not None
    return Roadmap(
        month_index=index,
        phase_id=phase.id,
        launch_step=_launch_step(index),
        milestones=milestones,
        due_now=next((d.id for d in MILESTONES if d.window[0] <= index <= d.window[1]), None),
        next_phase=following.id if following.id != phase.id else None,
        next_focus=following.focus,
        next_targets={k: v for k, v in inputs.targets_for(inputs.month.shift(1)).items() if k in following.focus},
        months_to_next_phase=(phase.last_month - index + 1) if changes else None,  # type: ignore[operator]
        scoring=review_schedule(inputs.month, index, review_every),
    )
