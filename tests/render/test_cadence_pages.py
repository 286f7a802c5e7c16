"""The article's cadence in the rendered demo pack, read back: the PDF's text (pypdf) and the deck opened with
python-pptx, in both languages. October 2026 has sales' feedback in the demo data; September has none."""

from __future__ import annotations

import re

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pypdf import PdfReader

from retropack.render._deck_blocks import PALETTE
from retropack.render.deck import render_pptx
from retropack.render.pdf import render_pdf


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered(demo_view, tmp_path_factory: pytest.TempPathFactory):
    """month, locale → (view, PDF pages' text, deck)."""
    packs = {}
    for month, locale, quarterly in (("2026-10", "ja", False), ("2026-10", "en", False), ("2026-09", "ja", False),
                                     ("2026-10", "ja", True)):
        view = demo_view(month, locale=locale, quarterly=quarterly)
        folder = tmp_path_factory.mktemp(f"{month}-{locale}")
        render_pdf(view, folder / "pack.pdf")
        render_pptx(view, folder / "pack.pptx")
        pages = [squashed(page.extract_text()) for page in PdfReader(folder / "pack.pdf").pages]
        packs[(month, locale, "quarterly") if quarterly else (month, locale)] = (
            view, pages, Presentation(str(folder / "pack.pptx")))
    return packs


def page_of(pages: list[str], heading: str) -> int:
    """The first page after the cover (whose agenda names every section) that has ``heading``."""
    return next(i for i, page in enumerate(pages) if i and squashed(heading) in page)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_section_1_shows_the_weeks_and_every_send_in_the_pdf(rendered, locale: str) -> None:
    view, pages, _ = rendered["2026-10", locale]
    weekly = pages[page_of(pages, view.weekly.title)]
    for row in view.weekly.table.rows:
        assert squashed("".join(row)) in weekly
    assert squashed(view.weekly.note) in weekly
    sends = pages[page_of(pages, view.sends.title)]
    assert page_of(pages, view.sends.title) < page_of(pages, view.words("section.wins"))
    for row in view.sends.table.rows:  # the demo's nine sends and the total fit one page
        assert squashed("".join(row)) in sends
    assert "▼" in sends and "▲" in sends


def test_the_feedback_slot_is_beside_the_sla_list_in_section_3(rendered) -> None:
    view, pages, _ = rendered["2026-10", "ja"]
    text = "".join(pages)
    sla = text.index(squashed(view.sla_title))
    slot = text.index("営業からのMQLフィードバック", sla)
    actions = text.index(squashed(view.words("section.actions")), sla)
    assert slot < actions
    assert squashed("2026年10月のMQL68件のうち8件を営業が評価しました。") in text[slot:actions]
    assert squashed("青葉不動産株式会社高橋美咲情報収集段階で検討時期が未定") in text[slot:actions]  # company, owner, reason


def test_a_month_without_feedback_has_blank_rows_to_fill_in(rendered) -> None:
    view, pages, deck = rendered["2026-09", "ja"]
    assert not view.feedback.filled
    text = "".join(pages)
    slot = text.index(squashed("営業からのMQLフィードバック(会議で記入)2026年9月のMQLについて、"))
    assert text.index(squashed("リード(会社名)評価(適切/不適切)理由"), slot) < text.index(
        squashed(view.words("section.actions")), slot)
    slide = next(s for s in deck.slides if any(sh.has_text_frame and "会議で記入" in sh.text_frame.text
                                               for sh in s.shapes))
    table = [sh.table for sh in slide.shapes if sh.has_table][-1]  # beside the MQLs left waiting
    assert [c.text for c in table.rows[0].cells] == ["リード(会社名)", "評価(適切/不適切)", "理由"]
    assert len(table.rows) == 1 + 6 and all(c.text == "" for row in list(table.rows)[1:] for c in row.cells)


def test_the_roadmap_page_says_the_evidence_and_the_scoring_review_status(rendered) -> None:
    view, pages, _ = rendered["2026-10", "ja", "quarterly"]
    roadmap = pages[page_of(pages, view.words("roadmap.title"))]
    assert squashed(view.diagnosis.roadmap.scoring_status) in roadmap
    assert squashed("次回は2026年11月(運用18ヶ月目)です。前回の見直し月は2026年8月(運用15ヶ月目)でした。") in roadmap
    assert squashed("△達成(現在は未維持)") in roadmap and squashed("今月は未維持:SLA遵守率75.0%(目標85.0%以上)で未達") in roadmap


def titles(deck) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in deck.slides]


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_the_deck_has_three_native_weekly_charts_and_the_send_table(rendered, locale: str) -> None:
    view, _, deck = rendered["2026-10", locale]
    names = titles(deck)
    weekly = deck.slides[names.index(view.weekly.title)]
    charts = [sh.chart for sh in weekly.shapes if sh.has_chart]
    assert [c.chart_type for c in charts] == [XL_CHART_TYPE.COLUMN_CLUSTERED] * 3
    for chart, panel in zip(charts, view.weekly.panels, strict=True):
        assert tuple(chart.plots[0].categories) == view.weekly.weeks
        assert tuple(chart.plots[0].series[0].values) == panel.values
    sends = deck.slides[names.index(view.sends.title)]
    table = next(sh.table for sh in sends.shapes if sh.has_table)
    assert [c.text for c in table.rows[0].cells] == list(view.sends.slide.header)
    assert [[c.text for c in row.cells] for row in list(table.rows)[1:]] == [list(r) for r in view.sends.slide.rows]
    for row, column in view.sends.slide_off:
        assert table.cell(row + 1, column).fill.fore_color.rgb == PALETTE["missed"]
    assert names.index(view.weekly.title) < names.index(view.sends.title) < names.index(view.words("section.wins"))


def test_the_feedback_shares_the_slide_of_the_mqls_left_waiting(rendered) -> None:
    view, _, deck = rendered["2026-10", "ja"]
    texts = ["\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame) for slide in deck.slides]
    slide = next(i for i, text in enumerate(texts) if view.sla_title in text)
    assert "営業からのMQLフィードバック" in texts[slide] and view.feedback.summary in texts[slide]
    sla, feedback = (sh.table for sh in deck.slides[slide].shapes if sh.has_table)
    assert [[c.text for c in row.cells] for row in list(sla.rows)[1:]] == [list(r) for r in view.sla.rows]
    assert [[c.text for c in row.cells] for row in list(feedback.rows)[1:]] == [
        [r[1], r[4], r[5]] for r in view.feedback.table.rows[:6]]
