"""Start-up against a warm server (issue 24): ``retropack --help``, ``retropack run`` on the demo against a
lasting ``prefect server`` that is already up, and a bare 6-task flow on the same server, each a fresh process.

``bench/benchmark.py`` prints this table beside its own; ``python bench/startup.py`` prints it alone. The difference
between the run and the bare flow is what retropack costs beyond its compute; nothing here asserts on time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rich.console import Console
from rich.table import Table
from workers import _free_port, _start, _stop  # bench/ is the script's folder

ROOT = Path(__file__).resolve().parents[1]
RETROPACK = str(Path(sys.executable).with_name("retropack"))
BARE_SIX_TASKS = """
from prefect import flow, task
@task
def step(i):
    return i
@flow(name='bare-six-tasks')
def bare():
    return [step(i) for i in range(6)]
bare()
"""


def _seconds(command: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup_table(repeat: int) -> Table:
    work = Path(tempfile.mkdtemp(prefix="retropack-startup-"))
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    server = _start([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1",
                     "--port", str(port)], env, work / "server.log")
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except OSError:
                time.sleep(1)
        run = [RETROPACK, "run", "--config", str(ROOT / "config" / "demo.yaml"), "--month", "2026-10", "--no-deliver",
               "--out", str(work / "reports")]
        _seconds(run, env, 1)  # warms the server (its first flow, its caches) and the page cache
        rows = {
            "retropack --help": _seconds([RETROPACK, "--help"], env, repeat),
            "retropack run, demo, warm server": _seconds(run, env, repeat),
            "bare 6-task flow, same server": _seconds([sys.executable, "-c", BARE_SIX_TASKS], env, repeat),
        }
    finally:
        _stop(server)
    table = Table(title=f"start-up against a warm Prefect server, median of {repeat} (seconds)")
    table.add_column("what")
    table.add_column("seconds", justify="right")
    for what, seconds in rows.items():
        table.add_row(what, f"{seconds:.3f}")
    table.add_row("retropack run − bare flow",
                  f"{rows['retropack run, demo, warm server'] - rows['bare 6-task flow, same server']:.3f}")
    return table


if __name__ == "__main__":
    Console().print(startup_table(3))
