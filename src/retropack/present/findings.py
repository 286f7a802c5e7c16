"""The month's data findings in the client's words (contract §10): one sentence each for the data-quality section,
a short name for the KPIs they make unreliable, and the note the funnel carries when a stage exceeds the one
before it."""

from __future__ import annotations

from collections.abc import Sequence

from retropack.insights.findings import Finding
from retropack.months import Month
from retropack.present.formatting import format_value, month_label
from retropack.present.messages import Translator

__all__ = ["finding_line", "finding_names", "funnel_note"]

STAGES = {"leads", "mqls", "sqls", "opportunities", "won"}


def finding_line(finding: Finding, month: Month, tr: Translator) -> str:
    values = dict(finding.values)
    params = {key: value for key, value in values.items()}
    params["month"] = month_label(str(month), tr.locale)
    params["share"] = format_value(finding.share, "rate", tr.locale)
    params["table"] = tr(f"table.{finding.table}")
    for key in ("earlier", "later"):
        if values.get(key) in STAGES:
            params[key] = tr(f"funnel.{values[key]}")
    key = f"judgement.finding.{finding.id}"
    if finding.id == "future_dates" and finding.kpis:
        key = "judgement.finding.future_dates_deals"
    if finding.id == "stage_defaulted":
        params["values"] = tr("judgement.finding.stage_values", values=values["values"]) if values.get("values") \
            else ""
    return tr(key, **params)


def finding_names(findings: Sequence[Finding], tr: Translator) -> dict[str, str]:
    """Each finding id's short name, for the line beside an unreliable KPI."""
    return {f.id: tr(f"judgement.finding_name.{f.id}") for f in findings}


def funnel_note(findings: Sequence[Finding], month: Month, tr: Translator) -> str:
    """The finding beside a funnel whose later stage exceeds an earlier one ("" when none does)."""
    over = next((f for f in findings if f.id == "conversion_over_100" and f.rows > 0), None)
    return tr("judgement.funnel_note", text=finding_line(over, month, tr)) if over else ""
