"""Catch-up after downtime: a scheduled month whose run is missing, or whose runs all failed, runs once.

Prefect itself keeps a run whose time passed while no runner was up (it waits as *Late* and starts
when a runner returns), but it creates no run for a time that passed while the server was down, and
it does not run a failed month again. ``catch_up`` looks at the deployment's run times since it
existed (at most ``LOOKBACK`` back) and, for each such month with no completed or pending run,
creates one run with ``month`` set. A run of any month that was stopped (Cancelled: ``serve`` was stopped under
it) or whose process died (Crashed: marked so by the server once its heartbeats stopped) is run again too, unless
a later run of that month completed or is pending. A month is caught up once: a catch-up run carries the tag
``catch-up`` and an idempotency key, so a failed catch-up is reported, not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from prefect import get_client
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
)
from prefect.client.schemas.objects import FlowRun

from retropack.config import Settings
from retropack.flow.calendar import default_month, runs_between
from retropack.months import Month

__all__ = ["CATCH_UP_TAG", "LOOKBACK", "CaughtUp", "catch_up", "catch_up_all"]

CATCH_UP_TAG = "catch-up"
LOOKBACK = timedelta(days=366)
_PENDING = {"SCHEDULED", "PENDING", "RUNNING", "PAUSED", "CANCELLING"}
_STOPPED = {"CANCELLED", "CRASHED"}


@dataclass(frozen=True)
class CaughtUp:
    """A month found without a successful run: ``started`` a run now, or ``tried`` already (run it by hand)."""

    client: str
    deployment: str  # flow/deployment, as `prefect deployment run` takes it
    month: Month
    reason: Literal["missing", "failed", "stopped"]
    outcome: Literal["started", "tried"]
    flow_run: str  # the catch-up run's name


async def catch_up(client: PrefectClient, deployment_id: UUID, settings: Settings, now: datetime,
                   crash_after: float | None = None) -> list[CaughtUp]:
    """Create the catch-up runs of one client's deployment; with ``crash_after``, a run that is Running but has
    told the server nothing (no heartbeat, no state) for that many seconds is marked Crashed first."""
    assert settings.schedule is not None
    timezone = settings.program.timezone
    deployment = await client.read_deployment(deployment_id)
    runs = await client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
        flow_run_filter=FlowRunFilter(expected_start_time=FlowRunFilterExpectedStartTime(after_=now - LOOKBACK)),
    )
    if crash_after is not None:
        runs = [await _crashed_if_silent(client, run, now, crash_after) for run in runs]
    known = [deployment.created, *(run.expected_start_time for run in runs if run.expected_start_time)]
    since = max(min(known), now - LOOKBACK)
    name = f"monthly-retrospective/{deployment.name}"
    due = [month for _, month in runs_between(settings.schedule, timezone, since, now)]
    stopped = {_reported(run, timezone) for run in runs if run.state_type and run.state_type.value in _STOPPED}
    caught = []
    for month in sorted({*due, *(month for month in stopped if month is not None)}):
        if month < settings.program.start:
            continue
        mine = [run for run in runs if _reported(run, timezone) == month]
        states = {run.state_type.value for run in mine if run.state_type is not None}
        if "COMPLETED" in states or states & _PENDING:
            continue
        reason: Literal["missing", "failed", "stopped"] = (
            "stopped" if states & _STOPPED else "failed" if mine else "missing")
        tried = [run for run in mine if CATCH_UP_TAG in run.tags]
        if tried:
            caught.append(CaughtUp(settings.client, name, month, reason, "tried", tried[0].name))
            continue
        run = await client.create_flow_run_from_deployment(
            deployment_id, parameters={"month": str(month)}, tags=[CATCH_UP_TAG],
            name=f"{CATCH_UP_TAG}-{settings.client_slug}-{month}",
            idempotency_key=f"retropack {CATCH_UP_TAG} {deployment_id} {month}",
        )
        caught.append(CaughtUp(settings.client, name, month, reason, "started", run.name))
    return caught


async def catch_up_all(deployed: list[tuple[Settings, UUID]], now: datetime,
                       crash_after: float | None = None) -> list[CaughtUp]:
    """``catch_up`` for every client's deployment (settings and deployment id)."""
    caught = []
    async with get_client() as client:
        for settings, deployment_id in deployed:
            caught += await catch_up(client, deployment_id, settings, now, crash_after)
    return caught


async def _crashed_if_silent(client: PrefectClient, run: FlowRun, now: datetime, crash_after: float) -> FlowRun:
    """``run``, marked Crashed if it is Running and its last event (heartbeat or state) is older than
    ``crash_after`` seconds: its process is gone. The server's own detector (``operations.alerts``) does the same
    while it watches; this covers a run whose last heartbeat came before the detector was set up."""
    from prefect.states import Crashed

    if run.state_type is None or run.state_type.value != "RUNNING":
        return run
    response = await client.request("POST", "/events/filter", json={
        "filter": {"resource": {"id": [f"prefect.flow-run.{run.id}"]},
                   "occurred": {"since": (now - LOOKBACK).isoformat(), "until": now.isoformat()}},
        "limit": 1})
    events = response.json().get("events", [])
    if events and now - datetime.fromisoformat(events[0]["occurred"]) < timedelta(seconds=crash_after):
        return run
    await client.set_flow_run_state(run.id, Crashed(message=f"No heartbeat for {crash_after:g} s: the run's process "
                                                            "is gone."), force=True)
    return await client.read_flow_run(run.id)


def _reported(run: FlowRun, timezone: str) -> Month | None:
    """The month a run reports: its ``month`` parameter, else the month before its scheduled time."""
    asked = (run.parameters or {}).get("month")
    if asked:
        try:
            return Month.parse(str(asked))
        except ValueError:
            return None
    return default_month(run.expected_start_time, timezone) if run.expected_start_time else None
