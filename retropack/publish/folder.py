"""A run's output folder: everything goes to a staging folder, then moves into ``reports/C/M/`` at once.

A run that dies before the move leaves the previous pack exactly as it was (contract §4).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PackFiles", "discard", "pack_names", "promote", "staging_folder"]


@dataclass(frozen=True)
class PackFiles:
    folder: Path
    pdf: Path
    pptx: Path
    kpis_json: Path
    manifest: Path


def pack_names(client: str, month: str) -> tuple[str, str]:
    return f"retrospective-{client}-{month}.pdf", f"retrospective-{client}-{month}.pptx"


def staging_folder(reports_root: Path, client: str, month: str, run_id: str) -> Path:
    """A hidden sibling of the final folder: same filesystem, so the final move is a rename."""
    folder = reports_root / client / f".{month}.staging-{run_id}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def promote(staging: Path, final: Path) -> PackFiles:
    """Replace ``final`` by ``staging``; the old pack is removed only once the new one is in place."""
    retired = final.with_name(f".{final.name}.retired-{staging.name.rsplit('-', 1)[-1]}")
    if final.exists():
        os.replace(final, retired)
    try:
        os.replace(staging, final)
    except OSError:
        if retired.exists():
            os.replace(retired, final)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    pdf, pptx = (final / name for name in pack_names(final.parent.name, final.name))
    return PackFiles(final, pdf, pptx, final / "kpis.json", final / "manifest.json")


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
