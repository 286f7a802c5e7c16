"""One Prefect deployment per client, built from the clients' config files in the repository."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.schedules import Cron
from prefect.schedules import Schedule as PrefectSchedule

from retropack._yaml import load_yaml
from retropack.config import Schedule, Settings, load_settings
from retropack.errors import ConfigError

__all__ = ["build_deployments", "client_configs", "cron_expression", "deployment_name", "latest_run_day",
           "prefect_schedule"]

# The most public holidays that fell on weekdays in one month so far is 4 (May 2019: 1, 2, 3, 6);
# one more leaves room for a special holiday declared by a future law.
_MAX_WEEKDAY_HOLIDAYS = 5


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
    return f"monthly-retrospective-{settings.client}".lower().replace("_", "-")


def build_deployments(configs: list[Path], *, out: Path):
    """A ``RunnerDeployment`` per client that has a ``schedule`` block; clients without one are skipped."""
    from retropack.flow.monthly_retrospective import monthly_retrospective

    deployments = []
    for config in configs:
        settings = load_settings(config)
        if settings.schedule is None:
            continue
        deployments.append(
            monthly_retrospective.to_deployment(
                name=deployment_name(settings),
                schedule=prefect_schedule(settings.schedule, settings.program.timezone),
                parameters={"config": str(config.resolve()), "out": str(out.resolve()), "scheduled": True},
                tags=["retropack", settings.client],
                description=f"{settings.program.name}: monthly retrospective on business day "
                            f"{settings.schedule.business_day} at {settings.schedule.time} "
                            f"({settings.program.timezone})",
            )
        )
    return deployments


def latest_run_day(n: int) -> int:
    """The latest day of a month the ``n``-th business day can fall on, with worst-case weekends and holidays."""
    needed = n + _MAX_WEEKDAY_HOLIDAYS
    days = needed
    while days - (2 * (days // 7) + min(2, days % 7)) < needed:
        days += 1
    return min(days, 31)


def cron_expression(schedule: Schedule) -> str:
    """Daily at the configured time over the days the configured business day can fall on."""
    hours, minutes = (int(part) for part in schedule.time.split(":"))
    return f"{minutes} {hours} 1-{latest_run_day(schedule.business_day)} * *"


def prefect_schedule(schedule: Schedule, timezone: str) -> PrefectSchedule:
    """The deployment's schedule: cron cannot skip Japanese holidays, so it fires daily over the days
    the business day can fall on, and the flow returns early unless ``is_run_day`` holds.

    Use: ``flow.deploy(..., schedules=[prefect_schedule(settings.schedule, settings.program.timezone)])``.
    """
    return Cron(cron_expression(schedule), timezone=timezone)
