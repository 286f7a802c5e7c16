"""Many machines, measured on one: 8 client-months (4 demo clients × 2 months) run through a work pool by
1 process worker, then by 2, against a real ``prefect server``; and how long ``retropack serve`` takes to
catch up a month whose run never happened.

Usage: ``python bench/workers.py``. Prints wall-clock seconds from the first run submitted to the last run
finished; the figures go into the issue notes. Nothing here asserts on time.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLIENTS = ["bench-a", "bench-b", "bench-c", "bench-d"]
LATE = "bench-late"  # the client whose month is caught up; it has no other runs
MONTHS = ["2026-09", "2026-10"]
POOL = "bench"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="retropack-workers-"))
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    os.environ.update(env)  # this process's Prefect client talks to the same server
    folder = _clients(work)
    server = _start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)], env,
                    work / "server.log")
    try:
        _run([str(BIN / "retropack"), "deploy", "--pool", POOL, "--config", str(folder), "--out",
              str(work / "reports")], env)
        print(f"{len(CLIENTS) * len(MONTHS)} client-months, {os.cpu_count()} CPUs")
        for count in (1, 2):
            seconds, busy = _through_workers(count, env, work)
            print(f"  {count} worker(s): {seconds:5.1f} s wall, {busy:5.1f} s of runs")
        print(f"  catch-up of a missed month by serve: {_catch_up(env, work):5.1f} s from start to pack")
    except BaseException:
        print(f"logs kept in {work}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(work, ignore_errors=True)
    finally:
        _stop(server)


def _through_workers(count: int, env: dict[str, str], work: Path) -> tuple[float, float]:
    from prefect import get_client
    from prefect.deployments import run_deployment

    workers = [_start([str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--limit", "1", "--name",
                       f"w{count}-{i}"], env, work / f"worker-{count}-{i}.log") for i in range(count)]
    try:
        with get_client(sync_client=True) as client:
            _until(lambda: len([w for w in client.read_workers_for_work_pool(POOL) if w.status.value == "ONLINE"
                                and w.name.startswith(f"w{count}-")]) == count, "workers online")
            started = time.monotonic()
            runs = [run_deployment(f"monthly-retrospective/monthly-retrospective-{client_}", timeout=0,
                                   parameters={"month": month}) for client_ in CLIENTS for month in MONTHS]
            _until(lambda: all(client.read_flow_run(r.id).state_type.value in FINAL for r in runs), "the runs")
            seconds = time.monotonic() - started
            finished = [client.read_flow_run(r.id) for r in runs]
    finally:
        for worker in workers:
            _stop(worker)
    assert all(r.state_type.value == "COMPLETED" for r in finished), [r.state for r in finished]
    return seconds, sum(r.total_run_time.total_seconds() for r in finished)


def _catch_up(env: dict[str, str], work: Path) -> float:
    """The last run time passed with no run at all (its deployment existed since an earlier run): serve
    starts, catches the month up and builds it."""
    from prefect import get_client
    from prefect.states import Completed, Scheduled

    from retropack.config import Schedule
    from retropack.flow.calendar import runs_between

    now = datetime.now(UTC)
    (before, _), (_, missed) = runs_between(Schedule(), "Asia/Tokyo", now - timedelta(days=70), now)[-2:]
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(f"monthly-retrospective/monthly-retrospective-{LATE}")
        earlier = client.create_flow_run_from_deployment(deployment.id, state=Scheduled(scheduled_time=before))
        client.set_flow_run_state(earlier.id, Completed(), force=True)
    pack = work / "reports" / LATE / str(missed) / "manifest.json"
    started = time.monotonic()
    serve = _start([str(BIN / "retropack"), "serve", "--config", str(work / "clients" / f"{LATE}.yaml"), "--out",
                    str(work / "reports")], env, work / "serve.log")
    try:
        _until(pack.exists, "the caught-up pack")
        return time.monotonic() - started
    finally:
        _stop(serve)


def _clients(work: Path) -> Path:
    shutil.copytree(ROOT / "data" / "demo", work / "data")
    folder = work / "clients"
    folder.mkdir()
    demo = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "../data")
    for name in [*CLIENTS, LATE]:
        (folder / f"{name}.yaml").write_text(demo.replace("client: demo", f"client: {name}"), encoding="utf-8")
    return folder


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def _until(condition, what: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
