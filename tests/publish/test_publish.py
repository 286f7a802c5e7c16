"""retropack.publish: the machine-readable files beside the documents, and the folder moved into place.

kpis.json is a contract (§4): its shape and number types are what other systems read. The folder
must be complete or absent: a failed move leaves the previous pack as it was. The manifest must list
every output with its hash, and its pack hash decides whether the managers are mailed again, so it
must follow the inputs and ignore the run id.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retropack.config import Config
from retropack.insights.findings import Finding
from retropack.insights.verdict import Verdict
from retropack.kpis.catalog import KPIS
from retropack.kpis.evaluation import KpiResult, Status
from retropack.kpis.phases import PHASES, Phase
from retropack.load import Dataset, load_dataset
from retropack.months import Month
from retropack.publish import folder as folder_module
from retropack.publish import write_json
from retropack.publish.folder import PackFiles, discard, promote, staging_folder
from retropack.publish.kpis_json import kpis_document
from retropack.publish.manifest import manifest, pack_hash
from retropack.publish.rejects import write_rejects
from tests.programs import healthy

GROWTH_MONTH_5 = Phase(next(p for p in PHASES if p.id == "growth"), 5)


def result(kpi: str, actual: float | None, previous: float | None, target: float | None = None,
           status: Status = "no_target", focus: bool = False) -> KpiResult:
    return KpiResult(kpi=KPIS[kpi], actual=actual, previous=previous, target=target, status=status, focus=focus,
                     history=())


# --- kpis.json --------------------------------------------------------------------------------------------------

def test_kpis_document_has_the_contracts_shape() -> None:
    """Contract §4 and §10: each KPI with its verdict, and the month's findings."""
    finding = Finding("bulk_import", "leads", 684, 684 / 685, ("new_leads", "cpl"), "684 of 685 new leads …")
    document = kpis_document("default", "2026-10", GROWTH_MONTH_5,
                             [result("new_leads", 212, 190, 200, "achieved", focus=False)], [],
                             {"new_leads": Verdict("watch", ("unreliable",), False, "better", None, None,
                                                   ("bulk_import",))}, [finding])
    assert document == {
        "client": "default",
        "month": "2026-10",
        "phase": {"id": "growth", "month_index": 5},
        "kpis": [{"id": "new_leads", "actual": 212, "target": 200, "status": "achieved", "better": "higher",
                  "focus": False, "owner": "marketing", "previous": 190, "change": 22,
                  "name": {"ja": "新規リード数", "en": "New leads"}, "unit": "count", "explanation": None,
                  "verdict": {"bucket": "watch", "reasons": ["unreliable"], "reliable": False,
                              "findings": ["bulk_import"]}}],
        "insights": [],
        "findings": [{"id": "bulk_import", "table": "leads", "rows": 684, "share": 684 / 685,
                      "kpis": ["new_leads", "cpl"], "detail": "684 of 685 new leads …"}],
    }


@pytest.mark.parametrize(
    ("kpi", "actual", "previous", "target", "expected"),
    [
        # counts are whole numbers (int), whatever float the formula produced
        ("new_leads", 212.0, 190.0, 200.0, {"actual": 212, "previous": 190, "target": 200, "change": 22}),
        ("mqls", np.float64(68.0), 56.0, None, {"actual": 68, "previous": 56, "target": None, "change": 12}),
        # rates and money: unrounded (contract §8), so the explanations' parts add up to the change; plain float
        ("email_open_rate", 0.123456789, 0.1, 0.25,
         {"actual": 0.123456789, "previous": 0.1, "target": 0.25, "change": 0.123456789 - 0.1}),
        ("cpl", 4196.1234567, 4661.0, 5000.0,
         {"actual": 4196.1234567, "previous": 4661.0, "target": 5000.0, "change": 4196.1234567 - 4661.0}),
        ("pipeline_velocity", np.float64(62678.12345678), None, 120000.0,
         {"actual": 62678.12345678, "previous": None, "target": 120000.0, "change": None}),
        # no value stays null, never 0
        ("cac", None, 750500.0, 400000.0, {"actual": None, "previous": 750500.0, "target": 400000.0, "change": None}),
    ],
)
def test_kpis_document_numbers(kpi: str, actual: float | None, previous: float | None, target: float | None,
                               expected: dict[str, Any]) -> None:
    (row,) = kpis_document("c", "2026-10", GROWTH_MONTH_5, [result(kpi, actual, previous, target)])["kpis"]
    got = {key: row[key] for key in expected}
    assert got == expected
    for key, value in expected.items():  # int for counts, plain float (not numpy) otherwise
        assert type(got[key]) is type(value), key


