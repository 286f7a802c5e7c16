"""Why a KPI moved: the breakdown (source, segment, campaign, scenario, owner, channel) behind it.

For a KPI that is a count or a sum, a group's effect is its change from M−1 to M.
For a rate, a group's effect is how far its rate sits from the overall rate, weighted by its
share of the denominator: the groups that pulled the month's rate up or down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["SPECS", "UNSET", "Driver", "DriverSpec", "find_drivers", "Frame", "Measure"]

Frame = Callable[[KpiInputs], pd.DataFrame | None]
UNSET = "\x00unset"  # the group of rows with no value in the dimension; the view names it


@dataclass(frozen=True)
class Measure:
    """Rows of one table counted (or summed) when their ``month_column`` falls in the month."""

    frame: Frame
    month_column: str
    value: str | None = None  # None: count rows
    where: Callable[[pd.DataFrame], pd.Series] | None = None

    def by_group(self, inputs: KpiInputs, month: Month, dimension: str) -> pd.Series | None:
        frame = self.frame(inputs)
        if frame is None or dimension not in frame or frame[dimension].isna().all():
            return None
        chosen = frame[self.month_column] == month.index
        if self.where is not None:
            chosen &= self.where(frame).fillna(False).astype(bool)
        # take the two columns needed, not the whole table: this runs per KPI, dimension and month
        groups = frame.loc[chosen, dimension].fillna(UNSET).astype(str).replace("", UNSET)
        values = frame.loc[chosen, self.value] if self.value else pd.Series(1.0, index=groups.index)
        return values.groupby(groups).sum()


@dataclass(frozen=True)
class DriverSpec:
    """How to break a KPI down. ``basis`` names the measure shown when it is not the KPI itself
    (ROI is explained by the won revenue behind it, CAC by the spend behind it)."""

    numerator: Measure
    dimensions: tuple[str, ...]
    denominator: Measure | None = None  # set for rates
    basis: str | None = None

    @property
    def unit(self) -> str:
        if self.denominator is not None:
            return "rate"
        return "count" if self.numerator.value is None else "money"


@dataclass(frozen=True)
class Driver:
    dimension: str
    group: str
    current: float | None
    previous: float | None
    effect: float  # in the spec's unit, positive = pushed the measure up
    unit: str  # count, money or rate
    kind: str  # "change" (M−1 → M) or "share" (a rate's pull on the total)
    basis: str | None = None


def _leads(inp: KpiInputs) -> pd.DataFrame:
    return inp.leads


def _sends(inp: KpiInputs) -> pd.DataFrame:
    return inp.sends


def _ma_deals(inp: KpiInputs) -> pd.DataFrame:
    return inp.ma_deals


def _spend(inp: KpiInputs) -> pd.DataFrame | None:
    return inp.spend


def _won(rows: pd.DataFrame) -> pd.Series:
    return rows["stage"] == "won"


_LEAD_DIMS = ("source", "segment")
_DEAL_DIMS = ("owner", "lead_source", "lead_segment")
_SEND_DIMS = ("campaign", "scenario")
_WON = Measure(_ma_deals, "closed_at_m", "amount", _won)
_SPEND = Measure(_spend, "month_m", "amount")

SPECS: dict[str, DriverSpec] = {
    "new_leads": DriverSpec(Measure(_leads, "created_at_m"), _LEAD_DIMS),
    "cpl": DriverSpec(_SPEND, ("channel",), basis="spend"),
    "mqls": DriverSpec(Measure(_leads, "mql_at_m"), _LEAD_DIMS),
    "sqls": DriverSpec(Measure(_leads, "sql_at_m"), (*_LEAD_DIMS, "owner")),
    "email_open_rate": DriverSpec(Measure(_sends, "sent_at_m", "unique_opens"), _SEND_DIMS,
                                  Measure(_sends, "sent_at_m", "delivered")),
    "email_ctr": DriverSpec(Measure(_sends, "sent_at_m", "unique_clicks"), _SEND_DIMS,
                            Measure(_sends, "sent_at_m", "delivered")),
    "unsubscribe_rate": DriverSpec(Measure(_sends, "sent_at_m", "unsubscribes"), _SEND_DIMS,
                                   Measure(_sends, "sent_at_m", "delivered")),
    "mql_to_sql_rate": DriverSpec(Measure(_leads, "sql_at_m", where=lambda r: r["mql_at"].notna()),
                                  (*_LEAD_DIMS, "owner"), Measure(_leads, "mql_at_m")),
    "sla_followup_rate": DriverSpec(Measure(_leads, "mql_at_m", where=lambda r: r["sla_in_time"]),
                                    ("owner", *_LEAD_DIMS), Measure(_leads, "mql_at_m")),
    "opportunity_rate": DriverSpec(Measure(_ma_deals, "created_at_m"), _DEAL_DIMS, basis="deals_created"),
    "ma_pipeline_amount": DriverSpec(Measure(_ma_deals, "created_at_m", "amount"), _DEAL_DIMS),
    "ma_won_amount": DriverSpec(_WON, _DEAL_DIMS),
    "roi": DriverSpec(_WON, _DEAL_DIMS, basis="won_amount"),
    "cac": DriverSpec(_SPEND, ("channel",), basis="spend"),
    "ltv": DriverSpec(_WON, _DEAL_DIMS, basis="won_amount"),
    "pipeline_velocity": DriverSpec(_WON, _DEAL_DIMS, basis="won_amount"),
}


def _additive(spec: DriverSpec, inputs: KpiInputs, month: Month, dimension: str) -> list[Driver]:
    now = spec.numerator.by_group(inputs, month, dimension)
    before = spec.numerator.by_group(inputs, month.shift(-1), dimension)
    if now is None or before is None:
        return []
    both = pd.concat({"now": now, "before": before}, axis=1).fillna(0.0)
    return [
        Driver(dimension, str(group), float(n), float(b), float(n - b), spec.unit, "change", spec.basis)
        for group, n, b in zip(both.index, both["now"], both["before"], strict=True)
    ]


def _rate(spec: DriverSpec, inputs: KpiInputs, month: Month, dimension: str) -> list[Driver]:
    assert spec.denominator is not None
    num = spec.numerator.by_group(inputs, month, dimension)
    den = spec.denominator.by_group(inputs, month, dimension)
    den_before = spec.denominator.by_group(inputs, month.shift(-1), dimension)
    num_before = spec.numerator.by_group(inputs, month.shift(-1), dimension)
    if num is None or den is None or den.sum() == 0:
        return []
    num = num.reindex(den.index, fill_value=0.0)
    overall = num.sum() / den.sum()
    drivers = []
    for group, denominator in den.items():
        if not denominator:
            continue
        rate = num[group] / denominator
        previous = None
        if den_before is not None and num_before is not None and den_before.get(group, 0):
            previous = float(num_before.get(group, 0.0) / den_before[group])
        effect = (rate - overall) * denominator / den.sum()
        drivers.append(Driver(dimension, str(group), float(rate), previous, float(effect), "rate", "share",
                              spec.basis))
    return drivers


def find_drivers(kpi_id: str, inputs: KpiInputs, month: Month, *, direction: int, limit: int = 3) -> list[Driver]:
    """The groups that pushed the KPI most in ``direction`` (+1 up, −1 down), strongest first.

    Where the breakdown is of a basis measure, ``direction`` is the basis's: ROI falls with won revenue,
    and CAC (lower is better) rises with spend, so the caller's direction applies as it is.
    """
    spec = SPECS[kpi_id]
    compute = _rate if spec.denominator is not None else _additive
    drivers = [d for dim in spec.dimensions for d in compute(spec, inputs, month, dim)]
    drivers = [d for d in drivers if d.effect * direction > 0]
    drivers.sort(key=lambda d: abs(d.effect), reverse=True)
    return drivers[:limit]
