"""Failures nobody would hear of, against a real Prefect server (issues 23 and 24): ``serve`` killed -9 while a run
renders, then started again; a client whose config file is gone. The server's Automations mark the killed run
Crashed, post one alert for each failure, and catch-up builds the lost month once."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId, FlowRunFilter, FlowRunFilterTags

from retropack.cli import main
from retropack.operations.alerts import CRASH_AUTOMATION
from retropack.operations.catch_up import CATCH_UP_TAG
from tests.delivery.webhook_sink import WebhookSink
from tests.operations.clients import client_folder
from tests.operations.test_serve import ALERTS, FINAL, RETROPACK, _descendants, _wait_for

MONTH = "2026-03"


def _serve(folder: Path, out: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("a", encoding="utf-8") as sink:
        return subprocess.Popen([RETROPACK, "serve", "--config", str(folder), "--out", str(out), "--crash-after", "90",
                                 "--catch-up-every", "5"], env=env, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _kill_all(process: subprocess.Popen[bytes]) -> None:
    """kill -9 of serve and of every process it started (the run under way with it): nothing is left to report."""
    for pid in [process.pid, *_descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def test_serve_killed_mid_run_then_restarted_builds_the_month_once_and_each_failure_alerts_once(
        prefect_server, tmp_path: Path) -> None:
    from prefect import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import get_current_settings

    folder = client_folder(tmp_path, {"crashy": ALERTS, "gone": ALERTS})
    out = tmp_path / "reports"
    env = {**os.environ, "PREFECT_API_URL": get_current_settings().api.url, "PREFECT_RUNNER_POLL_FREQUENCY": "1",
           "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "serve.out"
    with WebhookSink() as webhook, get_client(sync_client=True) as client:
        env["RETROPACK_ALERT_WEBHOOK"] = webhook.url
        first = _serve(folder, out, env, log)
        second = None
        try:
            _wait_for(lambda: "SIGTERM stops" in log.read_text(encoding="utf-8"), 600, "serve to start")
            (folder / "gone.yaml").unlink()  # an offboarded client whose schedule is still active
            gone = run_deployment("monthly-retrospective/monthly-retrospective-gone", parameters={"month": MONTH},
                                  timeout=0)
            _wait_for(lambda: client.read_flow_run(gone.id).state_type.value in FINAL, 240, "the gone client's run")

            killed = run_deployment("monthly-retrospective/monthly-retrospective-crashy",
                                    parameters={"month": MONTH}, timeout=0)
            _wait_for(lambda: list((out / "crashy").glob(f".{MONTH}.staging-*")), 300, "the run to render")
            _kill_all(first)
            assert client.read_flow_run(killed.id).state_type.value == "RUNNING"  # nothing told the server

            second = _serve(folder, out, env, log)

            def caught_up() -> Any:
                # filtered on the server: a worker's test server holds more runs than one page (200) from other tests
                runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[CATCH_UP_TAG])))
                return runs if runs and all(run.state_type.value in FINAL for run in runs) else None

            catch_ups = _wait_for(caught_up, 420, "the crashed month to be caught up")
            _wait_for(lambda: len(webhook.posts) >= 2, 300, "the alerts")  # the server's automations, on a busy machine
            crashed = client.read_flow_run(killed.id)
            gone_run = client.read_flow_run(gone.id)
            automations = client.read_automations_by_name(CRASH_AUTOMATION)
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    _kill_all(process)
        posts = [post["body"]["text"] for post in webhook.posts]

    assert gone_run.state_type.value == "FAILED"
    assert crashed.state_type.value == "CRASHED" and crashed.name == f"crashy-{MONTH}"
    assert [(run.parameters["month"], run.state_type.value) for run in catch_ups] == [(MONTH, "COMPLETED")]
    pack = out / "crashy" / MONTH
    assert json.loads((pack / "kpis.json").read_text(encoding="utf-8"))["month"] == MONTH
    assert [p.name for p in (out / "crashy").iterdir() if p.name.startswith(f".{MONTH}")] == []  # staging cleared
    assert len(automations) == 1

    assert len(posts) == 2, posts  # one for the missing config, one for the killed run: none twice
    [missing] = [text for text in posts if text.startswith(f"【retropack 失敗】gone {MONTH}: ")]
    assert "gone.yaml" in missing
    [killed_alert] = [text for text in posts if text.startswith(f"【retropack 失敗】crashy {MONTH}: ")]
    assert "No heartbeat" in killed_alert
    command = shlex.split(killed_alert.splitlines()[-1].split(": ", 1)[1])
    assert command == ["retropack", "run", "--config", str((folder / "crashy.yaml").resolve()), "--month", MONTH,
                       "--out", str(out.resolve())]
    assert f"ログ: {out.resolve() / 'crashy' / 'logs' / f'{MONTH}.log'}" in killed_alert


def test_deploy_refuses_two_configs_with_one_client_id_naming_both(tmp_path: Path) -> None:
    folder = client_folder(tmp_path, {"acme": "", "acme-copy": ""})
    copy = folder / "acme-copy.yaml"
    copy.write_text(copy.read_text(encoding="utf-8").replace("client: acme-copy", "client: acme"), encoding="utf-8")
    result = CliRunner().invoke(main, ["deploy", "--pool", "retropack", "--config", str(folder), "--wait", "0"])
    assert result.exit_code == 1
    assert f"Config files '{folder / 'acme-copy.yaml'}' and '{folder / 'acme.yaml'}' both name client 'acme'" \
        in result.output or f"Config files '{folder / 'acme.yaml'}' and '{folder / 'acme-copy.yaml'}'" in result.output


def test_serve_refuses_a_config_without_a_client_id(tmp_path: Path) -> None:
    folder = client_folder(tmp_path, {"acme": ""})
    config = folder / "acme.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("client: acme\n", ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--config", str(folder), "--wait", "0"])
    assert result.exit_code == 1 and f"Config file '{config}' has no 'client' key" in result.output


@pytest.mark.parametrize("client", ["acme"])
def test_undeploy_removes_the_deployment_its_schedule_and_its_alert(prefect_server, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    client: str) -> None:
    from prefect import get_client

    monkeypatch.setenv("RETROPACK_ALERT_WEBHOOK", "https://hooks.example.com/services/T0/B0/x")
    folder = client_folder(tmp_path, {client: ALERTS})
    deployed = CliRunner().invoke(main, ["deploy", "--pool", "undeploy-pool", "--config", str(folder),
                                         "--out", str(tmp_path / "reports")])
    assert deployed.exit_code == 0, deployed.output
    with get_client(sync_client=True) as prefect:
        deployment = prefect.read_deployment_by_name(f"monthly-retrospective/monthly-retrospective-{client}")
        assert prefect.read_automations_by_name(f"retropack-alert-{client}")
        again = CliRunner().invoke(main, ["deploy", "--pool", "undeploy-pool", "--config", str(folder),
                                          "--out", str(tmp_path / "reports")])
        assert again.exit_code == 0 and len(prefect.read_automations_by_name(f"retropack-alert-{client}")) == 1

        removed = CliRunner().invoke(main, ["undeploy", client])
        assert removed.exit_code == 0, removed.output
        assert f"Removed deployment monthly-retrospective/monthly-retrospective-{client}" in removed.output
        assert prefect.read_automations_by_name(f"retropack-alert-{client}") == []
        mine = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        runs = [run for run in prefect.read_flow_runs(deployment_filter=mine)
                if run.state_type.value == "SCHEDULED" and run.expected_start_time > datetime.now(UTC)]
        assert runs == []
        assert CliRunner().invoke(main, ["undeploy", client]).exit_code == 1
