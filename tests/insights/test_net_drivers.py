"""Net drivers over the whole demo: for every KPI with a change, the parts told (and drawn) plus "others" sum to
the change exactly, largest first in either direction."""

from __future__ import annotations

from functools import cache

import pytest

from retropack.config import load_config
from retropack.flow import steps
from retropack.insights.analysis import Analysis
from retropack.insights.why import tell
from retropack.months import Month
from tests.conftest import DEMO_CONFIG


@cache
def demo(month: str) -> Analysis:
    config = load_config(DEMO_CONFIG)
    return steps.compute(steps.load(config.settings), config, Month.parse(month), False)


@pytest.mark.parametrize("month", ["2026-10", "2026-07"])
def test_every_kpis_told_parts_sum_to_its_change(month: str) -> None:
    told = 0
    for result in demo(month).results:
        net = tell(result).net
        if result.change is None or result.change == 0:
            continue
        assert net is not None, result.kpi.id
        assert net.total == pytest.approx(result.change, rel=1e-9, abs=1e-9), result.kpi.id
        sizes = [abs(c.effect) for c in net.parts]
        assert sizes == sorted(sizes, reverse=True), result.kpi.id
        told += 1
    assert told >= 12
