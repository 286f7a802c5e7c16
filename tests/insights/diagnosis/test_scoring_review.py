"""The quarterly lead-scoring review: when it runs, what it finds on the fixture program, how the
suggested MQL threshold is chosen, and what it says without a score."""

from __future__ import annotations

import pandas as pd
import pytest

from retropack.insights.diagnosis.scoring import review_due, review_schedule, suggest_threshold
from retropack.months import Month
from retropack.present.diagnosis.scoring_view import scoring_view
from retropack.present.diagnosis.words import Words
from retropack.present.messages import Translator
from tests.programs import healthy

# Ten MQLs scored 50..95 by fives; the top four became SQL, and the one at 60 (5 of 10: 50 %).
SCORES = pd.Series([50, 55, 60, 65, 70, 75, 80, 85, 90, 95])
BECAME_SQL = pd.Series([False, False, True, False, False, False, True, True, True, True])


def suggest(**given):
    args = {"observed": 50.0, "per_month": 10.0, "supply_target": None, "rate_target": None, "min_above": 2}
    return suggest_threshold(SCORES, BECAME_SQL, **(args | given))


@pytest.mark.parametrize(("index", "due"), [(3, True), (6, True), (15, True), (1, False), (4, False), (17, False)])
def test_the_review_is_due_every_third_program_month(index: int, due: bool) -> None:
    assert review_due(index, 3) is due


@pytest.mark.parametrize(("index", "month", "due", "following", "previous"), [
    (17, "2026-10", False, (18, "2026-11"), (15, "2026-08")),  # the demo's October
    (18, "2026-11", True, (21, "2027-02"), (15, "2026-08")),  # a review month: the next one, the one before
    (1, "2025-06", False, (3, "2025-08"), None),  # none yet
    (3, "2025-08", True, (6, "2025-11"), None),
    (4, "2025-09", False, (6, "2025-11"), (3, "2025-08")),
])
def test_every_month_knows_the_next_and_the_last_review(index, month, due, following, previous) -> None:
    schedule = review_schedule(Month.parse(month), index, 3)
    assert (schedule.every, schedule.due_now) == (3, due)
    assert (schedule.next_index, str(schedule.next_month)) == following
    last = (schedule.last_index, str(schedule.last_month)) if schedule.last_month else None
    assert last == previous


def test_below_the_conversion_target_the_lowest_score_that_reaches_it() -> None:
    found = suggest(rate_target=0.7, supply_target=8)
    # at or above 75: 75 80 85 90 95 → 4 of 5 SQL = 80 %; at 70: 4 of 6 = 67 %, short of 70 %
    assert (found.method, found.score, found.sql_rate) == ("target_rate", 75, pytest.approx(0.8))
    assert found.mqls_per_month == pytest.approx(5.0) and found.sql_kept == pytest.approx(4 / 5)


def test_meeting_the_target_the_highest_score_that_keeps_the_promised_supply() -> None:
    found = suggest(rate_target=0.5, supply_target=7)  # 7 of 10 MQLs a month must stay: 65 and above
    assert (found.method, found.score, found.mqls_per_month) == ("keeps_supply", 65, pytest.approx(7.0))


def test_when_raising_would_break_the_supply_promise_the_threshold_in_use_stays() -> None:
    found = suggest(rate_target=0.5, supply_target=10, observed=55.0)
    assert (found.method, found.score) == ("keep_current", 55)


def test_without_targets_the_score_that_best_separates() -> None:
    found = suggest()  # at 80: 4 of 5 SQLs kept, 1 of 5 others let through → 0.8 − 0.2 = 0.6, the best
    assert (found.method, found.score) == ("best_separation", 80)


def test_the_review_of_the_fixture_program(analyse) -> None:
    review = analyse(healthy()).diagnosis.scoring  # June is program month 6: a review month
    assert review is not None and review.reason == "quarter"
    # MQLs of January to May are 30+ days old: 5 × 40, of which the 81+ scores (5 × 20) became SQL
    assert (review.mqls, review.sql_mqls, review.mqls_per_month) == (200, 100, 40)
    assert (review.sql_median, review.other_median, review.separates) == (90.5, 70.5, True)
    assert [(b.low, b.sql, b.other) for b in review.bins] == [(60, 0, 45), (70, 0, 50), (80, 45, 5), (90, 55, 0)]
    assert review.suggestion.method == "keep_current"  # 50 % beats the 30 % target; 40 a month is the promise
    assert review.high_without_opportunity is not None and review.inactivity is not None


def test_outside_a_review_month_only_on_request(analyse) -> None:
    assert analyse(healthy(), month="2025-05").diagnosis.scoring is None
    assert analyse(healthy(), month="2025-05", scoring_review=True).diagnosis.scoring.reason == "asked"


def test_without_a_score_the_review_says_what_would_enable_it(analyse) -> None:
    program = healthy()
    program.tables["leads"] = program.tables["leads"].drop(columns=["score", "last_activity_at"])
    review = analyse(program).diagnosis.scoring
    assert review.missing == ("leads.score",) and review.suggestion is None


def test_a_score_that_does_not_separate_is_rebuilt_not_re_thresholded(analyse) -> None:
    """Scores that say nothing about SQL (the same spread for MQLs that became SQL and those that did not): no
    threshold is suggested, and the page advises rebuilding the scoring instead."""
    program = healthy()
    leads = program.tables["leads"]
    program.tables["leads"] = leads.assign(score=[60 + (i % 40) for i in range(len(leads))])  # unrelated to SQL
    analysis = analyse(program)
    review = analysis.diagnosis.scoring
    assert review is not None and review.separates is False and review.suggestion is None
    view = scoring_view(review, 6, 3, analysis.month, Words(Translator("ja"), "JPY"))
    told = " ".join((view.suggestion, view.method, view.impact, *view.facts))
    assert "作り直し" in told and "推奨MQL閾値" not in told
    assert view.chart is not None and "推奨" not in view.chart.marker_summary
