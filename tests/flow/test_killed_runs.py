"""``retropack run`` as a real process, as people and schedulers start and stop it (issue 12, items 3, 4, 6, 7):
killed or stopped, it leaves no Prefect server running and does not hold up the month's next run; a failure a user
caused ends in one paragraph with no traceback, including the ones Prefect logs on the way."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.flow.test_delivery_flow import OPS, Mailbox

RETROPACK = Path(sys.executable).with_name("retropack")
MONTH = "2026-10"
_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2


def demo_copy(folder: Path, extra: str = "") -> Path:
    shutil.copytree(ROOT / "data" / "demo", folder / "data")
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "data")
    (folder / "demo.yaml").write_text(text + extra, encoding="utf-8")
    return folder / "demo.yaml"


def start(config: Path, *extra: str, env: dict[str, str] | None = None,
          preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    """``retropack run`` without a Prefect server configured: it starts its own temporary API, as on a laptop."""
    environment = {key: value for key, value in os.environ.items() if key not in ("PREFECT_API_URL", "PREFECT_UI_URL")}
    return subprocess.Popen([str(RETROPACK), "run", "--config", str(config), "--month", MONTH,
                             "--out", str(config.parent / "reports"), *extra], env={**environment, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=preexec_fn)


def wait_for(condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.1)


def servers_of(pid: int) -> list[int]:
    """The Prefect API servers (uvicorn … create_app) the process started."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children
            if b"create_app" in Path(f"/proc/{child}/cmdline").read_bytes()]


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for its parent to collect it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


def error_paragraph(output: str) -> list[str]:
    """The lines the command printed after Prefect's own timed progress lines."""
    return [line for line in output.splitlines() if " | " not in line[:16]]


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_killed_run_leaves_no_server_and_the_next_run_fails_in_one_paragraph_with_the_log_path(
        tmp_path: Path, mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    config = demo_copy(tmp_path, f"""
delivery:
  from: reports@example.com
  to: [manager@example.com]
  failure_notice_to: [{OPS}]
  smtp: {{host: 127.0.0.1, port: {port}, security: none, retries: 0}}
""")
    log = tmp_path / "reports" / "demo" / "logs" / f"{MONTH}.log"
    killed = start(config)
    wait_for(lambda: log.exists() and "started" in log.read_text(encoding="utf-8"))
    servers = servers_of(killed.pid)
    killed.kill()  # SIGKILL: nothing of the command runs after it
    killed.communicate()
    began = time.monotonic()
    wait_for(lambda: not any(alive(pid) for pid in servers), seconds=30)
    print(f"temporary API gone {time.monotonic() - began:.1f} s after the SIGKILL")
    assert servers

    (tmp_path / "data" / "leads.csv").unlink()  # and this time the run fails, as a user can make it fail
    ui = {"PREFECT_UI_URL": "https://prefect.example.com"}  # an operator's lasting UI, which never sees this run
    again = start(config, env=ui)
    output, _ = again.communicate(timeout=180)

    assert again.returncode == 1
    assert "Traceback" not in output and "Finished in state Failed" not in output
    [paragraph] = error_paragraph(output)
    assert paragraph.startswith("Error: Required file") and "leads.csv" in paragraph
    [notice] = box.to(OPS)
    body = notice.get_body(("plain",)).get_content()
    assert f"ログ: {log.resolve()}" in body and "prefect.example.com" not in body and "127.0.0.1" not in body


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_sigterm_stops_the_run_cleanly(tmp_path: Path) -> None:
    config = demo_copy(tmp_path)
    client = tmp_path / "reports" / "demo"
    run = start(config, "--no-deliver")
    wait_for(lambda: client.is_dir() and any(p.name.startswith(f".{MONTH}.staging-") for p in client.iterdir()))
    servers = servers_of(run.pid)
    run.terminate()  # what systemd, Docker or a scheduler sends
    output, _ = run.communicate(timeout=60)

    assert run.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), output
    assert "Traceback" not in output
    assert sorted(p.name for p in client.iterdir()) == ["logs"]  # the staging folder went with the run
    wait_for(lambda: not any(alive(pid) for pid in servers), seconds=30)
    assert servers


