"""The data problems that change how the month's numbers read (contract §10 ``findings``).

A rejected row is counted in the data-quality section; these are rows that passed validation and still cannot be
taken at face value: deals not linked to SQL leads (a CRM linkage problem, the seed's failure pattern 5), a later
funnel stage larger than an earlier one, dates after the run (expected close dates in the actual-close field), one
import passed off as the month's new leads, stage values sent to ``open`` by a mapping, won deals without amount and
deals closed before they were created. Each names the KPIs it touches: those are not judged until the data is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.load import Dataset
from retropack.months import Month

__all__ = ["BULK_MIN_LEADS", "BULK_SHARE", "BULK_WINDOW", "LINKAGE_SHARE", "MATERIAL_SHARE", "STAGES_MIN_DEALS",
           "Finding", "FunnelCounts", "find_findings", "kpis_touched"]

LINKAGE_SHARE = 0.5  # deals without an SQL lead: a large share of the month's deals is a linkage problem
BULK_WINDOW = pd.Timedelta(minutes=5)  # leads created this close together came in one import
BULK_SHARE = 0.3  # ... when they are this share of the month's new leads
BULK_MIN_LEADS = 20  # ... and at least this many
STAGES_MIN_DEALS = 20  # a deals table this large with no won or lost deal at all reads its stages wrong
WON_KPIS = ("ma_won_amount", "roi", "cac", "ltv", "pipeline_velocity")
SUMS_OF_WON = ("ma_won_amount", "roi", "ltv", "pipeline_velocity")  # read the won amount (CAC counts deals)
CYCLE_KPIS = ("pipeline_velocity",)
MATERIAL_SHARE = 0.05  # kept deals without amount, or closed before created: below this share of the 12 months' won
# or closed deals the sums and cycles barely move (the finding is listed, its KPIs stay reliable)


@dataclass(frozen=True)
class Finding:
    id: str
    table: str
    rows: int
    share: float | None  # of the rows it is measured against (the month's deals, new leads, …)
    kpis: tuple[str, ...]  # the KPIs it makes unreliable
    detail: str  # the numbers in plain words, for readers of kpis.json (the pack words it from ``values``)
    values: tuple[tuple[str, str | int | float], ...] = ()  # what the pack's sentence is filled with


@dataclass(frozen=True)
class FunnelCounts:
    """The funnel's stages, in order, as the pack draws them (label key, count)."""

    stages: tuple[tuple[str, int], ...]


def kpis_touched(findings: Sequence[Finding]) -> dict[str, set[str]]:
    """The finding ids touching each KPI."""
    touched: dict[str, set[str]] = {}
    for finding in findings:
        for kpi in finding.kpis:
            touched.setdefault(kpi, set()).add(finding.id)
    return touched


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _conversion_over_100(inputs: KpiInputs, month: Month, funnel: FunnelCounts) -> list[Finding]:
    """A later stage larger than the one before it, for the same leads (the funnel) or in the month's rates."""
    found = []
    stages = funnel.stages
    over = [(stages[i - 1], stages[i]) for i in range(1, len(stages)) if stages[i][1] > stages[i - 1][1]]
    leads = inputs.leads
    sqls = int((leads["sql_at_m"] == month.index).sum())
    mqls = int((leads["mql_at_m"] == month.index).sum())
    from_mqls = int(((leads["sql_at_m"] == month.index) & leads["mql_at"].notna()).sum())
    deals = inputs.deals[inputs.deals["created_at_m"] == month.index]
    if "lead_sql_at" in deals:
        sql_at = deals["lead_sql_at"]
        opportunities = int(deals.loc[sql_at.notna() & (sql_at <= deals["created_at"]), "lead_id"].nunique())
    else:
        opportunities = 0
    pairs = (("mql_to_sql_rate", (("mqls", mqls), ("sqls", from_mqls))),
             ("opportunity_rate", (("sqls", sqls), ("opportunities", opportunities))))
    month_over = [(kpi, pair) for kpi, pair in pairs if pair[1][1] > pair[0][1]]
    rates = {"sqls": "mql_to_sql_rate", "opportunities": "opportunity_rate"}
    kpis = tuple(dict.fromkeys([*(kpi for kpi, _ in month_over), *(rates[b[0]] for _, b in over if b[0] in rates)]))
    if over or month_over:
        (earlier, before), (later, after) = over[0] if over else month_over[0][1]
        found.append(Finding("conversion_over_100", "deals" if later in ("opportunities", "won") else "leads",
                             after - before, _share(after, before), kpis,
                             f"{later} {after} > {earlier} {before}",
                             (("earlier", earlier), ("before", before), ("later", later), ("after", after))))
    return found


