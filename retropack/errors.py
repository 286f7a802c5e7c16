"""The project's exceptions.

Each is raised with one sentence that says what is wrong, where, and how to fix it;
only the command-line edge turns them into ``Error: …`` and an exit status.
"""

from __future__ import annotations

__all__ = ["ConfigError", "DataError", "DeliveryError", "SourceError", "RenderError", "RetropackError"]


class RetropackError(Exception):
    """Base of every error retropack raises on purpose."""


class ConfigError(RetropackError):
    """The configuration file is missing, unreadable, or holds a bad key or value."""


class DataError(RetropackError):
    """The dataset cannot be used: missing file or column, or too many rejected rows."""


class RenderError(RetropackError):
    """A document of the pack could not be produced."""


class SourceError(RetropackError):
    """The program's data could not be gathered from its source (HubSpot): token, scope, limit or answer."""


class DeliveryError(RetropackError):
    """The pack could not be e-mailed."""
