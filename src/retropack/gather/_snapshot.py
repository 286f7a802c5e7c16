"""The synced tables in the dataset folder, replaced all at once with the watermarks that describe them.

A sync writes its tables and its state into a hidden staging folder, marks it complete, then moves each
file into place. Any sync first finishes a complete staging folder a killed sync left (roll forward)
and removes an incomplete one (roll back), so the folder always holds one whole snapshot: a killed sync
leaves the previous one readable, and the next completes or discards it. One sync at a time per folder.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from retropack.errors import SourceError

__all__ = ["STATE_FILE", "commit", "locked", "read_state", "read_table", "recover"]

STATE_FILE = ".hubspot-sync.json"
LOCK_FILE = ".hubspot-sync.lock"
_STAGING = ".sync-staging-"
_COMPLETE = "COMPLETE"


@contextmanager
def locked(folder: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the folder's sync lock; a second sync of the same folder stops with a clear message."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_FILE))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise SourceError(f"Another sync of '{folder}' is running (lock {folder / LOCK_FILE}): wait for it to finish, "
                          "then run this one again.") from None
    try:
        yield
    finally:
        lock.release()


def recover(folder: Path) -> None:
    """Finish a complete staging folder a killed sync left behind; drop an incomplete one."""
    for staging in sorted(folder.glob(f"{_STAGING}*")):
        if (staging / _COMPLETE).exists():
            _move_in(staging, folder)
        shutil.rmtree(staging, ignore_errors=True)


def read_state(folder: Path) -> dict[str, Any]:
    """The last sync's watermarks and notes; empty before the first sync."""
    try:
        return json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise SourceError(f"Sync state '{folder / STATE_FILE}' cannot be read ({exc}): run 'retropack sync --full' "
                          "to rebuild the snapshot.") from None


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """A table of the previous snapshot, as text; None when there is none. A table people keep there too
    (``content_calendar``) may be saved as CP932 (Shift_JIS), as Excel in Japanese saves CSV, like the dataset."""
    path = folder / f"{name}.csv"
    if not path.exists():
        return None
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SourceError(f"File '{path}' is neither UTF-8 nor CP932 (Shift_JIS) text, so the sync cannot keep its "
                          "rows beside HubSpot's; re-save it as UTF-8 (in Excel: 'CSV UTF-8'), then sync again.")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        return None
    except pd.errors.ParserError as error:
        raise SourceError(f"File '{path}' is not a well-formed CSV ({str(error).strip()}), so the sync cannot keep "
                          "its rows beside HubSpot's; check the commas and quotes on that line, then sync again.") \
            from None


def commit(folder: Path, tables: dict[str, pd.DataFrame], state: dict[str, Any]) -> None:
    """Replace the snapshot's ``tables`` (``<name>.csv``) and its state, all or nothing."""
    staging = folder / f"{_STAGING}{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name, frame in tables.items():
            frame.to_csv(staging / f"{name}.csv", index=False, encoding="utf-8")
        (staging / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for path in staging.iterdir():
            _fsync(path)
        (staging / _COMPLETE).touch()
        _fsync(staging / _COMPLETE)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _move_in(staging, folder)
    shutil.rmtree(staging, ignore_errors=True)


def _move_in(staging: Path, folder: Path) -> None:
    """Move the staged files into the folder, the state last (it says which snapshot the tables are)."""
    files = sorted(p for p in staging.iterdir() if p.name not in (_COMPLETE, STATE_FILE))
    for path in [*files, staging / STATE_FILE]:
        if path.exists():
            os.replace(path, folder / path.name)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
