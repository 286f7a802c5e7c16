"""Build many months (and clients) in one go, with a progress bar and a final table of months, results and times.

The runs' own log lines go to each month's log file (``<out>/<client>/logs/<month>.log``), not to the
terminal, so the bar stays readable; Ctrl-C stops after recording the month it interrupted.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from retropack.config import load_settings
from retropack.errors import RetropackError
from retropack.months import Month
from retropack.operations.terminal import RUN_LOGGERS, terminal_shows

__all__ = ["Backfill", "Outcome", "backfill", "months_between", "outcome_table"]



@dataclass(frozen=True)
class Outcome:
    client: str
    month: str
    result: Literal["ok", "failed", "stopped"]
    seconds: float
    detail: str  # status counts, or the error and where the month's log is

    @property
    def ok(self) -> bool:
        return self.result == "ok"


@dataclass(frozen=True)
class Backfill:
    outcomes: list[Outcome]
    interrupted: bool  # stopped by Ctrl-C: the months after the last outcome were not built


def months_between(first: Month, last: Month) -> list[Month]:
    if last < first:
        raise RetropackError(f"--to {last} is before --from {first}: give the earlier month first.")
    return [first.shift(i) for i in range(last - first + 1)]


def backfill(configs: list[Path], first: Month, last: Month, *, out: Path, data: Path | None, deliver: bool,
             console: Console) -> Backfill:
    """Run the flow for every client and month; a failed month is recorded and the rest still run.

    A HubSpot client is synced once, before its first month, not once a month.
    """
    from retropack.flow import steps
    from retropack.flow.monthly_retrospective import log_file, monthly_retrospective

    months = months_between(first, last)
    clients = {config: load_settings(config, data=data) for config in configs}
    jobs = [(config, clients[config].client, month) for config in configs for month in months]
    unsynced: dict[Path, str] = {}  # client config -> why its sync failed
    outcomes: list[Outcome] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with _ctrl_c_remembered() as ctrl_c, terminal_shows(_not_a_run), \
            Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("backfill", total=len(jobs))
        for config, settings in clients.items():
            if settings.source.kind == "hubspot":
                progress.update(bar, description=f"{settings.client} sync")
                try:
                    steps.sync(settings)
                except RetropackError as exc:
                    unsynced[config] = str(exc)
        for config, client, month in jobs:
            progress.update(bar, description=f"{client} {month}")
            started = time.monotonic()
            if config in unsynced:
                outcomes.append(Outcome(client, str(month), "failed", 0.0, f"sync failed: {unsynced[config]}"))
                progress.advance(bar)
                continue
            try:
                result = monthly_retrospective(config=str(config), month=str(month), out=str(out),
                                               data=str(data) if data else None, deliver=deliver, sync=False)
                counts = ", ".join(f"{k} {v}" for k, v in result.statuses.items() if v)
                outcome = Outcome(client, str(month), "ok", time.monotonic() - started, counts)
            except Exception as exc:  # a bug fails its month too: the others still run
                log = log_file(out, client, month)
                what = str(exc) if isinstance(exc, RetropackError) else \
                    f"unexpected {type(exc).__name__} (a bug in retropack: its traceback is in the log)"
                outcome = Outcome(client, str(month), "failed", time.monotonic() - started, f"{what} (log: {log})")
            except KeyboardInterrupt:
                outcomes.append(Outcome(client, str(month), "stopped", time.monotonic() - started,
                                        "interrupted by Ctrl-C"))
                return Backfill(outcomes, interrupted=True)
            if ctrl_c.is_set():  # the interrupt was swallowed on its way (see _ctrl_c_remembered): stop here
                outcomes.append(Outcome(client, str(month), "stopped", outcome.seconds,
                                        f"interrupted by Ctrl-C, after it ended {outcome.result}: {outcome.detail}"))
                return Backfill(outcomes, interrupted=True)
            outcomes.append(outcome)
            progress.advance(bar)
    return Backfill(outcomes, interrupted=False)


def outcome_table(outcomes: list[Outcome]) -> Table:
    table = Table(title="backfill")
    for column in ("client", "month", "result", "time", "detail"):
        table.add_column(column, overflow="fold", justify="right" if column == "time" else "left")
    colours = {"ok": "green", "failed": "red", "stopped": "yellow"}
    for o in outcomes:
        table.add_row(o.client, o.month, f"[{colours[o.result]}]{o.result}[/]", f"{o.seconds:.1f} s", o.detail)
    return table


def _not_a_run(record: logging.LogRecord) -> bool:
    """Flow and task log lines (also in each month's log file) stay off the terminal, under the progress bar."""
    return not record.name.startswith(RUN_LOGGERS)


@contextlib.contextmanager
def _ctrl_c_remembered() -> Iterator[threading.Event]:
    """Ctrl-C raises KeyboardInterrupt as usual, and is also remembered: raised in the wrong place it can be
    swallowed (a garbage collector callback; a Prefect task starting, which turns it into a month that failed),
    and the backfill then went on building the next months. Outside the main thread Python's handler applies."""
    pressed = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return

    def on_ctrl_c(signum: int, frame: FrameType | None) -> None:
        pressed.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)
