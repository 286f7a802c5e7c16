"""The waterfall of a focus KPI: last month, its largest parts, "others", this month; the steps add up."""

from __future__ import annotations

import pytest

from retropack.present.messages import Translator


def test_every_waterfall_of_the_demo_adds_up(demo_view) -> None:
    for month, locale in (("2026-10", "ja"), ("2026-08", "en")):
        view = demo_view(month, locale=locale)
        assert view.waterfalls, month
        for chart in view.waterfalls:
            first, *steps, last = chart.steps
            assert first.kind == last.kind == "total" and first.start == last.start == 0
            running = first.end
            for step in steps:
                assert step.start == pytest.approx(running)
                running = step.end
            assert running == pytest.approx(last.end, rel=1e-9, abs=1e-9)
            assert first.label == Translator(locale)("waterfall.previous")


def test_steps_are_coloured_by_whether_they_helped(demo_view) -> None:
    view = demo_view("2026-10")
    cac = next(w for w in view.waterfalls if w.kpi_id == "cac")  # lower is better: a fall helped
    for step in cac.steps[1:-1]:
        assert step.kind == ("better" if step.end < step.start else "worse")
