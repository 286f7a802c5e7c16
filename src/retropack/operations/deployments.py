"""One Prefect deployment per client, built from the clients' config files.

The schedule is the exact list of run times (an iCalendar ``RDATE`` list in an RRule schedule) that
``retropack.flow.calendar`` computes with the Japanese calendar, so Prefect creates one run per month
on the Nth business day and none on the other days. The list reaches ``SCHEDULE_YEARS`` ahead and is
renewed each time ``serve`` or ``deploy`` runs (a new ``holidays`` release included).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

import yaml
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import RRule
from prefect.schedules import Schedule as PrefectSchedule

from retropack._yaml import load_yaml
from retropack.config import Schedule, Settings, load_settings
from retropack.errors import ConfigError, RetropackError
from retropack.flow.calendar import next_runs
from retropack.operations.alerts import HEARTBEAT_SECONDS

__all__ = ["SCHEDULE_YEARS", "ClientDeployment", "build_deployments", "client_configs", "deployment_name",
           "deploy_to_pool", "one_config_per_client", "prefect_schedule", "undeploy"]

SCHEDULE_YEARS = 10


@dataclass(frozen=True)
class ClientDeployment:
    """A client's settings and the Prefect deployment that runs its monthly pack."""

    settings: Settings
    deployment: RunnerDeployment
    config: Path  # the client's config file


def client_configs(path: Path) -> list[Path]:
    """``path`` itself, or every client config in a folder (a YAML file with a ``program`` block)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ConfigError(f"Config path '{path}' is neither a file nor a folder: pass a client's YAML file or "
                          f"a folder of them.")
    found = []
    for candidate in sorted(path.glob("*.y*ml")):
        try:
            raw = load_yaml(candidate.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config file '{candidate}' is not valid YAML: {exc}.") from None
        if isinstance(raw, dict) and "program" in raw:
            found.append(candidate)
    if not found:
        raise ConfigError(f"Folder '{path}' holds no client config (a YAML file with a 'program' block).")
    return found


def deployment_name(settings: Settings) -> str:
    """Prefect's name for the client's deployment, from the client id's slug (``株式会社ABC`` → ``abc-`` and a hash)."""
    return f"monthly-retrospective-{settings.client_slug}"


async def undeploy(client_id: str) -> list[str]:
    """Delete the client's deployment (its schedule and scheduled runs go with it), its alert Automation and the
    alert's Webhook block; what was removed, by name. A client with nothing on the server is an error."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    from retropack.config import slug
    from retropack.operations.alerts import ALERT_PREFIX

    client_slug = slug(client_id)
    name = f"monthly-retrospective/monthly-retrospective-{client_slug}"
    alert = f"{ALERT_PREFIX}{client_slug}"
    removed = []
    async with get_client() as prefect:
        with contextlib.suppress(ObjectNotFound):
            deployment = await prefect.read_deployment_by_name(name)
            await prefect.delete_deployment(deployment.id)
            removed.append(f"deployment {name} and its schedule")
        for automation in await prefect.read_automations_by_name(alert):
            await prefect.delete_automation(automation.id)
            removed.append(f"automation {alert}")
        with contextlib.suppress(ObjectNotFound):
            block = await prefect.read_block_document_by_name(alert, block_type_slug="webhook")
            await prefect.delete_block_document(block.id)
    if not removed:
        raise RetropackError(f"Client '{client_id}' has no deployment on this Prefect server ({name}): check the id "
                             "(the config's client: key).")
    return removed


def prefect_schedule(schedule: Schedule, timezone: str, today: date) -> PrefectSchedule:
    """The run times of ``SCHEDULE_YEARS`` from ``today``'s month, as local times in ``timezone``."""
    first = today.replace(day=1)
    runs = next_runs(schedule, timezone, first, 12 * SCHEDULE_YEARS)
    dates = ",".join(moment.strftime("%Y%m%dT%H%M%S") for moment, _ in runs)
    return RRule(f"RDATE:{dates}", timezone=timezone, slug="business-day")


