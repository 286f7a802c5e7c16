"""Write one run's outputs: everything goes to a staging folder, then moves into ``reports/C/M/`` at once.

A run that dies before the move leaves the previous pack exactly as it was (contract §4).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retropack.dataset import Dataset
from retropack.kpis.evaluation import KpiResult


@dataclass(frozen=True)
class PackFiles:
    folder: Path
    pdf: Path
    pptx: Path
    kpis_json: Path
    manifest: Path


def pack_names(client: str, month: str) -> tuple[str, str]:
    return f"retrospective-{client}-{month}.pdf", f"retrospective-{client}-{month}.pptx"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _number(value: float | None, unit: str) -> int | float | None:
    if value is None:
        return None
    return int(round(value)) if unit == "count" else round(float(value), 6)


def kpis_document(client: str, month: str, phase_id: str, month_index: int, results: list[KpiResult]) -> dict[str, Any]:
    """The contract's ``kpis.json``; ``name`` and ``unit`` are additions for readers of the file."""
    return {
        "client": client,
        "month": month,
        "phase": {"id": phase_id, "month_index": month_index},
        "kpis": [
            {
                "id": r.kpi.id,
                "actual": _number(r.actual, r.kpi.unit),
                "target": _number(r.target, r.kpi.unit),
                "status": r.status,
                "better": r.kpi.better,
                "focus": r.focus,
                "owner": r.kpi.owner,
                "previous": _number(r.previous, r.kpi.unit),
                "change": _number(r.change, r.kpi.unit),
                "name": {"ja": r.kpi.name_ja, "en": r.kpi.name_en},
                "unit": r.kpi.unit,
            }
            for r in results
        ],
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_rejects(dataset: Dataset, folder: Path) -> list[Path]:
    """Each rejected row, whole, with its row number and reason; UTF-8 with BOM so Excel reads Japanese."""
    written = []
    for quality in dataset.quality.values():
        if quality.rejects is None or quality.rejects.empty:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{quality.table}.csv"
        quality.rejects.to_csv(path, index=False, encoding="utf-8-sig")
        written.append(path)
    return written


def staging_folder(reports_root: Path, client: str, month: str, run_id: str) -> Path:
    """A hidden sibling of the final folder: same filesystem, so the final move is a rename."""
    folder = reports_root / client / f".{month}.staging-{run_id}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def promote(staging: Path, final: Path) -> None:
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


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
