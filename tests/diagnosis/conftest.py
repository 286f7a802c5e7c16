"""Loaded once per session: the demo program, and the diagnosis of the fixture programs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from retropack import pipeline
from retropack.analysis import Analysis
from retropack.config import load_settings
from retropack.months import Month
from retropack.view import PackView
from tests.conftest import DEMO_CONFIG, DEMO_EN_CONFIG
from tests.diagnosis.programs import MONTH, Program

GENERATED = datetime(2026, 9, 1, 9, 0)


@pytest.fixture(scope="session")
def demo_view() -> Callable[..., PackView]:
    """The demo's view model for a month (``locale`` "en" reads the English config), computed once each."""
    loaded = {}

    @cache
    def view(month: str, scoring_review: bool = False, locale: str = "ja") -> PackView:
        config = DEMO_EN_CONFIG if locale == "en" else DEMO_CONFIG
        if config not in loaded:
            settings = load_settings(config)
            loaded[config] = (settings, pipeline.load(settings))
        settings, dataset = loaded[config]
        analysis = pipeline.compute(dataset, settings, Month.parse(month), scoring_review)
        return pipeline.view(analysis, dataset, settings, "test", GENERATED)

    return view


@pytest.fixture()
def analyse(tmp_path: Path) -> Callable[..., Analysis]:
    """Write a fixture program to CSV and YAML, load it as a client's would be, and compute ``month``."""

    def run(program: Program, month: str = MONTH, scoring_review: bool = False) -> Analysis:
        settings, dataset = program.load(tmp_path)
        return pipeline.compute(dataset, settings, Month.parse(month), scoring_review)

    return run
