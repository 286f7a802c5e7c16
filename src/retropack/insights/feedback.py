"""Sales' feedback on the month's MQLs (the article's 月次フィードバック): how many were judged good or
bad, why, and which leads sales judged bad, so marketing can adjust the scoring with sales' words."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from retropack.kpis.inputs import KpiInputs
from retropack.load.dataset import Dataset
from retropack.months import Month

__all__ = ["LEAD_COLUMNS", "MqlFeedback", "mql_feedback"]

LEAD_COLUMNS = ("lead_id", "company", "source", "segment", "owner", "score", "reason")


@dataclass(frozen=True)
class MqlFeedback:
    recorded: bool  # the dataset has the feedback table at all
    mqls: int  # MQLs of the month, the leads sales is asked about
    good: int
    bad: int
    reasons: dict[str, tuple[tuple[str, int], ...]]  # verdict → (reason, times given), most frequent first
    bad_leads: pd.DataFrame  # LEAD_COLUMNS of the leads judged bad, as the leads table has them

    @property
    def given(self) -> int:
        return self.good + self.bad


def _reasons(rows: pd.DataFrame) -> tuple[tuple[str, int], ...]:
    given = rows["reason"].dropna().astype(str).str.strip() if "reason" in rows else pd.Series(dtype=str)
    return tuple(Counter(r for r in given if r).most_common())


def mql_feedback(inputs: KpiInputs, dataset: Dataset, month: Month) -> MqlFeedback:
    """The verdicts recorded for ``month``; one per lead (its first row)."""
    mqls = int((inputs.leads["mql_at_m"] == month.index).sum())
    table = dataset.tables.get("mql_feedback")
    empty = pd.DataFrame(columns=list(LEAD_COLUMNS))
    if table is None:
        return MqlFeedback(False, mqls, 0, 0, {}, empty)
    rows = table[table["month"] == str(month)].drop_duplicates("lead_id")
    bad = rows[rows["verdict"] == "bad"]
    leads = inputs.leads.drop_duplicates("lead_id").set_index("lead_id")
    known = leads.reindex(columns=[c for c in LEAD_COLUMNS if c not in ("lead_id", "reason")]).reindex(bad["lead_id"])
    judged = known.reset_index().assign(reason=bad["reason"].to_numpy() if "reason" in bad else None)
    return MqlFeedback(True, mqls, int((rows["verdict"] == "good").sum()), len(bad),
                       {verdict: _reasons(rows[rows["verdict"] == verdict]) for verdict in ("bad", "good")},
                       judged.reindex(columns=list(LEAD_COLUMNS)))
