"""The 60-minute meeting (issue 21), read back from the rendered demo: the main part of the deck is at most 14
slides in the seed's agenda, the quarterly review follows it in full at a quarter's end (program months 3, 6, …;
the demo starts in 2025-06, so 2026-08 is month 15) or when asked for, then the appendix behind its divider; the
PDF follows the same order and cut; nothing of the configuration, the run or the tool is on a page, a slide or in
the notes; the notes are talking points, not the slide read again."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from retropack.config import Settings, load_config
from retropack.flow import steps
from retropack.months import Month
from retropack.present.view import PackView
from retropack.render.deck import render_pptx
from retropack.render.pdf import render_pdf
from tests.conftest import DEMO_CONFIG, DEMO_EN_CONFIG, GENERATED

MAIN_SLIDES = 14
RUN_ID = "5f1c0ffee9d2"  # the run id given to the view: it must stay in manifest.json
CASES = {  # name: month, locale, --quarterly
    "ja": ("2026-10", "ja", False),
    "en": ("2026-10", "en", False),
    "quarter-end": ("2026-08", "ja", False),
    "asked": ("2026-09", "en", True),
}


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[PackView, Presentation, list[str]]]:
    """name → (view, deck, PDF pages' text), each view built with RUN_ID."""
    built, loaded = {}, {}
    for name, (month, locale, quarterly) in CASES.items():
        path = DEMO_EN_CONFIG if locale == "en" else DEMO_CONFIG
        if path not in loaded:
            config = load_config(path)
            loaded[path] = config, steps.load(config.settings)
        config, dataset = loaded[path]
        analysis = steps.compute(dataset, config, Month.parse(month), quarterly)
        view = steps.view(analysis, dataset, config, RUN_ID, GENERATED, quarterly=quarterly)
        folder = tmp_path_factory.mktemp(name)
        render_pptx(view, folder / "pack.pptx")
        render_pdf(view, folder / "pack.pdf")
        built[name] = (view, Presentation(str(folder / "pack.pptx")),
                       [page.extract_text() for page in PdfReader(folder / "pack.pdf").pages])
    return built


def titles(deck: Presentation) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in deck.slides]


def dividers(view: PackView) -> tuple[str, str]:
    return view.words("section.quarterly"), view.words("section.appendix")


def main_part(view: PackView, deck: Presentation) -> list[str]:
    """The slides before the first divider (the quarterly review's or the appendix')."""
    names = titles(deck)
    return names[:min(names.index(d) for d in dividers(view) if d in names)]


@pytest.mark.parametrize("name", CASES)
def test_the_main_part_is_at_most_14_slides_in_the_seeds_agenda(packs, name: str) -> None:
    view, deck, _ = packs[name]
    tr = view.words
    main = main_part(view, deck)
    assert len(main) <= MAIN_SLIDES
    assert main == [view.title, tr("section.summary"), tr("section.kpis"), tr("chart.trend"), view.weekly.title,
                    view.sends.title, tr("section.wins"), tr("section.misses"), tr("section.followup"),
                    view.previous_title, tr("section.actions"), tr("section.plan"), tr("section.closing")]


@pytest.mark.parametrize("name", CASES)
def test_the_quarterly_review_follows_the_main_part_only_in_a_quarters_end_or_when_asked(packs, name: str) -> None:
    view, deck, pages = packs[name]
    tr = view.words
    names = titles(deck)
    quarterly, appendix = dividers(view)
    assert view.quarterly == (name in ("quarter-end", "asked"))
    first_page = [squashed(page) for page in pages]
    if view.quarterly:
        assert len(main_part(view, deck)) == names.index(quarterly) < names.index(appendix)
        review = names[names.index(quarterly) + 1:names.index(appendix)]
        assert review[0] == tr("section.health") and tr("section.scoring") in review
        assert view.diagnosis_line == ""
        start = next(i for i, page in enumerate(first_page) if page.startswith(squashed(quarterly)))
        assert squashed(tr("section.health")) in first_page[start]
        assert start < next(i for i, page in enumerate(first_page) if page.startswith(squashed(appendix)))
    else:
        assert quarterly not in names and not any(t.startswith(tr("section.health")) for t in names)
        assert view.diagnosis_line and squashed(view.diagnosis_line) in first_page[1]  # the summary's one line
        assert not any(squashed(tr("section.health")) in page for page in first_page)


