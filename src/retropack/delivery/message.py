"""The e-mail that carries a month's pack to the managers: headers, plain text and HTML bodies, attachment.

Every word comes from the summary (``retropack.present.mail``); the Jinja2 templates in
``templates/email/`` only lay it out, as plain text and as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from retropack.config import Delivery
from retropack.errors import DeliveryError
from retropack.present.mail import FailureNotice, MailSummary

__all__ = ["Revision", "build_failure_notice", "build_message"]

_MB = 1024 * 1024


@dataclass(frozen=True)
class Revision:
    """The mail a revision follows up (its Message-ID), the number the new one carries, and the
    lines saying which KPIs changed."""

    message_id: str
    number: int
    changes: list[str]


def build_message(summary: MailSummary, delivery: Delivery, *, revision: Revision | None, attach: bool,
                  link_text: str | None) -> EmailMessage:
    """The complete mail: plain text with an HTML alternative, and the PDF unless it is too big.

    ``link_text`` says where the pack is kept (a path or URL); it is shown whenever given, and in
    place of the attachment the pack's path is shown when the PDF is not attached.
    """
    size = _size(summary) if attach else 0
    limit = delivery.max_attachment_mb
    attached = attach and size <= limit * _MB
    pack_lines = []
    if attached:
        pack_lines.append(summary.attached())
    elif attach:
        pack_lines.append(summary.too_large(size / _MB, limit))
    if link_text or not attached:
        pack_lines.append(summary.location(link_text or str(summary.pdf_path)))

    message = _headers(delivery.from_, delivery.to, delivery.cc,
                       summary.revised_subject() if revision else summary.subject)
    if revision is not None:
        message["In-Reply-To"] = revision.message_id
        message["References"] = revision.message_id
    body = _body(summary, revision, pack_lines, str(message["Subject"]))
    environment = _environment()
    message.set_content(environment.get_template("body.txt.j2").render(body), charset="utf-8")
    message.add_alternative(environment.get_template("body.html.j2").render(body), subtype="html", charset="utf-8")
    if attached:
        message.add_attachment(  # name= too: some mail clients read only the Content-Type's name
            summary.pdf_path.read_bytes(), maintype="application", subtype="pdf", filename=summary.filename,
            params={"name": summary.filename},
        )
    return message


def build_failure_notice(delivery: Delivery, notice: FailureNotice) -> EmailMessage:
    """A plain-text mail telling ``failure_notice_to`` that a run or its delivery failed for good."""
    message = _headers(delivery.from_, delivery.failure_notice_to, [], notice.subject)
    message.set_content(notice.body, charset="utf-8")
    return message


def _headers(sender: str, to: list[str], cc: list[str], subject: str) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    return message


def _body(summary: MailSummary, revision: Revision | None, pack_lines: list[str], title: str) -> dict[str, Any]:
    return {
        "lang": summary.locale,
        "title": title,
        "greeting": summary.greeting,
        "intro": summary.intro,
        "revision_note": summary.revision_note(revision.number) if revision else None,
        "changes": (revision.changes or [summary.no_kpi_change()]) if revision else [],
        "phase": summary.phase,
        "counts_heading": summary.counts_heading,
        "counts": summary.counts,
        "focus_heading": summary.focus_heading,
        "columns": summary.columns,
        "focus": summary.focus,
        "wins_heading": summary.wins_heading,
        "wins": summary.wins,
        "misses_heading": summary.misses_heading,
        "misses": summary.misses,
        "actions_heading": summary.actions_heading,
        "actions": summary.actions,
        "pack_lines": pack_lines,
        "signature": summary.signature,
        "footer": summary.footer,
    }


def _environment() -> Environment:
    """Autoescape for the HTML body only; undefined names fail instead of printing nothing."""
    return Environment(
        loader=FileSystemLoader(str(files("retropack.templates").joinpath("email"))),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _size(summary: MailSummary) -> int:
    try:
        return summary.pdf_path.stat().st_size
    except OSError as exc:
        raise DeliveryError(
            f"Pack '{summary.pdf_path}' cannot be read for mailing ({exc.strerror or exc}): render the pack before "
            "delivering it."
        ) from None


def _domain(address: str) -> str:
    """Message-IDs take the sender's domain, so no host-name lookup is needed."""
    return parseaddr(address)[1].rpartition("@")[2] or "retropack.invalid"
