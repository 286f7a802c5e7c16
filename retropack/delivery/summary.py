"""The e-mail's summary of a pack, taken from the same view model the documents lay out."""

from __future__ import annotations

from pathlib import Path

from retropack.delivery.message import FocusLine, MailSummary
from retropack.kpis.evaluation import KpiResult
from retropack.view import PackView


def summarize(view: PackView, results: list[KpiResult], pdf: Path, pack_hash: str) -> MailSummary:
    return MailSummary(
        client=view.client,
        month=view.month,
        program_name=view.program_name,
        locale=view.locale,
        phase_label=view.phase_label,
        month_index=view.month_index,
        status_counts={status: count for status, _, _, count in view.status_counts},
        focus=[FocusLine(k.name, k.actual, k.target, k.status, k.status_label) for k in view.focus],
        wins=[h.summary for h in view.top_wins],
        misses=[h.summary for h in view.top_misses],
        kpi_values={r.kpi.id: r.actual for r in results},
        kpi_names={k.id: k.name for k in view.kpis},
        pdf_path=pdf,
        pack_hash=pack_hash,
    )
