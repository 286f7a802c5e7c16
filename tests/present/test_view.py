"""retropack.present.view: the view model both documents lay out, checked on the demo (2026-10, maturity,
program month 17) and on the healthy fixture program.

The view is the last place a decision is taken, so it must be complete (every KPI once, 16 statuses),
consistent (focus rows = the phase's focus KPIs, funnel rates from the stage before), frozen, in the
program's currency, and in one language: an English view of the Japanese demo has no Japanese words.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from retropack.config import load_config
from retropack.flow import steps
from retropack.kpis.catalog import KPI_IDS
from retropack.kpis.evaluation import STATUSES
from retropack.kpis.phases import PHASES
from retropack.months import Month
from retropack.present.formatting import AxisFormat, format_value
from retropack.present.view import PackView
from tests.conftest import DEMO_CONFIG, GENERATED
from tests.programs import MONTH, healthy

# Kana, CJK ideographs (and extension A, compatibility), CJK punctuation (「」、。) and half-width kana.
# The full-width forms block is left out: the status marks － and ？ are shared by both languages.
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# In English text, data (a driver's group: an owner, a campaign, a scenario name) is quoted '…'.
QUOTED = re.compile(r"'[^']*'")

Demo = Callable[..., PackView]


@pytest.fixture(scope="module")
def english_demo() -> PackView:
    """The Japanese demo's config and data, worded in English (the e-mail's language may differ from the pack's)."""
    config = load_config(DEMO_CONFIG)
    dataset = steps.load(config.settings)
    analysis = steps.compute(dataset, config, Month.parse("2026-10"))
    return steps.view(analysis, dataset, config, "test", GENERATED, locale="en")


def test_the_view_is_frozen(demo_view: Demo) -> None:
    """Templates and slides only place values: they cannot change a decision taken in the view."""
    view = demo_view("2026-10")
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.month = "2026-11"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.kpis[0].actual = "999"  # type: ignore[misc]
    assert isinstance(view.kpis, tuple) and isinstance(view.actions, tuple)


def test_every_kpi_appears_once_in_catalogue_order(demo_view: Demo) -> None:
    assert [row.id for row in demo_view("2026-10").kpis] == list(KPI_IDS)
    assert len(KPI_IDS) == 16


def test_status_counts_cover_all_sixteen_kpis(demo_view: Demo) -> None:
    """The demo month of the README's example mail: 8 achieved, 2 near, 6 missed."""
    view = demo_view("2026-10")
    assert [c.status for c in view.status_counts] == list(STATUSES)
    assert sum(c.count for c in view.status_counts) == 16
    assert {c.status: c.count for c in view.status_counts} == {
        "achieved": 8, "near": 2, "missed": 6, "no_target": 0, "no_data": 0}
    for count in view.status_counts:
        assert count.count == sum(1 for row in view.kpis if row.status == count.status)


@pytest.mark.parametrize(("month", "phase"), [("2026-10", "maturity"), ("2026-03", "optimization")])
def test_focus_rows_are_the_phases_focus_kpis(demo_view: Demo, month: str, phase: str) -> None:
    """2026-10 is program month 17 (maturity), 2026-03 month 10 (optimization)."""
    view = demo_view(month)
    focus = next(p.focus for p in PHASES if p.id == phase)
    assert view.phase_id == phase
    assert {row.id for row in view.focus} == set(focus)
    assert view.focus == tuple(row for row in view.kpis if row.id in focus)
    assert [t.kpi_id for t in view.trends] == [row.id for row in view.focus]


def test_the_phase_line_names_the_program_month(demo_view: Demo) -> None:
    view = demo_view("2026-10")
    assert (view.month_index, view.month_label, view.phase_line) == (17, "2026年10月", "成熟期(運用17ヶ月目)")
    assert view.next_month_label == "2026年11月"


def test_funnel_stages_follow_one_group_of_leads_with_rates_from_the_stage_before(demo_view: Demo) -> None:
    """The leads created May–October 2026 and how far each got by October's end; each rate is a true conversion."""
    view = demo_view("2026-10")
    words = view.words
    assert [s.label for s in view.funnel] == [words(f"funnel.{k}") for k in ("leads", "mqls", "sqls", "opportunities",
                                                                              "won")]
    counts = [s.count for s in view.funnel]
    assert counts == [1553, 339, 107, 49, 15]
    assert view.funnel_title.startswith("ファネル: 2026年5月〜2026年10月に獲得したリード1,553件")
    assert view.funnel[0].rate == ""  # the first stage has nothing before it
    assert [s.rate for s in view.funnel[1:]] == ["21.8%", "31.6%", "45.8%", "30.6%"]
    for before, stage in zip(view.funnel, view.funnel[1:], strict=False):
        assert stage.count <= before.count
        assert stage.rate == format_value(stage.count / before.count, "rate", "ja")
        assert stage.text == f"{stage.count:,}  ({stage.rate})"


