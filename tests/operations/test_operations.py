"""Operating the flow against a real Prefect server: the exact monthly schedule, the month a run reports,
catch-up after downtime, backfill, and the schedule listing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from retropack.cli import main
from retropack.config import Schedule, load_settings
from retropack.flow.calendar import jp_holidays, next_runs
from retropack.months import Month
from retropack.operations.catch_up import catch_up
from retropack.operations.deployments import build_deployments, client_configs, prefect_schedule
from tests.conftest import DEMO_CONFIG
from tests.delivery.webhook_sink import WebhookSink
from tests.operations.clients import client_folder

JST = ZoneInfo("Asia/Tokyo")
ALERTS = "alerts:\n  webhook_url_env: RETROPACK_ALERT_WEBHOOK\n"


def deploy(folder: Path, tmp_path: Path, today: date = date(2026, 1, 1)) -> tuple[UUID, object]:
    """The folder's one client deployed on the test server, as ``serve`` and ``deploy`` do; (id, settings)."""
    [client] = build_deployments(client_configs(folder), out=tmp_path / "reports", data=None, today=today)
    return client.deployment.apply(), client.settings


def test_one_deployment_per_scheduled_client(tmp_path: Path) -> None:
    folder = client_folder(tmp_path, {"acme": ""})
    (folder / "no-schedule.yaml").write_text(
        "client: other\nprogram:\n  name: Other\n  start_month: 2026-01\ndata:\n  path: ../data\n", encoding="utf-8")
    configs = client_configs(folder)
    assert [c.name for c in configs] == ["acme.yaml", "no-schedule.yaml"]
    [client] = build_deployments(configs, out=tmp_path / "reports", data=tmp_path / "data", today=date(2026, 11, 30))
    deployment = client.deployment
    assert deployment.name == "monthly-retrospective-acme"
    assert deployment.entrypoint == "retropack.flow.monthly_retrospective.monthly_retrospective"  # no checkout needed
    [schedule] = deployment.schedules
    assert schedule.schedule.timezone == "Asia/Tokyo"
    assert "\nRDATE:20261102T090000,20261201T090000,20270104T090000," in schedule.schedule.rrule
    assert deployment.parameters == {"config": str((folder / "acme.yaml").resolve()),
                                     "out": str((tmp_path / "reports").resolve()),
                                     "data": str((tmp_path / "data").resolve())}


def test_the_server_schedules_one_run_a_month_on_the_business_day_and_none_between(prefect_server,
                                                                                   tmp_path: Path) -> None:
    """Prefect's own scheduler (the server's /schedule route, which its scheduling service runs) turns the
    deployment into runs: over two years exactly the business days at 09:00 JST, one a month."""
    from prefect import get_client

    deployment_id, _ = deploy(client_folder(tmp_path, {"exact": ""}), tmp_path)
    with get_client(sync_client=True) as client:
        client.request("POST", "/deployments/{id}/schedule", path_params={"id": deployment_id},
                       json={"start_time": "2026-01-01T00:00:00+09:00", "end_time": "2027-12-31T23:59:00+09:00",
                             "min_time": 2 * 366 * 86400.0, "max_runs": 1000}).raise_for_status()
        runs = client.read_flow_runs(deployment_filter=_by_id(deployment_id))
    times = sorted(run.expected_start_time.astimezone(JST) for run in runs)
    assert times == [moment for moment, _ in next_runs(Schedule(), "Asia/Tokyo", date(2026, 1, 1), 24)]
    holidays = jp_holidays([2026, 2027])
    assert all(t.weekday() < 5 and t.date() not in holidays and (t.hour, t.minute) == (9, 0) for t in times)
    assert len({(t.year, t.month) for t in times}) == 24
    assert [t.date() for t in times[:5]] == [date(2026, 1, 2), date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 1),
                                              date(2026, 5, 1)]


def test_a_schedule_of_exact_dates_fits_prefects_limit_for_every_business_day() -> None:
    for n in (1, 15):
        rrule = prefect_schedule(Schedule(business_day=n, time="23:59"), "Asia/Tokyo", date(2026, 11, 30)).rrule
        assert rrule.count(",") == 119 and len(rrule) < 6500


# --- catch-up ----------------------------------------------------------------------------------


