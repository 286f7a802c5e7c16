"""Action rules that fire on the explanations and insights: 'the change came mostly from the mix', and
'an insight of this type was found' (rules.yaml's explained_by and insight)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from retropack.errors import ConfigError
from retropack.insights.actions import choose_actions
from retropack.insights.patterns import Insight
from retropack.insights.why import Cause, Why
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult
from retropack.months import Month
from retropack.rules import Rules, load_rules

RULES = Rules.model_validate({"actions": [
    {"id": "send-mix", "kpi": "email_open_rate", "when": {"status": ["missed"], "explained_by": "mix"},
     "owner": "marketing", "text": {"ja": {"title": "t", "evidence": "e", "expected": "x"}, "en": {"title": "t", "evidence": "e", "expected": "x"}}},
    {"id": "unusual", "serves": "sqls", "when": {"insight": "unusual_change"}, "owner": "joint",
     "text": {"ja": {"title": "t", "evidence": "e", "expected": "x"}, "en": {"title": "t", "evidence": "e", "expected": "x"}}},
]})


def missed_open_rate() -> KpiResult:
    return KpiResult(KPIS["email_open_rate"], 0.2, 0.28, 0.25, "missed", False, ((Month(2026, 10), 0.2),))


def ids(whys: dict[str, Why], insights: list[Insight]) -> list[str]:
    return [a.rule.id for a in choose_actions(RULES, [missed_open_rate()], {}, Month(2026, 10), None, whys, insights)]


def test_explained_by_fires_only_on_the_named_side() -> None:
    cause = (Cause("mix", -0.05, "scenario"),)
    assert ids({"email_open_rate": Why(cause, (), "mix")}, []) == ["send-mix"]
    assert ids({"email_open_rate": Why(cause, (), "rate")}, []) == []
    assert ids({"email_open_rate": Why((), (), "mix")}, []) == []  # no cause beyond noise: nothing to act on


def test_an_insight_rule_fires_when_the_insight_is_found_for_any_kpi() -> None:
    assert ids({}, [Insight("unusual_change", "sqls", {})]) == ["unusual"]
    assert ids({}, [Insight("trend", "sqls", {})]) == []


def test_explained_by_needs_the_kpi_it_reads(tmp_path: Path) -> None:
    rules = {"actions": [{"id": "x", "serves": "sqls", "when": {"explained_by": "mix", "signal": "s"}, "owner": "joint",
                          "text": {"ja": {"title": "t", "evidence": "e", "expected": "x"}, "en": {"title": "t", "evidence": "e", "expected": "x"}}}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rule 'x' has 'when.explained_by' without the 'kpi' it reads"):
        load_rules(tmp_path / "rules.yaml")
