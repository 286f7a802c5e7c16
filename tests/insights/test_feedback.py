"""Sales' feedback on the month's MQLs, on the healthy fixture program (June 2025: 40 MQLs, leads L6060–L6099;
lead L6<i> has source (web, event, partner)[i % 3], segment (smb, mid_market, enterprise)[i % 3], owner
(佐藤 健太, 鈴木 一郎)[i % 2]). The verdicts recorded:

| month | lead | verdict | reason | |
|---|---|---|---|---|
| 2025-06 | L6060 | good | 導入時期が明確 | |
| 2025-06 | L6061 | bad | 予算なし | event, mid_market, 鈴木 一郎 |
| 2025-06 | L6062 | BAD | 予算なし | partner, enterprise, 佐藤 健太 (verdicts read case-insensitively) |
| 2025-06 | L6063 | bad | 情報収集段階 | web, smb, 鈴木 一郎 |
| 2025-06 | L6060 | bad | 再評価 | the same lead again: the first verdict counts |
| 2025-05 | L5070 | bad | 予算なし | another month |
| 2025-06 | L9999 | bad | 不明 | no such lead: a rejected row |

So June: 1 good and 3 bad; reasons for bad: 予算なし ×2, 情報収集段階 ×1.
"""

from __future__ import annotations

import pandas as pd

from tests.programs import healthy

VERDICTS = [
    ("2025-06", "L6060", "good", "導入時期が明確"),
    ("2025-06", "L6061", "bad", "予算なし"),
    ("2025-06", "L6062", "BAD", "予算なし"),
    ("2025-06", "L6063", "bad", "情報収集段階"),
    ("2025-06", "L6060", "bad", "再評価"),
    ("2025-05", "L5070", "bad", "予算なし"),
    ("2025-06", "L9999", "bad", "不明"),
]


def with_feedback():
    program = healthy()
    program.tables["mql_feedback"] = pd.DataFrame(VERDICTS, columns=["month", "lead_id", "verdict", "reason"])
    program.config["data_quality"] = {"max_reject_share": 0.2}  # one row in seven is rejected on purpose
    return program


def test_the_months_verdicts_are_counted_once_per_lead(analyse) -> None:
    feedback = analyse(with_feedback()).cadence.feedback
    assert (feedback.recorded, feedback.mqls, feedback.good, feedback.bad, feedback.given) == (True, 40, 1, 3, 4)
    assert feedback.reasons == {"bad": (("予算なし", 2), ("情報収集段階", 1)), "good": (("導入時期が明確", 1),)}


def test_the_leads_judged_bad_come_with_what_the_leads_table_says(analyse) -> None:
    bad = analyse(with_feedback()).cadence.feedback.bad_leads
    assert bad[["lead_id", "company", "source", "segment", "owner", "reason"]].values.tolist() == [
        ["L6061", "検証6-61株式会社", "event", "mid_market", "鈴木 一郎", "予算なし"],
        ["L6062", "検証6-62株式会社", "partner", "enterprise", "佐藤 健太", "予算なし"],
        ["L6063", "検証6-63株式会社", "web", "smb", "鈴木 一郎", "情報収集段階"],
    ]
    assert bad["score"].tolist() == [62, 63, 64]


def test_another_month_has_its_own_verdicts(analyse) -> None:
    feedback = analyse(with_feedback(), month="2025-05").cadence.feedback
    assert (feedback.good, feedback.bad, feedback.reasons["bad"]) == (0, 1, (("予算なし", 1),))


def test_without_the_table_nothing_is_recorded(analyse) -> None:
    feedback = analyse(healthy()).cadence.feedback
    assert (feedback.recorded, feedback.given, feedback.mqls, len(feedback.bad_leads)) == (False, 0, 40, 0)
