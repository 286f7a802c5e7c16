"""The ``retropack`` command line. Errors become ``Error: …`` and a non-zero exit here, and only here."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from retropack.errors import RetropackError, visible
from retropack.operations.interrupts import keep_ctrl_c
from retropack.operations.prefect_api import start_temporary_api, use_api, wait_for_api
from retropack.operations.terminal import RUN_LOGGERS, terminal_shows

if TYPE_CHECKING:
    from retropack.operations.catch_up import CaughtUp
    from retropack.operations.deployments import ClientDeployment

__all__ = ["main"]

# Prefect's temporary server phones home by default; offline that logs an ERROR on every run.
# Opt in again with PREFECT_SERVER_ANALYTICS_ENABLED=true.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from retropack.months import Month  # pandas and holidays: not for --help

    try:
        return str(Month.parse(value))
    except ValueError as exc:
        raise click.BadParameter(f"{exc}, e.g. 2026-10.") from None


def _fail(exc: BaseException) -> None:
    click.echo(f"Error: {visible(str(exc))}", err=True)
    sys.exit(EXIT_ERROR)


def _bug(exc: BaseException, log: str | None) -> None:
    """A failure retropack did not foresee: one line naming it and the log that holds its traceback."""
    first = next(iter(str(exc).strip().splitlines()), "")
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    if log is None:  # stopped before the run had a log file: the traceback has nowhere else to go
        traceback.print_exception(exc)
    where = f"its traceback is in {log}" if log else "its traceback is above"
    click.echo(f"Error: unexpected {what}. This is a bug in retropack, not a problem with your data or settings: "
               f"{where}; please report it with that.", err=True)
    sys.exit(EXIT_ERROR)


def _not_a_failure_line(record: logging.LogRecord) -> bool:
    """Whether the terminal shows ``record`` during a run: a failed run ends there with one ``Error: …`` paragraph,
    so the tracebacks and failure lines Prefect and the flow log along the way stay in the run's log file."""
    if record.exc_info or getattr(record, "failure", False):
        return False
    return not (record.name.startswith(RUN_LOGGERS) and record.getMessage().startswith("Finished in state Failed"))


# Options several commands share, defined once.
_CONFIG = click.option("--config", "config", required=True, type=click.Path(path_type=Path),
                       help="The client's YAML file.")
_CLIENTS = click.option("--config", "config", default=Path("config"), type=click.Path(path_type=Path),
                        show_default=True,
                        help="A client's YAML file, or a folder of them: one deployment per client with a schedule.")
_DATA = click.option("--data", type=click.Path(path_type=Path), help="Dataset folder (overrides data.path).")
_WAIT = click.option("--wait", default=120.0, show_default=True, type=click.FloatRange(min=0),
                     help="Seconds to wait for the Prefect server (PREFECT_API_URL) to answer.")


@click.group()
@click.version_option(package_name="retropack")
def main() -> None:
    """Monthly marketing-automation retrospective packs (PDF, PowerPoint, JSON)."""
    keep_ctrl_c()


@main.command()
@_CONFIG
@click.option("--month", callback=_month, help="Month to report, YYYY-MM (default: the previous complete month).")
@_DATA
@click.option("--out", default=Path("reports"), type=click.Path(path_type=Path), show_default=True,
              help="Reports root.")
@click.option("--no-deliver", is_flag=True, help="Render and archive without sending e-mail.")
@click.option("--resend", is_flag=True, help="Mail the pack even if this very pack was mailed before.")
@click.option("--scoring-review", is_flag=True,
              help="Add the lead-scoring review even if this is not a review month (every 3rd by default).")
@click.option("--quarterly", is_flag=True,
              help="Add the quarterly review (failure patterns, roadmap, team, scoring) even if the month does not "
                   "end a program quarter (every 3rd month by default).")
@click.option("--no-sync", is_flag=True, help="A HubSpot client: build from the last sync's snapshot, without syncing.")
@click.option("--preview-mail", type=click.Path(path_type=Path),
              help="Write the mail it would send to this .eml file, and send nothing (implies --no-deliver).")
