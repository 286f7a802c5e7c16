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


def test_every_card_tells_the_waterfalls_parts_in_its_order_and_they_sum_to_the_change(demo_view) -> None:
    """The text agrees with the chart: card line i carries bar i's figure, for every KPI whose chart is drawn;
    and for every card, its lines' parts (with "others") add up to the KPI's change."""
    for month, locale in (("2026-10", "ja"), ("2026-08", "en")):
        view = demo_view(month, locale=locale)
        cards = {c.kpi_id: c for c in (*view.wins, *view.watch_better, *view.misses, *view.watch_worse)}
        assert cards, month
        for chart in view.waterfalls:
            if chart.kpi_id not in cards:
                continue
            bars = chart.steps[1:-1]
            lines = cards[chart.kpi_id].causes
            assert len(lines) >= len(bars), chart.kpi_id
            for bar, line in zip(bars, lines, strict=False):
                assert bar.text in line, (chart.kpi_id, bar.text, line)


def test_the_demos_pipeline_velocity_card_names_its_largest_bar_first(demo_view) -> None:
    """The card's first cause is the chart's largest bar, whichever way it pushes (the win rate used to be
    left off the card for pushing against the change)."""
    view = demo_view("2026-10")
    card = next(c for c in (*view.wins, *view.misses, *view.watch_better, *view.watch_worse)
                if c.kpi_id == "pipeline_velocity")
    chart = next(w for w in view.waterfalls if w.kpi_id == "pipeline_velocity")
    largest = chart.steps[1]
    assert largest.text in card.causes[0] and "平均日数" in card.causes[0]  # the bar 平均商談日数, in words
    assert any("勝率" in cause for cause in card.causes)
