"""The month's sends one by one, on the healthy fixture program with these sends instead (June 2025, growth
phase; the seed's targets: open rate ≥ 25 %, CTR ≥ 3 %, unsubscribes ≤ 0.5 %):

| send | sent | campaign / scenario | delivered | opens | clicks | unsubs | |
|---|---|---|---|---|---|---|---|
| S1 | 6/1 | step 1 of SC01 (資料DL後フォロー) | 100 | 30 | 5 | 0 | |
| S2 | 6/20 | step 2 of SC01 | 100 | 40 | 3 | 1 | SC01: 200, 70 (35 %), 8 (4 %), 1 (0.5 %: not above) |
| B2 | 6/3 | blast without a name | 500 | 150 | 10 | 1 | open 30 %, CTR 2 % (below), unsub 0.2 % |
| S3 | 6/5 | step 1 of SC02 (ウェビナー参加者育成) | 0 | 0 | 0 | 0 | nothing delivered: no rates |
| B1 | 6/12 | メルマガ 6月号 | 1,000 | 200 | 40 | 8 | open 20 % (below), CTR 4 %, unsub 0.8 % (above) |
| B0 | 5/30 | May's newsletter | 900 | 9 | 0 | 0 | another month: left out |

Month total: 1,700 delivered, 420 opens (24.7 %, below), 58 clicks (3.4 %), 10 unsubscribes (0.59 %, above).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from retropack.kpis.catalog import KPIS
from tests.programs import healthy

SENDS = [
    ("S1", "2025-06-01T09:00:00", "資料DL後フォロー step1", "SC01", 100, 30, 5, 0),
    ("S2", "2025-06-20T09:00:00", "資料DL後フォロー step2", "SC01", 100, 40, 3, 1),
    ("B2", "2025-06-03T10:00:00", "", "", 500, 150, 10, 1),
    ("S3", "2025-06-05T09:00:00", "ウェビナー参加者育成 step1", "SC02", 0, 0, 0, 0),
    ("B1", "2025-06-12T10:00:00", "メルマガ 6月号", "", 1000, 200, 40, 8),
    ("B0", "2025-05-30T10:00:00", "メルマガ 5月号", "", 900, 9, 0, 0),
]


def program():
    sends = pd.DataFrame(SENDS, columns=["send_id", "sent_at", "campaign", "scenario", "delivered", "unique_opens",
                                         "unique_clicks", "unsubscribes"])
    fixture = healthy()
    fixture.tables["email_sends"] = sends
    return fixture


@pytest.fixture()
def report(analyse):
    analysis = analyse(program())
    return analysis.cadence.sends, {r.kpi.id: r for r in analysis.results}


def test_blasts_one_by_one_and_scenarios_added_up_by_date(report) -> None:
    sends, _ = report
    assert [(line.kind, line.name, line.first, line.last, line.sends, line.delivered) for line in sends.lines] == [
        ("scenario", "資料DL後フォロー", date(2025, 6, 1), date(2025, 6, 20), 2, 200),
        ("blast", "B2", date(2025, 6, 3), date(2025, 6, 3), 1, 500),
        ("scenario", "ウェビナー参加者育成", date(2025, 6, 5), date(2025, 6, 5), 1, 0),
        ("blast", "メルマガ 6月号", date(2025, 6, 12), date(2025, 6, 12), 1, 1000),
    ]


def test_each_rate_is_marked_against_the_months_target(report) -> None:
    sends, _ = report
    assert sends.targets == {"email_open_rate": 0.25, "email_ctr": 0.03, "unsubscribe_rate": 0.005}
    scenario, unnamed, empty, newsletter = sends.lines
    assert scenario.rates == {"email_open_rate": 0.35, "email_ctr": 0.04, "unsubscribe_rate": 0.005}
    assert scenario.off_target == frozenset()  # 0.5 % is the target itself, not above it
    assert unnamed.off_target == {"email_ctr"}
    assert empty.rates == {"email_open_rate": None, "email_ctr": None, "unsubscribe_rate": None}
    assert empty.off_target == frozenset()
    assert newsletter.rates == {"email_open_rate": 0.2, "email_ctr": 0.04, "unsubscribe_rate": 0.008}
    assert newsletter.off_target == {"email_open_rate", "unsubscribe_rate"}


def test_the_total_is_the_months_kpis(report) -> None:
    sends, results = report
    total = sends.total
    assert (total.kind, total.sends, total.delivered, total.first, total.last) == (
        "total", 5, 1700, date(2025, 6, 1), date(2025, 6, 20))
    assert total.rates == pytest.approx({"email_open_rate": 420 / 1700, "email_ctr": 58 / 1700,
                                         "unsubscribe_rate": 10 / 1700})
    for kpi_id, rate in total.rates.items():
        assert rate == pytest.approx(results[kpi_id].actual), KPIS[kpi_id].name_en
    assert total.off_target == {"email_open_rate", "unsubscribe_rate"}


def test_a_month_without_sends_has_no_lines(analyse) -> None:
    sends = analyse(program(), month="2025-04").cadence.sends
    assert (sends.lines, sends.total) == ((), None)
