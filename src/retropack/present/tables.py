"""The pack's plain tables worded: the MQLs past the follow-up deadline, the content plan, the data quality."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from retropack.insights.content_plan import ContentPlan
from retropack.load import Dataset
from retropack.load.dataset import Finding
from retropack.months import Month
from retropack.present.cells import Table, date_cell, text_cell
from retropack.present.formatting import NO_VALUE, month_label
from retropack.present.messages import Translator

__all__ = ["SLA_ROWS_SHOWN", "content_tables", "finding_key", "quality_tables", "sla_table"]

SLA_ROWS_SHOWN = 8  # the MQLs left waiting the meeting goes through; the rest are counted


def sla_table(breaches: pd.DataFrame, tr: Translator) -> Table:
    """Never followed up first, then the longest wait; the lead's owner is who follows it up."""
    rows = []
    for rec in breaches.head(SLA_ROWS_SHOWN).itertuples():
        waited = tr("sla.never") if pd.isna(rec.waited_days) else tr("sla.days", days=f"{rec.waited_days:.1f}")
        segment = NO_VALUE if pd.isna(rec.segment) or not str(rec.segment) else tr.group("segment", str(rec.segment))
        rows.append((str(rec.lead_id), text_cell(rec.company), text_cell(rec.owner), segment, date_cell(rec.mql_at),
                     waited))
    more = len(breaches) - len(rows)
    return Table(tuple(tr(f"sla.col.{c}") for c in ("lead", "company", "owner", "segment", "mql_at", "waited")),
                 tuple(rows), tr("sla.more", count=more) if more > 0 else "")


def content_tables(content: ContentPlan, tr: Translator) -> tuple[Table, Table, Table, Table]:
    """Next month's plan against the cadence, this month's plan against what came out, scenarios, titles."""
    cadence = Table(
        tuple(tr(f"content.col.{c}") for c in ("type", "planned", "target", "shortfall")),
        tuple((tr(f"content.type.{line.type}"), str(line.planned), str(line.target),
               str(line.shortfall) if line.shortfall else NO_VALUE) for line in content.cadence),
        "" if content.has_calendar else tr("content.no_calendar"),
    )
    last = Table(
        tuple(tr(f"content.col.{c}") for c in ("type", "planned", "published", "late", "missing")),
        tuple((tr(f"content.type.{p.type}"), str(p.planned), str(p.published), str(p.late), str(p.missing))
              for p in content.last_month),
        "" if content.last_month else tr("content.nothing_planned"),
    )
    upcoming = Table(
        tuple(tr(f"content.col.{c}") for c in ("date", "type", "title", "owner")),
        tuple((date_cell(r.planned_date), tr(f"content.type.{r.type}"), text_cell(r.title), text_cell(r.owner))
              for r in content.upcoming.itertuples()) if not content.upcoming.empty else (),
        "" if not content.upcoming.empty else tr("content.nothing_upcoming"),
    )
    scenarios = Table(
        tuple(tr(f"scenario.col.{c}") for c in ("name", "status", "launch", "owner")),
        tuple((text_cell(r.name), tr(f"scenario.status.{r.status}"), date_cell(r.launch_date), text_cell(r.owner))
              for r in content.scenarios.itertuples()) if not content.scenarios.empty else (),
        "" if not content.scenarios.empty else tr("scenario.none" if content.has_scenarios else "scenario.no_table"),
    )
    return cadence, last, upcoming, scenarios


def finding_key(finding: Finding) -> str:
    """The message of a load finding: ``finding.<code>``, or ``finding.<code>.<variant>`` for a variant of it."""
    variant = finding.params.get("variant")
    return f"finding.{finding.code}" + (f".{variant}" if variant else "")


def quality_tables(dataset: Dataset, tr: Translator, non_finite: Mapping[str, list[Month]] | None = None,
                   ) -> tuple[Table, tuple[str, ...]]:
    """Rows read and rejected per table, by reason, and the other findings; tables by what they hold, not by file.
    ``non_finite``: KPIs whose values overflowed, by the months shown as no value."""
    rows = []
    for q in dataset.quality.values():
        reasons = tr("list.sep").join(f"{tr.reason(code)} {n}" for code, n in q.reasons.most_common())
        rows.append((tr(f"table.{q.table}"), f"{q.rows_read:,}", f"{q.rejected:,}", f"{q.reject_share * 100:.1f}%",
                     reasons or NO_VALUE))
    header = tuple(tr(f"quality.col.{c}") for c in ("table", "read", "rejected", "share", "reasons"))
    findings = tuple(tr(finding_key(f), table=tr(f"table.{f.table}"), count=f.count, **f.params)
                     for f in dataset.findings)
    findings += tuple(tr("finding.kpi_not_finite", kpi=tr.kpi_name(kpi),
                         months=tr("list.sep").join(month_label(str(m), tr.locale) for m in months))
                      for kpi, months in (non_finite or {}).items())
    return Table(header, tuple(rows), tr("quality.rejects_note")), findings
