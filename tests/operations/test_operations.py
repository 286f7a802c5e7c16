"""Operating the flow: scheduled runs, deployments from the repository, backfill, the schedule listing."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from retropack.cli import main
from retropack.config import Schedule
from retropack.flow.calendar import business_day, jp_holidays
from retropack.flow.monthly_retrospective import monthly_retrospective
from retropack.operations.deployments import (
    build_deployments,
    client_configs,
    cron_expression,
    latest_run_day,
    prefect_schedule,
)
from tests.conftest import DEMO_CONFIG, ROOT

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture()
def clients(tmp_path: Path) -> Path:
    """A folder of client configs (the demo program) beside its data and rules."""
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data")
    folder = tmp_path / "clients"
    folder.mkdir()
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "../data")
    (folder / "demo.yaml").write_text(text, encoding="utf-8")
    return folder


def test_scheduled_run_on_the_first_business_day_reports_the_previous_month(prefect_server, tmp_path) -> None:
    # 2026-11-01 is a Sunday, so Monday the 2nd is the first business day (the 3rd is 文化の日).
    result = monthly_retrospective(config=str(DEMO_CONFIG), out=str(tmp_path), deliver=False, scheduled=True,
                                   as_of=datetime(2026, 11, 2, 9, 0, tzinfo=JST))
    assert result is not None and result.month == "2026-10"
    assert (tmp_path / "demo" / "2026-10" / "kpis.json").exists()


def test_scheduled_run_on_another_day_does_nothing(prefect_server, tmp_path) -> None:
    result = monthly_retrospective(config=str(DEMO_CONFIG), out=str(tmp_path), deliver=False, scheduled=True,
                                   as_of=datetime(2026, 11, 3, 9, 0, tzinfo=JST))
    assert result is None
    assert not (tmp_path / "demo").exists()


def test_one_deployment_per_scheduled_client(clients: Path, tmp_path: Path) -> None:
    (clients / "no-schedule.yaml").write_text(
        "client: other\nprogram:\n  name: Other\n  start_month: 2026-01\ndata:\n  path: ../data\n", encoding="utf-8")
    configs = client_configs(clients)
    assert [c.name for c in configs] == ["demo.yaml", "no-schedule.yaml"]  # rules.yaml is not a client
    [deployment] = build_deployments(configs, out=tmp_path / "reports")
    assert deployment.name == "monthly-retrospective-demo"
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "0 9 1-10 * *"
    assert schedule.schedule.timezone == "Asia/Tokyo"
    assert deployment.parameters["scheduled"] is True
    assert Path(deployment.parameters["config"]) == (clients / "demo.yaml").resolve()


def test_backfill_builds_each_month_and_reports_failures(prefect_server, clients: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["backfill", "--config", str(clients), "--from", "2025-05", "--to", "2025-07",
                                       "--out", str(out)])
    assert result.exit_code == 1  # 2025-05 is before the program started
    assert "2025-05" in result.output and "failed" in result.output and "start_month" in result.output
    assert sorted(p.name for p in (out / "demo").iterdir() if not p.name.startswith(".")) == ["2025-06", "2025-07"]


def test_schedule_command_lists_business_day_runs() -> None:
    result = CliRunner().invoke(main, ["schedule", "--config", str(DEMO_CONFIG), "--from", "2026-12-20",
                                       "--count", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2027-01-04T09:00:00+09:00 2026-12",  # Jan 1 is a holiday, then a weekend
        "2027-02-01T09:00:00+09:00 2027-01",
        "2027-03-01T09:00:00+09:00 2027-02",
    ]


def test_cron_window_covers_every_business_day_it_must_catch() -> None:
    """The deployment runs on days 1..latest_run_day(n): check that covers 1990-2060, 2019's long May included."""
    calendar = jp_holidays(list(range(1990, 2061)))
    for n in range(1, 16):
        latest = max(business_day(y, m, n, calendar).day for y in range(1990, 2061) for m in range(1, 13))
        assert latest <= latest_run_day(n), n


def test_prefect_schedule_is_a_daily_cron_in_program_timezone() -> None:
    schedule = Schedule(business_day=1, time="9:05")
    assert cron_expression(schedule) == "5 9 1-10 * *"
    prefect = prefect_schedule(schedule, "Asia/Tokyo")
    assert (prefect.cron, prefect.timezone) == ("5 9 1-10 * *", "Asia/Tokyo")
