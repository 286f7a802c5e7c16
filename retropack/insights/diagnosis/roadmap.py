"""Where the program stands on the seed's roadmap (運用フェーズ別ロードマップ, 立ち上げステップ): the
milestones by month and whether the data shows each reached, and the phase change coming next month."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from retropack.insights.diagnosis._activity import scenario_changes
from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.kpis.catalog import KPIS
from retropack.kpis.phases import PHASES, phase_for_index
from retropack.months import Month

__all__ = ["FUNNEL_KPIS", "LAUNCH_STEPS", "MILESTONES", "REVIEW_RUN", "SCENARIOS_BY_REVIEW", "Milestone",
           "MilestoneDefinition", "MilestoneState", "position", "Roadmap"]

MilestoneState = Literal["reached", "reached_late", "due", "overdue", "upcoming"]
FUNNEL_KPIS = (*PHASES[0].focus, *PHASES[1].focus)  # what a first KPI review reads: launch and growth focus
REVIEW_RUN = 3  # months in a row the funnel is measured before the monthly review counts as settled
SCENARIOS_BY_REVIEW = 3  # seed: the first scenario plus シナリオ追加(2〜3本)
LAUNCH_STEPS = ((1, 2), (3, 4), (5, 6), (7, None))  # 成功パターン1: Phase 1–4 by program month


@dataclass(frozen=True)
class MilestoneDefinition:
    id: str
    window: tuple[int, int]  # program months in which the seed schedules it
    requires: tuple[tuple[str, str], ...]  # (table, column) the check reads; column "" = the table


MILESTONES: tuple[MilestoneDefinition, ...] = (
    MilestoneDefinition("first_send", (1, 1), (("email_sends", ""),)),  # 初回メール配信
    MilestoneDefinition("mql_definition", (2, 2), (("leads", "mql_at"),)),  # MQLの定義合意
    MilestoneDefinition("first_kpi_review", (3, 3), (("leads", "mql_at"), ("leads", "sql_at"))),  # 初回KPIレビュー完了
    MilestoneDefinition("monthly_review", (4, 6), (("leads", "mql_at"), ("leads", "sql_at"))),  # 月次レビュー定着
    MilestoneDefinition("roi_visible", (7, 12), (("spend", ""),)),  # ROI可視化
)


@dataclass(frozen=True)
class Milestone:
    id: str
    window: tuple[int, int]
    state: MilestoneState
    reached: Month | None
    missing: tuple[str, ...]  # data the check needs and the dataset lacks


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


def _first_month(inputs: DiagnosisInputs, reached: Callable[[Month], bool]) -> Month | None:
    for offset in range(inputs.month - inputs.start + 1):
        if reached(inputs.start.shift(offset)):
            return inputs.start.shift(offset)
    return None


def _checks(inputs: DiagnosisInputs) -> dict[str, Callable[[Month], bool]]:
    """Milestone id → "does the data show it reached by the end of this month?"."""

    @cache
    def value(kpi_id: str, month: Month) -> float | None:
        return KPIS[kpi_id].compute(inputs.kpis, month)

    def funnel_measured(month: Month) -> bool:
        return all(value(k, month) for k in FUNNEL_KPIS)

    launched = scenario_changes(inputs).groupby("scenario")["m"].min()
    sends_m = inputs.kpis.sends["sent_at_m"]
    leads = inputs.kpis.leads
    return {
        "first_send": lambda m: bool((sends_m <= m.index).any()),
        "mql_definition": lambda m: bool((leads["mql_at_m"] <= m.index).any()),
        "first_kpi_review": funnel_measured,
        "monthly_review": lambda m: (all(funnel_measured(m.shift(-k)) for k in range(REVIEW_RUN))
                                     and int((launched <= m.index).sum()) >= SCENARIOS_BY_REVIEW),
        "roi_visible": lambda m: bool(value("ma_won_amount", m)) and value("roi", m) is not None,
    }


def _state(window: tuple[int, int], index: int, reached: Month | None, start: Month) -> MilestoneState:
    if reached is not None:
        return "reached" if reached - start + 1 <= window[1] else "reached_late"
    if index > window[1]:
        return "overdue"
    return "due" if index >= window[0] else "upcoming"


def _launch_step(index: int) -> int:
    return next(step for step, (first, last) in enumerate(LAUNCH_STEPS, 1) if last is None or index <= last)


def position(inputs: DiagnosisInputs) -> Roadmap:
    index = inputs.month_index(inputs.month)
    checks = _checks(inputs)
    milestones = []
    for definition in MILESTONES:
        missing = tuple(f"{t}.{c}" if c else t for t, c in definition.requires
                        if (inputs.table(t) is None if not c else not inputs.has_column(t, c)))
        reached = None if missing else _first_month(inputs, checks[definition.id])
        milestones.append(Milestone(definition.id, definition.window,
                                    _state(definition.window, index, reached, inputs.start), reached, missing))
    phase, following = phase_for_index(index), phase_for_index(index + 1)
    changes = phase.last_month is not None
    return Roadmap(
        month_index=index,
        phase_id=phase.id,
        launch_step=_launch_step(index),
        milestones=tuple(milestones),
        due_now=next((d.id for d in MILESTONES if d.window[0] <= index <= d.window[1]), None),
        next_phase=following.id if following.id != phase.id else None,
        next_focus=following.focus,
        next_targets={k: v for k, v in inputs.targets_for(inputs.month.shift(1)).items() if k in following.focus},
        months_to_next_phase=(phase.last_month - index + 1) if changes else None,  # type: ignore[operator]
    )