def test_trends_cover_twelve_months_ending_with_the_month(demo_view: Demo) -> None:
    trend = demo_view("2026-10").trends[0]
    assert len(trend.months) == len(trend.values) == 12
    assert (trend.months[0], trend.months[-1]) == ("2025-11", "2026-10")
    assert (trend.ticks[0], trend.ticks[-1]) == ("25/11", "26/10")


def test_trends_and_axes_carry_the_demos_currency_and_language(demo_view: Demo) -> None:
    view = demo_view("2026-10")
    assert {t.kpi_id: t.axis for t in view.trends} == {
        "cac": AxisFormat("money", "ja", "JPY"), "ltv": AxisFormat("money", "ja", "JPY"),
        "pipeline_velocity": AxisFormat("money_per_day", "ja", "JPY")}
    assert view.count_axis == AxisFormat("count", "ja", "JPY")


def test_a_usd_programs_charts_are_in_dollars(tmp_path: Path) -> None:
    """The healthy program started in January 2024 (June 2025 is month 18: maturity, money focus KPIs),
    reported in USD: every trend axis and every money figure is in $, none in ¥."""
    program = healthy()
    program.config["program"] |= {"currency": "USD", "start_month": "2024-01"}
    config, dataset = program.load(tmp_path)
    analysis = steps.compute(dataset, config, Month.parse(MONTH))
    view = steps.view(analysis, dataset, config, "test", GENERATED)
    assert [(t.kpi_id, t.axis) for t in view.trends] == [
        ("cac", AxisFormat("money", "ja", "USD")), ("ltv", AxisFormat("money", "ja", "USD")),
        ("pipeline_velocity", AxisFormat("money_per_day", "ja", "USD"))]
    assert view.trends[0].axis.label(1_000_000) == "$100万" and view.trends[0].axis.excel == "$#,##0"
    money = [row for row in view.kpis if row.unit in ("money", "money_per_day") and row.actual != "—"]
    assert money and all(row.actual.startswith("$") and "¥" not in row.actual for row in money)
    assert view.count_axis.currency == "USD"


# --- one language -------------------------------------------------------------------------------------------------

def _english_texts(view: PackView) -> dict[str, str]:
    """Every word of the view's own (not the data's): field → text.

    Left out because they quote data, not words: program_name and client; in the SLA table the lead,
    company, owner, segment and date cells (the wait is checked); in the upcoming-content table the
    date, title and owner (the type is checked); in the scenario table the name, launch date and owner
    (the status is checked); the action homework's owners; the diagnosis view.
    In actions, stories and highlight causes the quoted '…' names (companies, campaigns, scenarios, content)
    are data too and are cut out before checking.
    """
    texts: dict[str, str] = {}
    for name in ("title", "month_label", "phase_label", "phase_line", "next_phase", "next_month_label",
                 "status_line", "funnel_title", "funnel_line", "sla_title", "sla_empty", "cadence_note",
                 "previous_title"):
        texts[name] = getattr(view, name)
    for action in (*view.actions, *view.previous_actions):
        for field in ("title", "evidence", "expected", "kpi", "owner", "due_label", "seed"):
            texts[f"action {action.rule_id} {field}"] = QUOTED.sub("", getattr(action, field))
    for point in view.decide:
        texts[f"decide {point.text}"] = QUOTED.sub("", f"{point.text} {point.meta}")
    for i, story in enumerate(view.stories):
        texts[f"story {i}"] = QUOTED.sub("", story)
    for row in view.kpis:
        for field in dataclasses.fields(row):
            value = getattr(row, field.name)
            if isinstance(value, str):
                texts[f"kpi {row.id} {field.name}"] = value
    for i, card in enumerate(view.highlights):
        texts[f"highlight {i} {card.kpi_id}"] = " ".join((card.name, card.definition, card.status_label, card.trend,
                                                          card.facts, card.summary, card.question, card.review))
        texts[f"highlight {i} causes"] = QUOTED.sub("", " ".join((*card.causes, card.mostly, *card.caveats,
                                                                  *card.notes, card.action)))
    for stage in view.funnel:
        texts[f"funnel {stage.label}"] = stage.category
    for count in view.status_counts:
        texts[f"status {count.status}"] = count.label
    for name in ("sla", "cadence", "last_month_content", "upcoming", "scenarios", "definitions",
                 "quality", "previous", "decisions", "homework"):
        table = getattr(view, name)
        texts[f"{name} header and note"] = " ".join((*table.header, table.note))
    worded_columns = {"cadence": None, "last_month_content": None, "definitions": None,  # None: every cell
                      "sla": 5, "upcoming": 1, "scenarios": 1, "quality": 0, "previous": 4,  # status, type, table
                      "decisions": 0}
    for name, column in worded_columns.items():
        rows = getattr(view, name).rows
        texts[f"{name} rows"] = QUOTED.sub("", " ".join(" ".join(row) if column is None else row[column]
                                                        for row in rows))
    texts["quality reasons"] = " ".join(row[4] for row in view.quality.rows)
    texts["findings"] = " ".join(view.findings)
    return texts


