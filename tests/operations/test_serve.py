"""``retropack serve`` as an operator runs it, against a real Prefect server: the runner was down when a month
was due, it comes back, and the months are built; manual runs; a broken client; then SIGTERM.

One ``serve`` process (a subprocess, as in production) is shared by the tests of this module: starting one
costs the imports of the whole rendering stack.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

from retropack.config import Schedule
from retropack.flow.calendar import runs_between
from retropack.months import Month
from retropack.operations.deployments import build_deployments, client_configs
from tests.delivery.webhook_sink import WebhookSink
from tests.operations.clients import client_folder

TIMEZONE = "Asia/Tokyo"
ALERTS = "alerts:\n  webhook_url_env: RETROPACK_ALERT_WEBHOOK\n"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
RETROPACK = str(Path(sys.executable).parent / "retropack")


@dataclass
class Served:
    root: Path
    late_month: Month  # the month of the run that waited, Late, while nothing served
    missed_month: Month  # the month whose run time passed with no run at all
    runs: dict[str, Any]  # what each run became: late, catch_up, manual, broken, stopped (FlowRun)
    alerts: list[str]
    output: str  # what serve printed
    exit_code: int
    orphans: list[int]  # processes serve had started that outlived it
    deployment: Any  # the served deployment, read after serve stopped
    future_runs: tuple[int, int]  # scheduled runs to come, before and after serve stopped


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            found += [int(child) for child in children]
            queue += [int(child) for child in children]
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _wait_for(condition, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def served(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from prefect import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import get_current_settings
    from prefect.states import Scheduled

    root = tmp_path_factory.mktemp("serve")
    folder = client_folder(root, {"served": ALERTS, "broken": ALERTS})
    broken = folder / "broken.yaml"
    (root / "broken-data").mkdir()
    broken.write_text(broken.read_text(encoding="utf-8").replace("../data", "../broken-data"), encoding="utf-8")
    out = root / "reports"
    now = datetime.now(UTC)
    (late_at, late_month), (_, missed_month) = runs_between(Schedule(), TIMEZONE, now - timedelta(days=70), now)[-2:]

    # The deployments existed before; the run of late_month waited while the runner was down.
    deployed = {c.settings.client: c.deployment.apply()
                for c in build_deployments(client_configs(folder), out=out, data=None, today=now.date())}
    with get_client(sync_client=True) as client:
        late = client.create_flow_run_from_deployment(deployed["served"], state=Scheduled(scheduled_time=late_at))

    env = {**os.environ, "PREFECT_API_URL": get_current_settings().api.url, "PREFECT_RUNNER_POLL_FREQUENCY": "1",
           "PYTHONUNBUFFERED": "1"}
    log = root / "serve.out"
    with WebhookSink() as webhook, log.open("w", encoding="utf-8") as sink:
        env["RETROPACK_ALERT_WEBHOOK"] = webhook.url
        serve = subprocess.Popen([RETROPACK, "serve", "--config", str(folder), "--out", str(out)], env=env,
                                 stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for(lambda: "SIGTERM stops" in log.read_text(encoding="utf-8"), 600, "serve to start")
            manual = run_deployment("monthly-retrospective/monthly-retrospective-served",
                                    parameters={"month": "2026-03"}, timeout=0)
            failing = run_deployment("monthly-retrospective/monthly-retrospective-broken", timeout=0)
            # filtered on the server: the worker's test server holds more runs than one page (200)
            served = DeploymentFilter(id=DeploymentFilterId(any_=[deployed["served"]]))
            with get_client(sync_client=True) as client:
                def runs() -> dict[str, Any]:
                    found = {"late": client.read_flow_run(late.id), "manual": client.read_flow_run(manual.id),
                             "broken": client.read_flow_run(failing.id)}
                    caught = [r for r in client.read_flow_runs(deployment_filter=served)
                              if r.name == f"catch-up-served-{missed_month}"]
                    return {**found, "catch_up": caught[0]} if caught else found

                def finished() -> dict[str, Any] | None:
                    found = runs()
                    return found if len(found) == 4 and all(r.state_type.value in FINAL for r in found.values()) \
                        else None

                done = _wait_for(finished, 900, "the runs to finish")  # one run of a client at a time
                client.request("POST", "/deployments/{id}/schedule", path_params={"id": deployed["served"]},
                               json={"start_time": now.isoformat(), "min_time": 100 * 86400.0}).raise_for_status()
                before = len([r for r in client.read_flow_runs(deployment_filter=served)
                              if r.state_type.value == "SCHEDULED"])

                stopped = run_deployment("monthly-retrospective/monthly-retrospective-served",
                                         parameters={"month": "2026-04"}, timeout=0)
                _wait_for(lambda: client.read_flow_run(stopped.id).state_type.value == "RUNNING", 120,
                          "a run to be under way")
                children = _descendants(serve.pid)
                serve.send_signal(signal.SIGTERM)
                exit_code = serve.wait(timeout=90)
                orphans = [pid for pid in children if _alive(pid)]
                done["stopped"] = client.read_flow_run(stopped.id)
                deployment = client.read_deployment(deployed["served"])
                after = len([r for r in client.read_flow_runs(deployment_filter=served)
                             if r.state_type.value == "SCHEDULED"])
        finally:
            if serve.poll() is None:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()
        alerts = list(webhook.texts)
    yield Served(root, late_month, missed_month, done, alerts, log.read_text(encoding="utf-8"), exit_code, orphans,
                 deployment, (before, after))


def _kpis_month(root: Path, month: Month | str) -> str:
    return json.loads((root / "reports" / "served" / str(month) / "kpis.json").read_text(encoding="utf-8"))["month"]


def test_a_run_that_starts_late_reports_the_month_it_was_scheduled_for(served: Served) -> None:
    late = served.runs["late"]
    assert late.state_type.value == "COMPLETED"
    assert late.start_time - late.expected_start_time > timedelta(hours=1)  # it started long after its time
    assert _kpis_month(served.root, served.late_month) == str(served.late_month)  # not the month before today


def test_serve_catches_up_the_month_whose_run_never_happened(served: Served) -> None:
    caught = served.runs["catch_up"]
    assert caught.state_type.value == "COMPLETED" and caught.parameters["month"] == str(served.missed_month)
    assert _kpis_month(served.root, served.missed_month) == str(served.missed_month)
    assert f"Catch-up: served {served.missed_month} (missing run): started catch-up-served-{served.missed_month}" \
        in served.output
    assert "Catch-up: broken" not in served.output  # a new deployment has no past to catch up


def test_a_manual_deployment_run_with_a_month_builds_it(served: Served) -> None:
    assert served.runs["manual"].state_type.value == "COMPLETED"
    assert _kpis_month(served.root, "2026-03") == "2026-03"


def test_a_broken_client_fails_alone_and_alerts(served: Served) -> None:
    assert served.runs["broken"].state_type.value == "FAILED"
    assert all(served.runs[name].state_type.value == "COMPLETED" for name in ("late", "catch_up", "manual"))
    assert len(served.alerts) == 1, served.alerts  # the run stopped by SIGTERM is no failure to alert
    [alert] = served.alerts
    assert alert.startswith("【retropack 失敗】broken ") and "broken-data" in alert
    assert f"ログ: {served.root / 'reports' / 'broken' / 'logs'}" in alert


def test_sigterm_stops_serve_and_its_runs_without_orphans_and_keeps_the_schedule(served: Served) -> None:
    assert served.exit_code == 0 and "Stopped serving; the schedules stay active." in served.output
    assert served.orphans == []
    assert served.runs["stopped"].state_type.value in {"CANCELLED", "CRASHED"}
    assert served.deployment.paused is False
    assert [schedule.active for schedule in served.deployment.schedules] == [True]
    before, after = served.future_runs
    assert before >= 3 and after == before  # Prefect's default would pause the deployment and delete these
