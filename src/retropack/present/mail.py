"""The words of what goes out: the mail to the managers about a pack, the failure notice and the alert.

Built from the same view model the documents lay out, in the mail's language (``delivery.locale``
or the program's); months read as the pack reads them (2026年10月). Delivery only assembles and
sends; every sentence and number is made here. The operator's own greeting and signature
(``delivery.greeting``, ``delivery.signature``) are passed through as written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import STATUSES, KpiResult
from retropack.present.formatting import format_value, month_label
from retropack.present.messages import Translator
from retropack.present.palette import STATUS_COLOURS
from retropack.present.view import PackView

__all__ = ["FailureNotice", "FocusKpi", "MailSummary", "alert_text", "failure_notice", "mail_summary", "summarize"]


@dataclass(frozen=True)
class FocusLine:
    """One focus KPI as the mail shows it."""

    line: str
    cells: tuple[str, str, str]  # name, actual, target
    status_label: str
    colour: str


@dataclass(frozen=True)
class CountLine:
    text: str
    colour: str


@dataclass(frozen=True)
class MailSummary:
    """What the mail says about one pack; ``kpi_values`` are the raw actuals the ledger keeps, so a
    revision can say which KPIs changed."""

    client: str
    month: str
    month_label: str
    locale: str
    currency: str
    subject: str
    greeting: str | None
    filename: str
    intro: str
    phase: str
    counts_heading: str
    counts: tuple[CountLine, ...]
    focus_heading: str
    columns: tuple[str, ...]
    focus: tuple[FocusLine, ...]
    wins_heading: str
    wins: tuple[str, ...]
    misses_heading: str
    misses: tuple[str, ...]
    actions_heading: str
    actions: tuple[str, ...]
    signature: tuple[str, ...]
    footer: str
    kpi_values: dict[str, float | None]
    pdf_path: Path
    pack_hash: str

    @property
    def _tr(self) -> Translator:
        return Translator(self.locale)

    def revised_subject(self) -> str:
        return self._tr("mail.revised") + self.subject

    def revision_note(self, revision: int) -> str:
        return self._tr("mail.revision_note", month=self.month_label, revision=revision)

    def no_kpi_change(self) -> str:
        return self._tr("mail.no_kpi_change")

    def attached(self) -> str:
        return self._tr("mail.attached", filename=self.filename)

    def too_large(self, size_mb: float, limit_mb: float) -> str:
        return self._tr("mail.too_large", size_mb=size_mb, limit_mb=limit_mb)

    def location(self, where: str) -> str:
        return self._tr("mail.location", location=where)

    def changes_since(self, old_values: dict[str, float | None]) -> list[str]:
        """One line per KPI whose shown value changed since the pack mailed before (``CAC: $1,000 → $2,000``)."""
        lines = []
        for kpi in dict.fromkeys([*self.kpi_values, *old_values]):
            old, new = old_values.get(kpi), self.kpi_values.get(kpi)
            shown_old, shown_new = self._shown(kpi, old), self._shown(kpi, new)
            if _same(old, new) or shown_old == shown_new:
                continue
            name = KPIS[kpi].name(self.locale) if kpi in KPIS else kpi
            lines.append(self._tr("mail.change", name=name, old=shown_old, new=shown_new))
        return lines

    def _shown(self, kpi: str, value: float | None) -> str:
        """The value as the pack shows it; ids outside the catalogue as plain numbers."""
        unit = KPIS[kpi].unit if kpi in KPIS else "count"
        return format_value(value, unit, self.locale, self.currency)


def _same(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is new
    return math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)


def _file_name(program: str, client: str, month: str, tr: Translator) -> str:
    """A readable file name in the mail's language, free of characters file systems refuse."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", program).strip(" .") or client
    return tr("mail.filename", program=safe, month=month)


@dataclass(frozen=True)
class FocusKpi:
    """A focus KPI's shown values, as the view has them."""

    name: str
    actual: str
    target: str
    status: str
    status_label: str


