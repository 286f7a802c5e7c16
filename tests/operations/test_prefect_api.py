"""The command line's early Prefect API: it boots Prefect's own server app, and steps aside when
Prefect is configured with an API of its own."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from retropack.operations.prefect_api import start_temporary_api, use_api


def test_an_api_url_in_the_environment_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_temporary_api() is None


def test_the_server_answers_prefects_health_check_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    api = start_temporary_api()
    assert api is not None
    try:
        assert api.ready(timeout=90)
        assert httpx.get(f"{api.url}/health").json() is True
        assert httpx.get(f"{api.url}/version").status_code == 200
    finally:
        api.stop()
    assert api.process.poll() is not None


def test_a_configured_api_wins_and_the_early_server_is_stopped(prefect_server,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import get_current_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    configured = get_current_settings().api.url  # the test harness's server
    api = start_temporary_api()
    assert api is not None

    use_api(api)

    assert api.process.poll() is not None
    assert get_current_settings().api.url == configured


PROBE = """
import json, time
import httpx
from prefect import flow, runtime, task
from prefect.settings import get_current_settings
from retropack.operations.prefect_api import start_temporary_api, use_api

assert use_api(start_temporary_api())

@task
def step() -> int:
    return 1

@flow
def probe() -> str:
    step()
    return runtime.flow_run.id

run = probe()
url, names = get_current_settings().api.url, []
deadline = time.monotonic() + 60
while time.monotonic() < deadline and "prefect.task-run.Completed" not in names:  # the events land in batches
    time.sleep(0.5)
    reply = httpx.post(f"{url}/events/filter",
                       json={"limit": 50, "filter": {"any_resource": {"id": [f"prefect.flow-run.{run}"]}}})
    names = [event["event"] for event in reply.json()["events"]]
print(json.dumps(names))
"""


def test_runs_on_the_temporary_server_send_no_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing outlives the command to watch them, and stopping each run's heartbeat thread cost up to a second."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=180)

    assert done.returncode == 0, done.stderr
    names = json.loads(done.stdout.splitlines()[-1])
    assert "prefect.task-run.Completed" in names and "prefect.flow-run.Running" in names, names
    assert "prefect.flow-run.heartbeat" not in names
    assert "Still processing items" not in done.stderr  # the exit flush of the queued events is not news


SLOW = """
import sys
from prefect.settings import get_current_settings
from retropack.errors import RetropackError
from retropack.operations.prefect_api import start_temporary_api, use_api

api = start_temporary_api()
try:
    print(use_api(api, patience=float(sys.argv[1])), get_current_settings().api.url == api.url)
except RetropackError as exc:
    print(exc, api.process.poll() is not None, api.output.exists())
"""


def test_a_server_slower_than_prefects_startup_timeout_is_waited_for_in_silence(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefect's timeout passed at once (0 s): the server still starting is given more time, not stopped halfway
    (which printed uvicorn's 20-line traceback) and replaced by a second server."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "0")
    done = subprocess.run([sys.executable, "-c", SLOW, "120"], capture_output=True, text=True, timeout=180)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
    assert "Traceback" not in done.stderr and "uvicorn" not in done.stderr


def test_a_server_that_never_starts_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "0")
    done = subprocess.run([sys.executable, "-c", SLOW, "0"], capture_output=True, text=True, timeout=180)

    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    assert line.startswith("Prefect's temporary API did not start within 0 s (the machine may be busy; its output "
                           "is in /") and line.endswith(" True True")  # stopped, its output kept
    assert "Traceback" not in done.stderr
