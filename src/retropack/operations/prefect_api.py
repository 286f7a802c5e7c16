"""A Prefect API for one command-line run, started before the heavy imports instead of after them.

With no API configured (no ``PREFECT_API_URL``), Prefect starts a temporary server on the first
flow call: it imports its whole server app in this process (seconds), then boots it in a
subprocess (seconds more) while the run waits. ``retropack run`` instead starts that same server
(Prefect's own ``create_app`` under uvicorn, as Prefect does) in a subprocess first, so it boots
on the other core while this process imports pandas, WeasyPrint and the flow. If it does not come
up, the run falls back to Prefect's own temporary server: a Prefect change can cost speed, never
the run.

The server runs in a session of its own, so a Ctrl-C in the terminal reaches the command, which then
records the interrupted run on a server that is still up, instead of reaching both and leaving the
command retrying a dead server for minutes; on Linux it also ends when the command ends, however it ends.

``serve`` and ``deploy`` instead need a lasting server (``prefect server start``): ``wait_for_api``
waits for it and says so.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from retropack.errors import RetropackError

__all__ = ["start_temporary_api", "TemporaryApi", "use_api", "wait_for_api"]

_PROCESS_SETTINGS = contextlib.ExitStack()  # settings that hold until the process ends
_PR_SET_PDEATHSIG = 1  # prctl(2)


@dataclass
class TemporaryApi:
    """A Prefect API server process and its URL; ``stop`` ends it."""

    url: str
    process: subprocess.Popen[bytes]
    output: Path | None = None  # where the server's own output goes (a traceback of a slow start is no news)

    def ready(self, timeout: float) -> bool:
        """Wait until the API answers its health check; False if it exits or the time runs out."""
        import httpx

        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline and self.process.poll() is None:
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/health").status_code == 200:
                        return True
                time.sleep(0.1)
        return False

    def stop(self, keep_output: bool = False) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.output is not None and not keep_output:
            self.output.unlink(missing_ok=True)


def start_temporary_api() -> TemporaryApi | None:
    """Start Prefect's API server in a subprocess, first thing; None when ``PREFECT_API_URL`` names one.

    Started before Prefect itself is imported (a second), so ``use_api`` checks the rest of Prefect's
    settings (profiles, ``prefect.toml``) afterwards and stops this server if they name an API.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    tie = partial(_end_with_parent, os.getpid()) if sys.platform == "linux" else None
    try:
        with tempfile.NamedTemporaryFile(prefix="retropack-prefect-api-", suffix=".log", delete=False) as output:
            process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=tie)
    except (OSError, subprocess.SubprocessError):
        return None
    api = TemporaryApi(f"http://127.0.0.1:{port}/api", process, Path(output.name))
    atexit.register(api.stop)
    return api


def use_api(api: TemporaryApi | None, patience: float = 120) -> bool:
    """Point Prefect at ``api`` for the rest of this process once it is up; True when the runs report to a server
    that ends with this command (``api``, or Prefect's own temporary server if ``api`` never became ready).

    For the rest of the process, not a block: Prefect's log and event workers flush at exit, and
    the server's ``atexit`` stop, registered before theirs, runs after them. Without ``api``, or when
    Prefect's settings name an API or forbid a temporary one, Prefect's own behaviour applies unchanged.

    Runs on such a server send no heartbeats: nothing outlives the command to watch them, and stopping a run's
    heartbeat thread costs up to a second (it sleeps in whole seconds), once per month of a backfill. Without
    that pause, the events of a run that fails at once are still queued at exit, and Prefect's exit flush says so
    on the terminal ("Still processing items"): on a server that ends with the command that is no news.

    A server still starting after Prefect's startup timeout (a busy machine) is given ``patience`` seconds more
    rather than a second server beside it; if it is still not up, one ``RetropackError`` line says so.
    """
    if api is None:
        return False
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_UI_URL,
        get_current_settings,
        temporary_settings,
    )

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        api.stop()
        return False
    # no UI link to a server that ends with the command: PREFECT_UI_URL is cleared for its runs
    updates: dict[Any, str | None] = {PREFECT_UI_URL: "", PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    if api.ready(settings.server.ephemeral.startup_timeout_seconds) or api.ready(patience):
        updates[PREFECT_API_URL] = api.url
    elif api.process.poll() is None:  # still starting: a second server would only crowd the machine more
        api.stop(keep_output=True)
        waited = settings.server.ephemeral.startup_timeout_seconds + patience
        raise RetropackError(
            f"Prefect's temporary API did not start within {waited:g} s (the machine may be busy; its output is in "
            f"{api.output}): run again, give it longer with PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or "
            "point PREFECT_API_URL at a lasting Prefect server."
        )
    else:  # it ended (a Prefect change?): Prefect's own temporary server instead
        api.stop()
    _PROCESS_SETTINGS.enter_context(temporary_settings(updates=updates))
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
    return True


def wait_for_api(timeout: float, waiting: Callable[[str], None]) -> str:
    """The URL of the lasting Prefect API that Prefect's settings name, once it answers its health check.

    ``waiting(url)`` is called once if it does not answer at first (it may still be starting).
    """
    from prefect import get_client
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise RetropackError(
            "No Prefect server is configured (PREFECT_API_URL is not set), and schedules need one that lasts: "
            "start it with `prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api "
            "(see README, 'Operators')."
        )
    deadline = time.monotonic() + timeout
    told = False
    with get_client(sync_client=True) as client:
        while (problem := client.api_healthcheck()) is not None:
            if not told:
                waiting(url)
                told = True
            if time.monotonic() >= deadline:
                raise RetropackError(
                    f"The Prefect server at {url} (PREFECT_API_URL) did not answer within {timeout:g} s "
                    f"({type(problem).__name__}): start it with `prefect server start`, check the address, "
                    "or give it longer with --wait."
                )
            time.sleep(1)
    return url


def _end_with_parent(parent: int) -> None:
    """Linux's parent-death signal: the server gets SIGTERM when the command's process ends, however it ends
    (SIGKILL included). Run in the child before it becomes the server; a command already gone by then (the
    signal would never come) ends the child at once."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
