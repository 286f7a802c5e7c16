"""The HubSpot source against a local fake of HubSpot's API (tests/fakes): the demo program synced gives
the same KPIs as the demo files, an incremental sync after changes equals a full one, a killed sync
loses nothing, the 10,000-result window and the rate limits are handled, and every failure says what to
fix without ever showing the token."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from retropack.config import load_config
from retropack.errors import SourceError
from retropack.flow import steps
from retropack.gather import _snapshot
from retropack.load import load_dataset
from retropack.months import Month
from retropack.publish.kpis_json import kpis_document
from tests.conftest import ROOT
from tests.fakes.hubspot_api import ALL_SCOPES, FakeHubSpot, rate_limit_body
from tests.fakes.portal import portal_from_tables, synthetic_portal

TOKEN = "pat-na1-0f1e2d3c-fake-token-for-tests"
EXPORTED = datetime(2026, 11, 1, tzinfo=UTC)
LATER = datetime(2026, 12, 15, tzinfo=UTC)  # after every modification the demo portal holds
FAST = {"search_per_second": 50, "per_ten_seconds": 2000}  # a generous account, so tests do not wait


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    return load_dataset(ROOT / "data" / "demo").tables


def client(folder: Path, fake: FakeHubSpot, *, limits: dict | None = None, extra: str = "") -> Path:
    """The demo's config, reading from HubSpot into ``folder/data`` (spend stays a file people keep)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "demo" / "spend.csv", folder / "data" / "spend.csv")
    limits = limits or FAST
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "data")
    text += (f"source:\n  kind: hubspot\n  base_url: {fake.url}\n  since: 2025-06-01\n"
             f"  properties:\n    deals: {{ma_sourced: ma_sourced}}\n"
             f"  limits: {{search_per_second: {limits['search_per_second']}, "
             f"per_ten_seconds: {limits['per_ten_seconds']}}}\n{extra}")
    (folder / "demo.yaml").write_text(text, encoding="utf-8")
    return folder / "demo.yaml"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETROPACK_HUBSPOT_TOKEN", TOKEN)


CONTACTS_SEARCH = "/crm/v3/objects/contacts/search"
INJECTED_429S = 3


def fake_for(portal, **limits) -> FakeHubSpot:
    return FakeHubSpot(portal, tokens={TOKEN: set(ALL_SCOPES)}, **{"search_per_second": 50, "per_ten_seconds": 2000,
                                                                      **limits})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "data").iterdir()) if p.is_file() and p.suffix == ".csv"}


# --- the same program, from HubSpot or from files -------------------------------------------------------


