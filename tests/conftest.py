"""Shared fixtures: one Prefect test server for the session, and the repository's paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "config" / "demo.yaml"
DEMO_EN_CONFIG = ROOT / "config" / "demo-en.yaml"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def prefect_server():
    """Flows in tests run against Prefect's own test harness, as the scheduler would run them."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