def _by_id(deployment_id: UUID):
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    return DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))


async def _history(deployment_id: UUID, runs: list[tuple[datetime, str]]) -> None:
    """Runs the deployment had: each scheduled at a time and ended in a state (or still waiting, "Late")."""
    from prefect import get_client
    from prefect.states import Completed, Crashed, Failed, Scheduled

    async with get_client() as client:
        for at, state in runs:
            run = await client.create_flow_run_from_deployment(deployment_id, state=Scheduled(scheduled_time=at))
            final = {"Completed": Completed(), "Failed": Failed(), "Crashed": Crashed()}.get(state)
            if final is not None:
                await client.set_flow_run_state(run.id, final, force=True)


async def _catch_up(deployment_id: UUID, settings, now: datetime):
    from prefect import get_client

    async with get_client() as client:
        caught = await catch_up(client, deployment_id, settings, now)
        runs = await client.read_flow_runs(deployment_filter=_by_id(deployment_id))
    return caught, runs


def test_catch_up_runs_a_missing_and_a_failed_month_once_and_leaves_late_runs_to_the_runner(prefect_server,
                                                                                               tmp_path: Path) -> None:
    """History: September's run (Oct 1) completed, October's (Nov 2) never happened (the server was down),
    November's (Dec 1) failed, December's (Jan 4) is still waiting (Late: the runner is down)."""
    deployment_id, settings = deploy(client_folder(tmp_path, {"catchup": ""}), tmp_path)
    asyncio.run(_history(deployment_id, [(datetime(2026, 10, 1, 9, tzinfo=JST), "Completed"),
                                         (datetime(2026, 12, 1, 9, tzinfo=JST), "Failed"),
                                         (datetime(2027, 1, 4, 9, tzinfo=JST), "Late")]))
    now = datetime(2027, 1, 20, 12, tzinfo=JST)

    caught, runs = asyncio.run(_catch_up(deployment_id, settings, now))

    assert [(str(c.month), c.reason, c.outcome) for c in caught] == [("2026-10", "missing", "started"),
                                                                    ("2026-11", "failed", "started")]
    started = sorted((r.parameters["month"], r.state_type.value) for r in runs if "catch-up" in r.tags)
    assert started == [("2026-10", "SCHEDULED"), ("2026-11", "SCHEDULED")]

    again, runs_again = asyncio.run(_catch_up(deployment_id, settings, now))  # serve restarted: nothing new
    assert again == [] and len(runs_again) == len(runs)

    asyncio.run(_fail([r.id for r in runs if "catch-up" in r.tags and r.parameters["month"] == "2026-11"]))
    tried, runs_after = asyncio.run(_catch_up(deployment_id, settings, now))
    assert [(str(c.month), c.outcome) for c in tried] == [("2026-11", "tried")]  # once: reported, not repeated
    assert len(runs_after) == len(runs)


async def _fail(run_ids: list[UUID]) -> None:
    from prefect import get_client
    from prefect.states import Failed

    async with get_client() as client:
        for run_id in run_ids:
            await client.set_flow_run_state(run_id, Failed(), force=True)


def test_catch_up_looks_back_only_to_the_deployments_first_run_and_the_programs_start(prefect_server,
                                                                                      tmp_path: Path) -> None:
    folder = client_folder(tmp_path, {"newclient": ""})
    config = folder / "newclient.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("start_month: 2025-06", "start_month: 2026-11"),
                      encoding="utf-8")
    deployment_id, settings = deploy(folder, tmp_path)
    asyncio.run(_history(deployment_id, [(datetime(2026, 11, 2, 9, tzinfo=JST), "Crashed")]))

    caught, _ = asyncio.run(_catch_up(deployment_id, settings, datetime(2026, 12, 10, tzinfo=JST)))

    # Nov 2 reported October, before the program started; Dec 1 (November) was missed
    assert [(str(c.month), c.reason) for c in caught] == [("2026-11", "missing")]


