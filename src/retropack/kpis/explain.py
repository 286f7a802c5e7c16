"""Why a KPI moved from M−1 to M, exactly (contract §8): parts that add up to the change.

- A rate whose numerator rows are a subset of its denominator rows (e-mail rates by campaign and
  scenario, the SLA rate by source, segment and owner) splits each group's effect into a *mix* part
  (the group's share of the denominator moved) and a *rate* part (the group's own rate moved): the
  symmetric Kitagawa / Das Gupta split. A two-proportion z-test tells a real rate change from noise.
- A count or a sum (leads, MQLs, SQLs; MA pipeline and won amounts) splits into each group's change;
  a part resting on fewer than ``min_sample`` rows is marked small.
- A ratio or product (CPL, CAC, ROI + 1, LTV, pipeline velocity, and the conversion rates that are
  not subsets) splits into its factors with the log-mean Divisia index (LMDI), which adds up exactly.
Every breakdown's parts, and the factors, sum to the change; each factor carries the breakdown of its
own change too (spend by channel), for the story across KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from retropack.kpis import formulas
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["Breakdown", "Explanation", "Factor", "Part", "Side", "explain", "log_mean"]

Z_95 = 1.959963984540054  # two-sided 95 % for the two-proportion z-test
_UNSET = "\\x00unset"  # the group of rows with no value in a dimension (written as null)


@dataclass(frozen=True)
class Side:
    """A group's numbers in one month: its numerator, its denominator (rates only) and how many rows."""

    numerator: float
    denominator: float | None
    rows: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Part:
    group: str | None  # None: the rows with no value in the dimension
    effect: float  # this group's share of the KPI's change; the parts of a breakdown sum to the change
    mix: float | None  # rates: the part due to the group's share of the denominator moving
    rate: float | None  # rates: the part due to the group's own rate moving
    now: Side
    before: Side
    significant: bool  # rates: the group's rate moved beyond noise (z-test, 95 %); else: not small
    small: bool  # fewer rows than min_sample behind it: never a cause


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Factor:
    name: str
    exponent: int  # +1 multiplies the KPI, −1 divides it
    before: float
    now: float
    effect: float  # this factor's share of the KPI's change; the factors sum to the change
    by: tuple[Breakdown, ...] = ()  # the factor's own change by group (spend by channel): sums to now − before


@dataclass(frozen=True)
class Explanation:
    change: float
    by: tuple[Breakdown, ...]
    factors: tuple[Factor, ...] | None  # None where a factor is 0 or missing (LMDI needs positive values)


# --- what each KPI is made of ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """Rows of one frame counted (or summed) when their ``month_column`` falls in the month."""

    frame: Callable[[KpiInputs], pd.DataFrame | None]
    month_column: str
    value: str | None = None  # None: count rows
    where: Callable[[pd.DataFrame], pd.Series] | None = None

    def groups(self, inputs: KpiInputs, month: Month, dimension: str) -> pd.DataFrame | None:
        """Per group: ``sum`` and ``rows``; None when the frame lacks the dimension."""
        frame = self.frame(inputs)
        if frame is None or dimension not in frame:
            return None
        chosen = _cached(inputs, ("rows", self.frame, self.month_column, self.where, month.index),
                         lambda: self._chosen(frame, month))
        keys = _cached(inputs, ("keys", self.frame, dimension), lambda: _group_keys(frame[dimension]))[chosen]
        values = frame.loc[chosen, self.value] if self.value else pd.Series(1.0, index=keys.index)
        return pd.DataFrame({"sum": values.astype(float), "rows": 1}).groupby(keys.rename(None)).sum()

    def _chosen(self, frame: pd.DataFrame, month: Month) -> pd.Series:
        chosen = frame[self.month_column] == month.index
        if self.where is not None:
            chosen &= self.where(frame).fillna(False).astype(bool)
        return chosen


def _cached(inputs: KpiInputs, key: tuple[object, ...], make: Callable[[], pd.Series]) -> pd.Series:
    """``make()``, made once per ``inputs``: the same masks and keys serve many KPIs, dimensions and months."""
    if key not in inputs.explain_cache:
        inputs.explain_cache[key] = make()
    return inputs.explain_cache[key]


