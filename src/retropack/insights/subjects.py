"""What an action is about, by name: the MQLs sales never followed up, the content piece worn out by reuse,
the deals standing still, the segment that turns MQLs into deals best. They make an action one a person can
start on Monday ("follow up these six companies") instead of a generic advice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from retropack._membership import is_in
from retropack.insights.diagnosis.health import PatternCheck, pattern_in
from retropack.kpis import formulas
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["BEST_SEGMENT_MONTHS", "LeadRef", "SegmentRate", "Stalled", "StalePiece", "Subjects", "best_segment",
           "find_subjects", "never_followed_up", "stalled_deals"]

BEST_SEGMENT_MONTHS = 6  # MQLs of the half-year ending with M: old enough for many to have become deals


@dataclass(frozen=True)
class LeadRef:
    lead_id: str
    company: str | None
    owner: str | None


@dataclass(frozen=True)
class StalePiece:
    title: str
    metric: str  # catalogue key of the rate that fell (open or click rate)
    before: float
    now: float
    months: int  # months it has been mailed


@dataclass(frozen=True)
class Stalled:
    count: int  # MA-sourced deals open at month end, older than the mean sales cycle
    amount: float
    cycle_days: float


@dataclass(frozen=True)
class SegmentRate:
    segment: str
    rate: float  # of its MQLs, the share with a deal by month end
    mqls: int
    overall: float  # the same share over every segment


@dataclass(frozen=True)
class Subjects:
    mqls: int  # MQLs of the month
    late: int  # of them, not followed up within the SLA (late or never)
    never_followed: tuple[LeadRef, ...]  # of those, never followed up at all
    stale: StalePiece | None
    stalled: Stalled | None
    best_segment: SegmentRate | None

    @property
    def signals(self) -> dict[str, float]:
        """The counts the action rules can fire on (``when.signal``)."""
        return {"mqls_never_followed": float(len(self.never_followed)),
                "stalled_deals": float(self.stalled.count) if self.stalled else 0.0,
                "best_segment": 1.0 if self.best_segment else 0.0}


def never_followed_up(breaches: pd.DataFrame) -> tuple[LeadRef, ...]:
    never = breaches[breaches["waited_days"].isna()]
    return tuple(LeadRef(str(r.lead_id), _text(r.company), _text(r.owner)) for r in never.itertuples())


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value)  # type: ignore[arg-type]


def _stale(content_shortage: PatternCheck) -> StalePiece | None:
    reused = [e for e in content_shortage.raised if e.code == "content_reused"]
    if not reused:
        return None
    values = reused[0].values
    return StalePiece(str(values["piece"]), values["metric"].key, values["before"].value,  # type: ignore[union-attr]
                      values["now"].value, int(values["months"].value))  # type: ignore[union-attr,arg-type]


def stalled_deals(inputs: KpiInputs, month: Month) -> Stalled | None:
    factors = formulas.velocity_factors(inputs, month)
    deals = inputs.ma_deals
    if factors is None or deals.empty:
        return None
    end = month.shift(1).start(str(deals["created_at"].dt.tz))
    open_now = deals[(deals["created_at_m"] <= month.index)
                     & (deals["closed_at_m"].isna() | (deals["closed_at_m"] > month.index))]
    age = (end - open_now["created_at"]) / pd.Timedelta(days=1)
    stalled = open_now[age > factors["cycle_days"]]
    return Stalled(len(stalled), float(stalled["amount"].fillna(0).sum()), factors["cycle_days"])


def best_segment(inputs: KpiInputs, month: Month, min_sample: int) -> SegmentRate | None:
    leads = inputs.leads
    if "segment" not in leads:
        return None
    window = leads[leads["mql_at_m"].between(month.index - BEST_SEGMENT_MONTHS + 1, month.index)
                   & leads["segment"].notna()]
    deals = inputs.deals[inputs.deals["created_at_m"] <= month.index]
    with_deal = is_in(window["lead_id"], deals["lead_id"].dropna())
    by_segment = with_deal.groupby(window["segment"]).agg(["mean", "size"])
    by_segment = by_segment[by_segment["size"] >= 2 * min_sample]
    if len(by_segment) < 2:
        return None
    best = by_segment["mean"].idxmax()
    return SegmentRate(str(best), float(by_segment.loc[best, "mean"]), int(by_segment.loc[best, "size"]),
                       float(with_deal.mean()))


def find_subjects(inputs: KpiInputs, month: Month, breaches: pd.DataFrame, health: Sequence[PatternCheck]
                  ) -> Subjects:
    """What the month's actions name; ``health`` holds at least the content-shortage check (the stale piece)."""
    mqls = int((inputs.leads["mql_at_m"] == month.index).sum())
    return Subjects(mqls, len(breaches), never_followed_up(breaches),
                    _stale(pattern_in(health, "content_shortage")), stalled_deals(inputs, month),
                    best_segment(inputs, month, inputs.params.min_sample))
