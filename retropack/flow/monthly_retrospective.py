"""The ``monthly-retrospective`` flow: it reads like the meeting's preparation.

load → validate → compute KPIs → evaluate against the phase → find drivers and actions →
render → publish. Each step is one task; the steps themselves live in ``retropack.flow.steps``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from prefect import flow, get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from retropack.config import Config, load_config
from retropack.delivery import DeliveryResult, deliver, ledger_file, notify_failure, retry_on_transient, send
from retropack.flow import steps
from retropack.flow.calendar import default_month, is_run_day
from retropack.insights.analysis import Analysis
from retropack.load import Dataset
from retropack.months import Month
from retropack.present.mail import summarize
from retropack.present.view import PackView

__all__ = ["RunResult", "monthly_retrospective"]

send_mail = task(send, name="send-mail", retries=3, retry_delay_seconds=[2, 5, 15],
                 retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)


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
    refused: dict[str, str] = field(default_factory=dict)  # recipients the SMTP server turned away


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
def build_view(analysis: Analysis, dataset: Dataset, config: Config, run_id: str, generated_at: datetime) -> PackView:
    return steps.view(analysis, dataset, config, run_id, generated_at)


@task(name="render-and-publish", cache_policy=NO_CACHE)
def render_and_publish(view: PackView, analysis: Analysis, dataset: Dataset, config: Config, out: Path,
                       run_id: str, generated_at: datetime) -> steps.RenderedPack:
    rendered = steps.render_and_publish(view, analysis, dataset, config.settings, out, run_id, generated_at)
    get_run_logger().info("rendered %s and %s into %s", rendered.files.pdf.name, rendered.files.pptx.name,
                          rendered.files.folder)
    return rendered


@task(name="publish-artifacts", cache_policy=NO_CACHE)
def publish_artifacts(view: PackView, rendered: steps.RenderedPack) -> None:
    key = f"retropack-{view.client}-{view.month}".lower().replace("_", "-")
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
    assert settings.delivery is not None
    mail_view = view
    if settings.delivery.locale and settings.delivery.locale != view.locale:
        mail_view = steps.view(analysis, dataset, config, run_id, generated_at, locale=settings.delivery.locale)
    summary = summarize(mail_view, analysis.results, settings.program.currency, rendered.files.pdf,
                        rendered.pack_hash)
    smtp = settings.delivery.smtp
    sender = send_mail.with_options(retries=smtp.retries, retry_delay_seconds=smtp.retry_delay_seconds)
    result = deliver(summary, settings.delivery, ledger_file(out, settings.client), resend=resend, sender=sender)
    recipients = ", ".join([*settings.delivery.to, *settings.delivery.cc])
    logger = get_run_logger()
    logger.info("delivery %s: %s to %s (message %s)", result.action, rendered.files.pdf.name, recipients,
                result.message_id)
    refused = "; ".join(f"{address} ({reply})" for address, reply in result.refused.items())
    if refused:
        logger.warning("delivery: the server refused %s; correct delivery.to/cc and rerun with --resend", refused)
    create_markdown_artifact(
        key=f"retropack-{settings.client}-{view.month}-delivery".lower().replace("_", "-"),
        markdown=f"**Delivery**: {result.action} (revision {result.revision}) to {recipients}; "
                 f"attached: {result.attached}; message id `{result.message_id}`"
                 + (f"\n\n**Refused by the server**: {refused}" if refused else ""),
        description="E-mail delivery of the pack",
    )
    return result


@task(name="notify-failure", cache_policy=NO_CACHE)
def notify_owner(config: Config, month: str, error: BaseException) -> None:
    settings = config.settings
    if settings.delivery is None or not settings.delivery.failure_notice_to:
        return
    try:
        notify_failure(settings.delivery, client=settings.client, month=month, error=str(error),
                       run_url=runtime.flow_run.ui_url)
    except Exception as exc:  # the run already failed: report the notice's own failure, keep the first error
        get_run_logger().error("failure notice could not be sent: %s", exc)


@flow(name="monthly-retrospective", log_prints=True)
def monthly_retrospective(
    config: str,
    month: str | None = None,
    data: str | None = None,
    out: str = "reports",
    deliver: bool = True,
    resend: bool = False,
    scheduled: bool = False,
    as_of: datetime | None = None,
    scoring_review: bool = False,
    sync: bool = True,
) -> RunResult | None:
    """Build (and, with a ``delivery`` block, mail) one client's pack for ``month``.

    Without ``month`` the previous complete month in the program's timezone is reported, which is
    what a scheduled run does. A ``scheduled`` run fires daily over the first days of the month and
    returns at once unless today is the configured business day (cron cannot skip holidays).
    ``as_of`` replaces "now" (for tests and for rerunning a schedule as of a past date).
    ``scoring_review`` adds the lead-scoring review in a month that is not a review month.
    ``sync`` (a ``hubspot`` source) pulls the account first; without it the last snapshot is read.
    """
    loaded = load_client_config(config, data)
    settings = loaded.settings
    generated_at = steps.now_in(settings)
    moment = as_of.astimezone(generated_at.tzinfo) if as_of else generated_at
    if scheduled and settings.schedule is not None and not is_run_day(moment.date(), settings.schedule):
        get_run_logger().info("%s is not business day %d of the month: nothing to do", moment.date(),
                              settings.schedule.business_day)
        return None
    target = Month.parse(month) if month else default_month(moment, settings.program.timezone)
    try:
        if sync and settings.source.kind == "hubspot":
            sync_sources(loaded)
        return _build_and_deliver(loaded, target, Path(out), generated_at, deliver, resend, scoring_review)
    except Exception as exc:
        notify_owner(loaded, str(target), exc)
        raise


def _build_and_deliver(config: Config, target: Month, out: Path, generated_at: datetime, deliver: bool,
                       resend: bool, scoring_review: bool) -> RunResult:
    settings = config.settings
    run_id = steps.new_run_id()
    dataset = load_and_validate(config)
    analysis = compute_and_evaluate(dataset, config, target, scoring_review)
    view = build_view(analysis, dataset, config, run_id, generated_at)
    rendered = render_and_publish(view, analysis, dataset, config, out, run_id, generated_at)
    publish_artifacts(view, rendered)
    delivery, refused = "off", {}
    if deliver and settings.delivery is not None:
        result = deliver_pack(view, analysis, dataset, config, rendered, out, run_id, generated_at, resend)
        delivery, refused = result.action, result.refused
    return RunResult(
        client=settings.client,
        month=str(target),
        folder=rendered.files.folder,
        pdf=rendered.files.pdf,
        pptx=rendered.files.pptx,
        pack_hash=rendered.pack_hash,
        statuses={c.status: c.count for c in view.status_counts},
        delivery=delivery,
        refused=refused,
    )
