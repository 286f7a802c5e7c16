"""Deck tables whose words fit their cells (issue 21: the English KPI table's header read "Focu / s", and
"△ Narrowly missed" on two lines pushed the last row into the legend). Widths are measured with the
embedded Japanese font's metrics (IPAexGothic, the PDF's font) at the cell's size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import ImageFont
from pptx import Presentation
from pptx.util import Emu

from retropack.present.view import PackView
from retropack.render.deck import render_pptx
from retropack.render.pdf import FONT


def text_inches(text: str, size_pt: float, *, bold: bool = False) -> float:
    font = ImageFont.truetype(str(FONT), 100)
    return font.getlength(text) / 100 * size_pt / 72 * (1.05 if bold else 1.0)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_the_kpi_tables_header_words_and_statuses_fit_on_one_line(locale: str, demo_view: Callable[..., PackView],
                                                                  tmp_path: Path) -> None:
    view = demo_view("2026-10", locale=locale)
    render_pptx(view, tmp_path / "deck.pptx")
    slide = Presentation(str(tmp_path / "deck.pptx")).slides[2]
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    for c, column in enumerate(table.columns):
        room = Emu(column.width).inches - 0.12  # the cell's left and right margins
        header = table.cell(0, c).text_frame
        size = header.paragraphs[0].runs[0].font.size.pt
        for word in header.text.split():  # a header may wrap between words, never inside one
            assert text_inches(word, size, bold=True) <= room, (word, room)
    status = len(table.columns) - 1
    for r in range(1, len(table.rows)):
        cell = table.cell(r, status).text_frame
        assert text_inches(cell.text, cell.paragraphs[0].runs[0].font.size.pt) <= Emu(table.columns[status].width).inches - 0.12, cell.text