def test_catch_up_runs_a_crashed_or_cancelled_month_of_a_manual_run_once_and_marks_a_silent_run_crashed(
        prefect_server, tmp_path: Path) -> None:
    """Issues 23 and 24: a month run by hand (no schedule time of its own) whose run was Cancelled by serve's stop,
    and one whose run stays Running with no heartbeat (its process was killed), are each run again, once."""
    from prefect import get_client
    from prefect.states import Cancelled, Running

    deployment_id, settings = deploy(client_folder(tmp_path, {"stopped": ""}), tmp_path, today=date(2027, 1, 1))

    async def history() -> None:
        async with get_client() as client:
            for month, state in (("2026-03", Cancelled()), ("2026-04", Running())):
                run = await client.create_flow_run_from_deployment(deployment_id, parameters={"month": month})
                await client.set_flow_run_state(run.id, state, force=True)

    asyncio.run(history())
    now = datetime.now(JST) + timedelta(minutes=20)  # the Running run has been silent for 20 minutes

    async def pass_(crash_after: float | None):
        async with get_client() as client:
            caught = await catch_up(client, deployment_id, settings, now, crash_after)
            runs = await client.read_flow_runs(deployment_filter=_by_id(deployment_id))
        return caught, runs

    waiting, _ = asyncio.run(pass_(None))
    assert [(str(c.month), c.reason) for c in waiting] == [("2026-03", "stopped")]  # 2026-04 looks under way
    caught, runs = asyncio.run(pass_(600))
    assert [(str(c.month), c.reason, c.outcome) for c in caught] == [("2026-04", "stopped", "started")]
    [silent] = [r for r in runs if r.parameters.get("month") == "2026-04" and "catch-up" not in r.tags]
    assert silent.state_type.value == "CRASHED" and "No heartbeat for 600 s" in silent.state.message
    assert sum("catch-up" in r.tags for r in runs) == 2
    again, _ = asyncio.run(pass_(600))
    assert again == []  # the catch-up runs are pending: nothing twice


# --- backfill ----------------------------------------------------------------------------------


