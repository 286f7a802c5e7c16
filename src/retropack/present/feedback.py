"""Sales' feedback on the month's MQLs worded: the verdicts counted, the reasons most given, the leads
judged poor; without any verdict for the month, a blank table to fill in during the meeting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from retropack.config import label_of
from retropack.insights.feedback import MqlFeedback
from retropack.present.cells import Table, text_cell
from retropack.present.formatting import format_value
from retropack.present.messages import Translator

__all__ = ["BLANK_ROWS", "REASONS_SHOWN", "FeedbackView", "feedback_view"]

BLANK_ROWS = 6  # rows to fill in by hand in the meeting
REASONS_SHOWN = 3
LEADS_SHOWN = 8


@dataclass(frozen=True)
class FeedbackView:
    title: str
    filled: bool  # verdicts were recorded for the month
    summary: str
    reasons: tuple[str, ...]
    table: Table  # the leads judged poor, or blank rows (lead, verdict, reason) to fill in
    note: str


def _reasons(feedback: MqlFeedback, tr: Translator) -> tuple[str, ...]:
    lines = []
    for verdict in ("bad", "good"):
        given = feedback.reasons.get(verdict, ())[:REASONS_SHOWN]
        if given:
            items = tr("list.sep").join(tr("feedback.reason", reason=r, count=n) for r, n in given)
            lines.append(tr(f"feedback.reasons.{verdict}", reasons=items))
    return tuple(lines)


def feedback_view(feedback: MqlFeedback, month_label: str, labels: Mapping[str, Mapping[str, str]],
                  tr: Translator) -> FeedbackView:
    """``labels`` are the config's display names of source and segment codes."""
    if not feedback.given:
        blank = Table(tuple(tr(f"feedback.blank.col.{c}") for c in ("lead", "verdict", "reason")),
                      (("", "", ""),) * BLANK_ROWS)
        return FeedbackView(tr("feedback.title_blank"), False, tr("feedback.blank", month=month_label), (), blank,
                            tr("feedback.blank_note"))

    def share(count: int) -> str:
        return format_value(count / feedback.given, "rate", tr.locale)

    def label(dimension: str, code: object) -> str:
        shown = label_of(labels, dimension, code) if isinstance(code, str) else None
        return shown or text_cell(code)

    summary = tr("feedback.summary", month=month_label, mqls=f"{feedback.mqls:,}", given=f"{feedback.given:,}",
                 good=f"{feedback.good:,}", good_share=share(feedback.good), bad=f"{feedback.bad:,}",
                 bad_share=share(feedback.bad))
    bad = feedback.bad_leads
    rows = tuple((str(r.lead_id), text_cell(r.company), label("source", r.source), label("segment", r.segment),
                  text_cell(r.owner), text_cell(r.reason)) for r in bad.head(LEADS_SHOWN).itertuples())
    more = len(bad) - len(rows)
    table = Table(tuple(tr(f"feedback.col.{c}") for c in ("lead", "company", "source", "segment", "owner", "reason")),
                  rows, tr("feedback.more", count=more) if more > 0 else "")
    return FeedbackView(tr("feedback.title"), True, summary, _reasons(feedback, tr), table,
                        "" if rows else tr("feedback.no_bad"))
