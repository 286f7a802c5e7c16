"""The project's exceptions.

Each is raised with one sentence that says what is wrong, where, and how to fix it;
only the command-line edge turns them into ``Error: …`` and an exit status.
"""

from __future__ import annotations

import re

__all__ = ["ConfigError", "DataError", "DeliveryError", "SourceError", "RenderError", "RetropackError", "visible"]

# What a terminal or a log would act on rather than show: controls and every character str.splitlines breaks at.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1e``): a value from the data quoted in a
    message keeps the message on one line and shows what the cell holds."""
    return _INVISIBLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                          else f"\\u{ord(m.group()):04x}", text)


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
