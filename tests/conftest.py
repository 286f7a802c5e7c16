"""Shared fixtures: one Prefect test server for the session, the repository's paths, and the demo and
fixture programs computed once."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("MPLBACKEND", "Agg")

from retropack.config import load_config
from retropack.flow import steps
from retropack.insights.analysis import Analysis
from retropack.load import TableQuality
from retropack.months import Month
from retropack.present.view import PackView
from tests.programs import MONTH, Program

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "config" / "demo.yaml"
DEMO_EN_CONFIG = ROOT / "config" / "demo-en.yaml"
GENERATED = datetime(2026, 9, 1, 9, 0)

# CI checks the same generated examples every time (a failure there is reproducible and blames a change, not luck);
# a run elsewhere searches anew each time (FUZZ_N=200 searches longer), and what it finds becomes an @example.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def prefect_server():
    """Flows in tests run against Prefect's own test harness, as the scheduler would run them (on a crowded machine
    its start may take longer than a minute: RETROPACK_TEST_SERVER_TIMEOUT gives it more seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=int(os.environ.get("RETROPACK_TEST_SERVER_TIMEOUT", "600"))):
        yield


@pytest.fixture(scope="session")
def demo_view() -> Callable[..., PackView]:
    """The demo's view model for a month (``locale`` "en" reads the English config), computed once each."""
    loaded = {}

    @cache
    def view(month: str, scoring_review: bool = False, locale: str = "ja", quarterly: bool = False) -> PackView:
        path = DEMO_EN_CONFIG if locale == "en" else DEMO_CONFIG
        if path not in loaded:
            config = load_config(path)
            loaded[path] = (config, steps.load(config.settings))
        config, dataset = loaded[path]
        analysis = steps.compute(dataset, config, Month.parse(month), scoring_review or quarterly)
        return steps.view(analysis, dataset, config, "test", GENERATED, quarterly=quarterly)

    return view


@pytest.fixture()
def analyse(tmp_path: Path) -> Callable[..., Analysis]:
    """Write a fixture program to CSV and YAML, load it as a client's would be, and compute ``month``."""

    def run(program: Program, month: str = MONTH, scoring_review: bool = False) -> Analysis:
        config, dataset = program.load(tmp_path)
        return steps.compute(dataset, config, Month.parse(month), scoring_review)

    return run


def rejected(quality: TableQuality) -> pd.DataFrame | None:
    """Every rejected row of a table in one frame, wherever the load keeps them (email_events' wait on disk)."""
    batches = list(quality.reject_batches())
    return pd.concat(batches, ignore_index=True) if batches else None


# `make test-fast` runs `pytest -m "not integration"`: these files start Prefect servers or `retropack` processes,
# open LibreOffice or build the wheel; so does any test that uses the session's Prefect server.
INTEGRATION_FILES = frozenset({
    "tests/test_cli.py", "tests/test_client_ids.py", "tests/render/test_deck.py",
    "tests/operations/test_wheel.py", "tests/operations/test_operations.py",
    "tests/operations/test_prefect_api.py", "tests/operations/test_serve.py", "tests/operations/test_workers.py",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = Path(str(item.path)).resolve().relative_to(ROOT).as_posix()
        if where in INTEGRATION_FILES or where.startswith("tests/flow/") or "prefect_server" in item.fixturenames:
            item.add_marker(pytest.mark.integration)
