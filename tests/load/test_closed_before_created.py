"""A won or lost deal closed before it was created is kept with a sales cycle of 0 days and reported as the finding
closed_before_created (contract §1 as changed by issue 22: real CRMs hold deals entered after they closed; issue 12
had rejected them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from retropack.config import load_config
from retropack.flow import steps
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load.dataset import Finding
from retropack.months import Month
from tests.conftest import DEMO_CONFIG, ROOT

MONTH = Month(2026, 10)


def won_amount(data: Path) -> float | None:
    config = load_config(DEMO_CONFIG, data=data)
    analysis = steps.compute(steps.load(config.settings), config, MONTH)
    return next(r.actual for r in analysis.results if r.kpi.id == "ma_won_amount")


def test_a_win_closed_before_it_was_created_is_kept_with_a_cycle_of_0_days(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    before = won_amount(data)
    deals = data / "deals.csv"
    frame = pd.read_csv(deals, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    won = frame.index[frame["stage"].eq("won") & frame["closed_at"].str.startswith(str(MONTH))
                      & frame["ma_sourced"].str.lower().eq("yes") & frame["amount"].str.isdigit()][0]
    frame.loc[won, ["created_at", "closed_at"]] = ["2026-10-15T00:00:00", "2026-10-01T00:00:00"]  # the wrong way round
    frame.to_csv(deals, index=False)

    dataset = steps.load(load_config(DEMO_CONFIG, data=data).settings)
    assert "closed_before_created" not in dataset.quality["deals"].reasons
    assert Finding("closed_before_created", "deals", 1) in dataset.findings
    kept = build_inputs(dataset, KpiParams()).deals.set_index("deal_id")
    assert kept.loc[frame.loc[won, "deal_id"], "cycle_days"] == 0.0
    assert won_amount(data) == before  # still won in October, with its amount


def test_an_open_deal_with_an_early_forecast_close_date_is_kept(tmp_path: Path) -> None:
    """An open deal's closed_at is the CRM's forecast, not a closing: it is not checked."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    deals = data / "deals.csv"
    frame = pd.read_csv(deals, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    opened = frame.index[frame["stage"].eq("open")][0]
    frame.loc[opened, "closed_at"] = "2020-01-01"
    frame.to_csv(deals, index=False)
    dataset = steps.load(load_config(DEMO_CONFIG, data=data).settings)
    assert frame.loc[opened, "deal_id"] in set(dataset.tables["deals"]["deal_id"])