def run(config: Path, month: str | None, data: Path | None, out: Path, no_deliver: bool, resend: bool,
        scoring_review: bool, quarterly: bool, no_sync: bool, preview_mail: Path | None) -> None:
    """Build one client's pack for one month (the same flow the schedule runs)."""
    if (no_deliver or preview_mail) and resend:
        raise click.UsageError("--no-deliver (or --preview-mail) and --resend cannot be used together.")
    no_deliver = no_deliver or preview_mail is not None
    api = start_temporary_api()  # boots while the flow's imports load
    from retropack.flow.monthly_retrospective import RUN_LOG_NOTE, monthly_retrospective

    use_api(api)
    try:
        with terminal_shows(_not_a_failure_line):
            result = monthly_retrospective(
                config=str(config), month=month, data=str(data) if data else None, out=str(out),
                deliver=not no_deliver, resend=resend, scoring_review=scoring_review, sync=not no_sync,
                preview=str(preview_mail) if preview_mail else None,
                quarterly=quarterly,
            )
    except RetropackError as exc:
        _fail(exc)
        return
    except Exception as exc:
        log = next((note.removeprefix(RUN_LOG_NOTE) for note in getattr(exc, "__notes__", ())
                    if note.startswith(RUN_LOG_NOTE)), None)
        _bug(exc, log)
        return
    click.echo(f"Wrote {result.folder}")
    click.echo(f"  {result.pdf.name}\n  {result.pptx.name}\n  kpis.json\n  diagnosis.json\n  manifest.json")
    click.echo("  " + ", ".join(f"{status} {count}" for status, count in result.statuses.items()))
    click.echo(f"  e-mail: {result.delivery}" + (", unconfirmed" if result.unconfirmed else ""))
    click.echo(f"  log: {result.log}")
    for address, reply in result.refused.items():
        click.echo(f"  e-mail refused for {address}: {reply} (correct delivery.to/cc, then rerun with --resend)",
                   err=True)
    if result.unconfirmed:
        click.echo(f"  e-mail: {visible(result.unconfirmed)}", err=True)


@main.command()
@_CONFIG
@_DATA
@click.option("--full", is_flag=True, help="Read the whole account again (drops records deleted in HubSpot).")
def sync(config: Path, data: Path | None, full: bool) -> None:
    """Pull a HubSpot client's data into its dataset folder (what changed since the last sync)."""
    from rich.console import Console

    from retropack.config import load_settings
    from retropack.flow import steps

    console = Console(stderr=True)
    try:
        settings = load_settings(config, data=data)
        if settings.source.kind != "hubspot":
            raise RetropackError(f"Config file '{config}' reads its data from files (source.kind: files): add a "
                                 "source block with kind: hubspot to sync from HubSpot (see README, 'HubSpot').")
        with console.status("syncing from HubSpot …") as status:
            report = steps.sync(settings, full=full, progress=lambda message: status.update(f"sync: {message}"))
    except RetropackError as exc:
        _fail(exc)
        return
    kind = "full" if report.full else "incremental"
    click.echo(f"Synced {settings.data.path} ({kind}) in {report.seconds:.1f} s, {report.requests} requests to HubSpot")
    click.echo("  changed: " + ", ".join(f"{name} {count:,}" for name, count in report.changed.items()))
    click.echo("  tables: " + ", ".join(f"{name} {rows:,}" for name, rows in report.rows.items()))
    for part in report.skipped:
        click.echo(f"  skipped {part['table']}: {part['message']}", err=True)
    for note in report.notes:
        click.echo(f"  note: {note}", err=True)


@main.command()
@_CONFIG
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (default: today).")
@click.option("--count", default=12, show_default=True, type=click.IntRange(min=1), help="How many runs.")
def schedule(config: Path, start, count: int) -> None:
    """Print the next scheduled runs and the month each reports."""
    from retropack.config import load_settings
    from retropack.flow.calendar import format_run, next_runs

    try:
        settings = load_settings(config)
        if settings.schedule is None:
            raise RetropackError(f"Config file '{config}' has no 'schedule' block: add one (see README, 'Operators').")
        first = start.date() if start else date.today()
        for moment, month in next_runs(settings.schedule, settings.program.timezone, first, count):
            click.echo(format_run(moment, month))
    except RetropackError as exc:
        _fail(exc)


@main.command()
@click.option("--config", "config", required=True, type=click.Path(path_type=Path),
              help="A client's YAML file, or a folder of them (every client is built).")
@click.option("--from", "first", required=True, callback=_month, help="First month, YYYY-MM.")
@click.option("--to", "last", required=True, callback=_month, help="Last month, YYYY-MM.")
@_DATA
@click.option("--out", default=Path("reports"), type=click.Path(path_type=Path), show_default=True,
              help="Reports root.")