def _group_keys(column: pd.Series) -> pd.Series:
    """``column``'s values as group names; an empty value is the unset group."""
    return column.astype(object).where(lambda v: v.notna() & v.ne(""), _UNSET).astype(str)


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


@dataclass(frozen=True)
class SubsetRate:
    numerator: Measure
    denominator: Measure
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class Additive:
    measure: Measure
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class Product:
    """K = c × Π factorᵢ^exponentᵢ for a constant c; ``parts`` gives a month's factors (None: no value) and
    ``offset`` turns the KPI into K (ROI + 1 = won × margin ÷ spend)."""

    parts: Callable[[KpiInputs, Month], dict[str, float] | None]
    exponents: dict[str, int]
    by: dict[str, Additive]  # a factor's own breakdown, where one is known
    offset: float = 0.0


_LEAD_DIMS = ("source", "segment")
_DEAL_DIMS = ("owner", "lead_source")
_SEND_DIMS = ("campaign", "scenario")
_DELIVERED = Measure(_sends, "sent_at_m", "delivered")
_WON = Measure(_ma_deals, "closed_at_m", "amount", _won)
_SPEND_BY_CHANNEL = Additive(Measure(_spend, "month_m", "amount"), ("channel",))
_LEADS_BY_SOURCE = Additive(Measure(_leads, "created_at_m"), ("source",))


def _spend_total(inp: KpiInputs, month: Month) -> float | None:
    return None if inp.spend is None else float(inp.spend.loc[inp.spend["month_m"] == month.index, "amount"].sum())


def _ma_won(inp: KpiInputs, month: Month) -> pd.DataFrame:
    deals = inp.ma_deals
    return deals[(deals["stage"] == "won") & (deals["closed_at_m"] == month.index)]


def _with(**parts: float | None) -> dict[str, float] | None:
    return None if any(value is None for value in parts.values()) else {k: float(v) for k, v in parts.items()}


def _won_12(inp: KpiInputs, month: Month) -> pd.DataFrame:
    deals = inp.ma_deals
    return deals[(deals["stage"] == "won") & deals["closed_at_m"].between(month.index - 11, month.index)]


def _sql_from_mql(inp: KpiInputs, month: Month) -> float:
    leads = inp.leads
    return float(((leads["sql_at_m"] == month.index) & leads["mql_at"].notna()).sum())


def _opportunity_leads(inp: KpiInputs, month: Month) -> float:
    deals = inp.deals[inp.deals["created_at_m"] == month.index]
    sql_at = deals["lead_sql_at"]
    return float(deals.loc[sql_at.notna() & (sql_at <= deals["created_at"]), "lead_id"].nunique())


