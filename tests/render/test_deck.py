"""The PowerPoint deck, opened back with python-pptx: slides, titles, the KPI table, native charts, notes."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.enum.chart import XL_CHART_TYPE
from pypdf import PdfReader

from retropack.errors import RenderError
from retropack.flow.steps import build_pack_view
from retropack.kpis.catalog import CATALOG, KPIS
from retropack.present.formatting import NO_VALUE, axis_format, format_change, format_value
from retropack.present.messages import Translator
from retropack.present.view import (
    SYMBOLS,
    ActionView,
    FunnelStage,
    HighlightView,
    KpiRow,
    PackView,
    StatusCount,
    Table,
    TrendSeries,
)
from retropack.render.deck import render_pptx
from tests.conftest import ROOT

CONFIG = ROOT / "config"
# id: (target, actual, previous, status); the optimization phase focuses on pipeline, won revenue and ROI.
KPI_VALUES = {
    "new_leads": (200, 212, 190, "achieved"),
    "cpl": (5000, 5400, 5100, "near"),
    "mqls": (50, 44, 48, "missed"),
    "email_open_rate": (0.25, 0.262, 0.241, "achieved"),
    "email_ctr": (0.03, 0.024, 0.027, "missed"),
    "mql_to_sql_rate": (0.30, 0.318, 0.29, "achieved"),
    "sqls": (15, 14, 12, "near"),
    "opportunity_rate": (None, 0.5, 0.45, "no_target"),
    "ma_pipeline_amount": (5_000_000, 6_120_000, 4_800_000, "achieved"),
    "ma_won_amount": (1_500_000, 980_000, 1_650_000, "missed"),
    "unsubscribe_rate": (0.005, 0.0042, 0.0051, "achieved"),
    "sla_followup_rate": (0.9, 0.72, 0.81, "missed"),
    "roi": (1.0, 1.35, 0.8, "achieved"),
    "cac": (None, 490_000, 412_500, "no_target"),
    "ltv": (None, None, None, "no_data"),
    "pipeline_velocity": (None, 182_345, 160_000, "no_target"),
}
FOCUS = ("ma_pipeline_amount", "ma_won_amount", "roi")
MONTHS = tuple(f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(2, 14))  # 2025-02 … 2026-01
TRENDS = {
    "ma_pipeline_amount": (None, None, None, None, 1_200_000, 2_500_000, 3_100_000, None, 4_400_000, 5_300_000,
                           4_800_000, 6_120_000),
    "ma_won_amount": (None, None, None, None, 0, 300_000, 650_000, 800_000, None, 1_200_000, 1_650_000, 980_000),
    "roi": (None, None, None, None, -1.0, -0.6, -0.2, 0.1, 0.4, None, 0.8, 1.35),
}
FUNNEL = (1212, 344, 96, 41, 9)
FUNNEL_RATES = ["", "28.4%", "27.9%", "42.7%", "22.0%"]
DRIVERS = (  # dimension, group, now, before, effect
    ("source", "ウェビナー", "92", "61", "+31"),
    ("segment", "エンタープライズ", "48", "40", "+8"),
    ("campaign", "2026年1月 展示会フォロー", "21", "15", "+6"),
)
ACTIONS = (  # title, KPI id, owner, why
    ("MQL受領後のフォロー期限を営業と再合意し、未対応MQLを週次で確認する", "sla_followup_rate", "sales",
     "MQLフォロー SLA遵守率は72.0%(目標90.0%以上)。担当者「佐藤」が最大の要因。"
     "SLAを守れないとMQLの質の議論が空回りします。"),
    ("SLA超過のMQL 17件を今週中に営業へ再配分する", None, "joint",
     "期限内に接触されなかったMQLが17件あります。放置したリードは冷めるため、担当変更と優先順位付けを合同で決めます。"),
    ("受注に至らなかった商談の失注理由を分類し、ナーチャリングに戻す", "ma_won_amount", "sales",
     "MA起点の受注金額は¥980,000(目標¥1,500,000以上)。失注理由が分かればシナリオを直せます。"),
    ("件名と配信時間のA/Bテストを2本実施する", "email_ctr", "marketing",
     "メールCTRは2.4%(目標3.0%以上)。クリックされるテーマを特定します。"),
    ("リード獲得チャネルの費用配分を見直す", "cpl", "marketing",
     "リード獲得コスト (CPL)は¥5,400(目標¥5,000以下)。展示会の単価が上がっています。"),
    ("ホワイトペーパー1本を前倒しで制作する", None, "marketing", "カデンス目標に対し2本不足しています。"),
)
UPCOMING = (  # day of 2026-02, type, title
    (3, "blog", "MAスコアリング設計の実践ガイド"), (5, "newsletter", "2月号メルマガ"),
    (10, "blog", "営業とマーケのSLAの作り方"), (18, "webinar", "失敗しないMA運用ウェビナー"),
    (19, "newsletter", "ウェビナー告知メール"), (24, "blog", "導入3ヶ月で成果を出すチェックリスト"),
    (26, "blog", "ナーチャリングシナリオ事例集"),
)
QUALITY = (  # table, encoding, read, rejected, share, reasons
    ("leads", "cp932", "4,812", "12", "0.2%", "日時が読めない 12"),
    ("email_sends", "utf-8", "1,204", "0", "0.0%", NO_VALUE),
    ("email_events", "utf-8-sig", "182,400", "31", "0.0%", "日時が読めない 31"),
    ("deals", "utf-8", "611", "3", "0.5%", "キー重複 2, 負の値 1"),
    ("spend", "utf-8", "96", "0", "0.0%", NO_VALUE),
    ("content_calendar", "utf-8", "88", "0", "0.0%", NO_VALUE),
    ("scenarios", "utf-8", "9", "0", "0.0%", NO_VALUE),
)


def _row(kpi_id: str, tr: Translator) -> KpiRow:
    kpi, (target, actual, previous, status) = KPIS[kpi_id], KPI_VALUES[kpi_id]
    loc = tr.locale
    change = actual - previous if actual is not None and previous is not None else None
    key = "target.at_most" if kpi.better == "lower" else "target.at_least"
    shown = format_value(actual, kpi.unit, loc)
    return KpiRow(kpi.id, kpi.name(loc), tr(f"owner.{kpi.owner}"), tr(f"better.{kpi.better}"), kpi.unit,
                  tr(key, value=format_value(target, kpi.unit, loc)) if target is not None else NO_VALUE,
                  shown, format_value(previous, kpi.unit, loc),
                  format_change(change, kpi.unit, loc), status, tr(f"status.{status}"), SYMBOLS[status], "", "",
                  kpi_id in FOCUS, f"{kpi.name(loc)}: {shown}")


def _highlight(row: KpiRow, bucket: str, tr: Translator) -> HighlightView:
    values = {"name": row.name, "actual": row.actual, "target": row.target, "previous": row.previous,
              "change": row.change}
    key = {"achieved": "achieved", "near": "near", "missed": "missed"}.get(row.status, "improved")
    causes = tuple(tr("why.change", who=tr("why.who", dimension=tr(f"dimension.{dim}"), group=group), now=now,
                      before=before, effect=effect) for dim, group, now, before, effect in DRIVERS)
    return HighlightView(row.id, row.name, tr("highlight.definition", formula=KPIS[row.id].formula(tr.locale)),
                         bucket, row.status, row.symbol, row.status_label, "", "", tr("highlight.facts", **values),
                         tr(f"highlight.summary.{key}", **values), causes, (), "", (), "", "",
                         tr(f"question.{row.id}"))


def _table(tr: Translator, prefix: str, columns: str, rows: tuple[tuple[str, ...], ...], note: str = "") -> Table:
    return Table(tuple(tr(f"{prefix}.{c}") for c in columns.split()), rows, note)


@cache
def demo_pack(locale: str) -> PackView:
    """A real month of the demo: the made-up view keeps its diagnosis, cadence, closing and appendix pages."""
    return build_pack_view(CONFIG / ("demo.yaml" if locale == "ja" else "demo-en.yaml"), "2026-10")


def make_view(locale: str = "ja") -> PackView:
    """A realistic pack of the optimization phase, month 8: 16 KPIs, 6 wins, 6 misses, 6 actions, gaps in the
    trends; the pages that follow the agenda come from a real month of the demo."""
    tr = Translator(locale)
    rows = [_row(k.id, tr) for k in CATALOG]
    by_id = {r.id: r for r in rows}
    wins = [_highlight(by_id[i], "win", tr) for i in ("ma_pipeline_amount", "roi", "mql_to_sql_rate",
                                                       "new_leads", "email_open_rate", "unsubscribe_rate")]
    misses = [_highlight(by_id[i], "miss", tr)
              for i in ("ma_won_amount", "sla_followup_rate", "mqls", "email_ctr", "cpl", "sqls")]
    sla_rows = tuple((f"L-{1040 + i}", f"株式会社サンプル{i}", "佐藤", "中堅", f"2026-01-{i + 5:02d}",
                      tr("sla.never") if i < 3 else tr("sla.days", days=f"{9.5 - i * 0.5:.1f}")) for i in range(12))
    counts = tuple(StatusCount(s, tr(f"status.{s}"), SYMBOLS[s], sum(r.status == s for r in rows)) for s in SYMBOLS)
    stages = [tr(f"funnel.{s}") for s in ("leads", "mqls", "sqls", "opportunities", "won")]
    funnel = tuple(FunnelStage(label, count, rate, f"{count:,}", f"{label} ({rate})" if rate else label)
                   for label, count, rate in zip(stages, FUNNEL, FUNNEL_RATES, strict=True))
    actions = tuple(ActionView(i + 1, f"rule-{i}", title, kpi or "new_leads", tr.kpi_name(kpi or "new_leads"), owner,
                               tr(f"owner.{owner}"), None, tr("actions.who_open", team=tr(f"owner.{owner}")),
                               "2026-02-09", "2/9(月)", "—", why, "失敗パターン3")
                    for i, (title, kpi, owner, why) in enumerate(ACTIONS))

    def kind(t: str) -> str:
        return tr(f"content.type.{t}")

    return dataclasses.replace(
        demo_pack(locale), client="acme", program_name="Demo MA program",
        month="2026-01", month_label="2026年1月" if locale == "ja" else "January 2026", phase_id="optimization",
        phase_label=tr("phase.optimization"), phase_line=tr("pack.phase_value", phase=tr("phase.optimization"),
                                                            index=8),
        month_index=8, next_phase=tr("phase.optimization"),
        next_month_label="2026年2月" if locale == "ja" else "February 2026",
        generated_at="2026-02-02 09:00 JST",
        status_counts=counts, status_line=" / ".join(f"{c.symbol} {c.label} {c.count}" for c in counts),
        focus=tuple(r for r in rows if r.focus), top_wins=tuple(wins[:3]), top_misses=tuple(misses[:3]),
        kpis=tuple(rows),
        trends=tuple(TrendSeries(i, KPIS[i].name(locale), KPIS[i].unit, MONTHS, MONTHS, TRENDS[i], KPI_VALUES[i][0],
                                 axis_format(KPIS[i].unit, locale, "JPY")) for i in FOCUS),
        waterfalls=(),
        funnel=funnel, funnel_line=" → ".join(stage.text for stage in funnel),
        wins=tuple(wins), watch_better=(), misses=tuple(misses), watch_worse=(),
        sla=_table(tr, "sla.col", "lead company owner segment mql_at waited", sla_rows, tr("sla.more", count=5)),
        sla_total=17, sla_title=tr("sla.title", days="3", count=17), sla_empty=tr("sla.none"),
        actions=actions,
        cadence=_table(tr, "content.col", "type planned target shortfall", (
            (kind("blog"), "4", "4", NO_VALUE), (kind("whitepaper"), "0", "1", "1"),
            (kind("webinar"), "1", "1", NO_VALUE), (kind("newsletter"), "2", "2", NO_VALUE),
            (kind("case_study"), "0", "1", "1"))),
        cadence_note=tr("content.shortfall_total", count=2),
        last_month_content=_table(tr, "content.col", "type planned published late missing", (
            (kind("blog"), "4", "3", "1", "0"), (kind("webinar"), "1", "1", "0", "0"),
            (kind("newsletter"), "2", "2", "0", "0"))),
        upcoming=_table(tr, "content.col", "date type title owner",
                        tuple((f"2026-02-{d:02d}", kind(t), title, "田中") for d, t, title in UPCOMING)),
        scenarios=_table(tr, "scenario.col", "name status launch owner", (
            ("ウェビナー参加者フォロー", tr("scenario.status.planned"), "2026-02-20", "田中"),
            ("休眠リード掘り起こし", tr("scenario.status.live"), "2026-01-15", "鈴木"))),
        content_shortfall=2, has_calendar=True,
        quality=_table(tr, "quality.col", "table read rejected share reasons",
                       tuple((tr(f"table.{t}"), read, rejected, share, reasons)
                             for t, _, read, rejected, share, reasons in QUALITY), tr("quality.rejects_note")),
        findings=(tr("finding.deals_without_amount", count=57),),
    )


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("deck") / "retrospective-acme-2026-01.pptx"
    render_pptx(make_view("ja"), path)
    return path


def _titles(prs: Presentation) -> list[str]:
    return [slide.shapes.title.text for slide in prs.slides]


def _charts(prs: Presentation) -> list[Chart]:
    return [shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart]


def test_deck_has_a_slide_per_agenda_section_in_japanese(deck: Path) -> None:
    prs = Presentation(str(deck))
    titles = _titles(prs)
    assert len(prs.slides) >= 6
    assert titles[0] == "MA月次振り返りレポート"
    for heading in ("サマリー", "1. KPI実績 vs 目標", "2. うまくいったこと", "3. うまくいかなかったこと",
                    "4. 今月の改善アクション", "5. 新しいシナリオ/コンテンツの計画", "付録: データ品質", "付録: KPI定義"):
        assert heading in titles
    assert prs.slide_width == 12192000 and prs.slide_height == 6858000  # 13.333 × 7.5 in


def test_kpi_table_is_a_real_table_with_every_kpi(deck: Path) -> None:
    prs = Presentation(str(deck))
    slide = prs.slides[_titles(prs).index("1. KPI実績 vs 目標")]
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    view = make_view("ja")
    assert len(table.rows) == 16 + 1
    assert [c.text for c in table.rows[0].cells] == ["重点", "KPI", "責任", "目標", "実績", "前月", "増減", "判定"]
    won = next(i for i, r in enumerate(view.kpis, start=1) if r.id == "ma_won_amount")
    assert [c.text for c in table.rows[won].cells] == [
        "★", "MA起点の受注金額", "営業", "¥1,500,000以上", "¥980,000", "¥1,650,000", "−¥670,000", "× 未達"]
    assert table.cell(won, 7).fill.fore_color.rgb != table.cell(won, 6).fill.fore_color.rgb  # status tinted


def test_charts_are_native_with_the_view_numbers_and_formats(deck: Path) -> None:
    prs = Presentation(str(deck))
    charts = _charts(prs)
    view = make_view("ja")
    lines = [c for c in charts if c.chart_type in (XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS)]
    bars = [c for c in charts if c.chart_type == XL_CHART_TYPE.BAR_CLUSTERED]
    assert len(lines) == len(view.trends) == 3 and len(bars) == 1
    for chart, trend in zip(lines, view.trends, strict=True):
        actual, target = chart.plots[0].series
        assert actual.values == trend.values  # None stays a gap
        assert set(target.values) == {trend.target}
        assert tuple(chart.plots[0].categories) == trend.months
    assert lines[0].value_axis.tick_labels.number_format == "¥#,##0"
    assert lines[2].value_axis.tick_labels.number_format == "0.0%"
    assert bars[0].plots[0].series[0].values == tuple(float(stage.count) for stage in view.funnel)
    assert tuple(bars[0].plots[0].categories) == ("リード", "MQL (28.4%)", "SQL (27.9%)", "商談 (42.7%)", "受注 (22.0%)")
    assert bars[0].plots[0].data_labels.number_format == "#,##0"


def test_every_slide_has_speaker_notes(deck: Path) -> None:
    prs = Presentation(str(deck))
    for slide in prs.slides:
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), slide.shapes.title.text
    summary = prs.slides[_titles(prs).index("サマリー")].notes_slide.notes_text_frame.text
    decisions = len(make_view("ja").decide)
    assert f"本日決めることは{decisions}点です。" in summary  # a talking point, not the slide read again
    assert make_view("ja").decide[0].text not in summary


def test_highlight_notes_carry_talking_points_and_a_question_for_sales(deck: Path) -> None:
    """Per card: what to say, the question to ask sales; the main part's three misses and every card of the
    appendix have theirs."""
    prs = Presentation(str(deck))
    view = make_view("ja")
    main = prs.slides[_titles(prs).index("3. うまくいかなかったこと")].notes_slide.notes_text_frame.text
    appendix = "\n".join(slide.notes_slide.notes_text_frame.text for slide in prs.slides
                         if slide.shapes.title.text.startswith("付録: KPIごとの詳細"))
    assert len(view.top_misses) == 3
    for notes, cards in ((main, view.top_misses), (appendix, view.misses)):
        for card in cards:
            assert f"■ {card.name}" in notes and f"営業への質問: {card.question}" in notes


def _faces(path: Path) -> set[tuple[str, str]]:
    """(latin, east-asian) typeface of every run: text boxes, table cells and speaker notes."""
    prs = Presentation(str(path))
    frames = [shape.text_frame for slide in prs.slides for shape in slide.shapes if shape.has_text_frame]
    frames += [cell.text_frame for slide in prs.slides for shape in slide.shapes if shape.has_table
               for row in shape.table.rows for cell in row.cells]
    frames += [slide.notes_slide.notes_text_frame for slide in prs.slides]
    runs = [run for frame in frames for p in frame.paragraphs for run in p.runs]
    assert len(runs) > 500
    ea = "{http://schemas.openxmlformats.org/drawingml/2006/main}ea"
    return {(run.font.name, run.font._element.find(ea).get("typeface")) for run in runs}


def test_every_run_carries_a_japanese_font_office_has(deck: Path) -> None:
    """Meiryo by default: Office ships it, so PowerPoint does not substitute a face for the Japanese text."""
    assert _faces(deck) == {("Meiryo", "Meiryo")}


def test_the_deck_font_is_the_configured_one(tmp_path: Path) -> None:
    path = tmp_path / "deck.pptx"
    render_pptx(dataclasses.replace(make_view("ja"), deck_font="Yu Gothic"), path)
    assert _faces(path) == {("Yu Gothic", "Yu Gothic")}


def test_no_kpi_is_left_off_the_slides(deck: Path) -> None:
    """The main part shows the top three wins; the appendix every KPI on a card, four to a slide (six wins and
    six misses: three full slides), none only in the speaker notes."""
    prs = Presentation(str(deck))
    view = make_view("ja")
    top = prs.slides[_titles(prs).index("2. うまくいったこと")]
    top_text = "\n".join(shape.text_frame.text for shape in top.shapes if shape.has_text_frame)
    assert [card.name in top_text for card in view.wins] == [True] * 3 + [False] * 3
    slides = [slide for slide in prs.slides if slide.shapes.title.text.startswith("付録: KPIごとの詳細")]
    texts = "\n".join(shape.text_frame.text for slide in slides for shape in slide.shapes if shape.has_text_frame)
    assert len(slides) == 3 and [t for t in _titles(prs) if t.startswith("2.")] == ["2. うまくいったこと"]
    for card in (*view.wins, *view.misses):
        assert card.name in texts and card.facts in texts


def test_english_locale_gives_english_titles(tmp_path: Path) -> None:
    path = tmp_path / "deck.pptx"
    render_pptx(make_view("en"), path)
    titles = _titles(Presentation(str(path)))
    for heading in ("Summary", "1. KPI actual vs target", "2. What went well", "3. What did not go well",
                    "4. This month's improvement actions", "5. New scenarios and content planned"):
        assert heading in titles
    assert not any("振り返り" in t for t in titles)


def test_empty_sections_say_so_instead_of_disappearing(tmp_path: Path) -> None:
    full = make_view("ja")
    view = dataclasses.replace(full, wins=(), top_wins=(), actions=(), decide=(), sla=Table(full.sla.header, ()), sla_total=0,
                               sla_title=Translator("ja")("sla.title", days="3", count=0))
    path = tmp_path / "deck.pptx"
    render_pptx(view, path)
    texts = [shape.text_frame.text for slide in Presentation(str(path)).slides for shape in slide.shapes
             if shape.has_text_frame]
    for key in ("highlight.none_wins", "actions.none", "sla.none", "summary.none"):
        assert any(Translator("ja")(key) in text for text in texts), key


def test_actions_are_spread_evenly_over_slides(tmp_path: Path) -> None:
    view = make_view("en")
    view = dataclasses.replace(view, actions=view.actions * 2 + view.actions[:1])  # 13: 5 + 5 + 3, never 6 + 6 + 1
    path = tmp_path / "deck.pptx"
    render_pptx(view, path)
    prs = Presentation(str(path))
    tables = [next(s.table for s in slide.shapes if s.has_table) for slide in prs.slides
              if slide.shapes.title.text.startswith("4. This month's improvement actions")]
    assert [len(t.rows) - 1 for t in tables] == [5, 5, 3]


@pytest.mark.parametrize("config", ["demo.yaml", "demo-en.yaml"])
def test_the_demo_program_renders_in_every_phase(config: str, tmp_path: Path) -> None:
    for month in ("2025-08", "2025-11", "2026-03", "2026-09"):  # launch, growth, optimization, maturity
        view = build_pack_view(CONFIG / config, month)
        path = tmp_path / f"{month}.pptx"
        render_pptx(view, path)
        prs = Presentation(str(path))
        table = next(s.table for slide in prs.slides for s in slide.shapes if s.has_table
                     and slide.shapes.title.text == Translator(view.locale)("section.kpis"))
        assert len(table.rows) == len(view.kpis) + 1
        diagnosis = view.diagnosis
        scoring_charts = int(diagnosis.scoring is not None and diagnosis.scoring.chart is not None)
        assert len(_charts(prs)) == len(view.trends) + len(view.waterfalls) + 1 + len(view.weekly.panels) \
            + scoring_charts


def test_unwritable_path_raises_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"PowerPoint '.*missing.*deck\.pptx'"):
        render_pptx(make_view("ja"), tmp_path / "missing" / "deck.pptx")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_every_slide(deck: Path, tmp_path: Path) -> None:
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / f"{deck.stem}.pdf"
    assert pdf.exists()
    assert len(PdfReader(pdf).pages) == len(Presentation(str(deck)).slides)
