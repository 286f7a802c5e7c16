"""The health check against the seed's five failure patterns: each pattern's status is its worst
finding, it started when its oldest running finding did, and it links to the action rules for it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from retropack.insights.content_plan import ContentPlan
from retropack.insights.diagnosis import content_shortage, data_quality, sales_alignment, stretched_team, tool_as_goal
from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis.capacity import Capacity
from retropack.insights.diagnosis.evidence import Evidence, worst
from retropack.months import Month
from retropack.rules import PATTERN_IDS, HealthThresholds, Level

__all__ = ["RAISED", "check_health", "pattern_in", "PatternCheck"]

RAISED: tuple[Level, ...] = ("watch", "alert")


@dataclass(frozen=True)
class PatternCheck:
    id: str  # one of PATTERN_IDS, in the seed's order
    status: Level
    evidence: tuple[Evidence, ...]
    action_ids: tuple[str, ...]

    @property
    def number(self) -> int:
        """The seed's numbering: 失敗パターン1–5."""
        return PATTERN_IDS.index(self.id) + 1

    @property
    def raised(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.level in RAISED)

    @property
    def since(self) -> Month | None:
        """When the oldest finding still running began."""
        return min((e.since for e in self.raised if e.since is not None), default=None)


def pattern_in(health: Sequence[PatternCheck], pattern_id: str) -> PatternCheck:
    """The check of ``pattern_id`` among ``health``."""
    return next(p for p in health if p.id == pattern_id)


def check_health(inputs: DiagnosisInputs, limits: HealthThresholds, capacity: Capacity | None,
                 content: ContentPlan, cadence: dict[str, int],
                 only: Collection[str] = PATTERN_IDS) -> tuple[PatternCheck, ...]:
    """The patterns of ``only`` (all five by default), in the seed's order."""
    checks: dict[str, Callable[[], list[Evidence]]] = {
        "tool_as_goal": lambda: tool_as_goal.check(inputs, limits.tool_as_goal),
        "stretched_team": lambda: stretched_team.check(inputs, limits.stretched_team, capacity),
        "sales_alignment": lambda: sales_alignment.check(inputs, limits.sales_alignment),
        "content_shortage": lambda: content_shortage.check(inputs, limits.content_shortage, content, cadence),
        "data_quality": lambda: data_quality.check(inputs, limits.data_quality),
    }
    links = limits.linked_actions()
    found = {pid: checks[pid]() for pid in PATTERN_IDS if pid in only}
    return tuple(PatternCheck(pid, worst(e.level for e in evidence), tuple(evidence), tuple(links[pid]))
                 for pid, evidence in found.items())
