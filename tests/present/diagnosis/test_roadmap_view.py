"""The roadmap worded: the column データでの確認 says the evidence in plain words, a milestone reached once but
not kept now says so with what fails, missing data is named without table or column names, and every month
says when the lead-scoring review is next due. Fixture: tests/programs.py (June 2025 is program month 6)."""

from __future__ import annotations

from retropack.months import Month
from retropack.present.diagnosis.roadmap_view import roadmap_view
from retropack.present.diagnosis.words import Words
from retropack.present.messages import Translator
from tests.programs import healthy, unaligned

JUNE = Month(2025, 6)


def rows(analysis, locale: str = "ja") -> dict[str, tuple[str, ...]]:
    view = roadmap_view(analysis.diagnosis.roadmap, analysis.month, Words(Translator(locale), "JPY"))
    return {row[1]: row for row in view.milestones.rows}


def test_a_lapsed_milestone_says_when_it_was_reached_and_what_fails_now(analyse) -> None:
    analysis = analyse(unaligned(healthy()))
    when, _, evidence, state, reached = rows(analysis)["MQLの定義合意"]
    assert (when, state, reached) == ("2ヶ月目", "△ 達成(現在は未維持)", "2025年1月")
    assert evidence == ("2025年1月: 営業がMQLを期限内に初回フォロー(SLA遵守率100.0%、目標85.0%以上)。"
                        "今月は未維持: SLA遵守率0.0%(目標85.0%以上)で未達")
    english = rows(analysis, "en")["MQL definition agreed"]
    assert english[3] == "△ Reached; not kept now"
    assert english[2].endswith("Not kept this month: SLA rate 0.0%, below its target of 85.0%")


def test_kept_and_one_off_milestones_read_as_evidence(analyse) -> None:
    found = rows(analyse(healthy()))
    assert found["初回メール配信"][2:4] == ("2025年1月: 最初のメール配信(到達3,000通)", "◎ 達成")
    assert found["ROI可視化"][2] == ("2025年1月: MA起点の受注と費用からROIを算出(ROI 1,400.0%)。"
                                   "今月も維持: MA起点の受注と費用からROIを算出(ROI 1,400.0%)")


def test_missing_data_is_named_in_plain_words(analyse) -> None:
    program = healthy()
    del program.tables["leads"]["first_sales_touch_at"]
    del program.tables["spend"]
    found = rows(analyse(program))
    assert found["MQLの定義合意"][2:4] == ("判定に必要なデータがありません: 営業の初回フォロー日 または 営業のMQLフィードバック",
                                       "？ データなし")
    assert found["ROI可視化"][2] == "判定に必要なデータがありません: 費用の記録"
    assert rows(analyse(program), "en")["ROI made visible"][2] == "The data to check it is missing: spend"


def test_every_month_says_when_the_scoring_review_is_next(analyse) -> None:
    program = healthy()
    words = Words(Translator("ja"), "JPY")
    may = analyse(program, month="2025-05")
    assert roadmap_view(may.diagnosis.roadmap, may.month, words).scoring_status == (
        "リードスコアリングの見直し(3ヶ月ごと): 次回は2025年6月(運用6ヶ月目)です。前回の見直し月は2025年3月(運用3ヶ月目)でした。")
    june = analyse(program)
    assert roadmap_view(june.diagnosis.roadmap, june.month, Words(Translator("en"), "JPY")).scoring_status == (
        "Lead-scoring review (every 3 months): due this month (the results have their own page); the next is in "
        "September 2025 (program month 9). The last review month was March 2025 (program month 3).")
    february = analyse(program, month="2025-02")
    assert roadmap_view(february.diagnosis.roadmap, february.month, words).scoring_status.endswith(
        "次回は2025年3月(運用3ヶ月目)です。これまでに見直し月はありません。")
