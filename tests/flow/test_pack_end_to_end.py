"""The demo pack end to end through the real Prefect flow: documents read back, JSON parsed, folder atomic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from retropack.flow.monthly_retrospective import monthly_retrospective
from retropack.kpis.catalog import KPI_IDS
from tests.conftest import DEMO_CONFIG, DEMO_EN_CONFIG

MONTH = "2026-10"
AGENDA_JA = ["KPI実績 vs 目標", "うまくいったこと", "うまくいかなかったこと", "今月の改善アクション",
             "新しいシナリオ/コンテンツの計画"]
AGENDA_EN = ["KPI actual vs target", "What went well", "What did not go well", "This month's improvement actions",
             "New scenarios and content planned"]


@pytest.fixture(scope="module")
def packs(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    folders = {}
    for locale, config in (("ja", DEMO_CONFIG), ("en", DEMO_EN_CONFIG)):
        result = monthly_retrospective(config=str(config), month=MONTH, out=str(out), deliver=False)
        folders[locale] = result.folder
    return folders


def pdf_text(folder: Path) -> str:
    pdf = next(folder.glob("retrospective-*.pdf"))
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_folder_holds_exactly_the_contract_outputs(packs: dict[str, Path]) -> None:
    folder = packs["ja"]
    assert folder.parts[-2:] == ("demo", MONTH)
    names = {p.name for p in folder.iterdir()}
    assert names == {f"retrospective-demo-{MONTH}.pdf", f"retrospective-demo-{MONTH}.pptx", "kpis.json",
                     "actions.json", "diagnosis.json", "manifest.json", "rejects", "sends.csv"}  # sends.csv: every send (issue 21)
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")], "staging folders left behind"


@pytest.mark.parametrize(("locale", "headings"), [("ja", AGENDA_JA), ("en", AGENDA_EN)])
def test_pdf_text_has_every_agenda_section(packs: dict[str, Path], locale: str, headings: list[str]) -> None:
    text = pdf_text(packs[locale])
    for heading in headings:
        assert heading in text


def test_pdf_is_a4_landscape_with_the_japanese_font_embedded(packs: dict[str, Path]) -> None:
    reader = PdfReader(next(packs["ja"].glob("*.pdf")))
    assert len(reader.pages) >= 8
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            embedded = descriptor is not None and any(k in descriptor.get_object() for k in
                                                      ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert any("IPAexGothic" in name for name in fonts)
    assert all(fonts.values()), f"fonts not embedded: {[n for n, e in fonts.items() if not e]}"


def test_pdf_shows_the_months_numbers_from_kpis_json(packs: dict[str, Path]) -> None:
    doc = json.loads((packs["ja"] / "kpis.json").read_text(encoding="utf-8"))
    text = pdf_text(packs["ja"])
    new_leads = next(k for k in doc["kpis"] if k["id"] == "new_leads")
    assert f"{new_leads['actual']:,}" in text
    assert "デモMAプログラム" in text and "2026年10月" in text and "成熟期" in text


def test_kpis_json_follows_the_contract(packs: dict[str, Path]) -> None:
    doc = json.loads((packs["ja"] / "kpis.json").read_text(encoding="utf-8"))
    assert (doc["client"], doc["month"]) == ("demo", MONTH)
    assert doc["phase"] == {"id": "maturity", "month_index": 17}
    assert [k["id"] for k in doc["kpis"]] == list(KPI_IDS)
    for kpi in doc["kpis"]:
        assert kpi["status"] in {"achieved", "near", "missed", "no_target", "no_data"}
        assert kpi["owner"] in {"marketing", "sales", "joint"}
        assert kpi["better"] in {"higher", "lower"}
        assert kpi["focus"] == (kpi["id"] in {"ltv", "cac", "pipeline_velocity"})
        if kpi["actual"] is not None and kpi["previous"] is not None:
            assert kpi["change"] == pytest.approx(kpi["actual"] - kpi["previous"], abs=1e-5)
        else:
            assert kpi["change"] is None


def test_manifest_hashes_every_input_and_output(packs: dict[str, Path]) -> None:
    folder = packs["ja"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {i["file"] for i in manifest["inputs"]} >= {"leads.csv", "email_sends.csv", "deals.csv"}
    data = Path(manifest["data_folder"])
    for item in manifest["inputs"]:
        assert hashlib.sha256((data / item["file"]).read_bytes()).hexdigest() == item["sha256"]
    for item in manifest["outputs"]:
        assert hashlib.sha256((folder / item["file"]).read_bytes()).hexdigest() == item["sha256"]
    assert manifest["config"]["sha256"] == hashlib.sha256(DEMO_CONFIG.read_bytes()).hexdigest()
    assert set(manifest["versions"]) >= {"retropack", "prefect", "python"}
    assert len(manifest["pack_hash"]) == 64


def test_rejects_are_written_whole_with_reasons(packs: dict[str, Path]) -> None:
    import pandas as pd

    rejects = pd.read_csv(packs["ja"] / "rejects" / "deals.csv", encoding="utf-8-sig", dtype=str)
    source = pd.read_csv(Path(json.loads((packs["ja"] / "manifest.json").read_text())["data_folder"]) / "deals.csv",
                         encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert {"row", "reason"} <= set(rejects.columns)
    assert set(source.columns) <= set(rejects.columns)
    assert rejects["reason"].str.contains("duplicate_key").any()
    first = rejects.iloc[0]
    original = source.iloc[int(first["row"]) - 2]  # row 1 is the header
    assert original["deal_id"] == first["deal_id"]


def test_deck_has_sections_tables_and_native_charts(packs: dict[str, Path]) -> None:
    deck = Presentation(str(next(packs["ja"].glob("*.pptx"))))
    assert len(deck.slides) >= 6
    charts = [s for slide in deck.slides for s in slide.shapes if s.has_chart]
    tables = [s for slide in deck.slides for s in slide.shapes if s.has_table]
    assert len(charts) >= 2 and tables
    text = "\n".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)
    for heading in AGENDA_JA:
        assert heading in text
