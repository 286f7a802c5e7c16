"""The stalled deals sales can act on (issue 21): the MA-sourced deals open at the month's end, longest open first
then largest, with company, owner (the deal's, else the lead's) and the lead's last activity."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from retropack.insights.analysis import kpi_params
from retropack.insights.open_deals import longest_open_deals
from retropack.kpis.inputs import build_inputs
from retropack.months import Month
from retropack.present.formatting import format_value
from retropack.present.messages import Translator
from retropack.present.open_deals import open_deals_table
from tests.programs import Program, healthy

TOKYO = ZoneInfo("Asia/Tokyo")  # the program's timezone: local times in the files are read in it
LEADS = [("A1", "株式会社一", "2025-06-20"), ("A2", "二商事", ""), ("A3", "三工業", "2025-05-02")]
DEALS = [  # deal_id, lead_id, created, amount, stage, closed, ma_sourced, owner
    ("D1", "A1", "2025-06-10", 1_000_000, "open", "", "true", "佐藤"),
    ("D2", "A2", "2025-04-11", 300_000, "open", "", "true", ""),  # no owner of its own: the lead's
    ("D3", "A3", "2025-04-11", 900_000, "open", "", "true", "鈴木"),  # as old as D2, larger: first
    ("D4", "A1", "2025-03-01", 500_000, "won", "2025-05-01", "true", "佐藤"),  # closed
    ("D5", "A2", "2025-07-02", 700_000, "open", "", "true", "佐藤"),  # after the month
    ("D6", "A3", "2025-02-01", 800_000, "open", "", "false", "鈴木"),  # not MA-sourced
    ("D7", "A3", "2025-05-01", 100_000, "lost", "2025-07-03", "true", "鈴木"),  # closed after the month: open then
]


def test_the_longest_open_ma_deals_with_company_owner_and_last_activity(tmp_path: Path) -> None:
    base = healthy()
    leads = pd.DataFrame([{"lead_id": lid, "created_at": "2025-03-01T10:00:00", "source": "web", "segment": "smb",
                           "email": f"{lid.lower()}@example.co.jp", "company": company, "score": 50,
                           "mql_at": "2025-03-02T10:00:00", "sql_at": "", "first_sales_touch_at": "",
                           "last_activity_at": f"{act}T09:00:00" if act else "", "owner": "高橋"}
                          for lid, company, act in LEADS])
    deals = pd.DataFrame([{"deal_id": d, "created_at": f"{c}T10:00:00", "amount": a, "stage": s,
                           "closed_at": f"{x}T10:00:00" if x else "", "lead_id": lid, "ma_sourced": ma, "owner": o}
                          for d, lid, c, a, s, x, ma, o in DEALS])
    config, dataset = Program({**base.tables, "leads": leads, "deals": deals}, base.config).load(tmp_path)
    found = longest_open_deals(build_inputs(dataset, kpi_params(config.settings)), Month(2025, 6))
    # the month ends 2025-07-01 00:00: D3 and D2 created 4-11 10:00 are 80 whole days open (80.6), D7 60 (60.6), D1 20 (20.6)
    assert [(d.deal_id, d.days_open, d.amount) for d in found] == [
        ("D3", 80, 900_000), ("D2", 80, 300_000), ("D7", 60, 100_000), ("D1", 20, 1_000_000)]
    d3, d2, _, d1 = found
    assert (d3.company, d3.owner, d3.last_activity) == ("三工業", "鈴木", datetime(2025, 5, 2, 9, 0, tzinfo=TOKYO))
    assert (d2.company, d2.owner, d2.last_activity) == ("二商事", "高橋", None)  # the lead's owner; no activity
    assert d1.last_activity == datetime(2025, 6, 20, 9, 0, tzinfo=TOKYO)
    table = open_deals_table(found, Translator("ja"), "JPY")
    assert table.header == ("会社", "担当", "金額", "経過日数", "最終活動日")
    assert table.rows[0] == ("三工業", "鈴木", format_value(900_000, "money", "ja"), "80日", "5/2(金)")
    assert table.rows[1][-1] == "—"
    assert len(longest_open_deals(build_inputs(dataset, kpi_params(config.settings)), Month(2025, 6), shown=2)) == 2
