"""The stalled deals sales can act on in the room: the MA-sourced deals open at the month's end, longest open
first (then largest), with the company, owner and last activity the data has (contract §1's optional columns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["OpenDeal", "longest_open_deals"]

SHOWN = 10


@dataclass(frozen=True)
class OpenDeal:
    deal_id: str
    company: str | None  # the lead's company; None when the data has none
    owner: str | None  # the deal's owner, else its lead's
    amount: float | None
    days_open: int  # from its creation to the month's end
    last_activity: datetime | None  # the lead's latest activity (sales act on it now); None when unknown


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value)


def longest_open_deals(inputs: KpiInputs, month: Month, shown: int = SHOWN) -> tuple[OpenDeal, ...]:
    """At most ``shown`` MA-sourced deals open at the end of ``month``: created by then and not closed by then."""
    deals = inputs.ma_deals
    if deals.empty:
        return ()
    end = month.shift(1).start(str(deals["created_at"].dt.tz))
    open_now = deals[(deals["created_at_m"] <= month.index)
                     & (deals["closed_at_m"].isna() | (deals["closed_at_m"] > month.index))].copy()
    open_now["days_open"] = ((end - open_now["created_at"]) / pd.Timedelta(days=1)).astype(int)
    open_now = open_now.sort_values(["days_open", "amount", "deal_id"], ascending=[False, False, True]).head(shown)
    leads = inputs.leads.drop_duplicates("lead_id").set_index("lead_id") if "lead_id" in open_now else None
    found = []
    for row in open_now.itertuples():
        lead = leads.loc[row.lead_id] if leads is not None and row.lead_id in leads.index else None
        owner = _text(getattr(row, "owner", None)) or (_text(lead.get("owner")) if lead is not None else None)
        activity = lead.get("last_activity_at") if lead is not None else None
        activity = None if activity is None or pd.isna(activity) else activity.to_pydatetime()
        found.append(OpenDeal(str(row.deal_id), _text(lead.get("company")) if lead is not None else None, owner,
                              None if pd.isna(row.amount) else float(row.amount), int(row.days_open), activity))
    return tuple(found)
