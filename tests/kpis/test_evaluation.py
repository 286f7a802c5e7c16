"""Status rules and phases of contract §3."""

from __future__ import annotations

import pytest

from retropack.config import Targets
from retropack.errors import ConfigError
from retropack.kpis.evaluation import judge
from retropack.kpis.phases import phase_of
from retropack.months import Month


@pytest.mark.parametrize(
    ("actual", "target", "better", "expected"),
    [
        (200, 200, "higher", "achieved"),
        (180, 200, "higher", "near"),  # exactly T × (1 − 0.10)
        (179.9, 200, "higher", "missed"),
        (5000, 5000, "lower", "achieved"),
        (5500, 5000, "lower", "near"),  # exactly T × (1 + 0.10)
        (5500.1, 5000, "lower", "missed"),
        (None, 200, "higher", "no_data"),
        (120, None, "higher", "no_target"),
        (None, None, "lower", "no_target"),
    ],
)
def test_status(actual, target, better, expected) -> None:
    assert judge(actual, target, better, 0.10) == expected


@pytest.mark.parametrize(
    ("month", "index", "phase"),
    [("2025-06", 1, "launch"), ("2025-08", 3, "launch"), ("2025-09", 4, "growth"), ("2025-11", 6, "growth"),
     ("2025-12", 7, "optimization"), ("2026-05", 12, "optimization"), ("2026-06", 13, "maturity"),
     ("2027-06", 25, "maturity")],
)
def test_month_index_and_phase(month: str, index: int, phase: str) -> None:
    result = phase_of(Month.parse(month), Month(2025, 6))
    assert (result.month_index, result.id) == (index, phase)


def test_month_before_start_is_refused_with_the_setting_named() -> None:
    with pytest.raises(ConfigError, match="program.start_month"):
        phase_of(Month(2025, 5), Month(2025, 6))


def test_targets_layer_seed_then_default_then_phase() -> None:
    targets = Targets(default={"new_leads": 150, "roi": 1.0}, growth={"new_leads": 180, "cpl": None})
    growth = targets.for_phase("growth")
    assert growth["new_leads"] == 180  # phase wins
    assert "cpl" not in growth  # null removes the seed's target
    assert growth["roi"] == 1.0  # from default
    assert growth["mqls"] == 50  # the seed's example
    assert targets.for_phase("launch")["new_leads"] == 150
