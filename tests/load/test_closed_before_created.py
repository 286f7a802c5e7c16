"""A won or lost deal closed before it was created is a rejected row (issue 12, item 9): a typo in a year must not
add a win to the month's sums."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from retropack.config import load_config
from retropack.flow import steps
from retropack.months import Month
from tests.conftest import DEMO_CONFIG, ROOT

MONTH = Month(2026, 10)


def won_amount(data: Path) -> float | None:
    config = load_config(DEMO_CONFIG, data=data)
    analysis = steps.compute(steps.load(config.settings), config, MONTH)
    return next(r.actual for r in analysis.results if r.kpi.id == "ma_won_amount")


def test_a_win_closed_before_it_was_created_is_rejected_and_left_out_of_the_sums(tmp_path: Path) -> None:
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
    rejects = dataset.quality["deals"].rejects
    [reason] = rejects.loc[rejects["deal_id"].eq(frame.loc[won, "deal_id"]), "reason"]
    assert reason == ("closed_before_created: a deal at stage 'won' closed at '2026-10-01T00:00:00', before it was "
                      "created at '2026-10-15T00:00:00'.")
    assert won_amount(data) == before - float(frame.loc[won, "amount"])


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
