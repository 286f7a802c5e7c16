"""E-mail delivery of a month's pack: once per client, month and pack; a changed pack as a revision.

``deliver`` decides with the ledger, builds the mail, sends it and records it. The flow may pass a
Prefect task wrapping ``send`` as ``sender`` so retries are declared there, not looped here::

    send_task = task(send, name="send-mail", retries=3, retry_delay_seconds=[2, 5, 15],
                     retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)
    deliver(summary, settings.delivery, ledger_file(out, settings.client), sender=send_task)

The mail's words come ready from ``retropack.present.mail``. A failure reaches people twice:
``notify_failure`` mails ``failure_notice_to`` and ``post_alert`` posts to the ``alerts`` webhook,
which does not depend on the mail server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from retropack.config import Delivery
from retropack.delivery.ledger import Action, Decision, Ledger, LedgerEntry, ledger_file, ledger_held
from retropack.delivery.links import location
from retropack.delivery.message import Revision, build_failure_notice, build_message
from retropack.delivery.smtp import SentMail, TransientDeliveryError, retry_on_transient, send
from retropack.delivery.webhook import post_alert
from retropack.months import Month
from retropack.present.mail import MailSummary, failure_notice

__all__ = [
    "Decision",
    "DeliveryResult",
    "Ledger",
    "LedgerEntry",
    "SentMail",
    "TransientDeliveryError",
    "build_message",
    "deliver",
    "ledger_file",
    "location",
    "notify_failure",
    "post_alert",
    "retry_on_transient",
    "send",
]

Sender = Callable[..., SentMail]


@dataclass(frozen=True)
class DeliveryResult:
    """What ``deliver`` did: for ``skip``, ``message_id`` is that of the earlier mail; ``refused``
    the recipients the server turned away (address → SMTP reply); ``unconfirmed`` why the mail (for ``skip``, the
    earlier one) went to the server but its acceptance never came back, "" when it was confirmed."""

    action: Action
    message_id: str
    revision: int
    attached: bool
    refused: dict[str, str] = field(default_factory=dict)
    unconfirmed: str = ""


def deliver(
    summary: MailSummary,
    delivery: Delivery,
    ledger_path: Path,
    *,
    resend: bool = False,
    env: Mapping[str, str] = os.environ,
    link_text: str | None = None,
    sender: Sender = send,
) -> DeliveryResult:
    """Mail the pack unless this very pack was mailed before (``resend`` mails it anyway).

    ``sender(message, smtp, env=env)`` does the sending; the ledger is written only after it succeeds, or after the
    message went to the server whole and its reply was lost (recorded as unconfirmed: it may have arrived). The ledger
    is held from reading to writing (``ledger_held``), so a pack goes out once even when two runs deliver at once.
    """
    with ledger_held(ledger_path):
        ledger = Ledger.load(ledger_path)
        decision = ledger.decide(summary.month, summary.pack_hash, resend)
        if decision.action == "skip" and decision.previous is not None:
            previous = decision.previous
            return DeliveryResult("skip", previous.message_id, previous.revision, attached=False,
                                  unconfirmed="" if previous.confirmed else previous.note or "unconfirmed")
        revision = None
        if decision.action == "revision" and decision.previous is not None:
            revision = Revision(decision.previous.message_id, decision.revision,
                                summary.changes_since(decision.previous.kpi_values))
        message = build_message(summary, delivery, revision=revision, attach=True, link_text=link_text)
        sent = sender(message, delivery.smtp, env=env)
        ledger.record(
            LedgerEntry(
                month=summary.month,
                sent_at=datetime.now(UTC).isoformat(timespec="seconds"),
                to=list(delivery.to),
                cc=list(delivery.cc),
                pack_hash=summary.pack_hash,
                message_id=sent.message_id,
                revision=decision.revision,
                kpi_values=dict(summary.kpi_values),
                refused=dict(sent.refused),
                confirmed=sent.confirmed,
                note=sent.unconfirmed,
            )
        )
    attached = any(True for _ in message.iter_attachments())
    return DeliveryResult(decision.action, sent.message_id, decision.revision, attached, dict(sent.refused),
                          sent.unconfirmed)


def notify_failure(
    delivery: Delivery,
    *,
    client: str,
    month: Month | str,
    error: str,
    log: str,
    run_url: str | None,
    rerun: str,
    locale: str,
    env: Mapping[str, str] = os.environ,
    sender: Sender = send,
) -> str | None:
    """Tell ``failure_notice_to`` that a run failed for good; None when nobody is to be told.

    ``log`` is where the run's log is (a path, or an address under ``links_base``), ``run_url`` its page in
    the Prefect UI if readers can open one, ``rerun`` the command that runs the month again as it was run.
    """
    if not delivery.failure_notice_to:
        return None
    notice = failure_notice(client, str(month), error, log=log, run_url=run_url, rerun=rerun, locale=locale)
    message = build_failure_notice(delivery, notice)
    return sender(message, delivery.smtp, env=env).message_id
