"""What was mailed, per client: the memory that keeps a pack from going out twice.

The ledger is ``<reports_root>/<client>/.deliveries.json``, beside the month folders rather than
inside them, because a run replaces its month folder whole and would erase the record with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from filelock import FileLock

from retropack.errors import DeliveryError
from retropack.months import Month

__all__ = ["Action", "Decision", "LEDGER_NAME", "Ledger", "LedgerEntry", "ledger_file", "ledger_held"]

LEDGER_NAME = ".deliveries.json"
Action = Literal["skip", "send", "revision", "resend"]


@dataclass(frozen=True)
class LedgerEntry:
    """One mail that went out; ``revision`` is 0 for the first pack of a month, then 1, 2, …

    ``confirmed`` is False for a mail the server took whole but never answered (``note`` says how): it may have
    been delivered, so it counts as sent, and only ``--resend`` mails it again.
    """

    month: str
    sent_at: str
    to: list[str]
    cc: list[str]
    pack_hash: str
    message_id: str
    revision: int
    kpi_values: dict[str, float | None] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # recipients the server turned away
    confirmed: bool = True
    note: str = ""  # why an unconfirmed mail is unconfirmed


@dataclass(frozen=True)
class Decision:
    """What to do with a pack, and the last mail of its month it relates to."""

    action: Action
    previous: LedgerEntry | None

    @property
    def revision(self) -> int:
        """The revision number the mail will carry if sent."""
        if self.previous is None:
            return 0
        return self.previous.revision + (1 if self.action == "revision" else 0)


def ledger_file(reports_root: Path, client: str) -> Path:
    """Where a client's ledger lives."""
    return Path(reports_root) / client / LEDGER_NAME


@contextlib.contextmanager
def ledger_held(path: Path) -> Iterator[None]:
    """Hold the ledger's lock (``.deliveries.json.lock`` beside it) for a whole read-decide-send-record, so two
    processes mailing the same client at once cannot both find a month unsent: the second waits, then reads the
    first one's entry. The system drops the lock when its process ends, however it ends."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path.with_name(f"{path.name}.lock"))
        lock.acquire()
    except OSError as exc:
        raise DeliveryError(f"Delivery ledger '{path}' cannot be locked ({exc.strerror or exc}): make the folder "
                            "writable; nothing was mailed.") from None
    try:
        yield
    finally:
        lock.release()


@dataclass
class Ledger:
    """A client's mails in the order they were sent."""

    path: Path
    entries: list[LedgerEntry] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Ledger:
        """Read the ledger; a missing file is an empty ledger (nothing sent yet)."""
        path = Path(path)
        return cls(path, _read(path))

    def last_for(self, month: Month | str) -> LedgerEntry | None:
        """The latest mail sent for ``month``."""
        sent = [entry for entry in self.entries if entry.month == str(month)]
        return sent[-1] if sent else None

    def decide(self, month: Month | str, pack_hash: str, resend: bool) -> Decision:
        """Send a first pack, skip the same pack again, send a changed pack as a revision."""
        previous = self.last_for(month)
        if previous is None:
            return Decision("send", None)
        if previous.pack_hash != pack_hash:
            return Decision("revision", previous)
        return Decision("resend" if resend else "skip", previous)

    def record(self, entry: LedgerEntry) -> None:
        """Append ``entry``, re-reading the file first so a concurrent run's entry is kept."""
        self.entries = [*_read(self.path), entry]
        payload = {"entries": [asdict(item) for item in self.entries]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.path.parent, prefix=f"{LEDGER_NAME}.", suffix=".tmp", delete=False
            ) as handle:
                json.dump(payload, handle, ensure_ascii=False, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, self.path)
        except OSError as exc:
            raise DeliveryError(
                f"Delivery ledger '{self.path}' cannot be written ({exc.strerror or exc}): the mail for "
                f"{entry.month} was sent; make the folder writable or the next run will send it again."
            ) from None


def _read(path: Path) -> list[LedgerEntry]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [LedgerEntry(**item) for item in raw["entries"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise DeliveryError(
            f"Delivery ledger '{path}' cannot be read ({type(exc).__name__}: {exc}): restore it from a backup "
            "or delete it, which makes the next run mail its pack as a first send."
        ) from None
