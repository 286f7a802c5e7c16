"""The command line, through click's runner: exit codes, one-paragraph errors, earlier packs untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from retropack.cli import main
from retropack.errors import RenderError
from tests.conftest import ROOT

MONTH = "2026-10"


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def program(tmp_path: Path) -> Path:
    """A copy of the demo program (config, rules and data) that a test may break."""
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data")
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "data")
    (tmp_path / "demo.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["run", *args], catch_exceptions=False)


@pytest.fixture()
def first_pack(prefect_server, program: Path) -> tuple[Path, dict[str, str]]:
    result = run("--config", str(program / "demo.yaml"), "--month", MONTH, "--out", str(program / "reports"),
                 "--no-deliver")
    assert result.exit_code == 0, result.output
    folder = program / "reports" / "demo" / MONTH
    return folder, snapshot(folder)


def test_run_writes_the_pack_and_says_where(first_pack: tuple[Path, dict[str, str]]) -> None:
    folder, files = first_pack
    assert f"retrospective-demo-{MONTH}.pdf" in files and "kpis.json" in files


def test_bad_data_stops_the_run_and_leaves_the_earlier_pack(first_pack, program: Path) -> None:
    folder, before = first_pack
    sends = pd.read_csv(program / "data" / "email_sends.csv", dtype=str, keep_default_na=False)
    sends.drop(columns=["delivered"]).to_csv(program / "data" / "email_sends.csv", index=False)
    result = CliRunner().invoke(main, ["run", "--config", str(program / "demo.yaml"), "--month", MONTH,
                                       "--out", str(program / "reports"), "--no-deliver"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "email_sends.csv" in result.output and "delivered" in result.output
    assert snapshot(folder) == before
    assert [p.name for p in folder.parent.iterdir() if p.name != "logs"] == [MONTH]  # no staging folder left


def test_failed_render_leaves_the_earlier_pack(first_pack, program: Path, monkeypatch) -> None:
    folder, before = first_pack

    def broken(view, path):
        raise RenderError(f"The PowerPoint could not be written to '{path}': disk full.")

    monkeypatch.setattr("retropack.flow.steps.render_pptx", broken)
    result = CliRunner().invoke(main, ["run", "--config", str(program / "demo.yaml"), "--month", MONTH,
                                       "--out", str(program / "reports"), "--no-deliver"])
    assert result.exit_code == 1 and "disk full" in result.output
    assert snapshot(folder) == before
    assert [p.name for p in folder.parent.iterdir() if p.name != "logs"] == [MONTH]  # no staging folder left


def test_config_error_names_the_key(prefect_server, program: Path) -> None:
    config = program / "demo.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  optimization:", "  optimisation:"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--month", MONTH, "--no-deliver",
                                       "--out", str(program / "reports")])
    assert result.exit_code == 1
    assert "unknown key 'targets.optimisation' (did you mean 'optimization'?)" in result.output


def test_month_before_the_program_started_is_refused(prefect_server, program: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--config", str(program / "demo.yaml"), "--month", "2025-01",
                                       "--no-deliver", "--out", str(program / "reports")])
    assert result.exit_code == 1 and "program.start_month" in result.output


@pytest.mark.parametrize("month", ["2026-13", "26-10", "October"])
def test_malformed_month_is_a_usage_error(month: str) -> None:
    result = CliRunner().invoke(main, ["run", "--config", "x.yaml", "--month", month])
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_no_deliver_and_resend_exclude_each_other() -> None:
    result = CliRunner().invoke(main, ["run", "--config", "x.yaml", "--no-deliver", "--resend"])
    assert result.exit_code == 2 and "cannot be used together" in result.output


def test_header_only_export_stops_the_run_and_leaves_the_earlier_pack(first_pack, program: Path) -> None:
    """A leads export cut after its header is a broken export, not a month of zeros to mail."""
    folder, before = first_pack
    leads = program / "data" / "leads.csv"
    leads.write_bytes(leads.read_bytes().split(b"\n", 1)[0] + b"\n")
    result = run("--config", str(program / "demo.yaml"), "--month", MONTH, "--out", str(program / "reports"),
                 "--no-deliver")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Table leads ('{leads}') has its header row and no data rows")
    assert "export the leads table again" in result.output
    assert snapshot(folder) == before
    assert [p.name for p in folder.parent.iterdir() if p.name != "logs"] == [MONTH]  # no staging folder left


@pytest.mark.parametrize("month", ["2026-12", "2027-06"])
def test_month_after_the_data_names_its_newest_date(prefect_server, program: Path, month: str) -> None:
    """The demo's newest date is a lead's last activity on 2026-11-20: a later month would be a pack of zeros."""
    result = run("--config", str(program / "demo.yaml"), "--month", month, "--out", str(program / "reports"),
                 "--no-deliver")
    assert result.exit_code == 1
    assert f"Error: Month {month} begins after the data's newest date, 2026-11-20 (leads.last_activity_at in " in result.output
    assert "give a month up to 2026-11 (--month)" in result.output
    assert not (program / "reports" / "demo" / month).exists()
