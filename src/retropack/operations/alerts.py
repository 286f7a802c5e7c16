"""Alerts on the Prefect server: whatever ends a client's run as Failed or Crashed, the webhook hears of it.

The in-flow alert needs the run to reach its failure handler with the client's config read: a missing config,
a killed process, a worker without the webhook's variable send nothing from there. So ``deploy`` and ``serve``
give each client with an ``alerts`` block an Automation on the server (created or updated, never doubled):
it posts ``{"text": …}`` to the webhook (kept in a Webhook block) when a run of the client's deployment turns
Failed or Crashed, with the client, the month, the error, the log and the rerun command. Runs of a deployment
leave the posting to it; runs without one (``retropack run``, backfill) still post from inside the flow.

A run whose process is gone stops sending heartbeats: one more Automation (for every retropack deployment)
marks a run Crashed when its heartbeats stop for ``crash_after`` seconds, which fires the alert and lets
catch-up run the month again.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from retropack._secrets import read_secret
from retropack.config import Settings
from retropack.errors import ConfigError
from retropack.flow.rerun import rerun_command
from retropack.present.messages import Translator

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient

__all__ = ["ALERT_PREFIX", "CRASH_AUTOMATION", "HEARTBEAT_SECONDS", "alert_automation_name", "alert_template",
           "ensure_alerts", "ensure_crash_detection"]

ALERT_PREFIX = "retropack-alert-"
CRASH_AUTOMATION = "retropack-crashed-runs"
HEARTBEAT_SECONDS = 30  # Prefect's shortest heartbeat interval
_MONTH, _ERROR = "@@month@@", "@@error@@"  # stand-ins the server replaces; shlex leaves them unquoted
_PREFECT_PREFIX = "Flow run encountered an exception: "


def alert_automation_name(settings: Settings) -> str:
    return f"{ALERT_PREFIX}{settings.client_slug}"


def alert_template(settings: Settings, config: Path, out: Path, data: Path | None) -> str:
    """The webhook payload as a template for the server: the alert text the flow would post, with the month (the
    run's ``month`` parameter, else the end of its name ``<client>-<YYYY-MM>``) and the error filled in there."""
    from retropack.flow.monthly_retrospective import log_file  # the rendering stack: only when needed

    assert settings.alerts is not None
    delivery = settings.delivery
    tr = Translator((delivery.locale if delivery else None) or settings.program.locale)
    text = "\n".join([tr("alert.text", client=settings.client, month=_MONTH, error=_ERROR),
                      tr("mail.failure_log", log=log_file(out.resolve(), settings.client, _MONTH)),
                      tr("mail.failure_fix", command=rerun_command(config, _MONTH, out=out, data=data))])
    month = ('{% set month = flow_run.parameters.month or (flow_run.name[-7:] if flow_run.name.startswith("'
             + settings.client_slug + '-") else "YYYY-MM") %}')
    error = f'{{% set error = (flow_run.state.message or flow_run.state.name) | replace("{_PREFECT_PREFIX}", "") %}}'
    literal = json.dumps(text)  # a JSON string is a Jinja string literal too
    body = f'{{{{ {{"text": {literal} | replace("{_MONTH}", month) | replace("{_ERROR}", error)}} | tojson }}}}'
    return month + error + body


async def ensure_alerts(client: PrefectClient, settings: Settings, deployment_id: UUID, *, config: Path, out: Path,
                        data: Path | None) -> UUID | None:
    """Create or update the client's alert Automation (and its Webhook block); a client without ``alerts``
    has none (one left from an earlier config is deleted). Returns the automation's id."""
    from prefect.automations import AutomationCore
    from prefect.blocks.webhook import Webhook
    from prefect.events.actions import CallWebhook
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.types import SecretDict
    from pydantic import SecretStr

    name = alert_automation_name(settings)
    existing = await client.read_automations_by_name(name)
    if settings.alerts is None:
        for automation in existing:
            await client.delete_automation(automation.id)
        return None
    url = read_secret(settings.alerts.webhook_url_env, "alerts.webhook_url_env", ConfigError)
    # the address comes from the operator's own environment, so the server may post to a private network's host
    block = Webhook(method="POST", url=SecretStr(url), headers=SecretDict({"Content-Type": "application/json"}),
                    allow_private_urls=True)
    block_id = await block.asave(name, overwrite=True, client=client)
    wanted = AutomationCore(
        name=name,
        description=f"retropack: post {settings.client}'s failed and crashed runs to its alerts webhook.",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.id": f"prefect.deployment.{deployment_id}"},
            for_each={"prefect.resource.id"},
            posture=Posture.Reactive, threshold=1, within=timedelta(0),
        ),
        actions=[CallWebhook(block_document_id=block_id, payload=alert_template(settings, config, out, data))],
    )
    if existing:
        await client.update_automation(existing[0].id, wanted)
        for extra in existing[1:]:
            await client.delete_automation(extra.id)
        return existing[0].id
    return await client.create_automation(wanted)


async def ensure_crash_detection(client: PrefectClient, crash_after: float) -> UUID:
    """Create or update the Automation that marks a retropack run Crashed once its heartbeats have stopped for
    ``crash_after`` seconds (its process was killed, ran out of memory, or its machine went down)."""
    from prefect.automations import AutomationCore
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture

    automation = AutomationCore(
        name=CRASH_AUTOMATION,
        description="retropack: a run that has not sent a heartbeat for a while is gone; mark it Crashed.",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", "prefect.flow-run.Completed", "prefect.flow-run.Failed",
                    "prefect.flow-run.Cancelled", "prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.id": "prefect.tag.retropack", "prefect.resource.role": "tag"},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive, threshold=1, within=timedelta(seconds=crash_after),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED,
                                    message=f"No heartbeat for {crash_after:g} s: the run's process is gone.")],
    )
    existing = await client.read_automations_by_name(CRASH_AUTOMATION)
    if existing:
        # updating starts the server's watch afresh: a run whose last heartbeat came before would never be marked
        if getattr(existing[0].trigger, "within", None) != getattr(automation.trigger, "within", None):
            await client.update_automation(existing[0].id, automation)
        return existing[0].id
    return await client.create_automation(automation)
