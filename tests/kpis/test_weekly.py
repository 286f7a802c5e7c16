"""Leads, MQLs and SQLs per week of the month, on a tiny program counted by hand.

October 2026 starts on a Thursday: its weeks are 10/1–10/4 (4 days), 10/5–10/11, 10/12–10/18,
10/19–10/25 and 10/26–10/31 (6 days). The leads, read from CSV as a client's would be (JST):
- L1 created 10/4 23:30 JST (Sunday: week 1); MQL 10/5 09:00 (week 2); SQL 10/12 10:00 (week 3);
- L2 created 2026-10-04T15:30:00Z = 10/5 00:30 JST (week 2, although its UTC date is 10/4); MQL 10/5 (week 2);
- L3 created 9/30 23:59 JST (September: not counted); MQL 10/1 (week 1); SQL 11/1 00:00 (November: not counted);
- L4 created 10/31 23:59:59 (week 5); MQL 10/26 (week 5), SQL 10/31 (week 5);
- L5 created 2026-10-31T15:00:00Z = 11/1 00:00 JST (November: not counted).
So: new leads 1, 1, 0, 0, 1 (3); MQLs 1, 2, 0, 0, 1 (4); SQLs 0, 0, 1, 0, 1 (2).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from retropack.kpis.catalog import KPIS
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.kpis.weekly import WEEKLY_KPIS, weekly_counts, weeks_of
from retropack.load import load_dataset
from retropack.months import Month

OCT = Month(2026, 10)
LEADS = [
    ("L1", "2026-10-04T23:30:00", "2026-10-05T09:00:00", "2026-10-12T10:00:00"),
    ("L2", "2026-10-04T15:30:00Z", "2026-10-05T11:00:00+09:00", ""),
    ("L3", "2026-09-30T23:59:00", "2026-10-01T10:00:00", "2026-11-01T00:00:00"),
    ("L4", "2026-10-31T23:59:59", "2026-10-26T10:00:00", "2026-10-31T18:00:00"),
    ("L5", "2026-10-31T15:00:00Z", "", ""),
]


def inputs(folder: Path):
    pd.DataFrame(LEADS, columns=["lead_id", "created_at", "mql_at", "sql_at"]).to_csv(folder / "leads.csv", index=False)
    pd.DataFrame([("S1", "2026-10-02", 10, 3, 1, 0)], columns=["send_id", "sent_at", "delivered", "unique_opens",
                                                               "unique_clicks", "unsubscribes"]).to_csv(
        folder / "email_sends.csv", index=False)
    pd.DataFrame(columns=["deal_id", "created_at", "amount", "stage"]).to_csv(folder / "deals.csv", index=False)
    return build_inputs(load_dataset(folder), KpiParams())


def test_weeks_run_monday_to_sunday_clipped_to_the_month() -> None:
    assert weeks_of(OCT) == [(date(2026, 10, 1), date(2026, 10, 4)), (date(2026, 10, 5), date(2026, 10, 11)),
                             (date(2026, 10, 12), date(2026, 10, 18)), (date(2026, 10, 19), date(2026, 10, 25)),
                             (date(2026, 10, 26), date(2026, 10, 31))]
    june = weeks_of(Month(2026, 6))  # starts on a Monday: no short first week; ends on a Tuesday
    assert (june[0], june[-1], len(june)) == ((date(2026, 6, 1), date(2026, 6, 7)),
                                              (date(2026, 6, 29), date(2026, 6, 30)), 5)
    february = weeks_of(Month(2027, 2))  # 2027-02-01 is a Monday and the month has 28 days: four whole weeks
    assert [last.day - first.day + 1 for first, last in february] == [7, 7, 7, 7]


def test_each_lead_counts_in_the_week_of_its_local_date(tmp_path: Path) -> None:
    weeks = weekly_counts(inputs(tmp_path), OCT)
    assert [w.days for w in weeks] == [4, 7, 7, 7, 6]
    assert [w.counts["new_leads"] for w in weeks] == [1, 1, 0, 0, 1]
    assert [w.counts["mqls"] for w in weeks] == [1, 2, 0, 0, 1]
    assert [w.counts["sqls"] for w in weeks] == [0, 0, 1, 0, 1]


def test_the_weeks_add_up_to_the_months_kpis(tmp_path: Path) -> None:
    data = inputs(tmp_path)
    weeks = weekly_counts(data, OCT)
    for kpi_id in WEEKLY_KPIS:
        assert sum(w.counts[kpi_id] for w in weeks) == KPIS[kpi_id].compute(data, OCT)


def test_a_month_without_leads_has_its_weeks_at_zero(tmp_path: Path) -> None:
    weeks = weekly_counts(inputs(tmp_path), Month(2026, 12))
    assert len(weeks) == 5 and all(w.counts == {"new_leads": 0, "mqls": 0, "sqls": 0} for w in weeks)
