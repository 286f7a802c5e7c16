"""``retropack serve``: one process that keeps the clients' deployments on the server and runs them.

Prefect's ``Runner`` does the work; retropack sets it up so that stopping it loses nothing: the
schedules stay active when it stops (``pause_on_shutdown=False``; Prefect's default pauses them and
deletes their scheduled runs), the runs that fell due meanwhile wait as *Late* and start when it is
back, and missing or failed months are caught up (``retropack.operations.catch_up``) before it polls.
SIGTERM is the Runner's own graceful stop: it cancels the flow runs it started, so none is orphaned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from retropack.operations.catch_up import CaughtUp, catch_up_all
from retropack.operations.deployments import ClientDeployment

__all__ = ["serve_clients"]


async def serve_clients(clients: list[ClientDeployment], *, started: Callable[[list[CaughtUp]], None]) -> None:
    """Register the deployments, catch up, call ``started`` with what was caught up, then run until stopped."""
    from prefect.runner import Runner

    runner = Runner(pause_on_shutdown=False)
    ids = [await runner.aadd_deployment(client.deployment) for client in clients]
    caught = await catch_up_all([(client.settings, id_) for client, id_ in zip(clients, ids, strict=True)],
                                datetime.now(UTC))
    started(caught)
    await runner.start()
