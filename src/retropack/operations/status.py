"""``retropack status``: what an operator asks first about each client, read from the reports folder.

Per client: the newest month whose pack is there, the newest mail of the ledger (to whom, when, which month), the
months whose last run failed (the error line of its log), and the next scheduled run. Files only, so it answers with
the Prefect server down too; the reports folder is the one ``--out`` names, as for the runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from retropack.config import Settings
from retropack.delivery.ledger import Ledger, LedgerEntry, ledger_file
from retropack.flow.calendar import next_runs
from retropack.months import Month

__all__ = ["ClientStatus", "client_status"]

_MONTH = re.compile(r"^\d{4}-\d{2}$")
_STARTED = ": started; scheduled for "
_FAILED = re.compile(r" (\d{4}-\d{2}) failed: (.*)$")


@dataclass(frozen=True)
class ClientStatus:
    client: str
    last_built: Month | None
    last_mail: LedgerEntry | None
    failures: dict[str, str]  # month → the error of its last run, for months whose last run failed
    next_run: tuple[datetime, Month] | None


def client_status(settings: Settings, out: Path, today: date) -> ClientStatus:
    folder = Path(out) / settings.client
    built = sorted(Month.parse(p.name) for p in folder.glob("*") if _MONTH.match(p.name) and (p / "kpis.json").exists())
    entries = Ledger.load(ledger_file(out, settings.client)).entries
    upcoming = (next_runs(settings.schedule, settings.program.timezone, today, 1)[0]
                if settings.schedule is not None else None)
    return ClientStatus(settings.client, built[-1] if built else None, entries[-1] if entries else None,
                        _failures(folder / "logs"), upcoming)


def _failures(logs: Path) -> dict[str, str]:
    """The months whose last run (the part of its log after the last start) logged a failure, with its error."""
    found = {}
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace")
        last = text[text.rfind(_STARTED):] if _STARTED in text else text
        for line in last.splitlines():
            if match := _FAILED.search(line):
                found[match.group(1)] = match.group(2)
                break
    return found
