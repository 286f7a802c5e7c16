"""The ``monthly-retrospective`` flow: it reads like the meeting's preparation.

load → validate → compute KPIs → evaluate against the phase → find drivers and actions →
render → publish → deliver. Each step is one task; the steps themselves live in ``retropack.flow.steps``.

Around the steps: a run without ``month`` reports the month before the time it was *scheduled*
for, so a run that starts late (its runner was down) still builds that month; only one run of a
client's month goes at a time, across processes and machines (a lock file beside the month's log, and on a
lasting Prefect server a global concurrency limit keyed by client and month), and it first clears what killed
runs of the client left behind; each run's log is also written to ``<out>/<client>/logs/<month>.log``,
the place a failure notice points to. A failure is mailed to ``failure_notice_to`` and posted to
the ``alerts`` webhook, unless the run was told not to deliver.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from retropack.config import Config, load_config
from retropack.delivery import (
    DeliveryResult,
    Ledger,
    build_message,
    deliver,
    ledger_file,
    location,
    notify_failure,
    post_alert,
    retry_on_transient,
    send,
)
from retropack.delivery.message import Revision
from retropack.errors import RetropackError
from retropack.flow import steps
from retropack.flow.calendar import default_month
from retropack.flow.rerun import rerun_command
from retropack.insights.analysis import Analysis
from retropack.load import Dataset
from retropack.months import REPORTABLE, Month
from retropack.present.mail import MailSummary, alert_text, summarize
from retropack.present.view import PackView
from retropack.publish.folder import clear_leftovers, run_lock

__all__ = ["RUN_LOG_NOTE", "RunResult", "prefect_name", "log_file", "monthly_retrospective"]

send_mail = task(send, name="send-mail", retries=3, retry_delay_seconds=[2, 5, 15],
                 retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)
post_to_webhook = task(post_alert, name="post-alert", retries=2, retry_delay_seconds=[2, 10],
                       retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)
_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs", "retropack")
RUN_LOG_NOTE = "run log: "  # a failed run's exception carries this note with the path of its log


@dataclass(frozen=True)
class RunResult:
    client: str
    month: str
    folder: Path
    pdf: Path
    pptx: Path
    pack_hash: str
    statuses: dict[str, int]
    delivery: str  # sent, revision, resend, skip, or off
    log: Path
    refused: dict[str, str] = field(default_factory=dict)  # recipients the SMTP server turned away
    unconfirmed: str = ""  # why the mail (or, skipped, the earlier one) is sent but unconfirmed


def log_file(reports_root: Path, client: str, month: Month | str) -> Path:
    """Where a run of ``month`` also writes its log: beside the month folders, which a run replaces whole."""
    return Path(reports_root) / client / "logs" / f"{month}.log"


@task(name="load-config", cache_policy=NO_CACHE)
def load_client_config(config: str, data: str | None) -> Config:
    return load_config(config, data=Path(data) if data else None)


@task(name="sync-sources", cache_policy=NO_CACHE)
def sync_sources(config: Config) -> None:
    """A ``hubspot`` client's data, pulled into its dataset folder before the month is read."""
    logger = get_run_logger()
    report = steps.sync(config.settings, progress=lambda message: logger.info("sync: %s", message))
    logger.info("synced HubSpot in %.1f s with %d requests: %s", report.seconds, report.requests,
                ", ".join(f"{table} {rows:,}" for table, rows in report.rows.items()))
    for part in report.skipped:
        logger.warning("sync: %s", part["message"])
    for note in report.notes:
        logger.warning("sync: %s", note)


@task(name="load-and-validate", cache_policy=NO_CACHE)
def load_and_validate(config: Config) -> Dataset:
    logger = get_run_logger()
    dataset = steps.load(config.settings)
    for q in dataset.quality.values():
        logger.info("read %s: %d rows from %s (%s), %d rejected", q.table, q.rows_read,
                    q.file.name if q.file else "-", q.encoding or "-", q.rejected)
    return dataset


@task(name="compute-and-evaluate", cache_policy=NO_CACHE)
def compute_and_evaluate(dataset: Dataset, config: Config, month: Month, scoring_review: bool) -> Analysis:
    analysis = steps.compute(dataset, config, month, scoring_review)
    counts = {s: sum(r.status == s for r in analysis.results) for s in ("achieved", "near", "missed")}
    get_run_logger().info("evaluated %d KPIs for %s (%s, month %d): %s", len(analysis.results), month,
                          analysis.phase.id, analysis.phase.month_index, counts)
    return analysis


