"""No text outside its table cell in the PDF (issue 21: the English header "Unsubscribe rate" was clipped to
"Unsubscribe rat"): the laid-out boxes of WeasyPrint's own rendering are read back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from retropack.present.view import PackView
from retropack.render.charts import draw_charts
from retropack.render.pdf import FONT, LocalOnlyFetcher, render_html, templates_folder


def _walk(box: boxes.Box) -> Iterator[boxes.Box]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def overflowing_headers(view: PackView, folder: Path) -> list[str]:
    """Each table header whose text runs past its cell's right edge."""
    charts = draw_charts(view, folder)
    fetcher = LocalOnlyFetcher([templates_folder(), FONT.parent, folder])
    document = HTML(string=render_html(view, charts), base_url=str(templates_folder()), url_fetcher=fetcher).render()
    found = []
    for page in document.pages:
        for cell in _walk(page._page_box):
            if not isinstance(cell, boxes.TableCellBox) or cell.element_tag != "th":
                continue
            right = cell.content_box_x() + cell.width
            texts = [b for b in _walk(cell) if isinstance(b, boxes.TextBox)]
            if any(text.position_x + text.width > right + 0.5 for text in texts):
                found.append(" ".join(text.text for text in texts))
    return found


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_no_table_header_runs_out_of_its_cell(locale: str, demo_view: Callable[..., PackView],
                                              tmp_path: Path) -> None:
    assert overflowing_headers(demo_view("2026-10", locale=locale), tmp_path) == []
