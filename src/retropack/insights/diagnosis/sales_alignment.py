"""失敗パターン3 営業との連携ができていない: both sides of the SLA — sales following MQLs up in time
and converting them, marketing supplying the MQLs it promised — and MQLs sales never touched."""

from __future__ import annotations

import pandas as pd

from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.insights.diagnosis._kpi_track import kpi_evidence
from retropack.insights.diagnosis.evidence import Evidence, Quantity, needs, run_start
from retropack.rules import Band, Level, SalesAlignment

SALES_SIDE = ("sla_followup_rate", "mql_to_sql_rate", "opportunity_rate")
MARKETING_SIDE = "mqls"  # the monthly MQL supply marketing promises (its target)


def _mqls_of(inputs: DiagnosisInputs, index: int) -> pd.DataFrame:
    leads = inputs.kpis.leads
    return leads[leads["mql_at_m"] == index]


def _never_touched(inputs: DiagnosisInputs, band: Band) -> Evidence:
    def share(index: int) -> tuple[int, int]:
        mqls = _mqls_of(inputs, index)
        return int(mqls["first_sales_touch_at"].isna().sum()), len(mqls)

    flags = []
    for m in inputs.months:
        untouched, total = share(m.index)
        flags.append((m, band.level(untouched / total if total else None) in ("watch", "alert")))
    untouched, total = share(inputs.month.index)
    rate = untouched / total if total else None
    level = band.level(rate)
    values = {"count": Quantity(untouched, "count"), "mqls": Quantity(total, "count"), "share": Quantity(rate, "rate")}
    if level in ("watch", "alert"):
        return Evidence("mqls_never_touched", level, values, run_start(flags))
    return Evidence("mqls_touched", level, values)


def _slowest_owner(inputs: DiagnosisInputs, min_mqls: int, level: Level) -> Evidence | None:
    """The sales owner with the lowest SLA rate this month, among owners with enough MQLs: who to talk to."""
    if not inputs.has_column("leads", "owner"):
        return None
    mqls = _mqls_of(inputs, inputs.month.index).dropna(subset=["owner"])
    by_owner = mqls.groupby("owner")["sla_in_time"].agg(["mean", "size"])
    by_owner = by_owner[by_owner["size"] >= min_mqls]
    if by_owner.empty:
        return None
    owner, row = next(iter(by_owner.sort_values("mean").iterrows()))
    return Evidence("sla_slowest_owner", level, {
        "owner": str(owner), "rate": Quantity(row["mean"], "rate"), "mqls": Quantity(row["size"], "count")})


def check(inputs: DiagnosisInputs, limits: SalesAlignment) -> tuple[Evidence, ...]:
    found = []
    has_touch = inputs.has_column("leads", "first_sales_touch_at")
    for kpi_id in SALES_SIDE:
        if kpi_id == "sla_followup_rate" and not has_touch:
            found.append(needs("leads.first_sales_touch_at"))
            continue
        found.append(kpi_evidence(inputs, kpi_id, limits.months_off_track, limits.falling_share))
        if kpi_id == "sla_followup_rate" and found[-1].level in ("watch", "alert"):
            slowest = _slowest_owner(inputs, limits.min_owner_mqls, found[-1].level)
            found.extend([slowest] if slowest else [])
    found.append(kpi_evidence(inputs, MARKETING_SIDE, limits.months_off_track, limits.falling_share))
    found.append(_never_touched(inputs, limits.never_touched_mql_share) if has_touch
                 else needs("leads.first_sales_touch_at"))
    return tuple(found)
