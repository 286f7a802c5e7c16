"""``manifest.json``: what produced a pack (run, versions, hashes of every input and output), and the
pack's identity, which decides whether it was mailed already."""

from __future__ import annotations

import hashlib
import platform
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from retropack.config import Settings
from retropack.load import Dataset
from retropack.months import Month

__all__ = ["manifest", "pack_hash", "sha256_file", "versions"]

_VERSIONED = ("retropack", "prefect", "pandas", "weasyprint", "python-pptx", "matplotlib")


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), **{name: version(name) for name in _VERSIONED}}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pack_hash(dataset: Dataset, settings: Settings, month: Month, scoring_review: bool = False) -> str:
    """Identity of a pack's content: its month, inputs, configuration, rules and code version, and
    whether a scoring review was asked for outside its quarter (it adds pages).

    Two runs with the same hash carry the same numbers and advice, so a delivery is not repeated.
    """
    asked = "|scoring-review" if scoring_review else ""
    digest = hashlib.sha256(f"{settings.client}|{month}|{version('retropack')}{asked}".encode())
    sources = [*sorted(dataset.files), settings.config_file, settings.advice.rules_file]
    for path in sources:
        if path is not None and Path(path).exists():
            digest.update(sha256_file(Path(path)).encode())
    return digest.hexdigest()


def _described(path: Path, base: Path) -> dict[str, str | int]:
    return {"file": str(path.relative_to(base)) if path.is_relative_to(base) else str(path),
            "sha256": sha256_file(path), "bytes": path.stat().st_size}


def manifest(settings: Settings, dataset: Dataset, month: Month, run_id: str, generated_at: datetime, folder: Path,
             scoring_review: bool) -> dict[str, Any]:
    """The manifest of the pack written into ``folder`` (every file there is listed with its hash)."""
    rules = settings.advice.rules_file
    assert rules is not None  # resolved when the settings were loaded
    return {
        "run_id": run_id,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "client": settings.client,
        "month": str(month),
        "pack_hash": pack_hash(dataset, settings, month, scoring_review),
        "versions": versions(),
        "config": _described(settings.config_file, settings.config_file.parent) if settings.config_file else None,
        "rules": _described(rules, rules.parent),
        "data_folder": str(settings.data.path),
        "inputs": [_described(path, settings.data.path) for path in sorted(dataset.files)],
        "rows": {q.table: {"read": q.rows_read, "rejected": q.rejected} for q in dataset.quality.values()},
        "outputs": [_described(path, folder) for path in sorted(folder.rglob("*")) if path.is_file()],
    }
