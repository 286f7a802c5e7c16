"""Values that are valid but odd (issue 12). Amounts that overflow when added: two won deals of 1e308 and 1.7e308
made the sum infinite and the deck crashed (``NAN/INF not supported in write_number()``); the KPIs that add them are
no value, the pack says why in its data-quality section, and every document opens. A 5,000-character company name
with a control character and Arabic text: the pages show it shortened, without the control character, isolated."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from pptx import Presentation
from pypdf import PdfReader

from retropack.cli import main
from tests.flow.test_any_rows import MONTH, strict_json, write_program

HUGE_WINS = [["D2", "2025-10-02", "1e308", "won", "2025-10-21", "L3", "true"],
             ["D3", "2025-10-02", "1.7e308", "won", "2025-10-22", "L4", "true"]]


def run(extra: dict[str, list[list[str]]], folder: Path, settings_yaml: str = "") -> Path:
    """Run the command on the small program plus ``extra`` rows; the month's pack folder."""
    config = write_program(folder, {"leads": [], "email_sends": [], "deals": [], **extra}, settings_yaml)
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--month", MONTH, "--no-deliver",
                                       "--out", str(folder / "reports")])
    assert result.exit_code == 0, result.output
    return folder / "reports" / "fuzz" / MONTH


def test_an_overflowing_sum_is_no_value_with_a_finding_and_the_pack_opens(prefect_server) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        # both amounts are below the bound: only their sum overflows
        pack = run({"deals": HUGE_WINS}, Path(scratch), "  max_amount: 1.79e308\n")
        kpis = {k["id"]: k for k in strict_json(pack / "kpis.json")["kpis"]}  # type: ignore[index]
        assert kpis["ma_won_amount"]["actual"] is None and kpis["ltv"]["actual"] is None
        assert kpis["new_leads"]["actual"] == 6  # the KPIs that add no amounts keep their values
        text = "".join(page.extract_text() for page in PdfReader(pack / f"retrospective-fuzz-{MONTH}.pdf").pages)
        assert "MA起点の受注金額は、金額や件数が大きすぎて合計できない月(2025年10月)があるため" in text.replace("\n", "")
        deck = Presentation(str(pack / f"retrospective-fuzz-{MONTH}.pptx"))
        assert len(deck.slides) > 5
        assert json.loads((pack / "manifest.json").read_text(encoding="utf-8"))["rows"]["deals"]["rejected"] == 0


def test_a_huge_company_name_is_shortened_and_isolated_on_the_pages(prefect_server) -> None:
    name = "\u0634\u0631\u0643\u0629 " + "A" * 5000 + "\x07"  # Arabic "company", 5,000 letters, a bell
    lead = ["L99", "2025-10-01T09:00:00", "web", name, "50", "2025-10-02", "", ""]  # an MQL never followed up
    with tempfile.TemporaryDirectory() as scratch:
        pack = run({"leads": [lead]}, Path(scratch))

        pdf = "".join(page.extract_text() for page in PdfReader(pack / f"retrospective-fuzz-{MONTH}.pdf").pages)
        deck = Presentation(str(pack / f"retrospective-fuzz-{MONTH}.pptx"))
        slides = "".join(shape.text_frame.text if shape.has_text_frame else
                         "".join(cell.text for row in shape.table.rows for cell in row.cells) if shape.has_table else ""
                         for slide in deck.slides for shape in slide.shapes)
        for text in (pdf, slides):
            flat = text.replace("\n", "")
            assert "A" * 70 + "…" in flat and "A" * 80 not in flat and "\x07" not in text
        assert "\u2068\u0634\u0631\u0643\u0629" in pdf + slides  # the right-to-left run is isolated