@pytest.fixture(scope="module")
def synced_demo(demo_tables, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("synced")
    os.environ["RETROPACK_HUBSPOT_TOKEN"] = TOKEN
    with fake_for(portal_from_tables(demo_tables, modified_at=EXPORTED)) as fake:
        config = load_config(client(folder, fake))
        steps.sync(config.settings)
    return config, steps.load(config.settings)


@pytest.mark.parametrize("month", ["2026-10", "2026-08", "2025-12"])
def test_the_demo_synced_from_hubspot_gives_the_kpis_of_the_demo_files(synced_demo, month: str) -> None:
    config, synced = synced_demo
    files_config = load_config(ROOT / "config" / "demo.yaml")
    files = steps.load(files_config.settings)
    a = steps.compute(synced, config, Month.parse(month))
    b = steps.compute(files, files_config, Month.parse(month))
    assert kpis_document("demo", month, a.phase, a.results) == kpis_document("demo", month, b.phase, b.results)
    assert {name: q.rejected for name, q in synced.quality.items()} == dict.fromkeys(synced.quality, 0)


# --- incremental, full, and changes between syncs --------------------------------------------------------


def changes(portal, at: datetime) -> None:
    """What happens in an account between two syncs: a lead becomes MQL, a deal is won, new leads arrive."""
    first = next(iter(portal.contacts))
    portal.upsert_contact(first, {"hs_v2_date_entered_marketingqualifiedlead": "2026-10-20T01:00:00.000Z"}, at)
    deal = next(d for d in portal.deals.values() if d.properties.get("dealstage") == "appointmentscheduled")
    portal.upsert_deal(deal.id, {"dealstage": "closedwon", "closedate": "2026-10-28T05:00:00.000Z"}, at)
    for number in range(3):
        portal.upsert_contact(str(900_000 + number), {"createdate": "2026-10-25T00:00:00.000Z",
                                                      "email": f"new{number}@example.jp", "industry": "smb"}, at)


def test_an_incremental_sync_after_changes_equals_a_full_sync(demo_tables, tmp_path: Path) -> None:
    portal = portal_from_tables(demo_tables, modified_at=EXPORTED)
    with fake_for(portal) as fake:
        incremental = load_config(client(tmp_path / "incremental", fake))
        steps.sync(incremental.settings)
        changes(portal, LATER)
        fake.clear_requests()
        report = steps.sync(incremental.settings)
        searched = [r for r in fake.requests if r.path.endswith("/search")]
        full = load_config(client(tmp_path / "full", fake))
        steps.sync(full.settings, full=True)
    # only what changed came over the wire: the 4 contacts and the deal, plus the last record of the previous
    # sync, read again because a window starts at (GTE) its modification time, so a tie is never missed
    assert report.changed == {"contacts": 5, "deals": 2}
    assert all(r.body["filterGroups"][0]["filters"][0]["operator"] == "GTE" for r in searched)

    def table(config, name: str) -> pd.DataFrame:
        frame = _snapshot.read_table(config.settings.data.path, name)
        return frame.sort_values(frame.columns[0]).reset_index(drop=True)

    for name in ("leads", "deals", "email_sends", "scenarios", "content_calendar"):
        pd.testing.assert_frame_equal(table(incremental, name), table(full, name), check_like=True)


def test_a_full_sync_drops_what_was_deleted_in_hubspot(demo_tables, tmp_path: Path) -> None:
    portal = portal_from_tables(demo_tables, modified_at=EXPORTED)
    with fake_for(portal) as fake:
        config = load_config(client(tmp_path, fake))
        steps.sync(config.settings)
        gone = next(iter(portal.contacts))
        portal.archive_contact(gone, LATER)
        steps.sync(config.settings)
        assert gone in set(_snapshot.read_table(config.settings.data.path, "leads")["lead_id"])  # search can't see it
        steps.sync(config.settings, full=True)
    assert gone not in set(_snapshot.read_table(config.settings.data.path, "leads")["lead_id"])


def test_people_keep_their_planned_content_beside_the_synced_blog_posts(demo_tables, tmp_path: Path) -> None:
    with fake_for(portal_from_tables(demo_tables, modified_at=EXPORTED)) as fake:
        config = load_config(client(tmp_path, fake))
        planned = "title,type,planned_date,content_id\n秋のウェビナー,webinar,2026-11-12,plan-1\n"
        (tmp_path / "data" / "content_calendar.csv").write_text(planned, encoding="utf-8")
        steps.sync(config.settings)
        steps.sync(config.settings)  # a second sync replaces its own rows, not people's
    calendar = _snapshot.read_table(config.settings.data.path, "content_calendar")
    assert calendar["content_id"].tolist().count("plan-1") == 1
    assert calendar["content_id"].str.startswith("hubspot-blog-").sum() == \
        int((demo_tables["content_calendar"]["type"] == "blog").sum())


def test_deal_stages_come_from_the_pipelines_metadata(demo_tables, tmp_path: Path) -> None:
    portal = portal_from_tables(demo_tables, modified_at=EXPORTED)
    custom = portal.pipelines[0].__class__  # a second pipeline whose stages have their own ids and labels
    stage = portal.pipelines[0].stages[0].__class__
    portal.pipelines.append(custom(id="renewals", label="更新", display_order=1, stages=[
        stage(id="rn-signed", label="契約更新", display_order=0, probability="1.0", is_closed=True),
        stage(id="rn-churned", label="解約", display_order=1, probability="0.0", is_closed=True),
        stage(id="rn-talks", label="交渉中", display_order=2, probability="0.5", is_closed=False)]))
    for number, stage_id in enumerate(("rn-signed", "rn-churned", "rn-talks")):
        portal.upsert_deal(str(800_000 + number), {"dealstage": stage_id, "pipeline": "renewals",
                                                   "createdate": "2026-10-01T00:00:00.000Z", "amount": "100",
                                                   "closedate": "2026-10-15T00:00:00.000Z"}, EXPORTED)
    with fake_for(portal) as fake:
        config = load_config(client(tmp_path, fake))
        steps.sync(config.settings)
    deals = _snapshot.read_table(config.settings.data.path, "deals").set_index("deal_id")
    assert deals.loc[["800000", "800001", "800002"], "stage"].tolist() == ["won", "lost", "open"]
    assert deals.loc["800002", "closed_at"] == ""  # an open deal's close date is HubSpot's forecast
    owners = set(deals["owner"]) - {""}
    assert owners and all(" " in owner for owner in owners)  # owners by name, not by id


# --- the 10,000-result window, limits and a killed sync -------------------------------------------------


def test_thirty_thousand_contacts_sync_through_the_window_and_the_429s(tmp_path: Path) -> None:
    """HubSpot's search pages stop at 10,000 results, and HubSpot answers 429 SECONDLY when searches come faster
    than the account allows: the sync waits each out (a second) and loses no page.

    The fake is told to refuse the first searches, so the 429s come whatever the machine's speed (a loaded
    machine searches slower than any limit); the account's own limit, lower than the config claims, may add more."""
    portal = synthetic_portal(30_000, start=datetime(2026, 1, 1, tzinfo=UTC))
    with fake_for(portal, search_per_second=20) as fake:
        fake.fail_next(CONTACTS_SEARCH, 429, rate_limit_body("SECONDLY"), count=INJECTED_429S)
        config = load_config(client(tmp_path, fake, limits={"search_per_second": 24, "per_ten_seconds": 2000}))
        report = steps.sync(config.settings)
        searches = [r for r in fake.requests if r.path == CONTACTS_SEARCH]
    assert report.rows["leads"] == 30_000
    windows = {r.body["filterGroups"][0]["filters"][0]["value"] for r in searches if r.body.get("filterGroups")}
    assert len(windows) >= 3  # restarted at the last modification time seen before each window's end
    assert all(int(r.body.get("after") or 0) + r.body["limit"] <= 10_000 for r in searches)
    assert [r.status for r in searches[:INJECTED_429S + 1]] == [429] * INJECTED_429S + [200]
    assert all(r.status in (200, 429) for r in searches)
    refused = [i for i, r in enumerate(searches) if r.status == 429]
    assert all(searches[i + 1].at - searches[i].at >= 1.0 for i in refused)  # SECONDLY: a second's wait, at least
    assert all(searches[i + 1].body == searches[i].body for i in refused)  # the same page asked again


def test_a_sync_killed_halfway_leaves_the_previous_snapshot_and_the_next_completes_it(demo_tables,
                                                                                       tmp_path: Path) -> None:
    portal = portal_from_tables(demo_tables, modified_at=EXPORTED)
    with fake_for(portal) as fake:
        config_path = client(tmp_path, fake, limits={"search_per_second": 2, "per_ten_seconds": 2000})
        config = load_config(config_path)
        steps.sync(config.settings)
        before = snapshot(tmp_path)
        state = (tmp_path / "data" / _snapshot.STATE_FILE).read_bytes()
        changes(portal, LATER)
        portal.upsert_contact(next(iter(portal.contacts)), {"company": "改名後の会社"}, LATER + timedelta(hours=1))
        fake.clear_requests()
        env = {**os.environ, "RETROPACK_HUBSPOT_TOKEN": TOKEN}
        process = subprocess.Popen([str(Path(sys.executable).with_name("retropack")), "sync", "--config",
                                    str(config_path), "--full"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not any(r.path.endswith("/search") for r in fake.requests) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # a few pages in, at 2 searches a second
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert snapshot(tmp_path) == before
        assert (tmp_path / "data" / _snapshot.STATE_FILE).read_bytes() == state
        assert steps.load(config.settings).tables["leads"].shape[0] == 4024  # the previous snapshot reads whole
        steps.sync(load_config(client(tmp_path, fake)).settings)
    leads = _snapshot.read_table(tmp_path / "data", "leads")
    assert len(leads) == 4027 and "改名後の会社" in set(leads["company"])
    assert not list((tmp_path / "data").glob(".sync-staging-*"))


def test_a_staged_snapshot_is_finished_or_dropped_by_the_next_sync(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "leads.csv").write_text("lead_id\nold\n", encoding="utf-8")
    complete = folder / ".sync-staging-aaaa"
    complete.mkdir()
    (complete / "leads.csv").write_text("lead_id\nnew\n", encoding="utf-8")
    (complete / _snapshot.STATE_FILE).write_text("{}", encoding="utf-8")
    (complete / "COMPLETE").touch()
    partial = folder / ".sync-staging-bbbb"
    partial.mkdir()
    (partial / "deals.csv").write_text("deal_id\nhalf\n", encoding="utf-8")
    _snapshot.recover(folder)
    assert (folder / "leads.csv").read_text(encoding="utf-8") == "lead_id\nnew\n"
    assert not (folder / "deals.csv").exists() and not list(folder.glob(".sync-staging-*"))


def test_two_syncs_of_one_folder_do_not_run_at_once(tmp_path: Path) -> None:
    with _snapshot.locked(tmp_path), pytest.raises(SourceError, match="Another sync of .* is running"), \
            _snapshot.locked(tmp_path):
        pass


# --- failures: one paragraph, what to fix, no token ------------------------------------------------------


def run_sync(config: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RETROPACK_HUBSPOT_TOKEN": os.environ["RETROPACK_HUBSPOT_TOKEN"]}
    return subprocess.run([str(Path(sys.executable).with_name("retropack")), "sync", "--config", str(config), *extra],
                          env=env, capture_output=True, text=True, timeout=120)


def test_a_wrong_token_names_the_variable_and_never_the_token(demo_tables, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETROPACK_HUBSPOT_TOKEN", "pat-na1-wrong-token-123")
    with fake_for(portal_from_tables(demo_tables, modified_at=EXPORTED)) as fake:
        done = run_sync(client(tmp_path, fake))
    assert done.returncode == 1
    assert done.stderr.startswith("Error: HubSpot refused the token named by source.token_env "
                                  "(RETROPACK_HUBSPOT_TOKEN) (401 INVALID_AUTHENTICATION)")
    assert "pat-na1-wrong-token-123" not in done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_missing_scope_for_contacts_stops_the_sync_naming_the_scope(demo_tables, tmp_path: Path) -> None:
    scopes = set(ALL_SCOPES) - {"crm.objects.contacts.read"}
    with FakeHubSpot(portal_from_tables(demo_tables, modified_at=EXPORTED), tokens={TOKEN: scopes},
                     **FAST) as fake:
        config = load_config(client(tmp_path, fake))
        with pytest.raises(SourceError, match=r"lacks the scope crm\.objects\.contacts\.read, needed to read search "
                                              r"contacts \(403 MISSING_SCOPES\): add it .*RETROPACK_HUBSPOT_TOKEN"):
            steps.sync(config.settings)
    assert not (tmp_path / "data" / "leads.csv").exists()  # nothing half-written


def test_without_the_automation_scope_scenarios_are_skipped_and_the_pack_says_so(demo_tables,
                                                                                   tmp_path: Path) -> None:
    scopes = set(ALL_SCOPES) - {"automation"}
    with FakeHubSpot(portal_from_tables(demo_tables, modified_at=EXPORTED), tokens={TOKEN: scopes},
                     **FAST) as fake:
        config = load_config(client(tmp_path, fake))
        report = steps.sync(config.settings)
    assert [(p["table"], p["scopes"]) for p in report.skipped] == [("scenarios", ["automation"])]
    dataset = steps.load(config.settings)
    assert "scenarios" not in dataset.tables
    [finding] = [f for f in dataset.findings if f.code == "source_skipped"]
    view = steps.view(steps.compute(dataset, config, Month.parse("2026-10")), dataset, config, "t",
                      steps.now_in(config.settings))
    assert "シナリオはHubSpotから取得できませんでした(アクセストークンに automation のスコープがありません)。" \
        in view.findings


def test_the_daily_limit_stops_with_when_it_resets(demo_tables, tmp_path: Path) -> None:
    with fake_for(portal_from_tables(demo_tables, modified_at=EXPORTED), daily=3) as fake:
        config = load_config(client(tmp_path, fake))
        with pytest.raises(SourceError, match=r"daily API limit .* \(.*429 DAILY\); it resets at midnight in the "
                                              r"account's time zone.*--no-sync"):
            steps.sync(config.settings)


def test_a_server_error_is_retried_and_the_sync_goes_on(demo_tables, tmp_path: Path) -> None:
    with fake_for(portal_from_tables(demo_tables, modified_at=EXPORTED)) as fake:
        fake.fail_next("/crm/v3/objects/contacts/search", 502, count=2)
        config = load_config(client(tmp_path, fake))
        report = steps.sync(config.settings)
    assert report.rows["leads"] == 4024


def test_the_token_is_in_no_file_the_sync_writes(demo_tables, tmp_path: Path) -> None:
    with fake_for(portal_from_tables(demo_tables, modified_at=EXPORTED)) as fake:
        config = load_config(client(tmp_path, fake))
        steps.sync(config.settings)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_token_written_into_the_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("program: {name: x, start_month: 2025-06}\ndata: {path: d}\n"
                                     "source: {kind: hubspot, token_env: pat-na1-abc}\n", encoding="utf-8")
    from retropack.errors import ConfigError
    with pytest.raises(ConfigError, match="must name an environment variable") as caught:
        load_config(tmp_path / "c.yaml")
    assert "pat-na1-abc" not in str(caught.value)


def test_sync_state_records_watermarks_and_what_it_wrote(demo_tables, tmp_path: Path) -> None:
    portal = portal_from_tables(demo_tables, modified_at=EXPORTED)
    with fake_for(portal) as fake:
        config = load_config(client(tmp_path, fake))
        steps.sync(config.settings)
    state = json.loads((tmp_path / "data" / _snapshot.STATE_FILE).read_text(encoding="utf-8"))
    latest = max(record.modified_at for record in portal.contacts.values())
    assert pd.Timestamp(state["watermarks"]["contacts"]) == pd.Timestamp(latest)
    assert state["rows"]["leads"] == 4024 and state["skipped"] == []


# --- e-mail statistics refreshed incrementally (issue 22) -----------------------------------------------------


@pytest.mark.parametrize("timezone", ["Asia/Tokyo", "America/New_York"])
def test_three_incremental_syncs_add_no_duplicate_sends(demo_tables, tmp_path: Path, timezone: str) -> None:
    """A portal whose monthly buckets start at its local month start and report the month a span cuts: each sync
    refreshes the month before the last sync, and the fresh rows replace the snapshot's by send_id."""
    from retropack.gather.hubspot import sync_hubspot

    portal = portal_from_tables(demo_tables, modified_at=EXPORTED)
    with FakeHubSpot(portal, tokens={TOKEN: set(ALL_SCOPES)}, timezone=timezone, partial_months=True,
                     **FAST) as fake:
        config = load_config(client(tmp_path / "incremental", fake)).settings
        for now in (datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC),
                    datetime(2027, 1, 4, tzinfo=UTC)):
            sync_hubspot(config.source, config.data.path, start=config.program.start.start("UTC").date(), now=now)
            sends = _snapshot.read_table(config.data.path, "email_sends")
            assert not sends["send_id"].duplicated().any(), sends[sends["send_id"].duplicated(keep=False)]
        full = load_config(client(tmp_path / "full", fake)).settings
        sync_hubspot(full.source, full.data.path, start=full.program.start.start("UTC").date(), full=True,
                     now=datetime(2027, 1, 4, tzinfo=UTC))

    def table(settings) -> pd.DataFrame:
        frame = _snapshot.read_table(settings.data.path, "email_sends")
        return frame.sort_values("send_id").reset_index(drop=True)

    pd.testing.assert_frame_equal(table(config), table(full), check_like=True)
    assert len(table(config)) > 0
