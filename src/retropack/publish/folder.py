"""A run's output folder: everything goes to a staging folder, then moves into ``reports/C/M/`` at once.

A run that dies before the move leaves the previous pack exactly as it was (contract §4). One run of a client's
month goes at a time: it holds ``reports/C/logs/M.lock`` (a lock the system drops when its process ends, however
it ends), so what a killed run left behind (``.M.staging-*``, ``.M.retired-*``) is known to be nobody's and is
cleared by the client's next run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["PackFiles", "clear_leftovers", "discard", "pack_names", "promote", "run_lock", "staging_folder"]

_LEFTOVER = re.compile(r"^\.(\d{4}-\d{2})\.(staging|retired)-")


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


def _lock_file(reports_root: Path, client: str, month: str) -> Path:
    return Path(reports_root) / client / "logs" / f"{month}.lock"


@contextlib.contextmanager
def run_lock(reports_root: Path, client: str, month: str, waiting: Callable[[Path], None]) -> Iterator[None]:
    """Hold the client-month's lock while a run builds and mails; ``waiting(lock)`` is called once if another run
    of the same month holds it, and this one then waits for it to end."""
    path = _lock_file(reports_root, client, month)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        waiting(path)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def clear_leftovers(reports_root: Path, client: str, month: str) -> list[str]:
    """Remove the staging folders killed runs left in the client's folder; a pack a killed run had moved aside
    (``.M.retired-*``) goes back into place if its month has no folder, else it is removed too.

    Called by a run holding ``month``'s lock; another month's leftovers are cleared only while its lock is free
    (no run of it is under way). Returns the names cleared.
    """
    folder = Path(reports_root) / client
    cleared = []
    for leftover in sorted(folder.glob(".*")):
        match = _LEFTOVER.match(leftover.name)
        if not match or not leftover.is_dir():
            continue
        other = match.group(1)
        with contextlib.ExitStack() as held:
            if other != month:
                try:
                    held.enter_context(FileLock(_lock_file(reports_root, client, other)).acquire(timeout=0))
                except Timeout:
                    continue  # a run of that month is under way: its folders are its own
            final = folder / other
            if match.group(2) == "retired" and not final.exists():
                os.replace(leftover, final)
            else:
                shutil.rmtree(leftover, ignore_errors=True)
            cleared.append(leftover.name)
    return cleared
