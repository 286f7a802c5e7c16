"""The month's e-mails one by one: open rate, CTR and unsubscribe rate per send, against the month's
targets (the article measures these 配信ごと, per send, not only as the month's average).

A blast (no scenario) is one line. A scenario sends a step a day, so its rows are added up per
scenario for the month: one line per scenario, with the number of sends it adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from retropack.kpis.evaluation import KpiResult
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["RATES", "SendLine", "SendReport", "send_report"]

# Each rate of a send, by the KPI whose target judges it, and the count it divides by delivered.
RATES: dict[str, str] = {"email_open_rate": "unique_opens", "email_ctr": "unique_clicks",
                         "unsubscribe_rate": "unsubscribes"}


@dataclass(frozen=True)
class SendLine:
    kind: Literal["blast", "scenario", "total"]
    name: str  # the campaign (blast), the scenario's name, or "" for the month's total
    first: date
    last: date
    sends: int  # rows of email_sends it adds up (1 for a blast)
    delivered: float
    rates: dict[str, float | None]  # KPI id of RATES → the rate (None: nothing delivered)
    off_target: frozenset[str]  # KPI ids of the rates on the wrong side of the month's target


@dataclass(frozen=True)
class SendReport:
    lines: tuple[SendLine, ...]  # by date; blasts and scenarios
    total: SendLine | None  # the month as a whole (the KPIs' own values); None without sends
    targets: dict[str, float]  # KPI id of RATES → the month's target, where there is one
    better: dict[str, str]  # KPI id of RATES → "higher" or "lower"


def _line(kind: Literal["blast", "scenario", "total"], name: str, rows: pd.DataFrame, targets: dict[str, float],
          better: dict[str, str]) -> SendLine:
    delivered = float(rows["delivered"].sum())
    rates = {kpi: float(rows[count].sum()) / delivered if delivered else None for kpi, count in RATES.items()}
    off = frozenset(kpi for kpi, rate in rates.items() if rate is not None and kpi in targets
                    and (rate < targets[kpi] if better[kpi] == "higher" else rate > targets[kpi]))
    days = rows["sent_at"].dt.date
    return SendLine(kind, name, days.min(), days.max(), len(rows), delivered, rates, off)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column trimmed, "" where empty or absent."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype("string").str.strip().fillna("").astype(object)


def send_report(inputs: KpiInputs, month: Month, results: list[KpiResult]) -> SendReport:
    """Every send of ``month`` (sent_at in it), blasts one by one and scenarios added up."""
    kpis = {r.kpi.id: r for r in results if r.kpi.id in RATES}
    targets = {k: r.target for k, r in kpis.items() if r.target is not None}
    better = {k: r.kpi.better for k, r in kpis.items()}
    sends = inputs.sends[inputs.sends["sent_at_m"] == month.index]
    if sends.empty:
        return SendReport((), None, targets, better)
    scenario = _text(sends, "scenario")
    campaign = _text(sends, "campaign")
    label = campaign.where(campaign.ne(""), sends["send_id"].astype(str))  # a blast without a name: its id
    blasts = sends[scenario.eq("")]
    lines = [_line("blast", label[i], blasts.loc[[i]], targets, better) for i in blasts.index]
    lines += [_line("scenario", str(name), rows, targets, better)
              for name, rows in sends[scenario.ne("")].groupby(scenario[scenario.ne("")])]
    lines.sort(key=lambda line: (line.first, line.kind != "blast", line.name))
    return SendReport(tuple(lines), _line("total", "", sends, targets, better), targets, better)