def _without_overriding_permissions() -> None:
    """Run as root would, but without the capability that lets root write into a read-only folder."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        libc.prctl(_PR_CAPBSET_DROP, capability)


def test_a_read_only_reports_folder_ends_in_one_paragraph(tmp_path: Path) -> None:
    """The client's folder is read-only (its logs folder is not): the pack cannot be staged."""
    config = demo_copy(tmp_path)
    client = tmp_path / "reports" / "demo"
    (client / "logs").mkdir(parents=True)
    client.chmod(0o555)
    try:
        run = start(config, "--no-deliver", preexec_fn=_without_overriding_permissions if os.geteuid() == 0 else None)
        output, _ = run.communicate(timeout=180)
    finally:
        client.chmod(0o755)

    assert run.returncode == 1, output
    assert "Traceback" not in output
    [paragraph] = error_paragraph(output)
    assert paragraph.startswith(f"Error: The pack for '{client / MONTH}' could not be written: Permission denied")
    assert "make the reports folder (--out) writable" in paragraph


def test_a_plain_config_error_prints_no_traceback(tmp_path: Path) -> None:
    config = demo_copy(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace("  optimization:", "  optimisation:"),
                      encoding="utf-8")
    run = start(config, "--no-deliver")
    output, _ = run.communicate(timeout=180)

    assert run.returncode == 1
    assert "Traceback" not in output and len(output.splitlines()) <= 3, output  # was 70 lines with 2 tracebacks
    assert output.splitlines()[-1].startswith("Error: Config file") and "targets.optimisation" in output


def test_a_run_on_prefects_own_temporary_server_links_no_ui(tmp_path: Path) -> None:
    """When the command's own API does not come up, Prefect starts its temporary server: that one ends with the
    command too, so no notice may link an operator's UI (PREFECT_UI_URL) for the run."""
    script = ("import subprocess, sys\n"
              "from retropack.operations.prefect_api import TemporaryApi, use_api\n"
              "from prefect.settings import get_current_settings\n"
              "gone = subprocess.Popen([sys.executable, '-c', 'pass']); gone.wait()\n"
              "print(use_api(TemporaryApi('http://127.0.0.1:9/api', gone)), repr(get_current_settings().ui_url))\n")
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    done = subprocess.run([sys.executable, "-c", script], env={**environment, "PREFECT_UI_URL": "https://ui.example"},
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["True", "''"]


def test_a_stop_signal_under_a_task_is_known_as_a_stop_not_a_failure() -> None:
    """serve's SIGTERM reached a task, which Prefect turned into ``ValueError: Task run is not set``: the run
    alerted a failure (seen with a slow machine in tests/operations/test_serve.py)."""
    from prefect.exceptions import TerminationSignal

    from retropack.flow.monthly_retrospective import _stopped

    try:
        try:
            raise TerminationSignal(signal=15)
        except TerminationSignal:
            raise ValueError("Task run is not set")  # noqa: B904 (as Prefect raises it: the signal as context)
    except ValueError as exc:
        assert _stopped(exc)
    assert not _stopped(ValueError("layout engine gave up"))


def test_ctrl_c_under_a_task_is_known_as_ctrl_c() -> None:
    """Ctrl-C in a backfill reached a task the same way; the month was recorded as failed and the backfill went on
    building the next months (seen under load in test_ctrl_c_stops_a_backfill_at_once...)."""
    from retropack.flow.monthly_retrospective import _stopped

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Task run is not set")  # noqa: B904 (as Prefect raises it: the interrupt as context)
    except ValueError as exc:
        assert isinstance(_stopped(exc), KeyboardInterrupt)
