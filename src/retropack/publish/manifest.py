"""``manifest.json``: what produced a pack (run, versions, hashes of every input and output), and the
pack's identity, which decides whether it was mailed already.

The identity is the pack's content as its readers get it: the words and chart numbers of the deck
(which lays out everything the PDF does), ``kpis.json``, ``diagnosis.json`` and the rejected rows,
with the run's own id and time left out. So a rerun that changes nothing a reader sees is the same
pack, whatever changed around it (recipients or comments in the config, an input row of another
month, a new version that renders the same), and any change a reader can see is a new pack.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from retropack.config import Settings
from retropack.load import Dataset
from retropack.months import Month
from retropack.publish.rejects import ESCAPE, ESCAPED_STARTS, rows_as_read

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


def pack_hash(folder: Path, client: str, month: Month, run_id: str, generated_at: datetime,
              scoring_review: bool = False, rejects: Mapping[str, Iterable[bytes]] | None = None) -> str:
    """Identity of the pack written into ``folder``: what its readers see (see the module's docstring),
    and whether a scoring review was asked for outside its quarter.

    Two runs with the same hash show the same numbers, words and advice, so a delivery is not repeated.
    ``rejects`` (``rows_as_read``) stands for the files of ``rejects/``: their rows before the formula escape,
    so escaping cells changes no pack's identity and mails no revision. Both are read in pieces.
    """
    asked = "|scoring-review" if scoring_review else ""
    digest = hashlib.sha256(f"{client}|{month}{asked}".encode())
    documents = {name: _pieces(path) for name in ("kpis.json", "actions.json", "diagnosis.json")
                 if (path := folder / name).is_file()}
    if rejects is None:
        rejects = {path.relative_to(folder).as_posix(): _pieces(path) for path in folder.glob("rejects/*.csv")}
    for name, pieces in [*documents.items(), *sorted(rejects.items(), key=lambda item: item[0])]:
        digest.update(f"\0{name}\0".encode())
        for piece in pieces:
            digest.update(piece)
    volatile = (run_id, f"{generated_at:%Y-%m-%d %H:%M}")
    for deck in sorted(folder.glob("*.pptx")):
        for text in _deck_content(deck):
            for value in volatile:
                text = text.replace(value, "")
            digest.update(f"\0{text}".encode())
    return digest.hexdigest()


def _pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while piece := file.read(1 << 20):
            yield piece


def _deck_content(path: Path) -> Iterator[str]:
    """Every word and chart number of a deck, slide by slide, speaker notes included."""
    from pptx import Presentation

    for slide in Presentation(str(path)).slides:
        yield from _shapes_content(slide.shapes)
        if slide.has_notes_slide:
            yield slide.notes_slide.notes_text_frame.text


def _shapes_content(shapes: Any) -> Iterator[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shapes_content(shape.shapes)
        elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
            yield shape.image.sha1
        elif shape.has_text_frame:
            yield shape.text_frame.text
        elif shape.has_table:
            yield from (cell.text for row in shape.table.rows for cell in row.cells)
        elif shape.has_chart:
            for plot in shape.chart.plots:
                yield repr(list(plot.categories))
                yield from (repr((series.name, list(series.values))) for series in plot.series)


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
        "pack_hash": pack_hash(folder, settings.client, month, run_id, generated_at, scoring_review,
                               rows_as_read(dataset)),
        "versions": versions(),
        "config": _described(settings.config_file, settings.config_file.parent) if settings.config_file else None,
        "rules": _described(rules, rules.parent),
        "data_folder": str(settings.data.path),
        "inputs": [_described(path, settings.data.path) for path in sorted(dataset.files)],
        "rows": {q.table: {"read": q.rows_read, "rejected": q.rejected} for q in dataset.quality.values()},
        "outputs": [_described(path, folder) for path in sorted(folder.rglob("*")) if path.is_file()],
        "rejects_csv": {"escape": ESCAPE, "escaped_when_starting_with": list(ESCAPED_STARTS),
                        "reason_column": "reason, or reject_reason where the table has a reason column of its own",
                        "undo": f"remove the first {ESCAPE} of every cell that starts with {ESCAPE} to get the value "
                                "as read"},
    }
