"""Section 4 of the agenda: this month's improvement actions, chosen by the rules in ``config/rules.yaml``.

A rule names a KPI and/or a signal and the conditions under which it fires; its wording (ja/en)
lives in the rules file so a team can tune advice without touching code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retropack.diagnosis.thresholds import HealthThresholds
from retropack.errors import ConfigError
from retropack.highlights import relative_move
from retropack.kpis.catalog import KPI_IDS
from retropack.kpis.evaluation import KpiResult
from retropack.yaml_text import load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wording(_Strict):
    title: str
    why: str


class Condition(_Strict):
    status: list[Literal["achieved", "near", "missed", "no_target", "no_data"]] = Field(default_factory=list)
    worsened: bool = False
    signal: str | None = None
    at_least: float = 1


class ActionRule(_Strict):
    id: str
    kpi: str | None = None
    when: Condition
    owner: Literal["marketing", "sales", "joint"]
    seed: dict[Literal["ja", "en"], str] = Field(default_factory=dict)
    text: dict[Literal["ja", "en"], Wording]


class Rules(_Strict):
    actions: list[ActionRule]
    health: HealthThresholds = Field(default_factory=HealthThresholds)  # thresholds of the health check


@dataclass(frozen=True)
class Action:
    rule_id: str
    kpi_id: str | None
    owner: str
    seed: str
    title: str
    why: str
    priority: tuple[int, ...] = field(default=(0,))


def load_rules(path: Path) -> Rules:
    where = f"Rules file '{path}'"
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        rules = Rules.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(f"{where} does not exist: set advice.rules_file to the path of the rules YAML.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}.") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: key '{key}': {first['msg']}. Fix the rule in the file.") from None
    for rule in rules.actions:
        if rule.kpi is not None and rule.kpi not in KPI_IDS:
            raise ConfigError(f"{where}: rule '{rule.id}' names unknown KPI '{rule.kpi}'.")
        if rule.kpi is None and rule.when.signal is None:
            raise ConfigError(f"{where}: rule '{rule.id}' needs a 'kpi' or a 'when.signal' to fire on.")
    known = [rule.id for rule in rules.actions]
    for pattern, linked in rules.health.linked_actions().items():
        for rule_id in linked:
            if rule_id not in known:
                close = difflib.get_close_matches(rule_id, known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ConfigError(f"{where}: key 'health.{pattern}.actions' names unknown action rule "
                                  f"'{rule_id}'{hint}.")
    return rules


class _Blank(dict):  # leaves unknown {fields} visible instead of failing on a typo in the rules file
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fires(rule: ActionRule, result: KpiResult | None, signals: dict[str, float]) -> bool:
    when = rule.when
    if result is not None:
        status_ok = not when.status or result.status in when.status
        worsened_ok = not when.worsened or (relative_move(result) or 0) <= -0.10
        if when.status and when.worsened:
            if not (status_ok or worsened_ok):
                return False
        elif not (status_ok and worsened_ok):
            return False
    if when.signal is not None and signals.get(when.signal, 0) < when.at_least:
        return False
    return True


def _worded(rule: ActionRule, result: KpiResult | None, fields: dict[str, dict[str, str]], locale: str,
            order: int) -> Action:
    values = _Blank({**fields.get("_signals", {}), **(fields.get(rule.kpi, {}) if rule.kpi else {})})
    wording = rule.text[locale]  # type: ignore[index]
    severity = {"missed": 0, "near": 1}.get(result.status, 2) if result else 1
    focus = 0 if result is not None and result.focus else 1
    seed = rule.seed.get(locale, "")
    return Action(rule.id, rule.kpi, rule.owner, seed, wording.title.format_map(values),
                  wording.why.format_map(values), (focus, severity, order))


def choose_actions(
    rules: Rules, results: list[KpiResult], signals: dict[str, float], fields: dict[str, dict[str, str]], locale: str
) -> list[Action]:
    """Actions whose rules fire, focus KPIs and misses first.

    ``fields`` gives, per KPI id (and ``"_signals"``), the formatted values a rule's wording may quote.
    """
    by_id = {r.kpi.id: r for r in results}
    chosen = []
    for order, rule in enumerate(rules.actions):
        result = by_id.get(rule.kpi) if rule.kpi else None
        if rule.kpi and result is None:
            continue
        if _fires(rule, result, signals):
            chosen.append(_worded(rule, result, fields, locale, order))
    return sorted(chosen, key=lambda a: a.priority)


def describe_rules(rules: Rules, results: list[KpiResult], fields: dict[str, dict[str, str]],
                   locale: str) -> dict[str, Action]:
    """Every rule worded for this month, fired or not: what the health check's alerts link to."""
    by_id = {r.kpi.id: r for r in results}
    return {rule.id: _worded(rule, by_id.get(rule.kpi) if rule.kpi else None, fields, locale, order)
            for order, rule in enumerate(rules.actions)}