SPECS: dict[str, SubsetRate | Additive | Product] = {
    "new_leads": Additive(Measure(_leads, "created_at_m"), _LEAD_DIMS),
    "mqls": Additive(Measure(_leads, "mql_at_m"), _LEAD_DIMS),
    "sqls": Additive(Measure(_leads, "sql_at_m"), _LEAD_DIMS),
    "ma_pipeline_amount": Additive(Measure(_ma_deals, "created_at_m", "amount"), _DEAL_DIMS),
    "ma_won_amount": Additive(_WON, _DEAL_DIMS),
    "email_open_rate": SubsetRate(Measure(_sends, "sent_at_m", "unique_opens"), _DELIVERED, _SEND_DIMS),
    "email_ctr": SubsetRate(Measure(_sends, "sent_at_m", "unique_clicks"), _DELIVERED, _SEND_DIMS),
    "unsubscribe_rate": SubsetRate(Measure(_sends, "sent_at_m", "unsubscribes"), _DELIVERED, _SEND_DIMS),
    "sla_followup_rate": SubsetRate(Measure(_leads, "mql_at_m", where=lambda r: r["sla_in_time"]),
                                    Measure(_leads, "mql_at_m"), ("source", "segment", "owner")),
    "cpl": Product(lambda i, m: _with(spend=_spend_total(i, m), new_leads=formulas.new_leads(i, m)),
                   {"spend": 1, "new_leads": -1}, {"spend": _SPEND_BY_CHANNEL, "new_leads": _LEADS_BY_SOURCE}),
    "cac": Product(lambda i, m: _with(spend=_spend_total(i, m), won_deals=float(len(_ma_won(i, m)))),
                   {"spend": 1, "won_deals": -1},
                   {"spend": _SPEND_BY_CHANNEL, "won_deals": Additive(Measure(_ma_deals, "closed_at_m", where=_won),
                                                                      _DEAL_DIMS)}),
    "roi": Product(lambda i, m: _with(won_amount=formulas.ma_won_amount(i, m), spend=_spend_total(i, m)),
                   {"won_amount": 1, "spend": -1}, {"won_amount": Additive(_WON, _DEAL_DIMS),
                                                    "spend": _SPEND_BY_CHANNEL}, offset=1.0),
    "ltv": Product(lambda i, m: _with(won_amount_12m=float(_won_12(i, m)["amount"].sum()),
                                      won_deals_12m=float(_won_12(i, m)["amount"].notna().sum())),
                   {"won_amount_12m": 1, "won_deals_12m": -1}, {}),
    "pipeline_velocity": Product(formulas.velocity_factors,
                                 {"open_deals": 1, "mean_won_amount": 1, "win_rate": 1, "cycle_days": -1}, {}),
    "mql_to_sql_rate": Product(lambda i, m: _with(sqls_from_mqls=_sql_from_mql(i, m), mqls=formulas.mqls(i, m)),
                               {"sqls_from_mqls": 1, "mqls": -1}, {"mqls": Additive(Measure(_leads, "mql_at_m"),
                                                                                     _LEAD_DIMS)}),
    "opportunity_rate": Product(lambda i, m: _with(opportunity_leads=_opportunity_leads(i, m),
                                                   sqls=formulas.sqls(i, m)),
                                {"opportunity_leads": 1, "sqls": -1}, {"sqls": Additive(Measure(_leads, "sql_at_m"),
                                                                                        _LEAD_DIMS)}),
}


# --- the splits -----------------------------------------------------------------------------------------


def explain(kpi_id: str, inputs: KpiInputs, month: Month, actual: float | None, previous: float | None,
            min_sample: int = 5) -> Explanation | None:
    """The parts of the change from ``previous`` (M−1) to ``actual`` (M); None when either has no value."""
    if actual is None or previous is None:
        return None
    change = actual - previous
    spec = SPECS[kpi_id]
    if isinstance(spec, Product):
        levels = (actual + spec.offset, previous + spec.offset)
        return Explanation(change, (), _factors(spec, inputs, month, levels, min_sample))
    split = _rate_split if isinstance(spec, SubsetRate) else _additive_split
    by = tuple(found for dimension in spec.dimensions
               if (found := split(spec, inputs, month, dimension, min_sample)) is not None)  # type: ignore[arg-type]
    return Explanation(change, by, None)


