"""retropack: the monthly marketing-automation retrospective pack for marketing × sales meetings."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from retropack.errors import ConfigError, DataError, DeliveryError, RenderError, RetropackError

__all__ = [
    "ConfigError",
    "DataError",
    "DeliveryError",
    "RenderError",
    "RetropackError",
    "Settings",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    """``Settings`` and ``load_settings`` load on first use: the config pulls in pandas, and the
    command line should start (and bring Prefect's API up) before paying for it."""
    if name in ("Settings", "load_settings"):
        return getattr(import_module("retropack.config"), name)
    raise AttributeError(f"module 'retropack' has no attribute {name!r}")
