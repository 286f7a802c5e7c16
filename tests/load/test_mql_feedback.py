"""The optional table mql_feedback (contract §9): month, lead_id, verdict good | bad, reason; a verdict on a
lead that is not in leads is a rejected row, like an event of an unknown send."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from retropack.load import load_dataset

ROWS = [
    ("2026-10", "L1", "good", "導入時期が明確"),  # kept
    ("2026-10", "L2", " Bad ", ""),  # kept: verdicts match case-insensitively after trimming; reason may be empty
    ("2026-10", "L3", "bad", "予算なし"),  # L3 was rejected from leads (bad date), but the file has it: kept
    ("2026-10", "L9", "bad", "予算なし"),  # no lead L9: rejected
    ("2026-10", "L1", "maybe", ""),  # not good or bad: rejected
    ("2026-13", "L1", "good", ""),  # not a month: rejected
]


def write(folder: Path, feedback: bool = True) -> Path:
    pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "created_at": ["2026-10-01", "2026-10-02", "2026-10-40"]}).to_csv(
        folder / "leads.csv", index=False)
    pd.DataFrame({"send_id": ["S1"], "sent_at": ["2026-10-01"], "delivered": [1], "unique_opens": [0],
                  "unique_clicks": [0], "unsubscribes": [0]}).to_csv(folder / "email_sends.csv", index=False)
    pd.DataFrame(columns=["deal_id", "created_at", "amount", "stage"]).to_csv(folder / "deals.csv", index=False)
    if feedback:
        pd.DataFrame(ROWS, columns=["month", "lead_id", "verdict", "reason"]).to_csv(folder / "mql_feedback.csv",
                                                                                     index=False)
    return folder


def test_verdicts_are_read_and_unknown_leads_rejected_with_a_reason(tmp_path: Path) -> None:
    dataset = load_dataset(write(tmp_path), max_reject_share=1.0)
    kept = dataset.tables["mql_feedback"]
    assert kept[["month", "lead_id", "verdict"]].values.tolist() == [
        ["2026-10", "L1", "good"], ["2026-10", "L2", "bad"], ["2026-10", "L3", "bad"]]
    quality = dataset.quality["mql_feedback"]
    assert (quality.rows_read, dict(quality.reasons)) == (6, {"unknown_lead": 1, "bad_enum": 1, "bad_month": 1})
    rejected = quality.rejects
    # the rejection's reason is the last column (the table has a "reason" column of its own, kept as written)
    assert rejected.iloc[0, -1] == "unknown_lead: lead_id 'L9' is not in leads."
    assert rejected.iloc[0, :-1].tolist() == [5, "2026-10", "L9", "bad", "予算なし"]


def test_the_table_is_optional(tmp_path: Path) -> None:
    dataset = load_dataset(write(tmp_path, feedback=False), max_reject_share=1.0)
    assert not dataset.has_table("mql_feedback")