@task(name="build-view", cache_policy=NO_CACHE)
def build_view(analysis: Analysis, dataset: Dataset, config: Config, run_id: str, generated_at: datetime,
               quarterly: bool = False) -> PackView:
    return steps.view(analysis, dataset, config, run_id, generated_at, quarterly=quarterly)


@task(name="render-and-publish", cache_policy=NO_CACHE)
def render_and_publish(view: PackView, analysis: Analysis, dataset: Dataset, config: Config, out: Path,
                       run_id: str, generated_at: datetime) -> steps.RenderedPack:
    rendered = steps.render_and_publish(view, analysis, dataset, config.settings, out, run_id, generated_at)
    get_run_logger().info("rendered %s and %s into %s", rendered.files.pdf.name, rendered.files.pptx.name,
                          rendered.files.folder)
    return rendered


def prefect_name(config: Config, month: Month | str) -> str:
    """The client-month's name in Prefect (its artifact keys start with it; the run is named by it): Prefect
    takes only lower-case ASCII, digits and dashes there."""
    return f"retropack-{config.settings.client_slug}-{month}"


@task(name="publish-artifacts", cache_policy=NO_CACHE)
def publish_artifacts(view: PackView, rendered: steps.RenderedPack, key: str) -> None:
    create_table_artifact(
        key=f"{key}-kpis",
        table=[{"kpi": k.name, "owner": k.owner, "target": k.target, "actual": k.actual,
                "previous": k.previous, "change": k.change, "status": f"{k.symbol} {k.status_label}"}
               for k in view.kpis],
        description=f"{view.program_name} {view.month_label}: KPI actual vs target",
    )
    create_markdown_artifact(
        key=f"{key}-pack",
        markdown=f"**{view.title}** {view.month_label}\n\n- PDF: `{rendered.files.pdf}`\n"
                 f"- PowerPoint: `{rendered.files.pptx}`\n- pack hash: `{rendered.pack_hash[:16]}`",
        description="Where this run's pack was written",
    )


@task(name="deliver", cache_policy=NO_CACHE)
def deliver_pack(view: PackView, analysis: Analysis, dataset: Dataset, config: Config,
                 rendered: steps.RenderedPack, out: Path, run_id: str, generated_at: datetime,
                 resend: bool) -> DeliveryResult:
    settings = config.settings
    delivery = settings.delivery
    assert delivery is not None
    summary, link = _mail_summary(view, analysis, dataset, config, rendered, out, run_id, generated_at)
    smtp = delivery.smtp
    sender = send_mail.with_options(retries=smtp.retries, retry_delay_seconds=smtp.retry_delay_seconds)
    result = deliver(summary, delivery, ledger_file(out, settings.client), resend=resend, link_text=link, sender=sender)
    recipients = ", ".join([*delivery.to, *delivery.cc])
    logger = get_run_logger()
    logger.info("delivery %s: %s to %s (message %s)", result.action, rendered.files.pdf.name, recipients,
                result.message_id)
    refused = "; ".join(f"{address} ({reply})" for address, reply in result.refused.items())
    if refused:
        logger.warning("delivery: the server refused %s; correct delivery.to/cc and rerun with --resend", refused)
    if result.unconfirmed:
        logger.warning("delivery: %s", unconfirmed_note(result))
    create_markdown_artifact(
        key=f"{prefect_name(config, view.month)}-delivery",
        markdown=f"**Delivery**: {result.action} (revision {result.revision}) to {recipients}; "
                 f"attached: {result.attached}; message id `{result.message_id}`"
                 + (f"\n\n**Refused by the server**: {refused}" if refused else "")
                 + (f"\n\n**Sent, unconfirmed**: {unconfirmed_note(result)}" if result.unconfirmed else ""),
        description="E-mail delivery of the pack",
    )
    return result


def unconfirmed_note(result: DeliveryResult) -> str:
    """What an operator reads of a mail sent but unconfirmed: it may have arrived, so it is not sent again."""
    which = "the earlier mail of this pack" if result.action == "skip" else "the mail"
    return (f"{which} ({result.message_id}) is sent, unconfirmed: {result.unconfirmed}; it may have been delivered, "
            "so it is recorded as sent and not mailed again: ask a recipient whether it arrived, and rerun with "
            "--resend if it did not")


