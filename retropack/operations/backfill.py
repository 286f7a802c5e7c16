"""Build many months (and clients) in one go, with a progress bar and a final months × status table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from retropack.config import load_settings
from retropack.errors import RetropackError
from retropack.months import Month

__all__ = ["backfill", "months_between", "Outcome", "outcome_table"]


@dataclass(frozen=True)
class Outcome:
    client: str
    month: str
    ok: bool
    detail: str  # status counts, or the error


def months_between(first: Month, last: Month) -> list[Month]:
    if last < first:
        raise RetropackError(f"--to {last} is before --from {first}: give the earlier month first.")
    return [first.shift(i) for i in range(last - first + 1)]


def backfill(configs: list[Path], first: Month, last: Month, *, out: Path, deliver: bool,
             console: Console) -> list[Outcome]:
    """Run the flow for every client and month; a failed month is recorded and the rest still run.

    A HubSpot client is synced once, before its first month, not once a month.
    """
    from retropack.flow import steps
    from retropack.flow.monthly_retrospective import monthly_retrospective

    months = months_between(first, last)
    clients = {config: load_settings(config) for config in configs}
    jobs = [(config, clients[config].client, month) for config in configs for month in months]
    unsynced: dict[Path, str] = {}  # client config -> why its sync failed
    outcomes = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
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
            if config in unsynced:
                outcomes.append(Outcome(client, str(month), False, f"sync failed: {unsynced[config]}"))
                progress.advance(bar)
                continue
            try:
                result = monthly_retrospective(config=str(config), month=str(month), out=str(out), deliver=deliver,
                                               sync=False)
                assert result is not None
                counts = ", ".join(f"{k} {v}" for k, v in result.statuses.items() if v)
                outcomes.append(Outcome(client, str(month), True, counts))
            except RetropackError as exc:
                outcomes.append(Outcome(client, str(month), False, str(exc)))
            progress.advance(bar)
    return outcomes


def outcome_table(outcomes: list[Outcome]) -> Table:
    table = Table(title="backfill")
    for column in ("client", "month", "result", "detail"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        table.add_row(o.client, o.month, "[green]ok[/]" if o.ok else "[red]failed[/]", o.detail)
    return table