def _deals_without_sql_lead(inputs: KpiInputs, month: Month) -> list[Finding]:
    deals = inputs.deals[inputs.deals["created_at_m"] == month.index]
    if deals.empty:
        return []
    unlinked = deals["lead_sql_at"].isna() if "lead_sql_at" in deals else pd.Series(True, index=deals.index)
    count = int(unlinked.sum())
    share = count / len(deals)
    if share < LINKAGE_SHARE:
        return []
    return [Finding("deals_without_sql_lead", "deals", count, share, ("opportunity_rate",),
                    f"{count} of {len(deals)} deals created in {month} have no lead that reached SQL",
                    (("count", count), ("total", len(deals))))]


def _future_dates(dataset: Dataset, now: pd.Timestamp) -> list[Finding]:
    """Rows dated after the run: a closed deal closing in the future carries an expected close date."""
    found = []
    for table, columns, kpis in (("deals", ("closed_at",), WON_KPIS), ("deals", ("created_at",), ()),
                                 ("leads", ("created_at", "mql_at", "sql_at", "first_sales_touch_at"), ())):
        frame = dataset.tables.get(table)
        if frame is None or frame.empty:
            continue
        present = [c for c in columns if c in frame]
        if not present:
            continue
        late = pd.Series(False, index=frame.index)
        for column in present:
            late |= (_naive(frame[column]) > now).fillna(False)
        if table == "deals" and "closed_at" in present and "stage" in frame:
            late &= frame["stage"].isin(("won", "lost"))
        count = int(late.sum())
        if count:
            latest = max(_naive(frame.loc[late, c]).max() for c in present)
            found.append(Finding("future_dates", table, count, count / len(frame), kpis if count else (),
                                 f"{count} rows of {table} dated after the run (latest {latest:%Y-%m-%d})",
                                 (("count", count), ("column", present[0]), ("latest", f"{latest:%Y-%m-%d}"))))
    return _merge_future(found)


def _merge_future(found: list[Finding]) -> list[Finding]:
    """One future-dates finding per table."""
    by_table: dict[str, Finding] = {}
    for finding in found:
        kept = by_table.get(finding.table)
        if kept is None or finding.kpis:
            by_table[finding.table] = finding
    return list(by_table.values())


def _naive(column: pd.Series) -> pd.Series:
    column = pd.to_datetime(column, errors="coerce")
    return column.dt.tz_localize(None) if getattr(column.dt, "tz", None) is not None else column


def _bulk_import(inputs: KpiInputs, month: Month) -> list[Finding]:
    """The most new leads of the month created within ``BULK_WINDOW`` of one another."""
    created = inputs.leads.loc[inputs.leads["created_at_m"] == month.index, "created_at"].dropna().sort_values()
    total = len(created)
    if total < BULK_MIN_LEADS:
        return []
    times = _naive(created).reset_index(drop=True)
    ends = times.searchsorted(times + BULK_WINDOW, side="right")
    counts = ends - pd.RangeIndex(total)
    best = int(counts.argmax())
    burst = int(counts[best])
    if burst < BULK_MIN_LEADS or burst / total < BULK_SHARE:
        return []
    return [Finding("bulk_import", "leads", burst, burst / total, ("new_leads", "cpl"),
                    f"{burst} of {total} new leads created within {int(BULK_WINDOW.total_seconds() // 60)} minutes "
                    f"from {times[best]:%Y-%m-%d %H:%M}",
                    (("count", burst), ("total", total), ("at", f"{times[best]:%Y-%m-%d %H:%M}")))]


