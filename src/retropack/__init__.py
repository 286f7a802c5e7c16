"""retropack: the monthly marketing-automation retrospective pack for marketing × sales meetings."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from retropack.errors import ConfigError, DataError, DeliveryError, RenderError, RetropackError

__version__ = "0.3.0.dev0"  # the one place of the version: pyproject.toml reads it (see CHANGELOG.md)

__all__ = [
    "ConfigError",
    "DataError",
    "DeliveryError",
    "RenderError",
    "RetropackError",
    "Settings",
    "__version__",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    """``Settings`` and ``load_settings`` load on first use: the config pulls in pandas, and the
    command line should start (and bring Prefect's API up) before paying for it."""
    if name in ("Settings", "load_settings"):
        return getattr(import_module("retropack.config"), name)
    raise AttributeError(f"module 'retropack' has no attribute {name!r}")
