"""An optional table exported with its header and no rows (a new program) still gives a whole pack: the KPIs it
feeds say no_data, nothing crashes, and the documents are written. A required table (leads, email_sends, deals)
with no rows is a broken export: the run stops naming it, before any document is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from retropack.config import load_config
from retropack.errors import DataError
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


@pytest.mark.parametrize("tables", [["spend"], ["spend", "scenarios", "content_calendar", "mql_feedback"]])
def test_header_only_optional_tables_give_a_whole_pack(tables: list[str], tmp_path: Path) -> None:
    folder = build(header_only(tables, tmp_path), tmp_path)
    by_id = kpis(folder)
    assert len(by_id) == 16
    assert by_id["roi"]["status"] == "no_data"  # no spend: no return on it
    assert (by_id["new_leads"]["actual"], by_id["mqls"]["actual"]) == (245, 68)  # the demo's October, as ever
    assert len(PdfReader(next(folder.glob("*.pdf"))).pages) >= 8
    assert len(Presentation(str(next(folder.glob("*.pptx")))).slides) >= 6


@pytest.mark.parametrize("tables", [["leads", "mql_feedback"], ["email_sends"], ["deals"],
                                    ["leads", "email_sends", "deals", "spend", "scenarios", "content_calendar"]])
def test_header_only_required_table_stops_the_run_naming_it(tables: list[str], tmp_path: Path) -> None:
    data = header_only(tables, tmp_path)
    first = tables[0]
    with pytest.raises(DataError, match=rf"Table {first} \('{data / first}.csv'\) has its header row and no data "
                                        r"rows.*export the \w+ table again"):
        build(data, tmp_path)
    assert not (tmp_path / "reports").exists()
