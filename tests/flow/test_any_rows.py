"""Whatever rows a program hands over, a run ends well or in one paragraph (issue 12, property test): generated rows
with any unicode, formula prefixes, huge and non-finite numbers, odd dates and ragged lines go through load → KPIs →
render by the command line. Either it exits 0, with every row kept or in rejects/, valid JSON, and a PDF and a deck
that open; or it exits 1 with one ``Error:`` line and no pack. Never a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pptx import Presentation
from pypdf import PdfReader

from retropack.cli import main

MONTH = "2025-10"
HEADERS = {
    "leads": ["lead_id", "created_at", "source", "company", "score", "mql_at", "sql_at", "first_sales_touch_at"],
    "email_sends": ["send_id", "sent_at", "campaign", "delivered", "unique_opens", "unique_clicks", "unsubscribes"],
    "deals": ["deal_id", "created_at", "amount", "stage", "closed_at", "lead_id", "ma_sourced"],
}
FORMULAS = ['=HYPERLINK("http://attacker.example","x")', "+1+1", "-5", "@SUM(A1)", "\t=1", "=cmd|'/c calc'!A0"]
NUMBERS = ["1e308", "1.7e308", "-1e308", "1e400", "NaN", "inf", "-0", "0.5", "１２３", "¥1,234,000", "1,5", "99999999999"]
DATES = ["2025-10-15", "2025-10-15T25:61:00", "2025-02-30", "0001-01-01", "9999-12-31T23:59:59", "2025/10/3 9:05",
         "2025-10-31T23:59:59+14:00", "2025-10-01T00:00:00Z", "1677-09-21", "2262-04-12", "10/15/2025", "today"]
ENUMS = ["won", "lost", "open", " WON ", "closed", "true", "no", "1"]

cells = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),  # any unicode: RTL, emoji, controls, surrogate-free
    st.sampled_from(FORMULAS), st.sampled_from(NUMBERS), st.sampled_from(DATES), st.sampled_from(ENUMS),
    st.sampled_from(["L1", "L2", "S1", "D1"]),  # keys that repeat the base rows'
)


def rows(table: str) -> st.SearchStrategy[list[list[str]]]:
    """Rows of ``table``: as many cells as the header, or fewer or one more (a ragged line), one cell filled."""
    width = len(HEADERS[table])
    row = st.integers(min_value=1, max_value=width + 1).flatmap(lambda n: st.lists(cells, min_size=n, max_size=n))
    return st.lists(row.filter(lambda cells: any(c.strip() for c in cells)), max_size=4)


def base(table: str) -> list[list[str]]:
    """A small healthy program: October 2025 has leads, sends and a won MA-sourced deal."""
    if table == "leads":
        return [[f"L{i}", f"2025-{9 + i % 2}-{1 + i:02d}T10:00:00", "web", f"会社{i}", str(i), f"2025-10-{2 + i:02d}",
                 "", ""] for i in range(12)]
    if table == "email_sends":
        return [[f"S{i}", f"2025-{9 + i % 2}-0{1 + i}", "メルマガ", "100", "30", "4", "1"] for i in range(4)]
    return [["D0", "2025-10-01", "1000000", "won", "2025-10-20", "L1", "true"],
            ["D1", "2025-09-03", "500000", "open", "", "L2", ""]]


def write_program(folder: Path, extra: dict[str, list[list[str]]], settings_yaml: str = "") -> Path:
    data = folder / "data"
    data.mkdir(parents=True)
    for table, header in HEADERS.items():
        text = io.StringIO(newline="")
        csv.writer(text, lineterminator="\n").writerows([header, *base(table), *extra[table]])
        (data / f"{table}.csv").write_text(text.getvalue(), encoding="utf-8")
    config = folder / "fuzz.yaml"
    config.write_text("client: fuzz\nprogram:\n  name: ファズ\n  start_month: 2025-09\ndata:\n  path: data\n"
                      "data_quality:\n  max_reject_share: 0.3\n" + settings_yaml, encoding="utf-8")
    return config


def strict_json(path: Path) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{path.name} holds {constant}, which JSON does not have")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


@settings(max_examples=int(os.environ.get("FUZZ_N", "12")), deadline=None,  # FUZZ_N=200 for a longer search
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
@given(extra=st.fixed_dictionaries({table: rows(table) for table in HEADERS}))
@example(extra={"leads": [], "email_sends": [], "deals": [["0", "0\x1e"]]})  # found: the Error: line broke at \x1e
def test_any_rows_end_in_a_pack_or_one_paragraph(prefect_server, extra: dict[str, list[list[str]]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        config = write_program(folder, extra)
        result = CliRunner().invoke(main, ["run", "--config", str(config), "--month", MONTH, "--no-deliver",
                                           "--out", str(folder / "reports")])
        said = [line for line in result.output.splitlines() if not re.match(r"^\d\d:\d\d:\d\d\.\d+ \| ", line)]
        assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception,
                                                                                            SystemExit), result.output
        pack = folder / "reports" / "fuzz" / MONTH
        if result.exit_code != 0:
            assert result.exit_code == 1 and len(said) == 1 and said[0].startswith("Error: "), result.output
            assert not pack.exists()
            return
        manifest = strict_json(pack / "manifest.json")
        for table, header in HEADERS.items():
            written = len(base(table)) + len(extra[table])
            assert manifest["rows"][table]["read"] == written
            rejects = pack / "rejects" / f"{table}.csv"
            rejected = pd.read_csv(rejects, dtype=str, keep_default_na=False, encoding="utf-8-sig") \
                if rejects.exists() else pd.DataFrame(columns=["row"])
            assert len(rejected) == manifest["rows"][table]["rejected"]
            assert set(rejected["row"].astype(int)) <= set(range(2, written + 2)), header
        for document in ("kpis.json", "actions.json", "diagnosis.json"):
            strict_json(pack / document)
        assert len(PdfReader(pack / f"retrospective-fuzz-{MONTH}.pdf").pages) > 5
        assert len(Presentation(str(pack / f"retrospective-fuzz-{MONTH}.pptx")).slides) > 5
