"""``retropack sync`` then ``retropack run`` against the fake HubSpot API writes the pack the demo files
give; a run of a HubSpot client syncs first as its own flow task, and ``--no-sync`` reads the snapshot."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from retropack.cli import main
from retropack.load import load_dataset
from tests.conftest import ROOT
from tests.fakes.hubspot_api import ALL_SCOPES, FakeHubSpot
from tests.fakes.portal import portal_from_tables

TOKEN = "pat-na1-flow-test-token"


@pytest.fixture(scope="module")
def fake():
    portal = portal_from_tables(load_dataset(ROOT / "data" / "demo").tables,
                                modified_at=datetime(2026, 11, 1, tzinfo=UTC))
    with FakeHubSpot(portal, tokens={TOKEN: set(ALL_SCOPES)}, search_per_second=50, per_ten_seconds=2000) as server:
        yield server


def hubspot_client(folder: Path, url: str) -> Path:
    (folder / "data").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "demo" / "spend.csv", folder / "data" / "spend.csv")
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "data")
    text += (f"source:\n  kind: hubspot\n  base_url: {url}\n  since: 2025-06-01\n"
             "  properties: {deals: {ma_sourced: ma_sourced}}\n  limits: {search_per_second: 50, per_ten_seconds: 2000}\n")
    (folder / "demo.yaml").write_text(text, encoding="utf-8")
    return folder / "demo.yaml"


def kpis(folder: Path) -> dict:
    return json.loads((folder / "reports" / "demo" / "2026-10" / "kpis.json").read_text(encoding="utf-8"))


def test_sync_then_run_writes_the_pack_of_the_demo_files(prefect_server, fake, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETROPACK_HUBSPOT_TOKEN", TOKEN)
    config = hubspot_client(tmp_path, fake.url)
    synced = CliRunner().invoke(main, ["sync", "--config", str(config)])
    assert synced.exit_code == 0, synced.output
    assert "leads 4,024, deals 201" in synced.output and "requests to HubSpot" in synced.output  # the validated demo: D00112, won without amount, is kept (contract §1)
    fake.clear_requests()
    ran = CliRunner().invoke(main, ["run", "--config", str(config), "--month", "2026-10", "--no-deliver", "--no-sync",
                                    "--out", str(tmp_path / "reports")])
    assert ran.exit_code == 0, ran.output
    assert fake.requests == []  # --no-sync: the snapshot, not HubSpot
    golden = json.loads((ROOT / "tests" / "data" / "demo-2026-10-kpis.json").read_text(encoding="utf-8"))
    assert kpis(tmp_path)["kpis"] == golden["kpis"]


def test_a_hubspot_clients_run_syncs_first(prefect_server, fake, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETROPACK_HUBSPOT_TOKEN", TOKEN)
    config = hubspot_client(tmp_path, fake.url)
    fake.clear_requests()
    ran = CliRunner().invoke(main, ["run", "--config", str(config), "--month", "2026-10", "--no-deliver",
                                    "--out", str(tmp_path / "reports")])
    assert ran.exit_code == 0, ran.output
    assert any(r.path.endswith("/contacts/search") for r in fake.requests)
    assert (tmp_path / "data" / "leads.csv").exists() and kpis(tmp_path)["month"] == "2026-10"


def test_a_failed_sync_fails_the_run_and_keeps_no_half_snapshot(prefect_server, fake, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETROPACK_HUBSPOT_TOKEN", "pat-na1-revoked")
    config = hubspot_client(tmp_path, fake.url)
    ran = CliRunner().invoke(main, ["run", "--config", str(config), "--month", "2026-10", "--no-deliver",
                                    "--out", str(tmp_path / "reports")])
    assert ran.exit_code == 1 and "HubSpot refused the token named by source.token_env" in ran.output
    assert "pat-na1-revoked" not in ran.output
    assert not (tmp_path / "reports" / "demo" / "2026-10").exists()
