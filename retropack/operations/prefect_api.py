"""A Prefect API for one command-line run, started before the heavy imports instead of after them.

With no API configured (no ``PREFECT_API_URL``), Prefect starts a temporary server on the first
flow call: it imports its whole server app in this process (seconds), then boots it in a
subprocess (seconds more) while the run waits. ``retropack run`` instead starts that same server
(Prefect's own ``create_app`` under uvicorn, as Prefect does) in a subprocess first, so it boots
on the other core while this process imports pandas, WeasyPrint and the flow. If it does not come
up, the run falls back to Prefect's own temporary server: a Prefect change can cost speed, never
the run.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

__all__ = ["start_temporary_api", "TemporaryApi", "use_api"]

_PROCESS_SETTINGS = contextlib.ExitStack()  # settings that hold until the process ends


@dataclass
class TemporaryApi:
    """A Prefect API server process and its URL; ``stop`` ends it."""

    url: str
    process: subprocess.Popen[bytes]

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

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
    try:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    except OSError:
        return None
    api = TemporaryApi(f"http://127.0.0.1:{port}/api", process)
    atexit.register(api.stop)
    return api


def use_api(api: TemporaryApi | None) -> None:
    """Point Prefect at ``api`` for the rest of this process once it is up.

    For the rest of the process, not a block: Prefect's log and event workers flush at exit, and
    the server's ``atexit`` stop, registered before theirs, runs after them. Without ``api``, when
    Prefect's settings name an API or forbid a temporary one, or if it never became ready,
    Prefect's own behaviour applies unchanged.
    """
    if api is None:
        return
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        api.stop()
        return
    if not api.ready(settings.server.ephemeral.startup_timeout_seconds):
        api.stop()
        return
    _PROCESS_SETTINGS.enter_context(temporary_settings(updates={PREFECT_API_URL: api.url}))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