def _mail_summary(view: PackView, analysis: Analysis, dataset: Dataset, config: Config, rendered: steps.RenderedPack,
                  out: Path, run_id: str, generated_at: datetime) -> tuple[MailSummary, str | None]:
    """What the mail says (in the mail's own locale) and where it says the pack is kept."""
    settings = config.settings
    delivery = settings.delivery
    assert delivery is not None
    mail_view = view
    if delivery.locale and delivery.locale != view.locale:
        mail_view = steps.view(analysis, dataset, config, run_id, generated_at, locale=delivery.locale)
    summary = summarize(mail_view, analysis.results, settings.program.currency, rendered.files.pdf,
                        rendered.pack_hash, greeting=delivery.greeting, signature=delivery.signature)
    link = location(rendered.files.pdf, out, delivery.links_base) if delivery.links_base else None
    return summary, link


@task(name="preview-mail", cache_policy=NO_CACHE)
def preview_mail(view: PackView, analysis: Analysis, dataset: Dataset, config: Config, rendered: steps.RenderedPack,
                 out: Path, run_id: str, generated_at: datetime, path: Path) -> Path:
    """Write the mail this run would send as an ``.eml`` file (a first send, or the revision the ledger calls
    for), sending nothing and recording nothing."""
    settings = config.settings
    if settings.delivery is None:
        raise RetropackError(f"Config file '{settings.config_file}' has no delivery block: there is no mail to "
                             "preview; add one (see README, 'Delivery').")
    summary, link = _mail_summary(view, analysis, dataset, config, rendered, out, run_id, generated_at)
    decision = Ledger.load(ledger_file(out, settings.client)).decide(summary.month, summary.pack_hash, resend=True)
    previous = decision.previous
    revision = (Revision(previous.message_id, decision.revision, summary.changes_since(previous.kpi_values))
                if decision.action == "revision" and previous is not None else None)
    message = build_message(summary, settings.delivery, revision=revision, attach=True, link_text=link)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(message.as_bytes())
    except OSError as exc:
        raise RetropackError(f"Mail preview '{path}' cannot be written ({exc.strerror or exc}): give --preview-mail "
                             "a writable path.") from None
    get_run_logger().info("wrote the mail it would send to %s", path)
    return path


@task(name="notify-failure", cache_policy=NO_CACHE)
def notify_owner(config: Config, month: Month, error: str, log: str, run_url: str | None, rerun: str) -> None:
    settings = config.settings
    assert settings.delivery is not None
    notify_failure(settings.delivery, client=settings.client, month=month, error=error, log=log, run_url=run_url,
                   rerun=rerun, locale=settings.delivery.locale or settings.program.locale)


