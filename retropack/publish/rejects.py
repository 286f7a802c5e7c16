"""``rejects/<table>.csv``: every rejected input row, whole, with its row number and reason."""

from __future__ import annotations

from pathlib import Path

from retropack.load import Dataset

__all__ = ["write_rejects"]


def write_rejects(dataset: Dataset, folder: Path) -> list[Path]:
    """One file per table with rejected rows; UTF-8 with BOM so Excel reads Japanese."""
    written = []
    for quality in dataset.quality.values():
        if quality.rejects is None or quality.rejects.empty:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{quality.table}.csv"
        quality.rejects.to_csv(path, index=False, encoding="utf-8-sig")
        written.append(path)
    return written
