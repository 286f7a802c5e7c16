"""``retropack serve``: one process that keeps the clients' deployments on the server and runs them.

Prefect's ``Runner`` does the work; retropack sets it up so that stopping it loses nothing: the
schedules stay active when it stops (``pause_on_shutdown=False``; Prefect's default pauses them and
deletes their scheduled runs), the runs that fell due meanwhile wait as *Late* and start when it is
back, and missing, failed, stopped or crashed months are caught up (``retropack.operations.catch_up``) before it
polls and again every ``catch_up_every`` seconds while it serves: a run that was under way when the last ``serve``
was killed is marked Crashed by the server once its heartbeats have stopped (``retropack.operations.alerts``), and
the next pass runs its month again, once.
SIGTERM is the Runner's own graceful stop: it cancels the flow runs it started, so none is orphaned.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from retropack.operations.alerts import HEARTBEAT_SECONDS, ensure_alerts, ensure_crash_detection
from retropack.operations.catch_up import CaughtUp, catch_up_all
from retropack.operations.deployments import ClientDeployment

__all__ = ["serve_clients", "set_up_server"]


async def set_up_server(clients: list[ClientDeployment], ids: list[UUID], *, out: Path, data: Path | None,
                        crash_after: float) -> None:
    """The server's side of the clients' runs: each client's alert Automation and the crashed-run detector."""
    from prefect import get_client

    async with get_client() as client:
        for deployed, id_ in zip(clients, ids, strict=True):
            await ensure_alerts(client, deployed.settings, id_, config=deployed.config, out=out, data=data)
        await ensure_crash_detection(client, crash_after)


async def serve_clients(clients: list[ClientDeployment], *, out: Path, data: Path | None, crash_after: float,
                        catch_up_every: float, started: Callable[[list[CaughtUp]], None],
                        caught_up: Callable[[list[CaughtUp]], None]) -> None:
    """Register the deployments and their alerts, catch up, call ``started`` with what was caught up, then run
    until stopped, catching up every ``catch_up_every`` seconds (``caught_up`` hears of each new run)."""
    from prefect.runner import Runner

    # the runs this process starts send heartbeats, so the server can tell a run whose process is gone
    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", str(HEARTBEAT_SECONDS))
    runner = Runner(pause_on_shutdown=False)
    ids = [await runner.aadd_deployment(client.deployment) for client in clients]
    await set_up_server(clients, ids, out=out, data=data, crash_after=crash_after)
    deployed = [(client.settings, id_) for client, id_ in zip(clients, ids, strict=True)]
    started(await catch_up_all(deployed, datetime.now(UTC), crash_after))

    async def keep_catching_up() -> None:
        while True:
            await asyncio.sleep(catch_up_every)
            with contextlib.suppress(Exception):  # a server that is briefly away: the next pass tries again
                caught_up([item for item in await catch_up_all(deployed, datetime.now(UTC), crash_after)
                           if item.outcome == "started"])

    passes = asyncio.create_task(keep_catching_up())
    try:
        await runner.start()
    finally:
        passes.cancel()