def build_deployments(configs: list[Path], *, out: Path, data: Path | None, today: date) -> list[ClientDeployment]:
    """A deployment per client that has a ``schedule`` block; clients without one are skipped.

    The flow is found by its module path, so a worker on another machine needs retropack installed,
    not this checkout; ``config``, ``out`` and ``data`` are absolute paths that the machine running a
    flow must see (the same checkout, or a shared folder).
    """
    from retropack.flow.monthly_retrospective import monthly_retrospective  # the rendering stack: only when needed

    built = []
    for config, settings in one_config_per_client(configs, data):
        if settings.schedule is None:
            continue
        parameters = {"config": str(config.resolve()), "out": str(out.resolve())}
        if data is not None:
            parameters["data"] = str(data.resolve())
        schedule = prefect_schedule(settings.schedule, settings.program.timezone, today)
        deployment = monthly_retrospective.to_deployment(
            name=deployment_name(settings),
            schedule=schedule,
            parameters=parameters,
            tags=["retropack", settings.client],
            description=f"{settings.program.name}: monthly retrospective on business day "
                        f"{settings.schedule.business_day} at {settings.schedule.time} ({settings.program.timezone}), "
                        f"Japanese public holidays skipped. Run one month by hand with the parameter month=YYYY-MM.",
            entrypoint_type=EntrypointType.MODULE_PATH,
            concurrency_limit=1,  # one run of a client at a time; no limit object per month to pile up
        )
        built.append(ClientDeployment(settings, deployment, config.resolve()))
    return built


def one_config_per_client(configs: list[Path], data: Path | None, *,
                          require_id: bool = True) -> list[tuple[Path, Settings]]:
    """Each config's settings; two configs naming one client (or, with ``require_id``, a config without its own
    ``client:``) are refused, naming the files: they would share one deployment, one reports folder and one
    ledger."""
    found: list[tuple[Path, Settings]] = []
    owners: dict[str, Path] = {}
    for config in configs:
        settings = load_settings(config, data=data)
        if require_id and "client" not in settings.model_fields_set:
            raise ConfigError(f"Config file '{config}' has no 'client' key: give each client its own id (e.g. "
                              "client: acme); a scheduled client without one would share reports, ledger and "
                              "deployment with every other such client.")
        for other in (owners.get(settings.client), owners.get(settings.client_slug)):
            if other is not None:
                raise ConfigError(f"Config files '{other}' and '{config}' both name client '{settings.client}' "
                                  "(or ids Prefect spells alike): give each client its own id; one of them would "
                                  "overwrite the other's deployment, reports and ledger.")
        owners[settings.client] = owners[settings.client_slug] = config
        found.append((config, settings))
    return found


async def _ensure_pool(pool: str) -> None:
    """Create the work pool for process workers unless it exists; a pool of another type is refused."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from pydantic import ValidationError

    try:
        create = WorkPoolCreate(name=pool, type="process")
    except ValidationError:
        raise RetropackError(f"Work pool name '{pool}' is not valid: give --pool a name without '/' or '%', "
                             "e.g. retropack.") from None
    async with get_client() as client:
        try:
            existing = await client.read_work_pool(pool)
        except ObjectNotFound:
            with contextlib.suppress(ObjectAlreadyExists):  # another deploy created it meanwhile
                await client.create_work_pool(create)
            return
    if existing.type != "process":
        raise RetropackError(f"Work pool '{pool}' has type '{existing.type}', not 'process': name another pool "
                             "with --pool (retropack creates it for process workers).")


async def deploy_to_pool(clients: list[ClientDeployment], pool: str) -> list[UUID]:
    """Create or update the clients' deployments in ``pool`` (created for process workers if missing)."""
    await _ensure_pool(pool)
    for client in clients:  # a worker's runs send heartbeats, so the server can tell a run whose process is gone
        client.deployment.job_variables = {"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}}
    return [await client.deployment.aapply(work_pool_name=pool) for client in clients]
