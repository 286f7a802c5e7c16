"""Charts in the program's currency: the PDF's matplotlib axes and the deck's native chart formats read
the currency from the view, never a hard-coded yen mark."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from pptx import Presentation

from retropack.flow.steps import build_pack_view
from retropack.present.view import PackView
from retropack.render.charts import _trend_axis
from retropack.render.deck import render_pptx
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def usd_view(tmp_path_factory: pytest.TempPathFactory) -> PackView:
    """The demo program (maturity phase: LTV, CAC, velocity in money) with currency USD."""
    folder = tmp_path_factory.mktemp("usd")
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("currency: JPY", "currency: USD").replace("../data/demo", str(ROOT / "data" / "demo"))
    (folder / "usd.yaml").write_text(text, encoding="utf-8")
    return build_pack_view(folder / "usd.yaml", "2026-10")


def tick_labels(series) -> list[str]:
    fig, ax = plt.subplots()
    _trend_axis(ax, series, "actual", "target")
    fig.canvas.draw()
    labels = [label.get_text() for label in ax.get_yticklabels()]
    plt.close(fig)
    return [label for label in labels if label]


def test_pdf_chart_axes_show_the_programs_currency(usd_view: PackView) -> None:
    money = [t for t in usd_view.trends if t.unit in ("money", "money_per_day")]
    assert {t.kpi_id for t in money} == {"ltv", "cac", "pipeline_velocity"}
    for series in money:
        labels = tick_labels(series)
        assert labels and all(label.startswith("$") and "¥" not in label for label in labels), labels


def test_deck_chart_axes_show_the_programs_currency(usd_view: PackView, tmp_path: Path) -> None:
    render_pptx(usd_view, tmp_path / "deck.pptx")
    formats = {shape.chart.chart_title.text_frame.text: shape.chart.value_axis.tick_labels.number_format
               for slide in Presentation(str(tmp_path / "deck.pptx")).slides for shape in slide.shapes
               if shape.has_chart and shape.chart.has_title}
    assert formats["LTV"] == formats["CAC"] == formats["パイプライン速度（日次）"] == "$#,##0"
    assert not any("¥" in number_format for number_format in formats.values())


def test_a_pdf_is_written_under_a_folder_with_spaces_and_japanese(usd_view: PackView, tmp_path: Path) -> None:
    """The charts' file URIs quote such names; the PDF still reads them (a client id may be Japanese)."""
    from pypdf import PdfReader

    from retropack.render.pdf import render_pdf

    folder = tmp_path / "株式会社ABC 10× program"
    folder.mkdir()
    render_pdf(usd_view, folder / "pack.pdf")
    reader = PdfReader(folder / "pack.pdf")
    assert len(reader.pages) > 10 and not list(folder.glob(".charts-*"))
