"""Words of issue 21: a count rises or falls (増加/減少), a rate or an amount improves or worsens (改善/悪化);
a one-month run is no run; the plain phrases a reader asked for."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from retropack.insights.diagnosis.evidence import Evidence, KpiRef, Quantity
from retropack.insights.patterns import Insight
from retropack.insights.story import Movement, Story
from retropack.present.diagnosis.words import Words
from retropack.present.insights import insight_line
from retropack.present.messages import Translator, t
from retropack.present.story import story_line
from retropack.present.view import PackView

EXHIBITION = Story("exhibition", (Movement("channel", "展示会・イベント", "new_leads", 59, 13),
                                  Movement("channel", "展示会・イベント", "spend", 381_000, 0)),
                   better=("cpl", "roi", "cac"), worse=("new_leads",), one_off=None)


def test_a_story_says_a_count_fell_and_a_cost_improved() -> None:
    ja = story_line(EXHIBITION, Translator("ja"), "JPY")
    assert "これによりリード獲得コスト（CPL）・ROI・CACが改善し、新規リード数が減少しました。" in ja
    assert "悪化" not in ja
    en = story_line(EXHIBITION, Translator("en"), "JPY")
    assert "As a result, cost per lead (CPL), ROI and CAC improved, and new leads fell." in en
    assert "worsened" not in en


def test_a_count_that_rose_the_good_way_increased() -> None:
    story = Story("s", (Movement("source", "web", "new_leads", 10, 30),), better=("new_leads",), worse=(),
                  one_off=None)
    assert "新規リード数が増加しました。" in story_line(story, Translator("ja"), "JPY")
    assert "new leads rose." in story_line(story, Translator("en"), "JPY")


@pytest.mark.parametrize("code", ["kpi_below_target", "kpi_worse_than_recent", "kpi_below_commitment"])
def test_a_one_month_run_is_not_called_a_run(code: str) -> None:
    values = {"kpi": KpiRef("new_leads"), "months": Quantity(1, "months"), "actual": Quantity(245, "count"),
              "target": Quantity(200, "count"), "recent": Quantity(300, "count")}
    evidence = Evidence(code, "watch", values)
    assert "連続" not in Words(Translator("ja"), "JPY").sentence(evidence)
    assert "in a row" not in Words(Translator("en"), "JPY").sentence(evidence)
    longer = Evidence(code, "watch", {**values, "months": Quantity(3, "months")})
    assert "3ヶ月連続" in Words(Translator("ja"), "JPY").sentence(longer)


def test_the_plain_phrases(demo_view: Callable[..., PackView]) -> None:
    assert t("why.none", "ja") == "目立った要因は見当たりません。"
    assert "制作本数の目標" in t("content.cadence_title", "ja", month="11月") and "カデンス" not in t(
        "content.cadence_title", "ja", month="11月")
    view = demo_view("2026-10", locale="en")
    assert "the 1,553 leads gained from May 2026 to October 2026" in view.funnel_title
    names = [r.name for r in demo_view("2026-10").kpis]
    assert "パイプライン速度（日次）" in names and "リード獲得コスト（CPL）" in names
    assert not any(" (" in name or "(" in name for name in names)  # full-width brackets in Japanese names


def test_a_count_that_fell_is_said_to_fall_in_its_summary(demo_view: Callable[..., PackView]) -> None:
    """New leads 322 → 245 met their target but are watched: the card said 「悪化しました」."""
    (ja,) = [h for h in demo_view("2026-10").highlights if h.kpi_id == "new_leads"]
    assert ja.summary == "新規リード数は目標200を達成していますが、前月322から245へ減少しました(−77)。"
    (en,) = [h for h in demo_view("2026-10", locale="en").highlights if h.kpi_id == "new_leads"]
    assert en.summary == "New leads meets its target of 200 but fell from 322 to 245 (−77)."


def test_a_counts_trend_rises_and_a_rates_trend_improves() -> None:
    rising = Insight("trend", "sqls", {"direction": "up", "better": True, "months": 3, "from": 10, "to": 24})
    assert insight_line(rising, Translator("ja"), "JPY") == "3ヶ月連続で増加しています(10 → 24)。"
    assert insight_line(rising, Translator("en"), "JPY") == "It has risen 3 months in a row (10 → 24)."
    rate = Insight("trend", "email_ctr", {"direction": "down", "better": False, "months": 3, "from": 0.04, "to": 0.028})
    assert insight_line(rate, Translator("ja"), "JPY").startswith("3ヶ月連続で悪化しています")
