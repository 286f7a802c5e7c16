"""The channel table (issue 21, seed 7–12ヶ月目 ROI算出), against hand-computed figures on a small program: spend
joins the source of the same code, spend on a channel no lead comes from keeps its own row, deals count by their
lead's source; the month and the trailing three months (2025-04 … 2025-06)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from retropack.insights.analysis import kpi_params
from retropack.insights.channels import UNKNOWN, ChannelFigures, channel_table
from retropack.kpis.inputs import build_inputs
from retropack.months import Month
from retropack.present.channels import channel_tables
from retropack.present.messages import Translator
from tests.programs import Program, healthy

LEADS = [  # lead_id, source, created, mql, sql
    ("A1", "web", "2025-06-03", "2025-06-05", "2025-06-08"),
    ("A2", "web", "2025-05-10", "2025-06-02", ""),
    ("A3", "event", "2025-06-10", "", ""),
    ("A4", "event", "2025-04-02", "2025-04-04", "2025-04-06"),
    ("A5", "web", "2025-03-01", "", ""),  # before the three months
    ("A6", "", "2025-06-15", "", ""),  # no source
]
DEALS = [  # deal_id, lead_id, created, amount, stage, closed
    ("D1", "A1", "2025-06-10", 1_000_000, "open", ""),
    ("D2", "A4", "2025-04-10", 2_000_000, "won", "2025-06-20"),
    ("D3", "A2", "2025-05-01", 500_000, "lost", "2025-05-20"),
]
SPEND = [("2025-06", "web", 300_000), ("2025-05", "web", 100_000), ("2025-06", "tools", 50_000),
         ("2025-04", "event", 200_000), ("2025-03", "web", 999)]


def program() -> Program:
    base = healthy()
    leads = pd.DataFrame([{"lead_id": lid, "created_at": f"{c}T10:00:00", "source": src, "segment": "smb",
                           "email": f"{lid.lower()}@example.co.jp", "company": f"{lid}株式会社", "score": 50,
                           "mql_at": f"{m}T10:00:00" if m else "", "sql_at": f"{s}T10:00:00" if s else "",
                           "first_sales_touch_at": f"{m}T12:00:00" if m else ""} for lid, src, c, m, s in LEADS])
    deals = pd.DataFrame([{"deal_id": did, "created_at": f"{c}T10:00:00", "amount": amount, "stage": stage,
                           "closed_at": f"{closed}T10:00:00" if closed else "", "lead_id": lid, "ma_sourced": "true"}
                          for did, lid, c, amount, stage, closed in DEALS])
    spend = pd.DataFrame(SPEND, columns=["month", "channel", "amount"])
    return Program({**base.tables, "leads": leads, "deals": deals, "spend": spend}, base.config)


def test_the_channel_table_matches_hand_computed_figures(tmp_path: Path) -> None:
    config, dataset = program().load(tmp_path)
    table = channel_table(build_inputs(dataset, kpi_params(config.settings)), Month(2025, 6))
    rows = {(r.kind, r.code): r for r in table.rows}
    assert [(r.kind, r.code) for r in table.rows] == [("source", "event"), ("source", "web"), ("source", UNKNOWN),
                                                       ("spend_only", "tools"), ("total", "")]
    web, event = rows["source", "web"], rows["source", "event"]
    assert web.month == ChannelFigures(300_000, leads=1, mqls=2, sqls=1, deals=1, pipeline=1_000_000, won=0)
    assert web.trailing == ChannelFigures(400_000, leads=2, mqls=2, sqls=1, deals=2, pipeline=1_500_000, won=0)
    assert web.month.cpl == 300_000 and web.trailing.cpl == 200_000
    assert event.month == ChannelFigures(0, leads=1, mqls=0, sqls=0, deals=0, pipeline=0, won=2_000_000)
    assert event.trailing == ChannelFigures(200_000, leads=2, mqls=1, sqls=1, deals=1, pipeline=2_000_000,
                                            won=2_000_000)
    assert rows["source", UNKNOWN].trailing.leads == 1
    assert rows["source", UNKNOWN].trailing.spend is None and rows["source", UNKNOWN].trailing.cpl is None  # not 0
    assert rows["spend_only", "tools"].trailing.spend == 50_000  # no lead comes from tools: its own row
    total = rows["total", ""]
    assert total.month == ChannelFigures(350_000, leads=3, mqls=2, sqls=1, deals=1, pipeline=1_000_000, won=2_000_000)
    assert total.trailing == ChannelFigures(650_000, leads=5, mqls=3, sqls=2, deals=3, pipeline=3_500_000,
                                            won=2_000_000)

    month, trailing = channel_tables(table, Translator("ja"), "JPY")
    assert month.header[:4] == ("経路", "費用", "リード", "CPL")
    assert month.rows[1] == ("web", "30万円", "1", "30万円", "2", "1", "1", "100万円", "0円")
    assert trailing.rows[3] == ("tools(費用のみ)", "5万円", "—", "—", "—", "—", "—", "—", "—")
    assert trailing.rows[2][:4] == ("リードソース未設定", "—", "1", "—")