def mail_summary(*, client: str, month: str, program_name: str, locale: str, currency: str, phase_label: str,
                 month_index: int, status_counts: dict[str, int], focus: list[FocusKpi], wins: list[str],
                 misses: list[str], actions: list[tuple[str, str]], kpi_values: dict[str, float | None],
                 pdf_path: Path, pack_hash: str, greeting: str | None = None,
                 signature: str | None = None) -> MailSummary:
    """Word the mail from its parts (already formatted for ``locale``); ``actions`` are (title, who and by when).

    The file name keeps the month as ``2026-10``, so saved packs sort by month.
    """
    tr = Translator(locale)
    label = month_label(month, locale)
    return MailSummary(
        client=client,
        month=month,
        month_label=label,
        locale=locale,
        currency=currency,
        subject=tr("mail.subject", program=program_name, month=label),
        greeting=greeting.strip() if greeting and greeting.strip() else None,
        filename=_file_name(program_name, client, month, tr),
        intro=tr("mail.intro", program=program_name, month=label),
        phase=tr("mail.phase", phase=phase_label, index=month_index),
        counts_heading=tr("mail.counts_heading"),
        counts=tuple(CountLine(tr("mail.count", label=tr(f"status.{s}"), count=status_counts.get(s, 0)),
                               STATUS_COLOURS[s]) for s in STATUSES),
        focus_heading=tr("mail.focus_heading"),
        columns=(tr("mail.col_kpi"), tr("mail.col_actual"), tr("mail.col_target"), tr("mail.col_status")),
        focus=tuple(FocusLine(tr("mail.focus_line", name=k.name, actual=k.actual, target=k.target,
                                 status_label=k.status_label), (k.name, k.actual, k.target), k.status_label,
                              STATUS_COLOURS.get(k.status, STATUS_COLOURS["no_data"])) for k in focus),
        wins_heading=tr("mail.wins_heading"),
        wins=tuple(wins),
        misses_heading=tr("mail.misses_heading"),
        misses=tuple(misses),
        actions_heading=tr("mail.actions_heading"),
        actions=tuple(tr("mail.action_line", number=i, title=title, owner=owner)
                      for i, (title, owner) in enumerate(actions, start=1)),
        signature=tuple(line.rstrip() for line in (signature or "").strip("\n").splitlines()),
        footer=tr("mail.footer"),
        kpi_values=kpi_values,
        pdf_path=pdf_path,
        pack_hash=pack_hash,
    )


def summarize(view: PackView, results: list[KpiResult], currency: str, pdf: Path, pack_hash: str,
              greeting: str | None = None, signature: str | None = None) -> MailSummary:
    """The mail's summary of a pack, from the view built in the mail's language."""
    return mail_summary(
        client=view.client, month=view.month, program_name=view.program_name, locale=view.locale, currency=currency,
        phase_label=view.phase_label, month_index=view.month_index,
        status_counts={c.status: c.count for c in view.status_counts},
        focus=[FocusKpi(k.name, k.actual, k.target, k.status, k.status_label) for k in view.focus],
        wins=[h.summary for h in view.top_wins], misses=[h.summary for h in view.top_misses],
        actions=[(a.title, view.words("mail.action_owner", who=a.who, due=a.due_label)) for a in view.actions],
        kpi_values={r.kpi.id: r.actual for r in results}, pdf_path=pdf, pack_hash=pack_hash,
        greeting=greeting, signature=signature,
    )


@dataclass(frozen=True)
class FailureNotice:
    subject: str
    body: str


def failure_notice(client: str, month: str, error: str, *, log: str, run_url: str | None, rerun: str,
                   locale: str) -> FailureNotice:
    """The plain-text notice that a run or its delivery failed for good, for the people who run retropack:
    what failed, where its log is (and its page in the Prefect UI, if any), and the command to rerun it."""
    tr = Translator(locale)
    lines = [tr("mail.failure_body", client=client, month=month), "", tr("mail.failure_error", error=error),
             *_where(tr, log, run_url), "", tr("mail.failure_fix", command=rerun), "", "-- ",
             tr("mail.footer")]
    return FailureNotice(tr("mail.failure_subject", client=client, month=month), "\n".join(lines) + "\n")


def alert_text(client: str, month: str, error: str, *, log: str, run_url: str | None, rerun: str,
               locale: str) -> str:
    """The same news as the failure notice in a few lines, for a chat channel's incoming webhook."""
    tr = Translator(locale)
    return "\n".join([tr("alert.text", client=client, month=month, error=error), *_where(tr, log, run_url),
                      tr("mail.failure_fix", command=rerun)])


def _where(tr: Translator, log: str, run_url: str | None) -> list[str]:
    return [tr("mail.failure_log", log=log), *([tr("mail.failure_run", run_url=run_url)] if run_url else [])]
