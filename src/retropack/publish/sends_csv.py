"""``sends.csv``: every e-mail of the month, one line per blast and per scenario, beside the pack.

The PDF and the deck show the largest sends only (a program that mails a thousand times a month would otherwise
fill thirty pages) and say that the whole list is in this file. Rates are plain fractions for a spreadsheet; a name
a spreadsheet would run as a formula is written with a ``'`` in front, as in ``rejects/``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from retropack.insights.sends import RATES, SendReport
from retropack.publish.rejects import ESCAPE, ESCAPED_STARTS

__all__ = ["SENDS_FILE", "write_sends"]

SENDS_FILE = "sends.csv"
COLUMNS = ("first_sent", "last_sent", "kind", "name", "sends", "delivered", *RATES)


def _cell(text: str) -> str:
    return ESCAPE + text if text.startswith(ESCAPED_STARTS) else text


def write_sends(report: SendReport, folder: Path) -> Path | None:
    """Write ``folder/sends.csv`` (UTF-8 with BOM, for Excel); nothing when the month sent nothing."""
    if report.total is None:
        return None
    path = folder / SENDS_FILE
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for line in (*report.lines, report.total):
            rates = ["" if line.rates[kpi] is None else f"{line.rates[kpi]:.6f}" for kpi in RATES]
            writer.writerow([line.first.isoformat(), line.last.isoformat(), line.kind, _cell(line.name), line.sends,
                             f"{line.delivered:g}", *rates])
    return path
