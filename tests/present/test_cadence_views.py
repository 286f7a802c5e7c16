"""The cadence worded in both languages: week labels and the target pace, the per-send rows with their marks
and the slide's cap, and the feedback slot filled or blank. Inputs are built by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from retropack.insights.feedback import LEAD_COLUMNS, MqlFeedback
from retropack.insights.sends import SendLine, SendReport
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.weekly import Week
from retropack.present.feedback import BLANK_ROWS, feedback_view
from retropack.present.messages import Translator
from retropack.present.sends import SLIDE_ROWS, sends_view
from retropack.present.weekly import weekly_view

JA, EN = Translator("ja"), Translator("en")
TARGETS = {"email_open_rate": 0.25, "email_ctr": 0.03, "unsubscribe_rate": 0.005}
BETTER = {"email_open_rate": "higher", "email_ctr": "higher", "unsubscribe_rate": "lower"}


def result(kpi_id: str, target: float | None) -> KpiResult:
    return KpiResult(KPIS[kpi_id], None, None, target, "no_data", False, ())


def weeks() -> tuple[Week, ...]:
    spans = [(1, 4), (5, 11), (12, 18), (19, 25), (26, 31)]
    counts = [(33, 14, 1), (50, 21, 6), (55, 8, 4), (50, 13, 6), (57, 12, 7)]
    return tuple(Week(date(2026, 10, a), date(2026, 10, b), dict(zip(("new_leads", "mqls", "sqls"), c, strict=True)))
                 for (a, b), c in zip(spans, counts, strict=True))


def test_weeks_are_labelled_by_their_dates_with_the_months_target_spread_by_days() -> None:
    view = weekly_view(weeks(), [result("new_leads", 200), result("mqls", 50), result("sqls", None)], JA)
    assert view.weeks == ("10/1–10/4", "10/5–10/11", "10/12–10/18", "10/19–10/25", "10/26–10/31")
    leads, mqls, sqls = view.panels
    assert (leads.title, leads.values) == ("新規リード数", (33, 50, 55, 50, 57))
    assert leads.pace == pytest.approx((200 * 4 / 31, 200 * 7 / 31, 200 * 7 / 31, 200 * 7 / 31, 200 * 6 / 31))
    assert sqls.pace is None
    assert view.table.rows[0] == ("新規リード数", "33", "50", "55", "50", "57", "245", "200以上")
    assert view.table.rows[2][-2:] == ("24", "—")
    assert "10/1–10/4は4日間、10/26–10/31は6日間" in view.note
    assert view.lines[1] == "MQL数: 週ごと 14 / 21 / 8 / 13 / 12(月計 68、目標 50以上)"
    english = weekly_view(weeks(), [result("mqls", 50)], EN)
    assert english.table.header[-2:] == ("Month", "Month's target") and english.table.rows[1][-1] == "≥ 50"
    assert "10/1–10/4: 4 days" in english.note


def line(kind, name, first, last, sends, delivered, opens, clicks, unsubs) -> SendLine:
    rates = {"email_open_rate": opens / delivered, "email_ctr": clicks / delivered,
             "unsubscribe_rate": unsubs / delivered}
    off = frozenset(k for k, r in rates.items() if (r < TARGETS[k] if BETTER[k] == "higher" else r > TARGETS[k]))
    return SendLine(kind, name, first, last, sends, delivered, rates, off)


def report(blasts: int = 1) -> SendReport:
    scenario = line("scenario", "資料DL後フォロー", date(2026, 10, 1), date(2026, 10, 31), 121, 679, 212, 26, 2)
    newsletters = [line("blast", f"メルマガ 第{i + 1}号", date(2026, 10, 8 + i), date(2026, 10, 8 + i), 1, 1000, 200,
                        40, 8) for i in range(blasts)]
    total = line("total", "", date(2026, 10, 1), date(2026, 10, 31), 121 + blasts, 679 + 1000 * blasts,
                 212 + 200 * blasts, 26 + 40 * blasts, 2 + 8 * blasts)
    return SendReport((scenario, *newsletters), total, TARGETS, BETTER)


def test_each_send_is_a_row_with_its_rates_marked_against_the_targets() -> None:
    view = sends_view(report(), "2026年10月", JA)
    assert view.title == "配信ごとの結果(2026年10月)"
    assert view.table.header == ("配信日", "メール", "種別", "配信回数", "到達数", "開封率", "CTR", "配信停止率")
    assert view.table.rows == (
        ("10/1–10/31", "資料DL後フォロー", "シナリオ(月間合算)", "121", "679", "31.2%", "3.8%", "0.3%"),
        ("10/8", "メルマガ 第1号", "一斉配信", "1", "1,000", "20.0% ▼", "4.0%", "0.8% ▲"),
        ("10/1–10/31", "当月合計", "", "122", "1,679", "24.5% ▼", "3.9%", "0.6% ▲"),
    )
    assert view.off == {(1, 5), (1, 7), (2, 5), (2, 7)}
    assert view.legend == "▼は目標(メール開封率25.0%以上、メールCTR3.0%以上)を下回る率です。 " \
                          "▲は目標(配信停止率0.5%以下)を上回る率です。"
    assert "1行にしています" in view.note
    english = sends_view(report(), "October 2026", EN)
    assert english.table.rows[1][2] == "Blast" and english.table.rows[2][1] == "Month total"
    assert english.legend.startswith("▼ marks a rate below its target (Email open rate ≥ 25.0%, Email CTR ≥ 3.0%).")


def test_the_slide_shows_the_first_sends_and_says_how_many_more_the_pdf_lists() -> None:
    view = sends_view(report(blasts=SLIDE_ROWS + 2), "2026年10月", JA)  # 15 sends
    assert len(view.table.rows) == 16 and len(view.slide.rows) == SLIDE_ROWS + 1  # and the total, both
    assert view.slide.rows[-1][1] == "当月合計"
    assert view.slide.note == "到達数の多い順に表示しています(全15件のうちほか3件)。全件は資料と同じフォルダの配信一覧(CSV)にあります。"
    assert (SLIDE_ROWS, 5) in view.slide_off  # the total's open rate, on the slide's last row


def test_a_month_without_sends_says_so() -> None:
    view = sends_view(SendReport((), None, TARGETS, BETTER), "2026年10月", JA)
    assert (view.table.rows, view.empty) == ((), "今月の配信はありません。")


LABELS = {"source": {"event": "展示会・イベント"}, "segment": {"smb": "中小企業"}}


def feedback(given: bool = True) -> MqlFeedback:
    bad = pd.DataFrame([("L1", "株式会社A", "event", "smb", "佐藤 健太", 55.0, "予算なし"),
                        ("L2", "B株式会社", "web", None, "鈴木 一郎", 61.0, "情報収集段階")], columns=list(LEAD_COLUMNS))
    if not given:
        return MqlFeedback(True, 68, 0, 0, {}, bad.iloc[:0])
    return MqlFeedback(True, 68, 6, 2, {"bad": (("予算なし", 1), ("情報収集段階", 1)), "good": (("導入時期が明確", 4),)},
                       bad)


def test_recorded_verdicts_are_counted_with_reasons_and_the_leads_judged_poor() -> None:
    view = feedback_view(feedback(), "2026年10月", LABELS, JA)
    assert (view.title, view.filled) == ("営業からのMQLフィードバック", True)
    assert view.summary == "2026年10月のMQL 68件のうち8件を営業が評価しました。適切 6件(75.0%)、不適切 2件(25.0%)です。"
    assert view.reasons == ("不適切とした主な理由: 予算なし(1件)、情報収集段階(1件)", "適切とした主な理由: 導入時期が明確(4件)")
    assert view.table.rows == (("L1", "株式会社A", "展示会・イベント", "中小企業", "佐藤 健太", "予算なし"),
                               ("L2", "B株式会社", "web", "—", "鈴木 一郎", "情報収集段階"))
    english = feedback_view(feedback(), "October 2026", LABELS, EN)
    assert english.summary == "Sales judged 8 of the 68 MQLs of October 2026: 6 good (75.0%) and 2 poor (25.0%)."


def test_without_verdicts_a_blank_table_to_fill_in_at_the_meeting() -> None:
    view = feedback_view(feedback(given=False), "2026年10月", LABELS, JA)
    assert (view.title, view.filled) == ("営業からのMQLフィードバック(会議で記入)", False)
    assert view.table.header == ("リード(会社名)", "評価(適切/不適切)", "理由")
    assert view.table.rows == (("", "", ""),) * BLANK_ROWS
    absent = feedback_view(MqlFeedback(False, 68, 0, 0, {}, feedback().bad_leads.iloc[:0]), "October 2026", {}, EN)
    assert absent.title == "Sales' feedback on MQLs (to fill in at the meeting)"
    assert absent.table.header == ("Lead (company)", "Verdict (good/poor)", "Reason")