def test_kpis_document_reads_back_as_json(tmp_path: Path) -> None:
    """written with write_json: UTF-8, Japanese names unescaped, the same numbers back."""
    document = kpis_document("c", "2026-10", GROWTH_MONTH_5,
                             [result("email_ctr", np.float64(0.0375), None), result("sqls", 24.0, 14.0)])
    write_json(tmp_path / "kpis.json", document)
    text = (tmp_path / "kpis.json").read_text(encoding="utf-8")
    assert "SQL数" in text and text.endswith("}\n")
    assert json.loads(text) == document


# --- the output folder --------------------------------------------------------------------------------------------

def _pack(folder: Path, marker: str) -> None:
    """A stand-in pack: the four files promote names, each carrying ``marker``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("retrospective-acme-2026-10.pdf", "retrospective-acme-2026-10.pptx", "kpis.json",
                 "manifest.json"):
        (folder / name).write_text(marker, encoding="utf-8")


def test_staging_folder_is_a_hidden_sibling_of_the_final_folder(tmp_path: Path) -> None:
    staging = staging_folder(tmp_path, "acme", "2026-10", "run123")
    assert staging == tmp_path / "acme" / ".2026-10.staging-run123"
    assert staging.is_dir()
    with pytest.raises(FileExistsError):  # two runs never share a staging folder
        staging_folder(tmp_path, "acme", "2026-10", "run123")


def test_promote_moves_the_pack_in_and_names_its_files(tmp_path: Path) -> None:
    staging = staging_folder(tmp_path, "acme", "2026-10", "run1")
    _pack(staging, "new")
    final = tmp_path / "acme" / "2026-10"
    files = promote(staging, final)
    assert files == PackFiles(folder=final, pdf=final / "retrospective-acme-2026-10.pdf",
                              pptx=final / "retrospective-acme-2026-10.pptx", kpis_json=final / "kpis.json",
                              manifest=final / "manifest.json")
    assert all(path.read_text(encoding="utf-8") == "new" for path in (files.pdf, files.pptx, files.kpis_json,
                                                                        files.manifest))
    assert not staging.exists()
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == ["2026-10"]


def test_promote_replaces_an_existing_pack_and_leaves_nothing_behind(tmp_path: Path) -> None:
    final = tmp_path / "acme" / "2026-10"
    _pack(final, "old")
    (final / "rejects").mkdir()
    (final / "rejects" / "leads.csv").write_text("old rejects", encoding="utf-8")
    staging = staging_folder(tmp_path, "acme", "2026-10", "run2")
    _pack(staging, "new")
    promote(staging, final)
    assert (final / "kpis.json").read_text(encoding="utf-8") == "new"
    assert not (final / "rejects").exists()  # the folder is replaced, not merged
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == ["2026-10"]  # no staging, no retired copy


def test_the_old_pack_is_removed_only_after_the_new_one_is_in_place(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """When the old pack is deleted, the final folder already holds the new one."""
    final = tmp_path / "acme" / "2026-10"
    _pack(final, "old")
    staging = staging_folder(tmp_path, "acme", "2026-10", "run3")
    _pack(staging, "new")
    seen: list[tuple[str, str, str]] = []
    real_rmtree: Callable[..., None] = folder_module.shutil.rmtree

    def spy(path: Path, *args: Any, **kwargs: Any) -> None:
        seen.append((Path(path).name, (Path(path) / "kpis.json").read_text(encoding="utf-8"),
                     (final / "kpis.json").read_text(encoding="utf-8")))
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(folder_module.shutil, "rmtree", spy)
    promote(staging, final)
    assert seen == [(".2026-10.retired-run3", "old", "new")]


def test_a_failed_move_puts_the_previous_pack_back(tmp_path: Path) -> None:
    """The staging folder is gone (a run that died): the move fails and the old pack is restored."""
    final = tmp_path / "acme" / "2026-10"
    _pack(final, "old")
    with pytest.raises(FileNotFoundError):
        promote(tmp_path / "acme" / ".2026-10.staging-run4", final)
    assert (final / "kpis.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == ["2026-10"]


def test_discard_removes_the_staging_folder_and_tolerates_its_absence(tmp_path: Path) -> None:
    staging = staging_folder(tmp_path, "acme", "2026-10", "run5")
    _pack(staging / "rejects", "partial")
    discard(staging)
    assert not staging.exists()
    discard(staging)  # already gone: no error, a failing run must not fail again while cleaning up


# --- rejects --------------------------------------------------------------------------------------------------

LEADS = "lead_id,created_at,company\nL1,2026-10-01,株式会社さくら\nL2,2026-13-45,株式会社中央化学\nL1,2026-10-02,重複商事\n"
SENDS = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\nS1,2026-10-03,100,30,4,1\n"
DEALS = "deal_id,created_at,amount,stage\nD1,2026-10-20,1000000,open\n"


def _dataset(folder: Path, leads: str = LEADS) -> Dataset:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("leads", leads), ("email_sends", SENDS), ("deals", DEALS)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_dataset(folder, max_reject_share=0.9)


def test_write_rejects_writes_only_tables_with_rejects_in_utf8_with_bom(tmp_path: Path) -> None:
    """L2's date cannot be read and the second L1 is a duplicate; sends and deals are clean."""
    written = write_rejects(_dataset(tmp_path / "data"), tmp_path / "out" / "rejects")
    assert written == [tmp_path / "out" / "rejects" / "leads.csv"]
    assert sorted(p.name for p in (tmp_path / "out" / "rejects").iterdir()) == ["leads.csv"]
    raw = written[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads the Japanese as UTF-8
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    assert header == ["row", "lead_id", "created_at", "company", "reason"]  # rows whole, with where and why
    assert [row[:4] for row in rows] == [["3", "L2", "2026-13-45", "株式会社中央化学"],  # row 1 is the header
                                         ["4", "L1", "2026-10-02", "重複商事"]]
    assert [row[4].split(":")[0] for row in rows] == ["bad_timestamp", "duplicate_key"]


def test_no_rejects_no_folder(tmp_path: Path) -> None:
    clean = "lead_id,created_at\nL1,2026-10-01\n"
    assert write_rejects(_dataset(tmp_path / "data", clean), tmp_path / "out" / "rejects") == []
    assert not (tmp_path / "out" / "rejects").exists()


# --- manifest -------------------------------------------------------------------------------------------------

JUNE = Month(2025, 6)
AT = datetime(2025, 7, 1, 9, 0)


@pytest.fixture()
def program(tmp_path: Path) -> tuple[Config, Dataset]:
    return healthy().load(tmp_path / "client")


def _outputs(folder: Path) -> dict[str, bytes]:
    files = {"retrospective-fixture-2025-06.pdf": b"%PDF-1.7 stand-in", "kpis.json": b'{"kpis": []}\n',
             "rejects/leads.csv": "\ufefflead_id,reason\n".encode()}
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return files


def test_manifest_lists_every_output_with_its_hash_and_size(tmp_path: Path, program: tuple[Config, Dataset]) -> None:
    config, dataset = program
    out = tmp_path / "out"
    files = _outputs(out)
    document = manifest(config.settings, dataset, JUNE, "run-a", AT, out, False)
    assert document["outputs"] == [
        {"file": name, "sha256": hashlib.sha256(files[name]).hexdigest(), "bytes": len(files[name])}
        for name in sorted(files)
    ]
    assert (document["run_id"], document["generated_at"], document["client"], document["month"]) == (
        "run-a", "2025-07-01T09:00:00", "fixture", "2025-06")


def test_manifest_describes_inputs_config_and_rules(tmp_path: Path, program: tuple[Config, Dataset]) -> None:
    config, dataset = program
    document = manifest(config.settings, dataset, JUNE, "run-a", AT, tmp_path, False)
    data = tmp_path / "client" / "data"
    assert [entry["file"] for entry in document["inputs"]] == sorted(
        ["content_calendar.csv", "deals.csv", "email_sends.csv", "leads.csv", "scenarios.csv", "spend.csv"])
    leads = next(entry for entry in document["inputs"] if entry["file"] == "leads.csv")
    assert leads == {"file": "leads.csv", "sha256": hashlib.sha256((data / "leads.csv").read_bytes()).hexdigest(),
                     "bytes": (data / "leads.csv").stat().st_size}
    assert document["config"]["file"] == "program.yaml"
    assert document["rules"]["file"] == "rules.yaml"
    assert document["rows"]["leads"] == {"read": 600, "rejected": 0}  # 100 leads a month, January to June
    assert set(document["versions"]) >= {"python", "retropack", "pandas"}
    json.dumps(document)  # every value is JSON


def test_the_pack_hash_ignores_the_run_and_the_config_but_follows_what_readers_get(
        tmp_path: Path, program: tuple[Config, Dataset]) -> None:
    """A rerun, or a config edit that changes nothing on the pages, is the same pack (no second e-mail); a changed
    document is a new one."""
    config, dataset = program
    settings = config.settings
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "kpis.json").write_text('{"kpis": [{"id": "new_leads", "actual": 100}]}', encoding="utf-8")
    first = manifest(settings, dataset, JUNE, "run-a", AT, folder, False)["pack_hash"]
    rerun = manifest(settings, dataset, JUNE, "run-b", datetime(2025, 7, 2, 9, 0), folder, False)["pack_hash"]
    assert rerun == first == pack_hash(folder, settings.client, JUNE, "run-c", AT)
    assert settings.config_file is not None
    settings.config_file.write_text(settings.config_file.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert manifest(settings, dataset, JUNE, "run-d", AT, folder, False)["pack_hash"] == first
    (folder / "kpis.json").write_text('{"kpis": [{"id": "new_leads", "actual": 101}]}', encoding="utf-8")
    assert pack_hash(folder, settings.client, JUNE, "run-a", AT) != first


@pytest.mark.parametrize("change", ["month", "scoring_review", "actions"])
def test_the_pack_hash_follows_the_month_a_requested_review_and_the_actions(tmp_path: Path, change: str) -> None:
    (tmp_path / "kpis.json").write_text("{}", encoding="utf-8")
    (tmp_path / "actions.json").write_text('{"actions": [{"id": "a", "assignee": null}]}', encoding="utf-8")
    before = pack_hash(tmp_path, "client", JUNE, "r", AT)
    if change == "month":
        after = pack_hash(tmp_path, "client", Month(2025, 5), "r", AT)
    elif change == "scoring_review":
        after = pack_hash(tmp_path, "client", JUNE, "r", AT, scoring_review=True)
    else:
        (tmp_path / "actions.json").write_text('{"actions": [{"id": "a", "assignee": "高橋 美咲"}]}', encoding="utf-8")
        after = pack_hash(tmp_path, "client", JUNE, "r", AT)
    assert after != before
