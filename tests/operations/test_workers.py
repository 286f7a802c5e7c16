"""``retropack deploy --pool`` and two process workers sharing the pool, against a real Prefect server: every
run is executed once, by one worker; two runs of the same client and month never overlap, and the mail for it
goes out once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from retropack.cli import main
from tests.flow.test_delivery_flow import MANAGER, Mailbox, free_port
from tests.operations.clients import client_folder

POOL = "retropack-test-pool"
PREFECT = str(Path(sys.executable).parent / "prefect")
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def delivery(port: int) -> str:
    return f"""
delivery:
  from: "MAレポート <reports@example.com>"
  to: [{MANAGER}]
  smtp: {{host: 127.0.0.1, port: {port}, security: none, timeout_seconds: 5}}
"""


def test_two_workers_share_the_pool_and_no_client_month_runs_twice(prefect_server, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.deployments import run_deployment
    from prefect.settings import get_current_settings

    box, port = Mailbox(), free_port()
    smtp = Controller(box, hostname="127.0.0.1", port=port)
    smtp.start()
    folder = client_folder(tmp_path, {"pool-a": delivery(port), "pool-b": ""})
    deployed = CliRunner().invoke(main, ["deploy", "--pool", POOL, "--config", str(folder), "--out",
                                         str(tmp_path / "reports")])
    assert deployed.exit_code == 0, deployed.output
    assert f"prefect worker start --pool {POOL}" in deployed.output

    env = {**os.environ, "PREFECT_API_URL": get_current_settings().api.url, "PREFECT_WORKER_QUERY_SECONDS": "1"}
    workers = [subprocess.Popen([PREFECT, "worker", "start", "--pool", POOL, "--limit", "1", "--name", name],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True) for name in ("w1", "w2")]
    try:
        submitted = [run_deployment(f"monthly-retrospective/monthly-retrospective-{client}",
                                    parameters={"month": month}, timeout=0)
                     for client, month in [("pool-a", "2026-10"), ("pool-a", "2026-10"), ("pool-b", "2026-10"),
                                           ("pool-b", "2026-09")]]
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                runs = [client.read_flow_run(run.id) for run in submitted]
                if all(run.state_type.value in FINAL for run in runs):
                    break
                time.sleep(1)
            logs = {run.id: client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
                    for run in runs}
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        smtp.stop()

    assert [run.state_type.value for run in runs] == ["COMPLETED"] * 4
    assert [run.run_count for run in runs] == [1] * 4
    # the same client and month twice: the second began its work (in the client-month's slot) after the first
    # had delivered; the first mailed, the second found the pack mailed already
    first, second = sorted((_work(logs[run.id]) for run in runs[:2]), key=lambda work: work[0])
    assert first[1] <= second[0] and (first[2], second[2]) == ("send", "skip")
    submitters = {log.message.split("'")[1] for run_logs in logs.values() for log in run_logs
                  if log.message.startswith("Worker '") and "submitting flow run" in log.message}
    assert submitters == {"w1", "w2"}
    assert len(box.to(MANAGER)) == 1  # the second run of pool-a 2026-10 found the pack mailed already
    ledger = json.loads((tmp_path / "reports" / "pool-a" / ".deliveries.json").read_text(encoding="utf-8"))
    assert [entry["month"] for entry in ledger["entries"]] == ["2026-10"]


def _work(logs: list) -> tuple[datetime, datetime, str]:
    """When a run began its work, when it delivered, and what the delivery did, from the run's own log."""
    began = next(log.timestamp for log in logs if ": started; scheduled for" in log.message)
    delivered = next(log for log in logs if log.message.startswith("delivery "))
    return began, delivered.timestamp, delivered.message.split()[1].rstrip(":")