@pytest.mark.parametrize("name", CASES)
def test_the_pdf_follows_the_same_order_and_cut(packs, name: str) -> None:
    view, deck, pages = packs[name]
    tr = view.words
    text = [squashed(page) for page in pages]
    appendix = next(i for i, page in enumerate(text) if page.startswith(squashed(tr("section.appendix"))))
    assert appendix <= MAIN_SLIDES + (5 if view.quarterly else 0)
    order = [tr("section.summary"), tr("section.kpis"), view.weekly.title, view.sends.title, tr("section.wins"),
             tr("section.misses"), tr("section.followup"), view.previous_title, tr("section.actions"),
             tr("section.plan"), tr("section.closing")]
    found = [next(i for i, page in enumerate(text) if i and page.startswith(squashed(heading)) or
                  i and squashed(heading) in page[:400]) for heading in order]
    assert found == sorted(found) and found[-1] < appendix
    assert len(pages) > appendix  # the cards, waterfalls, funnel, data quality and definitions follow


def _deck_texts(deck: Presentation) -> list[str]:
    texts = []
    for slide in deck.slides:
        parts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        parts += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows
                  for cell in row.cells]
        parts.append(slide.notes_slide.notes_text_frame.text)
        texts.append("\n".join(parts))
    return texts


def _config_keys() -> set[str]:
    """Every key of the settings model, nested ones as ``block.key`` (what a reader must never see)."""
    keys = set()
    for block, field in Settings.model_fields.items():
        annotation = field.annotation
        nested = getattr(annotation, "model_fields", None)
        keys |= {f"{block}.{key}" for key in nested or ()}
    return keys


@pytest.mark.parametrize("name", CASES)
def test_no_client_id_run_id_or_configuration_key_is_shown(packs, tmp_path: Path, name: str) -> None:
    view = replace(packs[name][0], client="acme-7731")  # a client id no word of the pack contains
    render_pptx(view, tmp_path / "pack.pptx")
    render_pdf(view, tmp_path / "pack.pdf")
    shown = _deck_texts(Presentation(str(tmp_path / "pack.pptx")))
    shown += [page.extract_text() for page in PdfReader(tmp_path / "pack.pdf").pages]
    keys = _config_keys()
    for text in shown:
        assert "acme-7731" not in text and "demo" not in text.replace("Demo", "")
        assert RUN_ID not in text and "実行ID" not in text and "Run id" not in text
        assert not [key for key in keys if key in text]
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.search(r"\b[a-z]+_[a-z_]+\b", text)  # no snake_case
        for speak in ("を設定すると", "データに加えていただくと", "参考:", "See: ", "Set the team"):
            assert speak not in text


def _words(text: str) -> set[str]:
    """Words to compare a slide with its notes: Latin words and numbers, and Japanese as character pairs."""
    latin = {w.lower() for w in re.findall(r"[A-Za-z]{3,}|\d[\d,.]*", text)}
    japanese = {text[i:i + 2] for i in range(len(text) - 1)
                if all("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text[i:i + 2])}
    return latin | japanese


@pytest.mark.parametrize("name", CASES)
def test_the_notes_are_talking_points_not_the_slide_again(packs, name: str) -> None:
    """Under half of a slide's words come back in its notes, on every slide of the main part that has words of
    its own (the quarterly review's and the appendix' notes still list what their slides show)."""
    view, deck, _ = packs[name]
    for slide in list(deck.slides)[:len(main_part(view, deck))]:
        shown = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame
                 and shape != slide.shapes.title]
        shown += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows
                  for cell in row.cells]
        words = _words("\n".join(shown))
        notes = _words(slide.notes_slide.notes_text_frame.text)
        if len(words) >= 20:
            assert len(words & notes) / len(words) < 0.5, slide.shapes.title.text_frame.text


@pytest.mark.parametrize("name", list(CASES))
def test_no_page_of_the_pdf_is_near_empty(packs, name: str) -> None:
    """A page with a table's last row and nothing else (the closing tables spilling over) is paper for nothing:
    every page but the appendix's divider holds at least a few lines."""
    _, _, pages = packs[name]
    thin = [(number, squashed(text)[:40]) for number, text in enumerate(pages, start=1)
            if len(squashed(text)) < 120 and number > 1]
    dividers = [(n, t) for n, t in thin if len(pages[n - 1].strip().splitlines()) <= 3]  # the appendix's title page
    assert [p for p in thin if p not in dividers] == []
