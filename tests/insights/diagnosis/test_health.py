"""The health check on the fixture programs: the healthy one raises nothing, each variant raises its
own failure pattern with the evidence behind it and the month it started, thresholds come from the
rules file, and missing data is named instead of guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from retropack.errors import ConfigError
from retropack.insights.analysis import analyse as analyse_month
from retropack.months import Month
from retropack.rules import bundled_rules_file, load_rules
from tests.programs import VARIANTS, healthy

MAY = Month(2025, 5)

# pattern → (evidence codes the variant must raise to alert, the value that shows it)
EXPECTED = {
    "tool_as_goal": ("focus_without_target", "count", 2),
    "stretched_team": ("team_below_minimum", "hours", 6),
    "sales_alignment": ("mqls_never_touched", "share", 1.0),
    "content_shortage": ("scenario_silent", "months", 2),
    "data_quality": ("duplicate_emails", "share", 0.1),
}


def test_the_healthy_program_raises_no_pattern(analyse) -> None:
    diagnosis = analyse(healthy()).diagnosis
    assert {p.id: p.status for p in diagnosis.health} == dict.fromkeys(VARIANTS, "ok")
    assert all(p.since is None and not p.raised for p in diagnosis.health)


@pytest.mark.parametrize("pattern", list(VARIANTS))
def test_each_variant_raises_its_pattern_with_evidence(analyse, pattern: str) -> None:
    check = analyse(VARIANTS[pattern](healthy())).diagnosis.pattern(pattern)
    code, key, value = EXPECTED[pattern]
    evidence = next(e for e in check.evidence if e.code == code)
    assert check.status == "alert" and evidence.level == "alert"
    assert evidence.values[key].value == pytest.approx(value)  # type: ignore[union-attr]
    assert check.action_ids, "an alert links to the action rules that address it"


@pytest.mark.parametrize("pattern", ["sales_alignment", "content_shortage", "data_quality"])
def test_a_pattern_spoilt_from_may_started_in_may(analyse, pattern: str) -> None:
    assert analyse(VARIANTS[pattern](healthy())).diagnosis.pattern(pattern).since == MAY


def test_a_variant_leaves_unrelated_patterns_alone(analyse) -> None:
    statuses = {p.id: p.status for p in analyse(VARIANTS["sales_alignment"](healthy())).diagnosis.health}
    assert statuses == {**dict.fromkeys(VARIANTS, "ok"), "sales_alignment": "alert"}


def test_the_sla_evidence_names_the_run_and_the_slowest_owner(analyse) -> None:
    check = analyse(VARIANTS["sales_alignment"](healthy())).diagnosis.pattern("sales_alignment")
    sla = next(e for e in check.evidence if e.values.get("kpi") and e.values["kpi"].kpi_id == "sla_followup_rate")
    assert (sla.code, sla.values["actual"].value, sla.values["months"].value, sla.since) == (
        "kpi_below_target", 0.0, 2, MAY)
    assert any(e.code == "sla_slowest_owner" for e in check.evidence)


def test_a_stale_scenario_and_missing_hours_feed_pattern_2(analyse) -> None:
    check = analyse(VARIANTS["stretched_team"](healthy())).diagnosis.pattern("stretched_team")
    codes = {e.code: e for e in check.evidence}
    assert codes["content_behind_plan"].values["months"].value == 2  # type: ignore[union-attr]
    assert codes["roles_below_hours"].values["shortfall"].value == 33 - 6  # type: ignore[union-attr]
    assert "structure_role_not_dedicated" in codes


def test_an_alert_links_to_the_rules_that_address_it(analyse) -> None:
    analysis = analyse(VARIANTS["sales_alignment"](healthy()))
    linked = analysis.diagnosis.pattern("sales_alignment").action_ids
    assert {"sla-followup", "never-followed-mqls"} <= set(linked)
    assert {"sla-followup", "never-followed-mqls"} & {a.rule.id for a in analysis.actions.commitments}


def test_thresholds_come_from_the_rules_file(tmp_path: Path, analyse) -> None:
    rules = yaml.safe_load(bundled_rules_file().read_text(encoding="utf-8"))
    rules["health"]["sales_alignment"]["never_touched_mql_share"] = {"watch": 0.5, "alert": 1.01}
    rules["health"]["sales_alignment"]["months_off_track"] = {"watch": 1, "alert": 3}
    (tmp_path / "strict.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    program = VARIANTS["sales_alignment"](healthy())
    program.config["advice"] = {"rules_file": str(tmp_path / "strict.yaml")}
    assert analyse(program).diagnosis.pattern("sales_alignment").status == "watch"


def test_a_health_link_to_an_unknown_rule_is_an_error_naming_the_key(tmp_path: Path) -> None:
    rules = yaml.safe_load(bundled_rules_file().read_text(encoding="utf-8"))
    rules["health"]["data_quality"]["actions"] = ["list-hygeine"]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"health\.data_quality\.actions.*'list-hygeine'.*'list-hygiene'"):
        load_rules(path)


def test_without_the_optional_data_the_checks_say_what_would_enable_them(analyse) -> None:
    program = healthy()
    for table in ("content_calendar", "scenarios"):
        del program.tables[table]
    program.tables["leads"] = program.tables["leads"].drop(columns=["first_sales_touch_at", "email"])
    program.tables["email_sends"] = program.tables["email_sends"].drop(columns=["scenario", "content_id", "campaign"])
    del program.config["team"]
    diagnosis = analyse(program).diagnosis
    missing = {e.values.get("data") for p in diagnosis.health for e in p.evidence if e.level == "no_data"}
    assert {"content_calendar", "leads.first_sales_touch_at", "leads.email", "email_sends.scenario",
            "email_sends.content_id", "team", "scenarios / email_sends.scenario"} <= missing
    assert diagnosis.capacity is None


def test_a_month_without_any_data_gives_a_diagnosis_not_a_crash(tmp_path: Path) -> None:
    """A run refuses such a month (steps.compute); the analysis under it still copes with one."""
    config, dataset = healthy().load(tmp_path)
    diagnosis = analyse_month(dataset, config, Month.parse("2025-09"), scoring_review=True).diagnosis  # data ends in June
    assert diagnosis.pattern("content_shortage").status == "alert"  # every live scenario went silent
    assert next(e for e in diagnosis.pattern("tool_as_goal").evidence if e.code == "kpis_without_value").level \
        == "alert"
    assert diagnosis.scoring is not None and diagnosis.scoring.mqls > 0  # the MQLs of the months before
