"""The validated tables reshaped once for the KPI formulas.

Month membership is precomputed as integer month indices (see ``Month.index``), so each
formula is a cheap comparison and a 13-month history costs little more than one month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from retropack.load.dataset import Dataset
from retropack.months import Month, month_index_series

__all__ = ["build_inputs", "KpiInputs", "KpiParams", "lead_column", "ma_sourced"]


@dataclass(frozen=True)
class KpiParams:
    sla_followup_days: float = 3.0
    gross_margin: float = 1.0
    lifetime_multiplier: float = 1.0
    min_sample: int = 5  # a part of a change resting on fewer rows is small: never a cause


@dataclass(frozen=True)
class KpiInputs:
    leads: pd.DataFrame
    sends: pd.DataFrame
    deals: pd.DataFrame
    spend: pd.DataFrame | None  # None: the dataset has no spend table (unknown, not zero)
    has_first_touch: bool
    params: KpiParams
    columns: Mapping[str, frozenset[str]] | None = None
    """The columns each input file had: a KPI that reads an optional column the export lacks has no value
    (contract §1, unknown is not zero). None: every column of the frames."""
    values: dict[tuple[str, int], float | None] = field(default_factory=dict, compare=False, repr=False)
    """KPI values already computed, by (KPI id, month index): a month's history and the month before's share
    thirteen months."""
    non_finite: dict[str, set[Month]] = field(default_factory=dict, compare=False, repr=False)
    """Months whose value of a KPI overflowed (a sum of huge amounts or counts), by KPI id: given as no value."""
    explain_cache: dict[tuple[object, ...], pd.Series] = field(default_factory=dict, compare=False, repr=False)
    """Group keys and row masks the explanations read for many KPIs, dimensions and months, by what made them."""

    def has(self, table: str, column: str) -> bool:
        """Whether the input file of ``table`` had ``column``."""
        return self.columns is None or column in self.columns.get(table, frozenset())

    @property
    def knows_ma_sourcing(self) -> bool:
        """Whether a deal's MA sourcing can be told: its own flag, or its lead's MQL date (contract §1)."""
        return self.has("deals", "ma_sourced") or (self.has("deals", "lead_id") and self.has("leads", "mql_at"))

    @cached_property
    def ma_deals(self) -> pd.DataFrame:
        """The MA-sourced deals: most money KPIs and their drivers read only these."""
        return self.deals[self.deals["ma"]]


def lead_column(deals: pd.DataFrame, leads: pd.DataFrame, column: str) -> pd.Series:
    """Each deal's lead's ``column`` (NaT/NaN where the lead is unknown), aligned with ``deals``.

    ``reindex`` rather than ``Series.map``: map loses the datetime dtype when ``leads`` is empty.
    """
    by_lead = leads.drop_duplicates("lead_id").set_index("lead_id")[column]
    return by_lead.reindex(deals["lead_id"]).set_axis(deals.index)


def ma_sourced(deals: pd.DataFrame, leads: pd.DataFrame) -> pd.Series:
    """The contract's rule: the explicit flag, else the lead's MQL not later than the deal."""
    explicit = deals["ma_sourced"] if "ma_sourced" in deals else pd.Series(pd.NA, index=deals.index, dtype="boolean")
    if "lead_id" not in deals:
        inferred = pd.Series(False, index=deals.index)
    else:
        mql_at = lead_column(deals, leads, "mql_at")
        inferred = (mql_at.notna() & (mql_at <= deals["created_at"])).fillna(False)
    return explicit.astype("boolean").fillna(inferred).astype(bool)


def build_inputs(dataset: Dataset, params: KpiParams) -> KpiInputs:
    leads = dataset.tables["leads"].copy()
    for column in ("created_at", "mql_at", "sql_at", "first_sales_touch_at"):
        if column not in leads:
            leads[column] = pd.Series(pd.NaT, index=leads.index, dtype=leads["created_at"].dtype)
        leads[f"{column}_m"] = month_index_series(leads[column])
    waited = leads["first_sales_touch_at"] - leads["mql_at"]
    leads["sla_in_time"] = (waited <= pd.Timedelta(hours=24 * params.sla_followup_days)).fillna(False)

    sends = dataset.tables["email_sends"].copy()
    sends["sent_at_m"] = month_index_series(sends["sent_at"])
    if "scenarios" in dataset.tables and "scenario" in sends:  # show scenario names, not ids, in drivers
        names = dataset.tables["scenarios"].drop_duplicates("scenario_id").set_index("scenario_id")["name"]
        sends["scenario"] = sends["scenario"].map(names).fillna(sends["scenario"])
    for column in ("delivered", "unique_opens", "unique_clicks", "unsubscribes"):
        sends[column] = pd.to_numeric(sends[column], errors="coerce").fillna(0.0)

    deals = dataset.tables["deals"].copy()
    if "closed_at" not in deals:
        deals["closed_at"] = pd.Series(pd.NaT, index=deals.index, dtype=deals["created_at"].dtype)
    # A deal is closed when it is won or lost: a CRM's close date on an open deal is a forecast, not a closing.
    deals.loc[deals["stage"].eq("open"), "closed_at"] = pd.NaT
    # An empty amount is 0 on a deal not won; a won deal without one stays NaN: counted as won, left out of sums
    # and means (contract §1), which pandas' sum and mean skip.
    amount = pd.to_numeric(deals["amount"], errors="coerce")
    deals["amount"] = amount.where(amount.notna() | deals["stage"].eq("won"), 0.0)
    deals["ma"] = ma_sourced(deals, leads)
    for column in ("source", "segment"):
        if column in leads:
            deals[f"lead_{column}"] = lead_column(deals, leads, column) if "lead_id" in deals else pd.NA
    if "lead_id" in deals:  # the opportunity rate reads it for every month
        deals["lead_sql_at"] = lead_column(deals, leads, "sql_at")
    deals["created_at_m"] = month_index_series(deals["created_at"])
    deals["closed_at_m"] = month_index_series(deals["closed_at"])
    # A deal closed before it was created (entered after the fact) has a cycle of 0 days (contract §1).
    deals["cycle_days"] = ((deals["closed_at"] - deals["created_at"]) / np.timedelta64(1, "D")).clip(lower=0.0)

    spend = None
    if "spend" in dataset.tables:
        spend = dataset.tables["spend"].copy()
        spend["month_m"] = spend["month"].map(lambda text: Month.parse(text).index)
    return KpiInputs(
        leads=leads,
        sends=sends,
        deals=deals,
        spend=spend,
        has_first_touch=dataset.has_column("leads", "first_sales_touch_at"),
        params=params,
        columns=dataset.columns,
    )
