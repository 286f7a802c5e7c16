"""The demo's explanations, in kpis.json and in the pack: every breakdown and the factors add up to the change,
sections 2 and 3 say whether the mix or the rate moved, and no cause rests on a small sample."""

from __future__ import annotations

import math
import re

import pytest
from pptx import Presentation
from pypdf import PdfReader

from retropack.config import load_config
from retropack.flow import steps
from retropack.months import Month
from retropack.publish.kpis_json import kpis_document
from retropack.render.deck import render_pptx
from retropack.render.pdf import render_pdf
from tests.conftest import DEMO_CONFIG, DEMO_EN_CONFIG, GENERATED


@pytest.fixture(scope="module")
def demo():
    config = load_config(DEMO_CONFIG)
    return config, steps.load(config.settings)


@pytest.mark.parametrize("month", ["2026-10", "2026-08", "2026-03", "2025-09"])
def test_every_kpi_with_a_change_adds_up_in_kpis_json(demo, month: str) -> None:
    config, dataset = demo
    analysis = steps.compute(dataset, config, Month.parse(month))
    document = kpis_document("demo", month, analysis.phase, analysis.results, analysis.insights)
    explained = 0
    for kpi in document["kpis"]:
        if kpi["change"] is None:
            assert kpi["explanation"] is None
            continue
        explanation = kpi["explanation"]
        for breakdown in explanation["by"]:
            total = sum(part["effect"] for part in breakdown["parts"])
            assert math.isclose(total, kpi["change"], rel_tol=1e-9, abs_tol=1e-9), (kpi["id"], breakdown["dimension"])
            explained += 1
        if explanation["factors"] is not None:
            total = sum(factor["effect"] for factor in explanation["factors"])
            assert math.isclose(total, kpi["change"], rel_tol=1e-9, abs_tol=1e-9), kpi["id"]
            explained += 1
    assert explained >= 20
    assert {"type", "kpi", "evidence", "rules"} <= set(document["insights"][0])


@pytest.fixture(scope="module", params=["ja", "en"])
def pack(request, tmp_path_factory: pytest.TempPathFactory):
    config = load_config(DEMO_CONFIG if request.param == "ja" else DEMO_EN_CONFIG)
    dataset = steps.load(config.settings)
    analysis = steps.compute(dataset, config, Month.parse("2026-10"))
    view = steps.view(analysis, dataset, config, "test", GENERATED)
    folder = tmp_path_factory.mktemp(request.param)
    render_pdf(view, folder / "pack.pdf")
    render_pptx(view, folder / "pack.pptx")
    return analysis, view, folder


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_no_cause_rests_on_a_small_sample(pack) -> None:
    analysis, _, _ = pack
    told = [c for h in analysis.buckets.all() for c in h.why.causes if c.part is not None]
    assert told and not any(c.part.small for c in told)
    small = [c for h in analysis.buckets.all() for c in h.why.small]
    assert small and all(c.part.small for c in small)  # the demo's won revenue rests on a handful of deals


def test_sections_two_and_three_say_whether_the_mix_or_the_rate_moved(pack) -> None:
    analysis, view, folder = pack
    words = view.words
    text = squashed("".join(page.extract_text() for page in PdfReader(folder / "pack.pdf").pages))
    rates = [h for h in view.highlights if h.kpi_id in ("email_open_rate", "email_ctr", "unsubscribe_rate",
                                                                "sla_followup_rate") and h.causes]
    assert rates
    for highlight in rates:
        assert highlight.mostly in (words("why.mostly.mix.email"), words("why.mostly.rate.email"),
                                    words("why.mostly.mix.sla"), words("why.mostly.rate.sla"))
        assert squashed(highlight.mostly) in text
        for line in highlight.causes:
            assert squashed(line) in text
    for highlight in view.highlights:
        for caveat in highlight.caveats:
            assert squashed(caveat) in text
    deck = Presentation(str(folder / "pack.pptx"))
    notes = " ".join(slide.notes_slide.notes_text_frame.text for slide in deck.slides)
    assert all(h.mostly in notes for h in rates)
    waterfall = next(slide for slide in deck.slides
                     if slide.shapes.title.text == words("deck.appendix_title", section=words("waterfall.title")))
    charts = [shape.chart for shape in waterfall.shapes if shape.has_chart]
    assert len(charts) == len(view.waterfalls) == 3
