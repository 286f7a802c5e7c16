"""Who sent what when: the month-by-month activity of scenarios and content pieces that patterns 2
and 4 read (a scenario launched or changed, a piece published, a piece mailed again)."""

from __future__ import annotations

import pandas as pd

from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.months import Month, month_index_series


def _filled(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].notna() & frame[column].astype(str).str.strip().ne("")


def sends_until(inputs: DiagnosisInputs) -> pd.DataFrame:
    """Sends up to the end of the month, with ``m`` (month index) and raw scenario ids."""
    sends = inputs.table("email_sends")
    if sends is None:
        return pd.DataFrame(columns=["m", "scenario", "campaign", "content_id", "delivered", "unique_opens",
                                     "unique_clicks"])
    frame = sends.assign(m=month_index_series(sends["sent_at"]))
    return frame[frame["m"] <= inputs.month.index]


def scenario_names(inputs: DiagnosisInputs) -> dict[str, str]:
    scenarios = inputs.table("scenarios")
    if scenarios is None:
        return {}
    return dict(zip(scenarios["scenario_id"].astype(str), scenarios["name"].astype(str), strict=True))


def scenario_sends(inputs: DiagnosisInputs) -> pd.DataFrame | None:
    """Sends that belong to a scenario; None when the data cannot tell (no ``scenario`` column)."""
    if not inputs.has_column("email_sends", "scenario"):
        return None
    sends = sends_until(inputs)
    return sends[_filled(sends, "scenario")].assign(scenario=lambda f: f["scenario"].astype(str).str.strip())


def live_scenarios(inputs: DiagnosisInputs, sends: pd.DataFrame) -> list[str]:
    """Scenarios meant to be running: ``live`` in the scenarios table, else every scenario that ever sent."""
    scenarios = inputs.table("scenarios")
    if scenarios is None:
        return sorted(sends["scenario"].unique())
    return scenarios.loc[scenarios["status"] == "live", "scenario_id"].astype(str).tolist()


def scenario_changes(inputs: DiagnosisInputs) -> pd.DataFrame:
    """Each scenario's launch and each first use of a new step or content piece: ``scenario``, ``m``."""
    found = []
    scenarios = inputs.table("scenarios")
    if scenarios is not None and inputs.has_column("scenarios", "launch_date"):
        launched = scenarios.assign(m=month_index_series(scenarios["launch_date"])).dropna(subset=["m"])
        found.append(launched.loc[launched["m"] <= inputs.month.index, ["scenario_id", "m"]]
                     .rename(columns={"scenario_id": "scenario"}))
    sends = scenario_sends(inputs)
    if sends is not None and not sends.empty:
        found.append(sends.groupby("scenario", as_index=False)["m"].min())
        for column in ("campaign", "content_id"):
            if inputs.has_column("email_sends", column):
                used = sends[_filled(sends, column)]
                found.append(used.groupby(["scenario", column], as_index=False)["m"].min()[["scenario", "m"]])
    if not found:
        return pd.DataFrame(columns=["scenario", "m"])
    return pd.concat(found, ignore_index=True).astype({"scenario": str, "m": int})


def content_key(inputs: DiagnosisInputs) -> str | None:
    """What identifies "the same content" in the sends: the piece when known, else the campaign."""
    for column in ("content_id", "campaign"):
        if inputs.has_column("email_sends", column):
            return column
    return None


def content_titles(inputs: DiagnosisInputs) -> dict[str, str]:
    calendar = inputs.table("content_calendar")
    if calendar is None or "content_id" not in calendar:
        return {}
    return dict(zip(calendar["content_id"].astype(str), calendar["title"].astype(str), strict=True))


def calendar_months(inputs: DiagnosisInputs) -> pd.DataFrame | None:
    """The content calendar with ``planned_m`` and ``published_m``; None without the table."""
    calendar = inputs.table("content_calendar")
    if calendar is None:
        return None
    return calendar.assign(planned_m=month_index_series(calendar["planned_date"]),
                           published_m=month_index_series(calendar["published_at"]))


def month_of(index: float) -> Month:
    return Month.from_index(int(index))