def _client_words() -> list[str]:
    """The Japanese demo's own names in its config: display labels of its codes and the team's members; and the
    notes its team wrote in the action log (a due date or forum they set stands, as written). They are the client's
    data, shown as written in either language."""
    settings = load_config(DEMO_CONFIG).settings
    labels = [label for per_code in settings.labels.values() for label in per_code.values()]
    members = [name for role in settings.team.roles.values() for name in role.members] if settings.team else []
    log = pd.read_csv(settings.data.path / "action_log.csv")
    notes = [str(note) for note in log["note"].dropna()]
    return sorted(labels + members + notes, key=len, reverse=True)


def test_the_english_view_of_the_japanese_demo_has_no_japanese_words(english_demo: PackView) -> None:
    assert english_demo.locale == english_demo.words.locale == "en"
    assert english_demo.actions and english_demo.wins and english_demo.misses  # there is text to check
    data = _client_words()
    assert "展示会・イベント" in data and "高橋 美咲" in data

    def words_only(text: str) -> str:
        for name in data:
            text = text.replace(name, "")
        return text

    japanese = {name: text for name, text in _english_texts(english_demo).items() if JAPANESE.search(words_only(text))}
    assert japanese == {}


def test_the_check_would_see_japanese(demo_view: Demo) -> None:
    """The same fields of the Japanese view are full of Japanese: the check above can fail."""
    flagged = {name for name, text in _english_texts(demo_view("2026-10")).items() if JAPANESE.search(text)}
    assert {"title", "phase_line", "kpi new_leads name"} <= flagged
    assert any(name.startswith("action ") and name.endswith(" title") for name in flagged)


def test_the_data_stays_as_it_is_in_english(english_demo: PackView) -> None:
    """Names in the data are not translated: the program's name is still the client's own."""
    assert english_demo.program_name == "デモMAプログラム"
    assert english_demo.month_label == "October 2026"


def test_language_changes_words_not_decisions(demo_view: Demo, english_demo: PackView) -> None:
    japanese = demo_view("2026-10")
    assert [(r.id, r.status, r.focus) for r in english_demo.kpis] == [(r.id, r.status, r.focus) for r in japanese.kpis]
    assert [a.rule_id for a in english_demo.actions] == [a.rule_id for a in japanese.actions]
    assert [(h.kpi_id, h.bucket) for h in english_demo.highlights] == [(h.kpi_id, h.bucket) for h in japanese.highlights]
    assert [s.count for s in english_demo.funnel] == [s.count for s in japanese.funnel]


def test_a_worse_lower_is_better_kpi_is_not_said_to_have_fallen(english_demo: PackView) -> None:
    """Unsubscribes rose from 0.3 % to 0.4 % of 27,000 deliveries: within chance (two-proportion z-test), so on
    target it is a win with no ↓ (contract §10); it never reads as having fallen."""
    (unsubscribes,) = [h for h in english_demo.highlights if h.kpi_id == "unsubscribe_rate"]
    assert unsubscribes.trend == "→ within usual range" and unsubscribes.status_label == "Achieved"
    assert unsubscribes.bucket == "win"
    assert "fell" not in unsubscribes.summary and "0.4%, meeting its target of 0.5%" in unsubscribes.summary