@flow(name="monthly-retrospective", log_prints=True)
def monthly_retrospective(
    config: str,
    month: str | None = None,
    data: str | None = None,
    out: str = "reports",
    deliver: bool = True,
    resend: bool = False,
    scoring_review: bool = False,
    sync: bool = True,
    quarterly: bool = False,
    preview: str | None = None,
) -> RunResult:
    """Build (and, with a ``delivery`` block, mail) one client's pack for ``month``.

    Without ``month``, the month before the run's scheduled time in the program's timezone (for a
    run started by hand or from the command line, the time it was started).
    ``scoring_review`` adds the lead-scoring review in a month that is not a review month; ``quarterly`` the
    whole quarterly review (failure patterns, roadmap, team, scoring) outside a quarter's end.
    ``sync`` (a ``hubspot`` source) pulls the account first; without it the last snapshot is read.
    ``deliver=False`` sends no mail and no alert of any kind.
    ``preview`` (a path) writes the mail the run would send there as an ``.eml`` file; give it with ``deliver=False``.
    """
    loaded = load_client_config(config, data)
    settings = loaded.settings
    timezone = settings.program.timezone
    scheduled = runtime.flow_run.scheduled_start_time.astimezone(ZoneInfo(timezone))
    target = _reported_month(month, scheduled, timezone)
    _name_run(prefect_name(loaded, target).removeprefix("retropack-"))
    reports = Path(out)
    log = log_file(reports, settings.client, target)
    with _written_to(log), _one_run_at_a_time(loaded, reports, target):
        logger = get_run_logger()
        logger.info("%s %s: started; scheduled for %s", settings.client, target,
                    scheduled.isoformat(timespec="minutes"))
        for name in clear_leftovers(reports, settings.client, str(target)):
            logger.info("removed %s, left by a run that was stopped", name)
        try:
            if sync and settings.source.kind == "hubspot":
                sync_sources(loaded)
            return _build_and_deliver(loaded, target, reports, log, deliver, resend, scoring_review, quarterly,
                                      Path(preview) if preview else None)
        except Exception as exc:
            stop = _stopped(exc)
            if isinstance(stop, KeyboardInterrupt):  # Ctrl-C: the command stops (a backfill builds no more months)
                logger.warning("%s %s: stopped by Ctrl-C before it ended", settings.client, target)
                raise KeyboardInterrupt from exc
            if stop:  # the runner was stopped (serve's SIGTERM): no failure to report, catch-up reruns it
                logger.warning("%s %s: stopped before it ended; the next start of serve runs it again", settings.client,
                               target)
                raise
            # a bug's traceback goes to the log file, which the command line names instead of printing it
            logger.error("%s %s failed: %s", settings.client, target, exc, exc_info=not isinstance(exc, RetropackError),
                         extra={"failure": True})
            if deliver:
                rerun = rerun_command(config, target, out=reports, data=data, sync=sync, resend=resend,
                                      scoring_review=scoring_review, quarterly=quarterly)
                _tell_of_failure(loaded, target, str(exc), reports, log, rerun)
            exc.add_note(f"{RUN_LOG_NOTE}{log}")
            raise


def _name_run(name: str) -> None:
    """Name the run ``<client>-<month>`` in Prefect, where a scheduled run starts with a random name; a run named
    for its client-month already (a catch-up run) keeps its name."""
    from prefect import get_client

    run_id, current = runtime.flow_run.id, runtime.flow_run.name
    if run_id and not (current or "").endswith(name):
        with get_client(sync_client=True) as client:
            client.update_flow_run(run_id, name=name)


def _stopped(exc: BaseException) -> BaseException | None:
    """The stop signal ``exc`` came from, if any: Prefect raises ``TerminationSignal`` (SIGTERM) in the run, Python
    ``KeyboardInterrupt`` (Ctrl-C), and a task under way may turn either into an error of its own
    (``ValueError: Task run is not set``) whose context holds it."""
    from prefect.exceptions import TerminationSignal

    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:  # a chain can loop back on itself
        chain.append(current)
        current = current.__cause__ or current.__context__
    return next((link for link in chain if isinstance(link, TerminationSignal | KeyboardInterrupt)), None)


def _reported_month(month: str | None, scheduled: datetime, timezone: str) -> Month:
    """``month``, else the month before the run's scheduled time in the program's timezone."""
    if not month:
        return default_month(scheduled, timezone)
    try:
        parsed = Month.parse(month)
    except ValueError:
        raise RetropackError(f"Parameter month '{month}' is not a month: give it as YYYY-MM, e.g. 2026-10.") from None
    first, last = REPORTABLE
    if not first <= parsed <= last:
        raise RetropackError(f"Parameter month '{month}' is outside the months a pack can report ({first} to {last}): "
                             "give the month the data is about, e.g. 2026-10.")
    return parsed


def _build_and_deliver(config: Config, target: Month, out: Path, log: Path, deliver: bool, resend: bool,
                       scoring_review: bool, quarterly: bool = False, preview: Path | None = None) -> RunResult:
    settings = config.settings
    run_id = steps.new_run_id()
    generated_at = steps.now_in(settings)
    dataset = load_and_validate(config)
    analysis = compute_and_evaluate(dataset, config, target, scoring_review or quarterly)
    view = build_view(analysis, dataset, config, run_id, generated_at, quarterly)
    rendered = render_and_publish(view, analysis, dataset, config, out, run_id, generated_at)
    publish_artifacts(view, rendered, prefect_name(config, target))
    delivery, refused, unconfirmed = "off", {}, ""
    if preview is not None:
        written = preview_mail(view, analysis, dataset, config, rendered, out, run_id, generated_at, preview)
        delivery = f"preview written to {written}"
    if deliver and settings.delivery is not None:
        result = deliver_pack(view, analysis, dataset, config, rendered, out, run_id, generated_at, resend)
        delivery, refused = result.action, result.refused
        unconfirmed = unconfirmed_note(result) if result.unconfirmed else ""
    return RunResult(
        client=settings.client,
        month=str(target),
        folder=rendered.files.folder,
        pdf=rendered.files.pdf,
        pptx=rendered.files.pptx,
        pack_hash=rendered.pack_hash,
        statuses={c.status: c.count for c in view.status_counts},
        delivery=delivery,
        log=log,
        refused=refused,
        unconfirmed=unconfirmed,
    )


