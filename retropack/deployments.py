"""One Prefect deployment per client, built from the clients' config files in the repository."""

from __future__ import annotations

from pathlib import Path

import yaml

from retropack.config import Settings, load_settings
from retropack.errors import ConfigError
from retropack.schedule import prefect_schedule
from retropack.yaml_text import load_yaml


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
    from flows.monthly_retrospective import monthly_retrospective

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