@click.option("--deliver", is_flag=True, help="Also mail each pack, and alert on failures (off by default).")
def backfill(config: Path, first: str, last: str, data: Path | None, out: Path, deliver: bool) -> None:
    """Build every month from --from to --to, for one client or a folder of clients."""
    from rich.console import Console

    from retropack.months import Month
    from retropack.operations.backfill import backfill as run_backfill
    from retropack.operations.backfill import outcome_table
    from retropack.operations.deployments import client_configs

    console = Console(stderr=True)
    api = start_temporary_api()
    import retropack.flow.monthly_retrospective  # noqa: F401  loads the flow while the API boots

    use_api(api)
    try:
        done = run_backfill(client_configs(config), Month.parse(first), Month.parse(last), out=out, data=data,
                            deliver=deliver, console=console)
    except RetropackError as exc:
        _fail(exc)
        return
    Console().print(outcome_table(done.outcomes))
    if done.interrupted:
        click.echo("Stopped by Ctrl-C: the months after the last row were not built.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if not all(o.ok for o in done.outcomes):
        sys.exit(EXIT_ERROR)




def _scheduled_clients(config: Path, out: Path, data: Path | None) -> list[ClientDeployment]:
    """The deployments of the clients with a ``schedule`` block; none is an error."""
    from retropack.operations.deployments import build_deployments, client_configs

    clients = build_deployments(client_configs(config), out=out, data=data, today=date.today())
    if not clients:
        raise RetropackError(f"No client under '{config}' has a 'schedule' block: add one to schedule it "
                             "(see README, 'Operators').")
    return clients


def _lasting_server(wait: float) -> None:
    wait_for_api(wait, lambda url: click.echo(f"Waiting up to {wait:g} s for the Prefect server at {url} "
                                              "(PREFECT_API_URL) …", err=True))


def _report_catch_up(caught: list[CaughtUp]) -> None:
    for item in caught:
        if item.outcome == "started":
            click.echo(f"Catch-up: {item.client} {item.month} ({item.reason} run): started {item.flow_run}")
        else:
            click.echo(f"Catch-up: {item.client} {item.month} was caught up once already and its run {item.flow_run} "
                       f"did not complete: fix the cause, then run it by hand: prefect deployment run "
                       f"'{item.deployment}' -p month={item.month}", err=True)


_CRASH_AFTER = click.option("--crash-after", default=600.0, show_default=True, type=click.FloatRange(min=90),
                            help="Seconds without a heartbeat after which the server marks a run Crashed (its process "
                                 "is gone) and catch-up runs its month again.")


@main.command()
@_CLIENTS
@_DATA
@click.option("--out", default=Path("reports"), type=click.Path(path_type=Path), show_default=True,
              help="Reports root the scheduled runs write to.")
@_WAIT
@_CRASH_AFTER
@click.option("--catch-up-every", default=300.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds between catch-up passes while serving (crashed and stopped runs, missed months).")
def serve(config: Path, data: Path | None, out: Path, wait: float, crash_after: float, catch_up_every: float) -> None:
    """Create the clients' deployments and run them on their schedules, on this machine (Ctrl-C stops)."""
    import asyncio

    from retropack.operations.serving import serve_clients

    try:
        clients = _scheduled_clients(config, out, data)
        _lasting_server(wait)
    except RetropackError as exc:
        _fail(exc)
        return

    def started(caught: list[CaughtUp]) -> None:
        for client in clients:
            deployment = client.deployment
            click.echo(f"Serving {deployment.flow_name}/{deployment.name}")
        _report_catch_up(caught)
        click.echo("Ctrl-C or SIGTERM stops; the schedules stay active and missed months run when serve is back.")

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_clients(clients, out=out, data=data, crash_after=crash_after,
                                      catch_up_every=catch_up_every, started=started, caught_up=_report_catch_up))
    except RetropackError as exc:
        _fail(exc)
        return
    click.echo("Stopped serving; the schedules stay active.")


@main.command()
@click.option("--pool", required=True, help="The work pool (created for process workers if missing).")
@_CLIENTS
@_DATA
@click.option("--out", default=Path("reports"), type=click.Path(path_type=Path), show_default=True,
              help="Reports root the runs write to (every worker must see it at this path).")
@_WAIT
@_CRASH_AFTER
def deploy(pool: str, config: Path, data: Path | None, out: Path, wait: float, crash_after: float) -> None:
    """Create the clients' deployments in a work pool, for process workers on any machine, and catch up."""
    import asyncio
    from datetime import UTC, datetime

    from retropack.operations.catch_up import catch_up_all
    from retropack.operations.deployments import deploy_to_pool
    from retropack.operations.serving import set_up_server

    try:
        clients = _scheduled_clients(config, out, data)
        _lasting_server(wait)
        ids = asyncio.run(deploy_to_pool(clients, pool))
        asyncio.run(set_up_server(clients, ids, out=out, data=data, crash_after=crash_after))
        caught = asyncio.run(catch_up_all([(c.settings, i) for c, i in zip(clients, ids, strict=True)],
                                          datetime.now(UTC), crash_after))
    except RetropackError as exc:
        _fail(exc)
        return
    for client in clients:
        click.echo(f"Deployed {client.deployment.flow_name}/{client.deployment.name} to work pool '{pool}'")
    _report_catch_up(caught)
    click.echo(f"Start a worker on each machine that runs packs: prefect worker start --pool {pool} --limit 1")


@main.command()
@click.argument("name", required=False)
@click.option("--demo", is_flag=True, help="Write the demo program (demo.yaml and demo-data/) instead of a new client.")
@click.option("--dir", "folder", default=Path("."), type=click.Path(file_okay=False, path_type=Path),
              show_default=True, help="Folder to write into.")
def init(name: str | None, demo: bool, folder: Path) -> None:
    """Start a client: NAME.yaml with every key commented and NAME-data/ with the tables' headers (or --demo)."""
    from retropack.demo import write_demo
    from retropack.operations.new_client import write_new_client, write_schema

    if demo == (name is not None):
        raise click.UsageError("Give a client's NAME (retropack init acme) or --demo, not both.")
    try:
        if demo:
            written = [*write_demo(folder), write_schema(folder)]
        else:
            assert name is not None
            written = write_new_client(name, folder)
    except RetropackError as exc:
        _fail(exc)
        return
    config = written[0]
    for path in written:
        click.echo(f"wrote {path}")
    if demo:
        click.echo(f"Next: retropack run --config {config} --month 2026-10 --no-deliver")
    else:
        click.echo(f"Next: fill the files of {config.parent / f'{name}-data'} (headers only; the optional tables are "
                   f"in its optional/ folder), set program.name and program.start_month in {config}, then: "
                   f"retropack run --config {config} --no-deliver")


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the demo's CSV tables into (data/demo in the repository).")
@click.option("--start", default="2025-06", show_default=True, callback=_month, help="Program month 1, YYYY-MM.")
@click.option("--months", default=18, show_default=True, type=click.IntRange(min=2),
              help="Months of data; the last one is in progress.")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Program size (1.0 is about 200 leads a month).")
@click.option("--seed", default=7, show_default=True, type=int)
def demo(out: Path, start: str, months: int, scale: float, seed: int) -> None:
    """Write the demo program's dataset: the same arguments write the same bytes."""
    from retropack.demo import generate

    rows = generate(out, start=start, months=months, scale=scale, seed=seed)
    click.echo(", ".join(f"{table} {count}" for table, count in rows.items()))


@main.command()
@click.argument("client")
@_WAIT
def undeploy(client: str, wait: float) -> None:
    """Remove a client's deployment, its schedule and scheduled runs, and its alert (an offboarded client)."""
    import asyncio

    from retropack.operations.deployments import undeploy as remove

    try:
        _lasting_server(wait)
        removed = asyncio.run(remove(client))
    except RetropackError as exc:
        _fail(exc)
        return
    for what in removed:
        click.echo(f"Removed {what}")


@main.command()
@_CLIENTS
@click.option("--out", default=Path("reports"), type=click.Path(path_type=Path), show_default=True,
              help="Reports root the runs write to.")
def status(config: Path, out: Path) -> None:
    """Per client: the last month built, the last mail (to whom, when), failed months, the next run."""
    from rich.console import Console
    from rich.table import Table

    from retropack.config import load_settings
    from retropack.operations.deployments import client_configs
    from retropack.operations.status import client_status

    try:
        found = [client_status(load_settings(path), out, date.today()) for path in client_configs(config)]
    except RetropackError as exc:
        _fail(exc)
        return
    table = Table("client", "last built", "last mail", "failed months", "next run")
    for item in found:
        mail = item.last_mail
        table.add_row(
            item.client, str(item.last_built or "-"),
            f"{mail.month} to {', '.join([*mail.to, *mail.cc])} at {mail.sent_at}" if mail else "-",
            "\n".join(f"{month}: {error}" for month, error in item.failures.items()) or "-",
            f"{item.next_run[0].isoformat(timespec='minutes')} ({item.next_run[1]})" if item.next_run else "-",
        )
    Console(width=200).print(table)


@main.command()
@_CLIENTS
def check(config: Path) -> None:
    """Check what a run needs before it runs: configs, ids, variables, SMTP login, webhook, PDF fonts and Pango."""
    from retropack.operations.checks import run_checks
    from retropack.operations.deployments import client_configs

    try:
        results = run_checks(client_configs(config))
    except RetropackError as exc:
        _fail(exc)
        return
    for result in results:
        click.echo(f"{'ok  ' if result.ok else 'FAIL'} {result.what}: {visible(result.detail)}")
    if not all(result.ok for result in results):
        sys.exit(EXIT_ERROR)
