"""One pure function per KPI of the data contract (§2): inputs and a month in, a number or None out.

None means "no value": a zero denominator, or an optional table or column the dataset lacks (a deal's MA sourcing
is unknown without its ``ma_sourced`` flag or its lead's ``mql_at``).
"""

from __future__ import annotations

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["cac", "cpl", "email_ctr", "email_open_rate", "ltv", "ma_pipeline_amount", "ma_won_amount",
           "mql_to_sql_rate", "mqls", "new_leads", "opportunity_rate", "pipeline_velocity", "roi",
           "sla_followup_rate", "sqls", "unsubscribe_rate", "Value"]

Value = float | None


def _ratio(numerator: float, denominator: float) -> Value:
    return float(numerator) / float(denominator) if denominator else None


def _in(series: pd.Series, month: Month) -> pd.Series:
    return series == month.index


def _in_last_12(series: pd.Series, month: Month) -> pd.Series:
    return series.between(month.index - 11, month.index)


def _spend(inp: KpiInputs, month: Month) -> Value:
    if inp.spend is None:
        return None
    return float(inp.spend.loc[_in(inp.spend["month_m"], month), "amount"].sum())


def _sends(inp: KpiInputs, month: Month) -> pd.DataFrame:
    return inp.sends[_in(inp.sends["sent_at_m"], month)]


def _ma_won_closed(inp: KpiInputs, month: Month) -> pd.DataFrame:
    deals = inp.deals
    return deals[deals["ma"] & (deals["stage"] == "won") & _in(deals["closed_at_m"], month)]


def new_leads(inp: KpiInputs, month: Month) -> Value:
    return float(_in(inp.leads["created_at_m"], month).sum())


def cpl(inp: KpiInputs, month: Month) -> Value:
    spend = _spend(inp, month)
    return None if spend is None else _ratio(spend, new_leads(inp, month) or 0)


def mqls(inp: KpiInputs, month: Month) -> Value:
    if not inp.has("leads", "mql_at"):
        return None
    return float(_in(inp.leads["mql_at_m"], month).sum())


def email_open_rate(inp: KpiInputs, month: Month) -> Value:
    sends = _sends(inp, month)
    return _ratio(sends["unique_opens"].sum(), sends["delivered"].sum())


def email_ctr(inp: KpiInputs, month: Month) -> Value:
    sends = _sends(inp, month)
    return _ratio(sends["unique_clicks"].sum(), sends["delivered"].sum())


def unsubscribe_rate(inp: KpiInputs, month: Month) -> Value:
    sends = _sends(inp, month)
    return _ratio(sends["unsubscribes"].sum(), sends["delivered"].sum())


def mql_to_sql_rate(inp: KpiInputs, month: Month) -> Value:
    if not (inp.has("leads", "mql_at") and inp.has("leads", "sql_at")):
        return None
    leads = inp.leads
    converted = (_in(leads["sql_at_m"], month) & leads["mql_at"].notna()).sum()
    return _ratio(converted, mqls(inp, month) or 0)


def sqls(inp: KpiInputs, month: Month) -> Value:
    if not inp.has("leads", "sql_at"):
        return None
    return float(_in(inp.leads["sql_at_m"], month).sum())


def opportunity_rate(inp: KpiInputs, month: Month) -> Value:
    if not (inp.has("leads", "sql_at") and inp.has("deals", "lead_id")):
        return None
    deals = inp.deals[_in(inp.deals["created_at_m"], month)]
    sql_at = deals["lead_sql_at"]
    qualified = deals.loc[sql_at.notna() & (sql_at <= deals["created_at"]), "lead_id"].nunique()
    return _ratio(qualified, sqls(inp, month) or 0)


def ma_pipeline_amount(inp: KpiInputs, month: Month) -> Value:
    if not inp.knows_ma_sourcing:
        return None
    deals = inp.deals
    return float(deals.loc[deals["ma"] & _in(deals["created_at_m"], month), "amount"].sum())


def ma_won_amount(inp: KpiInputs, month: Month) -> Value:
    if not inp.knows_ma_sourcing:
        return None
    return float(_ma_won_closed(inp, month)["amount"].sum())


def sla_followup_rate(inp: KpiInputs, month: Month) -> Value:
    if not (inp.has_first_touch and inp.has("leads", "mql_at")):
        return None
    leads = inp.leads[_in(inp.leads["mql_at_m"], month)]
    return _ratio(int(leads["sla_in_time"].sum()), len(leads))


def roi(inp: KpiInputs, month: Month) -> Value:
    spend = _spend(inp, month)
    won = ma_won_amount(inp, month)
    if not spend or won is None:
        return None
    return (won * inp.params.gross_margin - spend) / spend


def cac(inp: KpiInputs, month: Month) -> Value:
    spend = _spend(inp, month)
    if spend is None or not inp.knows_ma_sourcing:
        return None
    return _ratio(spend, len(_ma_won_closed(inp, month)))


def _ma_closed_last_12(inp: KpiInputs, month: Month) -> pd.DataFrame:
    deals = inp.deals
    return deals[deals["ma"] & deals["stage"].isin(["won", "lost"]) & _in_last_12(deals["closed_at_m"], month)]


def ltv(inp: KpiInputs, month: Month) -> Value:
    if not inp.knows_ma_sourcing:
        return None
    won = _ma_closed_last_12(inp, month)
    amounts = won.loc[won["stage"] == "won", "amount"].dropna()  # a won deal without amount is in no mean
    if amounts.empty:
        return None
    return float(amounts.mean()) * inp.params.gross_margin * inp.params.lifetime_multiplier


def velocity_factors(inp: KpiInputs, month: Month) -> dict[str, float] | None:
    """The four factors of pipeline velocity (open deals × mean won amount × win rate ÷ cycle days);
    None when the velocity has no value."""
    if not inp.knows_ma_sourcing:
        return None
    end = month.index
    deals = inp.ma_deals
    created = deals["created_at_m"] <= end
    still_open = deals["closed_at_m"].isna() | (deals["closed_at_m"] > end)
    closed = _ma_closed_last_12(inp, month)
    won = closed[closed["stage"] == "won"]
    win_rate = _ratio(len(won), len(closed))
    if won.empty or not win_rate:
        return None
    cycle = float(won["cycle_days"].mean())
    mean_won_amount = float(won["amount"].mean())  # NaN when no won deal has an amount
    if not cycle > 0 or pd.isna(mean_won_amount):
        return None
    return {"open_deals": float((created & still_open).sum()), "mean_won_amount": mean_won_amount,
            "win_rate": win_rate, "cycle_days": cycle}


def pipeline_velocity(inp: KpiInputs, month: Month) -> Value:
    parts = velocity_factors(inp, month)
    if parts is None:
        return None
    return parts["open_deals"] * parts["mean_won_amount"] * parts["win_rate"] / parts["cycle_days"]
