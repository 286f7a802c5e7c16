"""The command that runs a client-month again exactly as the run that failed: same config, data, reports folder
(and so the same ledger), month and delivery options.

A client's ledger is ``<out>/<client>/.deliveries.json``, in the client's reports folder wherever ``--out`` points;
so the rerun names every path absolutely, and a rerun from any folder writes the pack the failed run would have
written and reads the ledger the scheduled runs read: nobody is mailed twice.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from retropack.months import Month

__all__ = ["rerun_command"]


def rerun_command(config: Path | str, month: Month | str, *, out: Path | str, data: Path | str | None = None,
                  sync: bool = True, resend: bool = False, scoring_review: bool = False,
                  quarterly: bool = False) -> str:
    """``retropack run …`` for ``month`` with the run's own options, every path absolute, quoted for a shell."""
    words = ["retropack", "run", "--config", str(Path(config).resolve()), "--month", str(month)]
    if data:
        words += ["--data", str(Path(data).resolve())]
    words += ["--out", str(Path(out).resolve())]
    words += [flag for flag, on in (("--no-sync", not sync), ("--resend", resend),
                                    ("--scoring-review", scoring_review), ("--quarterly", quarterly)) if on]
    return shlex.join(words)
