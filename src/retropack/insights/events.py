"""How many events a ratio KPI rests on, and its value pooled over the last three months.

CAC on two won deals swings by a factor of three when one more deal closes: such a month says little. A ratio
whose numerator or denominator counts fewer than ``insights.min_events`` events in M is told with its trailing
3-month value (the sums of the three months divided, not the mean of three noisy ratios) and is no headline
(contract §10 ``few_events``). Counts and sums are not ratios and have no such floor; LTV and pipeline velocity
already pool twelve months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["TRAILING_MONTHS", "Events", "RATIOS", "events_of", "significant_change"]

TRAILING_MONTHS = 3
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Pool:
    """A ratio's numerator, denominator and the smaller of their event counts over a span of months."""

    numerator: float
    denominator: float
    events: int


@dataclass(frozen=True)
class Events:
    kpi_id: str
    now: int  # the fewer of the numerator's and the denominator's events in M
    trailing: float | None  # the KPI over M−2…M, pooled
    trailing_before: float | None  # the same a month earlier (M−3…M−1)
    numerator: tuple[float, float]  # (M, M−1): for the significance of a rate's change
    denominator: tuple[float, float]


def _span(series: pd.Series, first: Month, last: Month) -> pd.Series:
    return series.between(first.index, last.index)


def _spend(inp: KpiInputs, first: Month, last: Month) -> float | None:
    if inp.spend is None:
        return None
    return float(inp.spend.loc[_span(inp.spend["month_m"], first, last), "amount"].sum())


def _won(inp: KpiInputs, first: Month, last: Month) -> pd.DataFrame:
    deals = inp.ma_deals
    return deals[(deals["stage"] == "won") & _span(deals["closed_at_m"], first, last)]


def _cpl(inp: KpiInputs, first: Month, last: Month) -> Pool | None:
    spend = _spend(inp, first, last)
    leads = int(_span(inp.leads["created_at_m"], first, last).sum())
    return None if spend is None else Pool(spend, leads, leads)


def _cac(inp: KpiInputs, first: Month, last: Month) -> Pool | None:
    spend = _spend(inp, first, last)
    won = len(_won(inp, first, last))
    return None if spend is None else Pool(spend, won, won)


def _roi(inp: KpiInputs, first: Month, last: Month) -> Pool | None:
    """ROI + 1 = won amount × margin ÷ spend; its events are the won deals."""
    spend = _spend(inp, first, last)
    won = _won(inp, first, last)
    if spend is None:
        return None
    return Pool(float(won["amount"].sum()) * inp.params.gross_margin - spend, spend, len(won))


def _sends(column: str) -> Callable[[KpiInputs, Month, Month], Pool]:
    def pool(inp: KpiInputs, first: Month, last: Month) -> Pool:
        sends = inp.sends[_span(inp.sends["sent_at_m"], first, last)]
        numerator, delivered = float(sends[column].sum()), float(sends["delivered"].sum())
        return Pool(numerator, delivered, int(min(numerator, delivered)))
    return pool


def _mql_to_sql(inp: KpiInputs, first: Month, last: Month) -> Pool:
    leads = inp.leads
    converted = int((_span(leads["sql_at_m"], first, last) & leads["mql_at"].notna()).sum())
    mqls = int(_span(leads["mql_at_m"], first, last).sum())
    return Pool(converted, mqls, min(converted, mqls))


def _opportunity(inp: KpiInputs, first: Month, last: Month) -> Pool:
    deals = inp.deals[_span(inp.deals["created_at_m"], first, last)]
    sql_at = deals["lead_sql_at"]
    qualified = int(deals.loc[sql_at.notna() & (sql_at <= deals["created_at"]), "lead_id"].nunique())
    sqls = int(_span(inp.leads["sql_at_m"], first, last).sum())
    return Pool(qualified, sqls, min(qualified, sqls))


def _sla(inp: KpiInputs, first: Month, last: Month) -> Pool | None:
    if not inp.has_first_touch:
        return None
    leads = inp.leads[_span(inp.leads["mql_at_m"], first, last)]
    in_time = int(leads["sla_in_time"].sum())
    return Pool(in_time, len(leads), min(in_time, len(leads)))


RATIOS: dict[str, Callable[[KpiInputs, Month, Month], Pool | None]] = {
    "cpl": _cpl, "cac": _cac, "roi": _roi,
    "email_open_rate": _sends("unique_opens"), "email_ctr": _sends("unique_clicks"),
    "unsubscribe_rate": _sends("unsubscribes"),
    "mql_to_sql_rate": _mql_to_sql, "opportunity_rate": _opportunity, "sla_followup_rate": _sla,
}


def _value(pool: Pool | None) -> float | None:
    return pool.numerator / pool.denominator if pool is not None and pool.denominator else None


def events_of(inputs: KpiInputs, month: Month, start: Month) -> dict[str, Events]:
    """Every monthly ratio KPI's events in ``month``, and its trailing value (none before the program's start)."""
    found = {}
    for kpi_id, pool in RATIOS.items():
        now, before = pool(inputs, month, month), pool(inputs, month.shift(-1), month.shift(-1))
        if now is None or before is None:
            continue
        first = max(month.shift(-(TRAILING_MONTHS - 1)), start)
        earlier = max(month.shift(-TRAILING_MONTHS), start)
        trailing_before = _value(pool(inputs, earlier, month.shift(-1))) if month.shift(-1) >= start else None
        found[kpi_id] = Events(kpi_id, now.events, _value(pool(inputs, first, month)), trailing_before,
                               (now.numerator, before.numerator), (now.denominator, before.denominator))
    return found


def significant_change(events: Events) -> bool | None:
    """A rate's change beyond noise (two-proportion z-test at 95 %, as for the parts of contract §8); None where
    the KPI is no proportion (CPL, CAC, ROI: money over events)."""
    (x1, x0), (n1, n0) = events.numerator, events.denominator
    if events.kpi_id in ("cpl", "cac", "roi") or not n1 or not n0 or x1 > n1 or x0 > n0:
        return None
    pooled = (x1 + x0) / (n1 + n0)
    spread = (pooled * (1 - pooled) * (1 / n1 + 1 / n0)) ** 0.5
    return bool(spread and abs(x1 / n1 - x0 / n0) / spread >= Z_95)
