"""The health check's thresholds, read from the ``health:`` block of the editable rules file.

Every default comes from the seed where it names a number (週10〜15時間, 3+ months, 2+ months) and is
otherwise a starting point a team tunes; each pattern lists the action rules that address it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["ok", "watch", "alert", "no_data"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """A measure that is worse the higher it is: ``watch`` from one value, ``alert`` from another."""

    watch: float = Field(ge=0)
    alert: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.alert < self.watch:
            raise ValueError(f"alert ({self.alert:g}) must not be below watch ({self.watch:g})")
        return self

    def level(self, value: float | None) -> Level:
        if value is None:
            return "no_data"
        if value >= self.alert:
            return "alert"
        return "watch" if value >= self.watch else "ok"


def _band(watch: float, alert: float) -> Band:
    return Band(watch=watch, alert=alert)


class Pattern(_Strict):
    actions: list[str] = Field(default_factory=list)  # ids of the action rules that address the pattern


class ToolAsGoal(Pattern):
    """失敗パターン1: the tool became the goal — nothing is aimed at, measured, or improving."""

    focus_without_target: Band = _band(1, 2)  # focus KPIs of the phase with no target
    kpis_without_value: Band = _band(2, 4)  # KPIs of the catalogue with no value this month
    months_without_improvement: Band = _band(3, 6)  # a focus KPI short of target has not beaten its best


class StretchedTeam(Pattern):
    """失敗パターン2: the MA owner is part-time and nothing new ships."""

    months_without_scenario_change: Band = _band(2, 3)
    content_published_share: float = Field(0.9, gt=0, le=1)  # below this share of the month's plan = behind
    months_behind_content_plan: Band = _band(1, 2)
    roles_below_recommended_hours: Band = _band(1, 2)
    min_weekly_hours: float = Field(10, ge=0)  # seed: 最低でも週10〜15時間


class SalesAlignment(Pattern):
    """失敗パターン3: sales and marketing do not hold up their sides of the SLA."""

    months_off_track: Band = _band(1, 2)  # below target or falling, consecutive months
    falling_share: float = Field(0.10, gt=0)  # worse than the mean of the 3 months before by this share
    never_touched_mql_share: Band = _band(0.05, 0.15)
    min_owner_mqls: int = Field(5, ge=1)  # an owner's SLA rate is shown from this many MQLs


class ContentShortage(Pattern):
    """失敗パターン4: scenarios run out of content and reuse what they have."""

    cadence_shortfall: Band = _band(1, 3)  # items published short of the cadence this month
    months_scenario_silent: Band = _band(1, 2)  # a live scenario that sent before and sends nothing now
    reused_min_months: int = Field(3, ge=2)  # a piece counts as reused from this many months in use
    reused_min_delivered: int = Field(200, ge=1)  # deliveries needed in a month to compare its rates
    reused_engagement_drop: Band = _band(0.15, 0.30)  # fall of opens or clicks since its first month


class DataQuality(Pattern):
    """失敗パターン5: duplicates, gaps and errors in the lead data; mail reaching the wrong people."""

    reject_share: Band = _band(0.01, 0.03)
    duplicate_email_share: Band = _band(0.02, 0.05)  # new leads whose e-mail an earlier lead already has
    missing_share: Band = _band(0.05, 0.15)  # new leads without source, segment or e-mail
    months_unsubscribes_off_track: Band = _band(1, 2)  # above target or rising, consecutive months
    rising_share: float = Field(0.20, gt=0)


class Scoring(_Strict):
    """成功パターン4: the quarterly lead-scoring review."""

    window_months: int = Field(12, ge=3)  # MQLs and leads of these months are reviewed
    sql_wait_days: int = Field(30, ge=0)  # an MQL younger than this has had no time to become SQL
    high_score_quantile: float = Field(0.9, gt=0, lt=1)  # "high score": at or above this quantile of leads
    min_age_days: int = Field(60, ge=0)  # a lead younger than this has had no time to become an opportunity
    inactive_days: int = Field(90, ge=1)  # seed: 不活性リードのスコア低下
    decay_gap: float = Field(0.10, ge=0, lt=1)  # quiet leads should score this much below active ones
    median_gap: float = Field(0.10, ge=0)  # SQL MQLs' median score should beat the others' by this share
    min_mqls_above: int = Field(30, ge=1)  # a suggested threshold keeps at least this many MQLs above it


class HealthThresholds(_Strict):
    """The ``health:`` block: one entry per failure pattern, plus the scoring review."""

    tool_as_goal: ToolAsGoal = Field(default_factory=ToolAsGoal)
    stretched_team: StretchedTeam = Field(default_factory=StretchedTeam)
    sales_alignment: SalesAlignment = Field(default_factory=SalesAlignment)
    content_shortage: ContentShortage = Field(default_factory=ContentShortage)
    data_quality: DataQuality = Field(default_factory=DataQuality)
    scoring: Scoring = Field(default_factory=Scoring)

    def linked_actions(self) -> dict[str, list[str]]:
        """Pattern id → the action rule ids it links to."""
        return {name: getattr(self, name).actions for name in PATTERN_IDS}


PATTERN_IDS: tuple[str, ...] = ("tool_as_goal", "stretched_team", "sales_alignment", "content_shortage",
                                "data_quality")
