"""The rules file: the improvement-action rules (section 4) and the health check's thresholds.

A team edits the file, never the code. The bundled ``rules.yaml`` is the default; a ``rules.yaml``
beside the client's config, or ``advice.rules_file``, replaces it. Rules are loaded with the
settings, so a broken rules file stops the run before any data is read.

Every threshold default comes from the seed where it names a number (週10〜15時間, 3+ months,
2+ months) and is otherwise a starting point a team tunes; each pattern lists the action rules
that address it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from retropack._strict import StrictModel as _Strict
from retropack._strict import did_you_mean
from retropack._yaml import load_yaml
from retropack.errors import ConfigError
from retropack.kpis.catalog import KPI_IDS
from retropack.kpis.evaluation import Status

__all__ = ["ActionRule", "Band", "Condition", "HealthThresholds", "Level", "PATTERN_IDS", "Rules", "Wording",
           "bundled_rules_file", "load_rules"]

Level = Literal["ok", "watch", "alert", "no_data"]


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


# --- the improvement-action rules -------------------------------------------------------------------------


class Wording(_Strict):
    """A committed action in one language: what to do, the data behind it, and what should follow."""

    title: str
    evidence: str
    expected: str


class Condition(_Strict):
    """When a rule fires: its KPI's status is listed (or, with ``worsened``, the KPI got 10 % worse),
    its signal is at least ``at_least``, its KPI's change was mostly ``explained_by`` the mix or the rate,
    and an insight of type ``insight`` was found (for its KPI, or for any KPI when the rule has none)."""

    status: list[Status] = Field(default_factory=list)
    worsened: bool = False
    signal: str | None = None
    at_least: float = 1
    explained_by: Literal["mix", "rate"] | None = None
    insight: Literal["concentration", "unusual_change", "trend", "pace"] | None = None
    subject_is_driver: bool = False  # the subject the rule names (the worn-out piece) must be the KPI's driver
    unreliable: bool = False  # fires for each KPI a data finding touches: the only action on it is to fix the data


class ActionRule(_Strict):
    """An improvement action: when it fires, who does it (the team, and the ``role`` whose member is named),
    by when (the ``due_business_day``-th business day of the month after the report) and its wording."""

    id: str
    kpi: str | None = None
    when: Condition
    owner: Literal["marketing", "sales", "joint"]
    serves: str | None = None  # the KPI the action aims to move, when it fires on a signal alone (default: kpi)
    role: Literal["ma_admin", "content", "analyst", "sales_liaison"] | None = None
    due_business_day: int = Field(10, ge=1, le=23)  # 5 = within the meeting's week; past the month's last: its last
    standing: bool = False  # fires every month; proposed only to reach the minimum of committed actions
    moves_kpi: bool = True  # false: it works on the reported month's own records (a closed month): no KPI figure
    seed: dict[Literal["ja", "en"], str] = Field(default_factory=dict)
    text: dict[Literal["ja", "en"], Wording]

    @property
    def target_kpi(self) -> str:
        """The KPI the action is recorded against (``actions.json``): the one it fires on, or the one it serves."""
        return self.kpi or self.serves or ""


class Rules(_Strict):
    actions: list[ActionRule]
    health: HealthThresholds = Field(default_factory=HealthThresholds)  # thresholds of the health check

    def rule(self, rule_id: str) -> ActionRule:
        return next(rule for rule in self.actions if rule.id == rule_id)


def bundled_rules_file() -> Path:
    """The rules that ship with retropack: the default when no rules file is configured."""
    return Path(str(files(__package__).joinpath("rules.yaml")))


def _unknown(kpi: str | None) -> str:
    return f" (unknown KPI '{kpi}'{did_you_mean(kpi, KPI_IDS)})" if kpi else ""


def load_rules(path: Path) -> Rules:
    """Read and check a rules file; every error names the file and the key."""
    where = f"Rules file '{path}'"
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        rules = Rules.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(f"{where} does not exist: set advice.rules_file to the path of the rules YAML.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} cannot be read ({exc}): save it as UTF-8 text.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}.") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: key '{key}': {first['msg']}. Fix the rule in the file.") from None
    for rule in rules.actions:
        if rule.when.unreliable:
            continue  # it fires on whichever KPI a data finding touches
        if rule.kpi is not None and rule.kpi not in KPI_IDS:
            raise ConfigError(f"{where}: rule '{rule.id}' names unknown KPI '{rule.kpi}'"
                              f"{did_you_mean(rule.kpi, KPI_IDS)}.")
        if rule.kpi is None and rule.when.signal is None and rule.when.insight is None and not rule.standing:
            raise ConfigError(f"{where}: rule '{rule.id}' needs a 'kpi', a 'when.signal' or a 'when.insight' to "
                              "fire on.")
        if rule.target_kpi not in KPI_IDS:
            raise ConfigError(f"{where}: rule '{rule.id}' needs the KPI its action aims to move: set 'kpi', or "
                              f"'serves' for a rule that fires on a signal{_unknown(rule.serves)}.")
        if rule.when.explained_by is not None and rule.kpi is None:
            raise ConfigError(f"{where}: rule '{rule.id}' has 'when.explained_by' without the 'kpi' it reads.")
    known = [rule.id for rule in rules.actions]
    for pattern, linked in rules.health.linked_actions().items():
        for rule_id in linked:
            if rule_id not in known:
                raise ConfigError(f"{where}: key 'health.{pattern}.actions' names unknown action rule "
                                  f"'{rule_id}'{did_you_mean(rule_id, known)}.")
    return rules
