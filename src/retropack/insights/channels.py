"""The channel table a consultant brings (seed: 7–12ヶ月目 ROI算出): per lead source, the spend, leads, MQLs,
SQLs, MA-sourced deals, pipeline and won amount, for the month and the trailing three months.

Spend is booked by ``spend.channel``, leads by ``leads.source``: a channel of the same code joins its source's
row; a channel no lead comes from keeps a row of its own with its spend alone, so no yen is lost or guessed.
Deals count by their lead's source. Unknown is not zero: a source no spend channel matches (organic search, a
referral) and every source without a spend table have no spend and no CPL (None), not 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["ChannelFigures", "ChannelRow", "ChannelTable", "channel_table"]

TRAILING = 3
UNKNOWN = ""  # a lead or deal without a source
RowKind = Literal["source", "spend_only", "total"]


@dataclass(frozen=True)
class ChannelFigures:
    spend: float | None  # None: no spend table, or no spend channel of the source's code
    leads: int
    mqls: int
    sqls: int
    deals: int
    pipeline: float
    won: float

    @property
    def cpl(self) -> float | None:
        return self.spend / self.leads if self.spend is not None and self.leads else None


@dataclass(frozen=True)
class ChannelRow:
    code: str  # the source (or spend channel) code; UNKNOWN for leads without one; "" on the total row
    kind: RowKind
    month: ChannelFigures
    trailing: ChannelFigures  # the three months ending with the month


@dataclass(frozen=True)
class ChannelTable:
    month: Month
    rows: tuple[ChannelRow, ...]  # sources by trailing pipeline, then spend-only channels, then the total


def _figures(inputs: KpiInputs, first: int, last: int, code: str | None) -> ChannelFigures:
    """The figures of months ``first``…``last`` (indices) for source ``code``; None: every row (the total)."""
    leads, deals, spend = inputs.leads, inputs.ma_deals, inputs.spend
    source = leads["source"].fillna(UNKNOWN).astype(str) if "source" in leads else pd.Series(UNKNOWN, leads.index)
    deal_source = (deals["lead_source"].fillna(UNKNOWN).astype(str) if "lead_source" in deals
                   else pd.Series(UNKNOWN, deals.index))
    mine = source.eq(code) if code is not None else pd.Series(True, leads.index)
    theirs = deal_source.eq(code) if code is not None else pd.Series(True, deals.index)
    created = deals["created_at_m"].between(first, last) & theirs
    won = deals["stage"].eq("won") & deals["closed_at_m"].between(first, last) & theirs
    paid = None
    if spend is not None and (code is None or spend["channel"].astype(str).eq(code).any()):
        channel = spend["channel"].astype(str)
        booked = channel.eq(code) if code is not None else pd.Series(True, spend.index)
        paid = float(pd.to_numeric(spend.loc[booked & spend["month_m"].between(first, last), "amount"],
                                   errors="coerce").sum())
    return ChannelFigures(
        spend=paid,
        leads=int((mine & leads["created_at_m"].between(first, last)).sum()),
        mqls=int((mine & leads["mql_at_m"].between(first, last)).sum()),
        sqls=int((mine & leads["sql_at_m"].between(first, last)).sum()),
        deals=int(created.sum()),
        pipeline=float(deals.loc[created, "amount"].sum()),
        won=float(deals.loc[won, "amount"].sum()),
    )


def channel_table(inputs: KpiInputs, month: Month) -> ChannelTable:
    """Every source with a lead, MQL, SQL or deal in the trailing three months, every spend channel with spend
    in them that no source matches, and the total."""
    first, last = month.shift(-(TRAILING - 1)).index, month.index
    leads, deals, spend = inputs.leads, inputs.ma_deals, inputs.spend
    active = pd.Series(False, leads.index)
    for column in ("created_at_m", "mql_at_m", "sql_at_m"):
        active |= leads[column].between(first, last)
    codes = set(leads.loc[active, "source"].fillna(UNKNOWN).astype(str)) if "source" in leads else {UNKNOWN}
    if "lead_source" in deals:
        in_window = deals["created_at_m"].between(first, last) | deals["closed_at_m"].between(first, last)
        codes |= set(deals.loc[in_window, "lead_source"].fillna(UNKNOWN).astype(str))
    sources = sorted(codes)
    spent: set[str] = set()
    if spend is not None:
        window = spend[spend["month_m"].between(first, last)]
        spent = set(window["channel"].astype(str)) - codes
    rows = [ChannelRow(code, "source", _figures(inputs, last, last, code),
                       _figures(inputs, first, last, code)) for code in sources]
    rows.sort(key=lambda r: (r.code == UNKNOWN, -r.trailing.pipeline, -r.trailing.leads, r.code))
    rows += [ChannelRow(code, "spend_only", _figures(inputs, last, last, code),
                        _figures(inputs, first, last, code)) for code in sorted(spent)]
    rows.append(ChannelRow("", "total", _figures(inputs, last, last, None),
                           _figures(inputs, first, last, None)))
    return ChannelTable(month, tuple(rows))
