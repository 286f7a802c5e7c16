"""Honest, readable charts (issue 21): bars from zero, every waterfall bar labelled, step names written
across, and no repeated tick label, in the PDF's matplotlib charts and the deck's native charts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from pptx import Presentation
from pptx.chart.chart import Chart

from retropack.present.formatting import axis_format
from retropack.present.view import PackView
from retropack.render.charts import AxisTicks, _waterfall_axis
from retropack.render.deck import render_pptx


@pytest.fixture(scope="module", params=["ja", "en"])
def view(request: pytest.FixtureRequest, demo_view: Callable[..., PackView]) -> PackView:
    return demo_view("2026-10", locale=request.param)


def test_every_waterfall_bar_is_labelled_from_zero_with_names_across(view: PackView) -> None:
    assert {w.kpi_id for w in view.waterfalls} >= {"ltv", "cac", "pipeline_velocity"}
    for chart in view.waterfalls:
        fig, ax = plt.subplots(figsize=(3.7, 3.8))
        _waterfall_axis(ax, chart)
        fig.canvas.draw()
        assert ax.get_ylim()[0] == 0, chart.kpi_id  # LTV's bars began at ¥130万 before
        written = [text.get_text() for text in ax.texts]
        assert written == [step.text for step in chart.steps], chart.kpi_id  # every bar, largest too
        ticks = ax.get_xticklabels()
        assert all(label.get_rotation() == 0 for label in ticks), chart.kpi_id
        assert ["".join(t.get_text().split()) for t in ticks] == ["".join(s.label.split()) for s in chart.steps]
        boxes = [label.get_window_extent() for label in ticks]
        assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:], strict=False)), chart.kpi_id  # no overlap
        values = [label.get_text() for label in ax.get_yticklabels() if label.get_text()]
        assert len(values) == len(set(values)), values
        plt.close(fig)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_a_narrow_money_axis_never_repeats_a_tick_label(locale: str) -> None:
    """Trend lines keep their own range: ¥1.33M–¥1.38M read '¥1.4M' three times in English."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1_326_706, 1_370_793])
    ax.set_ylim(1_320_000, 1_380_000)
    ax.yaxis.set_major_formatter(AxisTicks(axis_format("money", locale, "JPY")))
    fig.canvas.draw()
    labels = [label.get_text() for label in ax.get_yticklabels() if label.get_text()]
    plt.close(fig)
    assert len(labels) >= 3 and len(labels) == len(set(labels)), labels


def _charts(path: Path) -> list[Chart]:
    return [shape.chart for slide in Presentation(str(path)).slides for shape in slide.shapes if shape.has_chart]


def test_deck_bar_charts_start_at_zero_and_label_every_waterfall_bar(view: PackView, tmp_path: Path) -> None:
    render_pptx(view, tmp_path / "deck.pptx")
    charts = _charts(tmp_path / "deck.pptx")
    bars = [c for c in charts if c.chart_type is not None and "LINE" not in str(c.chart_type)]
    assert len(bars) >= len(view.waterfalls) + 1 + len(view.weekly.panels)
    assert all(c.value_axis.minimum_scale == 0 for c in bars)  # PowerPoint began LTV at ¥1,300,000
    titles = {w.title: w for w in view.waterfalls}
    drawn = [c for c in bars if c.has_title and c.chart_title.text_frame.text in titles]
    assert len(drawn) == len(view.waterfalls)
    for chart in drawn:
        steps = titles[chart.chart_title.text_frame.text].steps
        categories = list(chart.plots[0].categories)
        assert categories == [f"{s.label}\n{s.text}" for s in steps]  # each bar: its name over its value/change
        assert chart.category_axis._element.txPr.bodyPr.get("rot") == "0"  # across, never diagonal
