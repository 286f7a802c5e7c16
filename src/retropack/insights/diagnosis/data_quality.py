"""失敗パターン5 データの品質が低い: rows the load had to reject, duplicate leads, leads missing the
fields segmentation needs, and unsubscribes rising as mail reaches the wrong people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pandas as pd

from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis._kpi_track import kpi_evidence
from retropack.insights.diagnosis.evidence import Evidence, Quantity, Term, Value, needs, run_start
from retropack.rules import Band, DataQuality, Level

__all__ = ["SEGMENTATION_FIELDS", "check"]

SEGMENTATION_FIELDS = ("source", "segment", "email")


def _rejects(inputs: DiagnosisInputs, band: Band) -> Evidence:
    quality = inputs.dataset.quality.values()
    read = sum(q.rows_read for q in quality)
    reasons = sum((q.reasons for q in quality), Counter())
    share = sum(reasons.values()) / read if read else None
    values = {"share": Quantity(share, "rate"), "rejected": Quantity(sum(reasons.values()), "count"),
              "read": Quantity(read, "count")}
    if reasons:
        values["reason"] = Term(f"reject.{reasons.most_common(1)[0][0]}")
    return Evidence("rows_rejected" if reasons else "no_rows_rejected", band.level(share), values)


def _share_by_month(inputs: DiagnosisInputs, flagged: pd.Series, band: Band, code: str,
                    extra: Mapping[str, Value] | None = None) -> Evidence:
    """Share of the month's new leads that ``flagged`` marks, with the run of months at watch or worse."""
    leads = inputs.kpis.leads

    def share(index: int) -> tuple[int, int]:
        new = leads["created_at_m"] == index
        return int((flagged & new).sum()), int(new.sum())

    def level(index: int) -> Level:
        count, total = share(index)
        return band.level(count / total if total else None)

    flags = [(m, level(m.index) in ("watch", "alert")) for m in inputs.months]
    count, total = share(inputs.month.index)
    now = level(inputs.month.index)
    values = {"count": Quantity(count, "count"), "leads": Quantity(total, "count"),
              "share": Quantity(count / total if total else None, "rate"), **(extra or {})}
    return Evidence(code, now, values, run_start(flags) if now in ("watch", "alert") else None)


def _duplicates(inputs: DiagnosisInputs, band: Band) -> Evidence:
    if not inputs.has_column("leads", "email"):
        return needs("leads.email")
    leads = inputs.kpis.leads
    email = leads["email"].astype("string").str.strip().str.lower()
    order = leads["created_at"].sort_values(kind="stable").index
    repeated = email.loc[order].duplicated() & email.loc[order].notna()
    key_duplicates = sum(q.reasons.get("duplicate_key", 0) for q in inputs.dataset.quality.values())
    return _share_by_month(inputs, repeated.reindex(leads.index), band, "duplicate_emails",
                           {"key_duplicates": Quantity(key_duplicates, "count")})


def _missing_fields(inputs: DiagnosisInputs, band: Band) -> list[Evidence]:
    leads = inputs.kpis.leads
    found = []
    for column in SEGMENTATION_FIELDS:
        if not inputs.has_column("leads", column):
            found.append(needs(f"leads.{column}"))
            continue
        blank = leads[column].isna() | leads[column].astype("string").str.strip().eq("")
        evidence = _share_by_month(inputs, blank, band, "field_missing", {"field": Term(f"field.{column}")})
        found.append(evidence)
    return found


def check(inputs: DiagnosisInputs, limits: DataQuality) -> tuple[Evidence, ...]:
    return (
        _rejects(inputs, limits.reject_share),
        _duplicates(inputs, limits.duplicate_email_share),
        *_missing_fields(inputs, limits.missing_share),
        kpi_evidence(inputs, "unsubscribe_rate", limits.months_unsubscribes_off_track, limits.rising_share),
    )