def test_backfill_builds_each_month_times_it_keeps_run_logs_off_the_terminal_and_alerts_no_one(
        prefect_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = client_folder(tmp_path, {"filled": ALERTS})
    out = tmp_path / "reports"
    with WebhookSink() as webhook:
        monkeypatch.setenv("RETROPACK_ALERT_WEBHOOK", webhook.url)
        result = CliRunner().invoke(main, ["backfill", "--config", str(folder), "--from", "2025-05", "--to", "2025-06",
                                           "--out", str(out), "--data", str(tmp_path / "data")])
    assert result.exit_code == 1  # 2025-05 is before the program started
    rows = [line for line in result.output.splitlines() if "│ filled" in line]
    assert len(rows) == 2 and "failed" in rows[0] and "start_month" in result.output and " s │" in rows[1]
    assert "Task run" not in result.output and "Finished in state" not in result.output
    assert "start_month" in (out / "filled" / "logs" / "2025-05.log").read_text(encoding="utf-8")  # named in the row
    assert sorted(p.name for p in (out / "filled").iterdir()) == ["2025-06", "logs"]
    assert webhook.posts == []  # no --deliver: no mail and no alert of any kind


def test_ctrl_c_stops_a_backfill_at_once_with_its_table_and_no_server_left_behind(tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the whole foreground process group; the temporary API must outlive the
    command's own clean-up (else the command retried a dead server for minutes) and must not outlive it."""
    folder = client_folder(tmp_path, {"stopped": ""})
    out = tmp_path / "reports"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    backfill = subprocess.Popen([str(Path(sys.executable).parent / "retropack"), "backfill", "--config", str(folder),
                                 "--from", "2026-01", "--to", "2026-12", "--out", str(out)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    second = out / "stopped" / "logs" / "2026-02.log"
    deadline = time.monotonic() + 120
    while not (second.exists() and "started" in second.read_text(encoding="utf-8")) and time.monotonic() < deadline:
        time.sleep(0.2)
    children = (Path(f"/proc/{backfill.pid}/task/{backfill.pid}/children").read_text().split())
    os.killpg(backfill.pid, signal.SIGINT)  # what Ctrl-C does
    output, _ = backfill.communicate(timeout=30)

    assert backfill.returncode == 130, output
    assert "│ 2026-01 │ ok" in output and "stopped" in output and "interrupted by Ctrl-C" in output
    assert "Stopped by Ctrl-C" in output and "Traceback" not in output
    assert children and not any(Path(f"/proc/{pid}").exists() for pid in children)


def test_schedule_command_lists_business_day_runs() -> None:
    result = CliRunner().invoke(main, ["schedule", "--config", str(DEMO_CONFIG), "--from", "2026-12-20",
                                       "--count", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2027-01-04T09:00:00+09:00 2026-12",  # Jan 1 is a holiday, then a weekend
        "2027-02-01T09:00:00+09:00 2027-01",
        "2027-03-01T09:00:00+09:00 2027-02",
    ]


# --- serve and deploy need a server that lasts ----------------------------------------------------


@pytest.mark.parametrize("command", [["serve"], ["deploy", "--pool", "p"]])
def test_serve_and_deploy_wait_for_the_server_then_say_how_to_start_it(tmp_path: Path, command: list[str]) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    folder = client_folder(tmp_path, {"waiting": ""})
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):  # nothing answers there
        result = CliRunner().invoke(main, [*command, "--config", str(folder), "--wait", "1"])
    assert result.exit_code == 1
    assert "Waiting up to 1 s for the Prefect server at http://127.0.0.1:9/api (PREFECT_API_URL)" in result.output
    assert "Error: The Prefect server at http://127.0.0.1:9/api (PREFECT_API_URL) did not answer within 1 s" in \
        result.output and "prefect server start" in result.output


def test_deploy_refuses_a_pool_name_prefect_cannot_take(prefect_server, tmp_path: Path) -> None:
    folder = client_folder(tmp_path, {"badpool": ""})
    result = CliRunner().invoke(main, ["deploy", "--pool", "ops/reports", "--config", str(folder)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Work pool name 'ops/reports' is not valid: give --pool a name")


def test_serve_without_a_configured_server_says_how_to_start_one(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    folder = client_folder(tmp_path, {"nowhere": ""})
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(main, ["serve", "--config", str(folder)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: No Prefect server is configured (PREFECT_API_URL is not set)")


def test_late_by_weeks_is_still_the_scheduled_month() -> None:
    """What a run without ``month`` reports: the month before its scheduled time, not before the clock."""
    from retropack.flow.calendar import default_month

    scheduled = datetime(2026, 11, 2, 9, tzinfo=JST)
    assert default_month(scheduled, "Asia/Tokyo") == Month(2026, 10)
    assert default_month(scheduled + timedelta(days=40), "Asia/Tokyo") == Month(2026, 11)
    assert load_settings(DEMO_CONFIG).schedule == Schedule()


SWALLOWED_CTRL_C = """
import sys, time
from retropack.operations.interrupts import keep_ctrl_c
if sys.argv[1] == "kept":
    keep_ctrl_c()

class Garbage:
    def __del__(self):
        raise KeyboardInterrupt  # as if Ctrl-C came while the garbage collector ran this

try:
    Garbage()
    time.sleep(2)  # the command's next months
    print("went on")
except KeyboardInterrupt:
    print("stopped")
"""


@pytest.mark.parametrize(("mode", "expected"), [("kept", "stopped"), ("python's own", "went on")])
def test_a_ctrl_c_the_garbage_collector_swallowed_still_stops_the_command(mode: str, expected: str) -> None:
    """Python cannot raise KeyboardInterrupt inside a __del__ or weakref callback, and went on; a backfill then built
    its next months after Ctrl-C. The second case shows Python's own behaviour, which the first one mends."""
    done = subprocess.run([sys.executable, "-c", SWALLOWED_CTRL_C, mode], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == expected, done.stderr
    assert ("Exception ignored" in done.stderr) == (mode != "kept")


def test_a_backfill_remembers_a_ctrl_c_that_was_swallowed_on_its_way() -> None:
    """Raised inside a garbage collector callback or a starting Prefect task, the interrupt never reached the
    backfill, which went on building months; the backfill also remembers it, and stops after the month under way."""
    from retropack.operations.backfill import _ctrl_c_remembered

    before = signal.getsignal(signal.SIGINT)
    with _ctrl_c_remembered() as ctrl_c:
        assert not ctrl_c.is_set()
        with contextlib.suppress(KeyboardInterrupt):  # swallowed on its way
            signal.raise_signal(signal.SIGINT)  # what Ctrl-C does
        assert ctrl_c.is_set()
    assert signal.getsignal(signal.SIGINT) is before