def _both(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat({"now": now, "before": before}, axis=1).fillna(0.0)
    both.columns = [f"{side}_{column}" for side, column in both.columns]
    return both.sort_index(key=lambda index: index.map(lambda g: (g == _UNSET, g)))


def _group(key: object) -> str | None:
    return None if key == _UNSET else str(key)


def _additive_split(spec: Additive, inputs: KpiInputs, month: Month, dimension: str,
                    min_sample: int) -> Breakdown | None:
    now = spec.measure.groups(inputs, month, dimension)
    before = spec.measure.groups(inputs, month.shift(-1), dimension)
    if now is None or before is None:
        return None
    parts = []
    both = _both(now, before)
    for key, row in zip(both.index, both.to_dict("records"), strict=True):  # records: far quicker than iterrows
        rows_now, rows_before = int(row["now_rows"]), int(row["before_rows"])
        small = rows_now + rows_before < min_sample
        now_side = Side(float(row["now_sum"]), None, rows_now)
        before_side = Side(float(row["before_sum"]), None, rows_before)
        parts.append(Part(_group(key), now_side.numerator - before_side.numerator, None, None, now_side, before_side,
                          not small, small))
    return Breakdown(dimension, tuple(parts))


def _rate_split(spec: SubsetRate, inputs: KpiInputs, month: Month, dimension: str,
                min_sample: int) -> Breakdown | None:
    sides = {}
    for label, when in (("now", month), ("before", month.shift(-1))):
        num = spec.numerator.groups(inputs, when, dimension)
        den = spec.denominator.groups(inputs, when, dimension)
        if num is None or den is None:
            return None
        sides[label] = pd.DataFrame({"num": num["sum"], "den": den["sum"], "rows": den["rows"]}).fillna(0.0)
    both = _both(sides["now"], sides["before"])
    n1, n0 = both["now_den"].sum(), both["before_den"].sum()
    if not n1 or not n0:
        return None  # one month has no rate at all: the KPI has no change to explain
    total1, total0 = both["now_num"].sum() / n1, both["before_num"].sum() / n0
    parts = []
    for key, row in zip(both.index, both.to_dict("records"), strict=True):
        w1, w0 = row["now_den"] / n1, row["before_den"] / n0
        r1 = row["now_num"] / row["now_den"] if row["now_den"] else None
        r0 = row["before_num"] / row["before_den"] if row["before_den"] else None
        r1, r0 = (r1 if r1 is not None else r0), (r0 if r0 is not None else r1)  # absent: the other month's rate
        if r1 is None or r0 is None:  # rows that delivered nothing in either month: no share, no effect
            r1 = r0 = 0.0
        mix = (w1 - w0) * ((r0 + r1) / 2 - (total0 + total1) / 2)
        rate = (r1 - r0) * (w0 + w1) / 2
        size = row["now_den"] + row["before_den"]
        parts.append(Part(_group(key), float(mix + rate), float(mix), float(rate),
                          Side(float(row["now_num"]), float(row["now_den"]), int(row["now_rows"])),
                          Side(float(row["before_num"]), float(row["before_den"]), int(row["before_rows"])),
                          _rate_moved(row), bool(size < min_sample)))
    return Breakdown(dimension, tuple(parts))


def _rate_moved(row: Mapping[str, float]) -> bool:
    """Two-proportion z-test of this month's rate against last month's, at 95 %."""
    n1, n0, x1, x0 = row["now_den"], row["before_den"], row["now_num"], row["before_num"]
    if not n1 or not n0:
        return False
    pooled = (x1 + x0) / (n1 + n0)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if spread == 0:
        return False
    return bool(abs(x1 / n1 - x0 / n0) / spread >= Z_95)


def log_mean(a: float, b: float) -> float:
    """L(a, b) = (a − b) / (ln a − ln b), and L(a, a) = a: the weight of LMDI."""
    return a if a == b else (a - b) / (math.log(a) - math.log(b))


def _factors(spec: Product, inputs: KpiInputs, month: Month, levels: tuple[float, float],
             min_sample: int) -> tuple[Factor, ...] | None:
    """term i = L(K1, K0) × sᵢ × ln(xᵢ1 / xᵢ0): the terms sum to K1 − K0, which is the KPI's change."""
    now, before = spec.parts(inputs, month), spec.parts(inputs, month.shift(-1))
    k1, k0 = levels
    if now is None or before is None or k1 <= 0 or k0 <= 0 or any(v <= 0 for v in (*now.values(),
                                                                                    *before.values())):
        return None
    weight = log_mean(k1, k0)
    factors = []
    for name, exponent in spec.exponents.items():
        breakdown = spec.by.get(name)
        by = tuple(found for dimension in breakdown.dimensions
                   if (found := _additive_split(breakdown, inputs, month, dimension, min_sample)) is not None) \
            if breakdown else ()
        factors.append(Factor(name, exponent, before[name], now[name],
                              weight * exponent * math.log(now[name] / before[name]), by))
    return tuple(factors)
