"""A table exported with its header and no rows (a new program, a broken sync) still gives a whole pack:
the KPIs it feeds say no_data or zero, nothing crashes, and the documents are written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from retropack.config import load_config
from retropack.flow import steps
from retropack.months import Month
from tests.conftest import DEMO_CONFIG, ROOT

MONTH = "2026-10"
DEMO_DATA = ROOT / "data" / "demo"


def header_only(tables: list[str], folder: Path) -> Path:
    data = folder / "data"
    shutil.copytree(DEMO_DATA, data)
    for table in tables:
        path = data / f"{table}.csv"
        path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")
    return data


def build(data: Path, folder: Path) -> Path:
    config = load_config(DEMO_CONFIG, data=data)
    dataset = steps.load(config.settings)
    analysis = steps.compute(dataset, config, Month.parse(MONTH), scoring_review=True)
    generated = steps.now_in(config.settings)
    view = steps.view(analysis, dataset, config, "test", generated)
    return steps.render_and_publish(view, analysis, dataset, config.settings, folder / "reports", "test",
                                    generated).files.folder


def kpis(folder: Path) -> dict[str, dict]:
    return {k["id"]: k for k in json.loads((folder / "kpis.json").read_text(encoding="utf-8"))["kpis"]}


@pytest.mark.parametrize(("tables", "no_data"), [  # sales' verdicts name leads: without leads, without verdicts
    (["leads", "mql_feedback"], ["mql_to_sql_rate", "opportunity_rate", "sla_followup_rate"]),
    (["email_sends"], ["email_open_rate", "email_ctr", "unsubscribe_rate"]),
    (["leads", "email_sends", "deals", "spend", "scenarios", "content_calendar", "mql_feedback"],
     ["email_open_rate", "mql_to_sql_rate", "opportunity_rate", "cpl"]),
])
def test_header_only_tables_give_a_whole_pack(tables: list[str], no_data: list[str], tmp_path: Path) -> None:
    folder = build(header_only(tables, tmp_path), tmp_path)
    by_id = kpis(folder)
    assert len(by_id) == 16
    assert {kpi_id: by_id[kpi_id]["status"] for kpi_id in no_data} == dict.fromkeys(no_data, "no_data")
    assert len(PdfReader(next(folder.glob("*.pdf"))).pages) >= 8
    assert len(Presentation(str(next(folder.glob("*.pptx")))).slides) >= 6