def _deal_rows(dataset: Dataset, month: Month) -> tuple[pd.DataFrame, pd.Series, pd.Series] | None:
    deals = dataset.tables.get("deals")
    if deals is None or deals.empty or "closed_at" not in deals:
        return None
    closed = _naive(deals["closed_at"])
    index = closed.dt.year * 12 + closed.dt.month - 1
    return deals, closed, index.between(month.index - 11, month.index)


def _won_without_amount(dataset: Dataset, month: Month) -> list[Finding]:
    """Won deals kept without an amount (contract §1): their wins count, their money does not."""
    rows = _deal_rows(dataset, month)
    if rows is None:
        return []
    deals, _, last_12 = rows
    won = deals["stage"].eq("won") & last_12
    missing = won & pd.to_numeric(deals["amount"], errors="coerce").isna()
    count = int(missing.sum())
    if not count:
        return []
    share = count / int(won.sum())
    return [Finding("won_without_amount", "deals", count, share, SUMS_OF_WON if share >= MATERIAL_SHARE else (),
                    f"{count} of {int(won.sum())} won deals of the 12 months ending {month} have no amount",
                    (("count", count), ("total", int(won.sum()))))]


def _closed_before_created(dataset: Dataset, month: Month) -> list[Finding]:
    """Deals closed before they were created (entered after the fact): their sales cycle reads 0 days."""
    rows = _deal_rows(dataset, month)
    if rows is None:
        return []
    deals, closed, last_12 = rows
    early = deals["stage"].isin(("won", "lost")) & last_12 & (closed < _naive(deals["created_at"])).fillna(False)
    count = int(early.sum())
    if not count:
        return []
    closed_12 = int((deals["stage"].isin(("won", "lost")) & last_12).sum())
    share = count / closed_12
    return [Finding("closed_before_created", "deals", count, share, CYCLE_KPIS if share >= MATERIAL_SHARE else (),
                    f"{count} of {closed_12} deals closed in the 12 months ending {month} closed before created",
                    (("count", count), ("total", closed_12)))]


def _stage_defaulted(dataset: Dataset) -> list[Finding]:
    """Stage values a ``"*"`` mapping sent to ``open``, as the load reports them; or a deals table with no closed
    deal at all (``STAGES_MIN_DEALS`` or more: a young program may have none yet): every win-based KPI then reads
    nothing."""
    found = []
    deals = dataset.tables.get("deals")
    total = len(deals) if deals is not None else 0
    for loaded in dataset.findings:
        if loaded.code == "stage_defaulted":
            if loaded.params.get("variant") == "no_closed":
                continue  # judged below, with the young program's allowance
            values = str(loaded.params.get("values", ""))
            found.append(Finding("stage_defaulted", loaded.table, loaded.count, _share(loaded.count, total),
                                 WON_KPIS, f"{loaded.count} deals sent to open" + (f": {values}" if values else ""),
                                 (("count", loaded.count), ("values", values))))
    if not found and deals is not None and total >= STAGES_MIN_DEALS and "stage" in deals \
            and not deals["stage"].isin(("won", "lost")).any():
        found.append(Finding("stage_defaulted", "deals", total, 1.0, WON_KPIS,
                             f"none of the {total} deals is won or lost", (("count", total), ("values", ""))))
    return found


def find_findings(dataset: Dataset, inputs: KpiInputs, month: Month, funnel: FunnelCounts,
                  now: pd.Timestamp) -> list[Finding]:
    """The month's findings; ``now`` is the run's time in the program's timezone (naive, like the data)."""
    return [*_deals_without_sql_lead(inputs, month), *_conversion_over_100(inputs, month, funnel),
            *_future_dates(dataset, now), *_bulk_import(inputs, month), *_stage_defaulted(dataset),
            *_won_without_amount(dataset, month), *_closed_before_created(dataset, month)]
