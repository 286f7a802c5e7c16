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

__all__ = ["SCHEDULE_YEARS", "ClientDeployment", "build_deployments", "client_configs", "deployment_name",
           "deploy_to_pool", "prefect_schedule"]

SCHEDULE_YEARS = 10


@dataclass(frozen=True)
class ClientDeployment:
    """A client's settings and the Prefect deployment that runs its monthly pack."""

    settings: Settings
    deployment: RunnerDeployment


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
    for config in configs:
        settings = load_settings(config, data=data)
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
        )
        built.append(ClientDeployment(settings, deployment))
    return built


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
    return [await client.deployment.aapply(work_pool_name=pool) for client in clients]
