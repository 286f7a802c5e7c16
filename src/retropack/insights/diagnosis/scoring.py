"""The quarterly lead-scoring review (seed 成功パターン4): do the MQLs that became SQL score higher than
the rest, which high scorers never became opportunities, does the score decay for leads gone quiet,
and which MQL threshold the data supports."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from retropack.insights.diagnosis._inputs import DiagnosisInputs
from retropack.months import Month
from retropack.rules import Scoring

__all__ = ["MAX_BINS", "OBSERVED_QUANTILE", "Inactivity", "Method", "review_due", "review_schedule", "review_scoring",
           "ReviewSchedule", "ScoreBin", "ScoringReview", "suggest_threshold", "Suggestion"]

MAX_BINS = 12
OBSERVED_QUANTILE = 0.10  # the score 90 % of the window's MQLs reached: the threshold in use, as seen


@dataclass(frozen=True)
class ScoreBin:
    low: float
    high: float  # exclusive, except for the last bin
    sql: int
    other: int


Method = Literal["target_rate", "keeps_supply", "keep_current", "best_separation"]


@dataclass(frozen=True)
class Suggestion:
    """A suggested MQL threshold, how it was chosen, and what it would have meant over the window."""

    score: float
    method: Method
    sql_rate: float  # of the MQLs at or above it, the share that became SQL
    all_sql_rate: float  # of every MQL, for comparison
    mqls_per_month: float  # MQLs per month it would have let through
    sql_kept: float  # share of the SQLs that scored at or above it
    supply_target: float | None  # the phase's MQL target (marketing's side of the SLA)
    rate_target: float | None  # the phase's MQL→SQL target


@dataclass(frozen=True)
class Inactivity:
    """Leads silent for ``days`` or more that never became SQL: a working decay rule lowers their score."""

    days: int
    leads: int
    still_high: int  # of them, still at or above the high-score line
    mean_score: float | None
    active_mean_score: float | None  # the other open leads, for comparison
    decay_gap: float

    @property
    def decaying(self) -> bool | None:
        if self.mean_score is None or self.active_mean_score is None:
            return None
        return self.mean_score <= self.active_mean_score * (1 - self.decay_gap)


@dataclass(frozen=True)
class ScoringReview:
    reason: Literal["quarter", "asked"]
    missing: tuple[str, ...]  # columns that would enable the review; empty when it ran
    first_month: Month
    months: int
    mqls: int = 0  # MQLs of the window old enough to have become SQL
    sql_mqls: int = 0
    sql_median: float | None = None
    other_median: float | None = None
    median_gap: float = 0.10
    bins: tuple[ScoreBin, ...] = ()
    observed_threshold: float | None = None
    mqls_per_month: float = 0.0
    high_score: float | None = None
    high_quantile: float = 0.9
    high_leads: int = 0  # old enough to have become an opportunity
    min_age_days: int = 60
    sql_wait_days: int = 30
    high_without_opportunity: pd.DataFrame | None = None  # lead_id, company, owner, score, created_at, last_activity_at
    opportunity_missing: tuple[str, ...] = ()
    inactivity: Inactivity | None = None
    inactivity_missing: tuple[str, ...] = ()
    suggestion: Suggestion | None = None

    @property
    def separates(self) -> bool | None:
        """Do MQLs that became SQL score clearly higher than those that did not?"""
        if self.sql_median is None or self.other_median is None:
            return None
        return self.sql_median >= self.other_median * (1 + self.median_gap)


def review_due(month_index: int, every: int) -> bool:
    """Every ``every``-th program month: months 3, 6, 9, … by default (the seed's quarter)."""
    return month_index % every == 0


@dataclass(frozen=True)
class ReviewSchedule:
    """Where the month stands in the review cycle, so every pack says when the scoring is next looked at."""

    every: int
    due_now: bool
    next_month: Month  # the first review month after this one
    next_index: int
    last_month: Month | None  # the last review month before this one; None before the first
    last_index: int | None


def review_schedule(month: Month, month_index: int, every: int) -> ReviewSchedule:
    """The review months around ``month`` (program month ``month_index``)."""
    following = (month_index // every + 1) * every
    previous = (month_index - 1) // every * every
    return ReviewSchedule(every, review_due(month_index, every), month.shift(following - month_index), following,
                          month.shift(previous - month_index) if previous else None, previous or None)


def _bins(scores: pd.Series, became_sql: pd.Series) -> tuple[ScoreBin, ...]:
    low, high = math.floor(scores.min() / 10) * 10, math.ceil(scores.max() / 10) * 10
    width = 10 * max(1, math.ceil((high - low) / 10 / MAX_BINS))
    edges = list(range(int(low), int(high) + width, width))
    index = np.clip(np.searchsorted(edges, scores.to_numpy(), side="right") - 1, 0, len(edges) - 2)
    sql = became_sql.to_numpy()
    return tuple(ScoreBin(edges[i], edges[i + 1], int((index == i)[sql].sum()), int((index == i)[~sql].sum()))
                 for i in range(len(edges) - 1))


def _separating(candidates: pd.DataFrame, total_sql: int, total_other: int) -> float:
    """The score keeping the most SQLs while letting through the fewest other MQLs."""
    other_above = candidates["above"] - candidates["sql_above"]
    return float((candidates["sql_above"] / total_sql - other_above / total_other).idxmax())


def _choose(candidates: pd.DataFrame, observed: float, all_rate: float, supply_target: float | None,
            rate_target: float | None, total_sql: int, total_other: int) -> tuple[float, Method]:
    if rate_target is not None and all_rate < rate_target:
        reaching = candidates.index[candidates["rate"] >= rate_target]
        if len(reaching):
            return float(reaching.min()), "target_rate"
        return _separating(candidates, total_sql, total_other), "best_separation"
    if supply_target is None:
        return _separating(candidates, total_sql, total_other), "best_separation"
    keeping = candidates.index[candidates["per_month"] >= supply_target]
    if len(keeping) and keeping.max() > observed:
        return float(keeping.max()), "keeps_supply"
    at_or_above = candidates.index[candidates.index >= observed]
    return float(at_or_above.min() if len(at_or_above) else candidates.index.max()), "keep_current"


def suggest_threshold(scores: pd.Series, became_sql: pd.Series, *, observed: float, per_month: float,
                      supply_target: float | None, rate_target: float | None, min_above: int) -> Suggestion | None:
    """Both sides of the SLA decide. MQLs converting below the MQL→SQL target: the lowest score whose
    MQLs reach it. Converting well enough: the highest score that still supplies the MQLs promised a
    month, or the threshold in use (``observed``) when none above it does. Without the targets that
    decide, the score that best separates SQLs from the other MQLs."""
    if not became_sql.any() or became_sql.all():
        return None
    frame = pd.DataFrame({"score": scores.to_numpy(), "sql": became_sql.to_numpy()})
    table = frame.groupby("score")["sql"].agg(["sum", "size"]).sort_index(ascending=False)
    above, sql_above = table["size"].cumsum(), table["sum"].cumsum()
    candidates = pd.DataFrame({"above": above, "sql_above": sql_above, "rate": sql_above / above,
                               "per_month": per_month * above / len(frame)})
    candidates = candidates[candidates["above"] >= min_above]
    if candidates.empty:
        return None
    total_sql = int(became_sql.sum())
    all_rate = total_sql / len(frame)
    score, method = _choose(candidates, observed, all_rate, supply_target, rate_target, total_sql,
                            len(frame) - total_sql)
    row = candidates.loc[score]
    return Suggestion(score, method, float(row["rate"]), all_rate, float(row["per_month"]),
                      float(row["sql_above"]) / total_sql, supply_target, rate_target)


def _high_without_opportunity(inputs: DiagnosisInputs, leads: pd.DataFrame, high: float,
                              limits: Scoring) -> tuple[int, pd.DataFrame]:
    deals = inputs.kpis.deals
    with_deal = set(deals.loc[deals["created_at_m"] <= inputs.month.index, "lead_id"].dropna().astype(str))
    old_enough = leads["created_at"] <= inputs.month_end(inputs.month) - pd.Timedelta(days=limits.min_age_days)
    high_leads = leads[old_enough & (leads["score"] >= high)]
    stuck = high_leads[~high_leads["lead_id"].astype(str).isin(with_deal)]
    columns = ["lead_id", "company", "owner", "score", "created_at", "last_activity_at"]
    stuck = stuck.reindex(columns=columns).sort_values(["score", "created_at"], ascending=[False, True])
    return len(high_leads), stuck.reset_index(drop=True)


def _inactivity(inputs: DiagnosisInputs, high: float, limits: Scoring) -> Inactivity:
    end = inputs.month_end(inputs.month)
    leads = inputs.kpis.leads
    became_sql = leads["sql_at_m"] <= inputs.month.index
    open_leads = leads[(leads["created_at"] < end) & leads["score"].notna() & ~became_sql]
    last = open_leads["last_activity_at"].fillna(open_leads["created_at"])
    is_quiet = last <= end - pd.Timedelta(days=limits.inactive_days)
    quiet, active = open_leads[is_quiet], open_leads[~is_quiet]
    return Inactivity(limits.inactive_days, len(quiet), int((quiet["score"] >= high).sum()),
                      float(quiet["score"].mean()) if len(quiet) else None,
                      float(active["score"].mean()) if len(active) else None, limits.decay_gap)


def review_scoring(inputs: DiagnosisInputs, limits: Scoring, reason: Literal["quarter", "asked"]) -> ScoringReview:
    first = max(inputs.start, inputs.month.shift(-(limits.window_months - 1)))
    months = inputs.month - first + 1
    missing = tuple(f"leads.{c}" for c in ("score", "mql_at", "sql_at") if not inputs.has_column("leads", c))
    if missing:
        return ScoringReview(reason, missing, first, months)
    leads = inputs.kpis.leads
    end = inputs.month_end(inputs.month)
    scored = leads[leads["score"].notna() & leads["created_at_m"].between(first.index, inputs.month.index)]
    mqls = leads[leads["score"].notna() & leads["mql_at_m"].between(first.index, inputs.month.index)]
    settled = mqls[mqls["mql_at"] <= end - pd.Timedelta(days=limits.sql_wait_days)]
    if settled.empty:
        return ScoringReview(reason, (), first, months)
    became_sql = settled["sql_at_m"] <= inputs.month.index
    observed = float(mqls["score"].quantile(OBSERVED_QUANTILE, interpolation="lower"))
    targets = inputs.targets_for(inputs.month)
    high = float(scored["score"].quantile(limits.high_score_quantile, interpolation="lower"))
    has_deal_leads = inputs.has_column("deals", "lead_id")
    high_leads, stuck = _high_without_opportunity(inputs, scored, high, limits) if has_deal_leads else (0, None)
    has_activity = inputs.has_column("leads", "last_activity_at")
    review = ScoringReview(
        reason=reason,
        missing=(),
        first_month=first,
        months=months,
        mqls=len(settled),
        sql_mqls=int(became_sql.sum()),
        sql_median=float(settled.loc[became_sql, "score"].median()) if became_sql.any() else None,
        other_median=float(settled.loc[~became_sql, "score"].median()) if (~became_sql).any() else None,
        median_gap=limits.median_gap,
        bins=_bins(settled["score"], became_sql),
        observed_threshold=observed,
        mqls_per_month=len(mqls) / months,
        high_score=high,
        high_quantile=limits.high_score_quantile,
        high_leads=high_leads,
        min_age_days=limits.min_age_days,
        sql_wait_days=limits.sql_wait_days,
        high_without_opportunity=stuck,
        opportunity_missing=() if has_deal_leads else ("deals.lead_id",),
        inactivity=_inactivity(inputs, high, limits) if has_activity else None,
        inactivity_missing=() if has_activity else ("leads.last_activity_at",),
        suggestion=suggest_threshold(
            settled["score"], became_sql, observed=observed, per_month=len(mqls) / months,
            supply_target=targets.get("mqls"), rate_target=targets.get("mql_to_sql_rate"),
            min_above=limits.min_mqls_above),
    )
    # A score that does not tell SQLs apart cannot be fixed by moving its threshold: the advice is to rebuild it.
    return replace(review, suggestion=None) if review.separates is False else review