def _tell_of_failure(config: Config, month: Month, error: str, out: Path, log: Path, rerun: str) -> None:
    """Mail ``failure_notice_to`` and post to the ``alerts`` webhook, each whatever became of the other."""
    settings = config.settings
    links_base = settings.delivery.links_base if settings.delivery else None
    where, run_url = location(log, out, links_base), _run_page()
    logger = get_run_logger()
    if settings.delivery is not None and settings.delivery.failure_notice_to:
        try:
            notify_owner(config, month, error, where, run_url, rerun)
        except Exception as exc:  # the run already failed: report the notice's own failure, keep the first error
            logger.error("failure notice could not be mailed: %s", exc)
    if settings.alerts is not None and not runtime.deployment.id:  # a deployment's runs: the server's Automation
        locale = (settings.delivery.locale if settings.delivery else None) or settings.program.locale
        text = alert_text(settings.client, str(month), error, log=where, run_url=run_url, rerun=rerun, locale=locale)
        try:
            post_to_webhook(text, settings.alerts)
        except Exception as exc:
            logger.error("alert could not be posted: %s", exc)


def _run_page() -> str | None:
    """This run's page in the Prefect UI, only where ``PREFECT_UI_URL`` names an address readers can open."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if "ui_url" not in settings.model_fields_set or not settings.ui_url or not runtime.flow_run.id:
        return None
    return f"{settings.ui_url.rstrip('/')}/runs/flow-run/{runtime.flow_run.id}"


@contextlib.contextmanager
def _written_to(log: Path) -> Iterator[None]:
    """Also write the run's log (flow, tasks, retropack's own loggers) to ``log``, appending."""
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        handler = _RunLogFile(log, encoding="utf-8")
    except OSError as exc:
        raise RetropackError(f"Log file '{log}' cannot be written ({exc.strerror or exc}): make the reports folder "
                             "(--out) writable.") from None
    handler.setFormatter(_RunFormatter("%(asctime)s %(levelname)-7s %(run)s%(message)s"))
    loggers = [logging.getLogger(name) for name in _RUN_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        handler.close()


class _RunLogFile(logging.FileHandler):
    """The run's log file. A write it refuses (a full disk) ends the file, not the run: logging's default prints a
    traceback for every later line (8,355 lines on a full disk), while the run goes on to say what failed once."""

    refused = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.refused:
            super().emit(record)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            self.refused = True

    def close(self) -> None:
        try:
            super().close()  # the stream is let go of before it is closed, whether or not its last write fails
        except OSError:
            self.refused = True

    def handleError(self, record: logging.LogRecord) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            self.refused = True
        else:  # not the file's refusal: a bug, shown as logging shows it
            super().handleError(record)


class _RunFormatter(logging.Formatter):
    """Names the flow or task run a line came from, as Prefect's console does."""

    def format(self, record: logging.LogRecord) -> str:
        run = getattr(record, "task_run_name", None) or getattr(record, "flow_run_name", None)
        record.run = f"{run}: " if run else ""
        return super().format(record)


@contextlib.contextmanager
def _one_run_at_a_time(config: Config, out: Path, month: Month) -> Iterator[None]:
    """One run of a client's month at a time: it holds the month's lock file beside its log, so a second run on
    this machine (or on one sharing the reports folder) waits, then finds the pack mailed already. On a server,
    a client's deployment also runs one run at a time (its concurrency limit, set by ``deploy``/``serve``)."""
    client = config.settings.client

    def waiting(lock: Path) -> None:
        get_run_logger().info("%s %s: another run of this month is under way (it holds %s); waiting for it to end",
                              client, month, lock)

    with run_lock(out, client, str(month), waiting):
        yield
