"""The config refuses bad input with a message naming the key (contract §5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retropack.config import load_settings
from retropack.errors import ConfigError

BASE = """\
client: acme
program:
  name: Acme
  start_month: 2025-06
data:
  path: data
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_loads_with_defaults_and_resolves_paths(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, BASE))
    assert settings.program.timezone == "Asia/Tokyo"
    assert settings.program.locale == "ja"
    assert settings.data.path == (tmp_path / "data").resolve()
    assert settings.targets.tolerance == 0.10
    assert settings.sla.followup_days == 3


def test_data_override(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, BASE), data=tmp_path / "other")
    assert settings.data.path == (tmp_path / "other").resolve()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("targets:\n  grwoth:\n    mqls: 50\n", r"unknown key 'targets.grwoth' \(did you mean 'growth'\?\)"),
        ("targets:\n  growth:\n    mql: 50\n", r"targets.growth.*unknown KPI 'mql' \(did you mean 'mqls'\?\)"),
        ("sla:\n  followup_days: three\n", r"key 'sla.followup_days'.*'three'"),
        ("economics:\n  gross_margin: 1.5\n", r"key 'economics.gross_margin'"),
        ("colour: blue\n", r"unknown key 'colour'"),
        ("data_quality:\n  max_reject_shar: 0.1\n", r"unknown key 'data_quality.max_reject_shar' \(did you mean 'max_reject_share'\?\)"),
        ("schedule:\n  time: '25:00'\n", r"key 'schedule.time'.*HH:MM"),
    ],
)
def test_bad_keys_and_values_are_named(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, BASE + extra))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE.replace("2025-06", "2025-13"), r"program.start_month.*YYYY-MM"),
        (BASE.replace("  name: Acme\n", ""), r"missing key 'program.name'"),
        (BASE + "program: [\n", r"not valid YAML at line"),
        ("- a\n- b\n", r"must hold a mapping"),
        (BASE.replace("program:\n", "program:\n  timezone: Mars/Olympus\n"), r"program.timezone.*IANA"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, text))


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist: pass --config"):
        load_settings(tmp_path / "nope.yaml")


def test_bundled_demo_config_is_valid() -> None:
    settings = load_settings(Path(__file__).resolve().parents[1] / "config" / "demo.yaml")
    assert settings.client == "demo"
    assert settings.advice.rules_file.exists()


def test_the_bundled_rules_apply_unless_a_rules_file_is_beside_the_config_or_named(tmp_path: Path) -> None:
    """A config alone used to fail with "Rules file '…/rules.yaml' does not exist" (issue 12)."""
    from retropack.config import load_config
    from retropack.rules import bundled_rules_file

    config = write(tmp_path, BASE)
    assert load_settings(config).advice.rules_file == bundled_rules_file()
    assert load_config(config).rules.actions  # the bundled rules are read, not only named

    beside = tmp_path / "rules.yaml"
    beside.write_text(bundled_rules_file().read_text(encoding="utf-8"), encoding="utf-8")
    assert load_settings(config).advice.rules_file == beside.resolve()

    named = tmp_path / "ours.yaml"
    named.write_text(bundled_rules_file().read_text(encoding="utf-8"), encoding="utf-8")
    assert load_settings(write(tmp_path, BASE + "advice:\n  rules_file: ours.yaml\n")).advice.rules_file == named.resolve()


SMTP = "delivery:\n  from: reports@example.com\n  smtp: {host: smtp.example.com}\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [  # values that passed validation and crashed (or said nothing) later, each refused naming its key
        ("targets:\n  default:\n    mqls: .inf\n", r"key 'targets.default.mqls'.*finite"),
        ("targets:\n  default:\n    mqls: .nan\n", r"key 'targets.default.mqls'.*finite"),
        ("targets:\n  growth:\n    cpl: 1e308\n", r"key 'targets.growth.cpl'.*less than or equal to 1000000000000000"),
        ("targets:\n  default:\n    new_leads: -5\n", r"key 'targets.default.new_leads'.*greater than or equal to 0"),
        ("sla:\n  followup_days: 1e300\n", r"key 'sla.followup_days'.*less than or equal to 365"),
        ("sla:\n  followup_days: .inf\n", r"key 'sla.followup_days'"),
        ("economics:\n  lifetime_multiplier: .inf\n", r"key 'economics.lifetime_multiplier'.*finite"),
        ("team:\n  company_size: 50-200\n  roles: {ma_admin: {people: 1, weekly_hours: .inf}}\n",
         r"key 'team.roles.ma_admin.weekly_hours'"),
        (SMTP + "  to: [\"manager@example.com\\u2028Bcc: spy@example.com\"]\n",
         r"key 'delivery.to.*line break or another control character"),
        (SMTP + "  to: [\"\"]\n", r"key 'delivery.to.*an address is empty"),
        (SMTP + "  to: [manager]\n", r"key 'delivery.to.*'manager' is not an e-mail address"),
        (SMTP.replace("host: smtp.example.com", "host: smtp.example.com, timeout_seconds: .inf")
         + "  to: [m@example.com]\n", r"key 'delivery.smtp.timeout_seconds'"),
        ("render:\n  deck_font: \"Meiryo\\x01\"\n", r"key 'render.deck_font'.*is not a typeface name"),
        ("render:\n  deck_font: \"  \"\n", r"key 'render.deck_font'.*is not a typeface name"),
    ],
)
def test_values_that_would_crash_later_are_refused_naming_the_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, BASE + extra))
