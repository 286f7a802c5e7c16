"""The e-mail that carries a month's pack to the managers: subject, bodies, attachment.

The code prepares every word and number (wording from the message catalogue, ``mail.*``);
the Jinja2 templates in ``templates/email/`` only lay them out as plain text and HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from retropack.messages import t
from retropack.config import Delivery
from retropack.errors import DeliveryError

if TYPE_CHECKING:
    from retropack.delivery.ledger import LedgerEntry

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
STATUSES = ("achieved", "near", "missed", "no_target", "no_data")
STATUS_COLOURS = {
    "achieved": "#1b7f3b",
    "near": "#b26a00",
    "missed": "#c62828",
    "no_target": "#6b7280",
    "no_data": "#6b7280",
}
_MB = 1024 * 1024

class Words:
    """The mail's wording in one locale, from the project's message catalogue (``mail.*`` keys)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __getitem__(self, key: str) -> str:
        if key in STATUS_KEYS:
            return t(f"status.{key}", self.locale)
        return t(f"mail.{key}", self.locale)


STATUS_KEYS = ("achieved", "near", "missed", "no_target", "no_data")


@dataclass(frozen=True)
class FocusLine:
    """One focus KPI as shown: every value already formatted for the mail's locale."""

    name: str
    actual: str
    target: str
    status: str
    status_label: str


@dataclass(frozen=True)
class MailSummary:
    """What the mail says about a pack; ``locale`` is the mail's language (``delivery.locale`` or the program's).

    Text fields are already in that language; ``kpi_values`` are the raw actuals kept in the ledger
    to tell a revision's changes.
    """

    client: str
    month: str
    program_name: str
    locale: str
    phase_label: str
    month_index: int
    status_counts: dict[str, int]
    focus: list[FocusLine]
    wins: list[str]
    misses: list[str]
    kpi_values: dict[str, float | None]
    kpi_names: dict[str, str]
    pdf_path: Path
    pack_hash: str


def subject(summary: MailSummary, *, revised: bool) -> str:
    """``【MA月次振り返り】{program} {YYYY-MM}``, prefixed ``【改訂版】`` for a revision."""
    words = Words(summary.locale)
    text = words["subject"].format(program=summary.program_name, month=summary.month)
    return words["revised"] + text if revised else text


def attachment_name(summary: MailSummary) -> str:
    """A readable file name in the mail's language, free of characters file systems refuse."""
    program = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", summary.program_name).strip(" .") or summary.client
    return Words(summary.locale)["filename"].format(program=program, month=summary.month)


def build_message(
    summary: MailSummary,
    delivery: Delivery,
    *,
    revision_of: LedgerEntry | None,
    changes: list[str],
    attach: bool,
    link_text: str | None,
) -> EmailMessage:
    """The complete mail: plain text with an HTML alternative, and the PDF unless it is too big.

    ``link_text`` says where the pack is kept (a path or URL); it is shown whenever given, and in
    place of the attachment the pack's path is shown when the PDF is not attached.
    """
    words = Words(summary.locale)
    size = _size(summary.pdf_path) if attach else 0
    limit = delivery.max_attachment_mb
    attached = attach and size <= limit * _MB
    pack_lines = []
    if attached:
        pack_lines.append(words["attached"].format(filename=attachment_name(summary)))
    elif attach:
        pack_lines.append(words["too_large"].format(size_mb=size / _MB, limit_mb=limit))
    if link_text or not attached:
        pack_lines.append(words["location"].format(location=link_text or str(summary.pdf_path)))

    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject(summary, revised=revision_of is not None)
    message["From"] = delivery.from_
    message["To"] = ", ".join(delivery.to)
    if delivery.cc:
        message["Cc"] = ", ".join(delivery.cc)
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=_domain(delivery.from_))
    message["Auto-Submitted"] = "auto-generated"
    if revision_of is not None:
        message["In-Reply-To"] = revision_of.message_id
        message["References"] = revision_of.message_id

    view = _view(summary, revision_of, changes, pack_lines, str(message["Subject"]))
    environment = _environment()
    message.set_content(environment.get_template("body.txt.j2").render(view), charset="utf-8")
    message.add_alternative(environment.get_template("body.html.j2").render(view), subtype="html", charset="utf-8")
    if attached:
        filename = attachment_name(summary)
        message.add_attachment(  # name= too: some mail clients read only the Content-Type's name
            summary.pdf_path.read_bytes(), maintype="application", subtype="pdf", filename=filename,
            params={"name": filename},
        )
    return message


def build_failure_notice(
    delivery: Delivery, *, client: str, month: str, error: str, run_url: str | None, locale: str
) -> EmailMessage:
    """A plain-text mail telling ``failure_notice_to`` that a run or its delivery failed for good."""
    words = Words(locale)
    lines = [
        words["failure_body"].format(client=client, month=month),
        "",
        words["failure_error"].format(error=error),
    ]
    if run_url:
        lines.append(words["failure_run"].format(run_url=run_url))
    lines += ["", words["failure_fix"].format(month=month), "", "-- ", words["footer"]]
    message = EmailMessage(policy=SMTP)
    message["Subject"] = words["failure_subject"].format(client=client, month=month)
    message["From"] = delivery.from_
    message["To"] = ", ".join(delivery.failure_notice_to)
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=_domain(delivery.from_))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(lines) + "\n", charset="utf-8")
    return message


def _view(
    summary: MailSummary, revision_of: LedgerEntry | None, changes: list[str], pack_lines: list[str], title: str
) -> dict[str, Any]:
    words = Words(summary.locale)
    revision_note = None
    if revision_of is not None:
        revision_note = words["revision_note"].format(month=summary.month, revision=revision_of.revision + 1)
    return {
        "lang": summary.locale,
        "title": title,
        "intro": words["intro"].format(program=summary.program_name, month=summary.month),
        "revision_note": revision_note,
        "changes": changes if changes or revision_of is None else [words["no_kpi_change"]],
        "phase": words["phase"].format(phase=summary.phase_label, index=summary.month_index),
        "counts_heading": words["counts_heading"],
        "counts": [
            {
                "text": words["count"].format(label=words[status], count=summary.status_counts.get(status, 0)),
                "colour": STATUS_COLOURS[status],
            }
            for status in STATUSES
        ],
        "focus_heading": words["focus_heading"],
        "columns": [words["col_kpi"], words["col_actual"], words["col_target"], words["col_status"]],
        "focus": [
            {
                "line": words["focus_line"].format(**vars(line)),
                "cells": [line.name, line.actual, line.target],
                "status_label": line.status_label,
                "colour": STATUS_COLOURS.get(line.status, STATUS_COLOURS["no_data"]),
            }
            for line in summary.focus
        ],
        "wins_heading": words["wins_heading"],
        "wins": summary.wins,
        "misses_heading": words["misses_heading"],
        "misses": summary.misses,
        "pack_lines": pack_lines,
        "footer": words["footer"],
    }


def _environment() -> Environment:
    """Autoescape for the HTML body only; undefined names fail instead of printing nothing."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise DeliveryError(
            f"Pack '{path}' cannot be read for mailing ({exc.strerror or exc}): render the pack before delivering it."
        ) from None


def _domain(address: str) -> str:
    """Message-IDs take the sender's domain, so no host-name lookup is needed."""
    return parseaddr(address)[1].rpartition("@")[2] or "retropack.invalid"
