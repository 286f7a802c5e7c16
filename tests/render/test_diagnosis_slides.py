"""The diagnosis slides, opened back with python-pptx: 16:9, the font set for Japanese, native chart, notes."""

from __future__ import annotations

from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches

from retropack.render._deck_diagnosis import add_diagnosis_slides


def deck(view):
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Inches(7.5)
    add_diagnosis_slides(prs, view)
    return prs


def texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) + "\n".join(
        c.text for s in slide.shapes if s.has_table for row in s.table.rows for c in row.cells)


def test_a_review_month_adds_the_scoring_slides_with_a_native_chart(demo_view) -> None:
    prs = deck(demo_view("2026-08"))
    titles = [slide.shapes.title.text_frame.text for slide in prs.slides]
    assert titles[0] == "MA運用診断: 失敗パターン5つのヘルスチェック"
    assert "MA運用診断: リードスコアリングの四半期見直し" in titles
    charts = [s.chart for slide in prs.slides for s in slide.shapes if s.has_chart]
    assert len(charts) == 1 and charts[0].chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert [s.name for s in charts[0].plots[0].series] == ["SQL化したMQL", "SQL化しなかったMQL"]
    assert all(slide.has_notes_slide and slide.notes_slide.notes_text_frame.text for slide in prs.slides)


def test_the_overview_names_every_pattern_and_the_team_shows_its_shortfall(demo_view) -> None:
    prs = deck(demo_view("2026-10", locale="en", quarterly=True))
    overview, *rest = prs.slides
    for number in range(1, 6):
        assert f"Failure pattern {number}:" in texts(overview)
    team = next(s for s in rest if "The team against" in s.shapes.title.text_frame.text)
    assert "33–50 h" in texts(team) and "10 h" in texts(team)
    assert any("scoring" in s.shapes.title.text_frame.text for s in rest)  # the quarterly review holds the scoring's


def test_a_month_that_ends_no_quarter_has_no_diagnosis_slides(demo_view) -> None:
    """October 2026 is program month 17: the summary carries the alerts in one line, the review waits for month 18."""
    view = demo_view("2026-10")
    assert not view.quarterly and view.diagnosis.scoring is None
    assert len(deck(view).slides) == 0
    assert view.diagnosis_line.startswith("運用診断の注意点(2026年11月の四半期レビューで詳しく確認): ")
    assert "× 失敗パターン3: 営業との連携ができていない" in view.diagnosis_line


def test_every_run_has_the_japanese_typeface(demo_view) -> None:
    prs = deck(demo_view("2026-10", quarterly=True))
    runs = [r for slide in prs.slides for shape in slide.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs]
    assert runs and all(r.font.name == "Meiryo" for r in runs)
    assert all(r.font._element.find(qn("a:ea")).get("typeface") == "Meiryo" for r in runs)
