"""YAML reading for every file retropack loads: libyaml's C parser where PyYAML has it.

The message catalogue alone takes ~0.15 s with the pure-Python parser and ~0.01 s with libyaml.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse ``text`` as YAML with safe types only (as ``yaml.safe_load``)."""
    return yaml.load(text, Loader=_LOADER)
