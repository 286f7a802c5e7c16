"""Secrets named in the config: an environment variable's name, or ``prefect-secret:<block>``.

The config never holds a secret, and no error, log line or file retropack writes quotes one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from retropack.errors import RetropackError

__all__ = ["SECRET_PREFIX", "read_secret"]

SECRET_PREFIX = "prefect-secret:"


def read_secret(name: str, setting: str, error: type[RetropackError], env: Mapping[str, str] = os.environ) -> str:
    """The secret ``name`` refers to; ``setting`` (e.g. ``source.token_env``) is named when it cannot be read."""
    if name.startswith(SECRET_PREFIX):
        block = name.removeprefix(SECRET_PREFIX)
        from prefect.blocks.system import Secret  # only when a block is named: Prefect's client is slow to import

        try:
            value = str(Secret.load(block).get())
        except Exception as exc:
            raise error(f"Prefect Secret block '{block}' named by {setting} cannot be loaded ({type(exc).__name__}): "
                        "create it (prefect block create secret) or fix the name.") from None
    else:
        value = env.get(name, "")
        if not value:
            raise error(f"Environment variable '{name}' named by {setting} is not set: export it before the run.")
    return value
