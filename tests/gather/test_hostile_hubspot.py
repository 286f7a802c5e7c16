"""The sync against a hostile or broken HubSpot (the local fake, made to misbehave): every outside call has a
deadline, an odd answer is a clean error or a noted repair, and no text from an answer shows the token."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from retropack.errors import SourceError
from retropack.gather import _api, _snapshot
from retropack.gather.hubspot import sync_hubspot
from retropack.gather.settings import SourceSettings
from tests.fakes.hubspot_api import ALL_SCOPES, FakeHubSpot
from tests.fakes.portal import synthetic_portal

TOKEN = "pat-na1-7a6b5c4d-hostile-token"
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETROPACK_HUBSPOT_TOKEN", TOKEN)


@pytest.fixture
def fake():
    portal = synthetic_portal(30, deals=3, start=START)
    with FakeHubSpot(portal, tokens={TOKEN: set(ALL_SCOPES)}, search_per_second=50, per_ten_seconds=5000) as hub:
        yield hub


def sync(fake: FakeHubSpot, folder: Path, **source: object):
    settings = SourceSettings(kind="hubspot", base_url=fake.url,
                              limits={"search_per_second": 50, "per_ten_seconds": 5000}, **source)
    return sync_hubspot(settings, folder, start=date(2026, 1, 1))


def cursor(offset: int) -> str:
    return base64.b64encode(f"{offset}\n".encode()).decode()


# --- hangs: each ends in a clean error ---------------------------------------------------------------------


def test_a_server_that_never_answers_stops_after_the_request_timeout(fake: FakeHubSpot, tmp_path: Path) -> None:
    fake.hang_next("/crm/v3/owners")
    with pytest.raises(SourceError, match=r"did not answer owners within source\.timeout_seconds \(1 s\).*previous "
                                          r"snapshot is kept"):
        sync(fake, tmp_path, timeout_seconds=1)


def test_a_server_that_never_answers_the_workflows_stops_too(fake: FakeHubSpot, tmp_path: Path) -> None:
    """The workflows are read by a generic GET (the client's own takes no timeout)."""
    fake.hang_next("/automation/v4/flows")
    with pytest.raises(SourceError, match=r"did not answer workflows within source\.timeout_seconds"):
        sync(fake, tmp_path, timeout_seconds=1)


def test_the_whole_sync_stops_at_its_deadline(fake: FakeHubSpot, tmp_path: Path) -> None:
    fake.hang_next("/crm/v3/objects/contacts/search")
    with pytest.raises(SourceError, match=r"ran longer than source\.deadline_minutes \(0\.02 min\) and stopped at "
                                          r"search contacts"):
        sync(fake, tmp_path, deadline_minutes=0.02)


def test_a_paging_cursor_given_twice_stops_the_list(fake: FakeHubSpot, tmp_path: Path) -> None:
    def same_cursor(body: dict, query: dict) -> dict:
        return {**body, "paging": {"next": {"after": cursor(1)}}}

    fake.alter_next("/crm/v3/owners", same_cursor, count=10_000)
    with pytest.raises(SourceError, match=r"paging cursor 'MQo=' twice when listing owners"):
        sync(fake, tmp_path)
    assert len([r for r in fake.requests if r.path.startswith("/crm/v3/owners")]) == 2


def test_a_list_that_pages_forever_stops_at_the_page_bound(fake: FakeHubSpot, tmp_path: Path) -> None:
    def next_cursor(body: dict, query: dict) -> dict:
        offset = int(base64.b64decode(query.get("after", [cursor(0)])[0]).decode())
        return {**body, "paging": {"next": {"after": cursor(offset + 1)}}}

    fake.alter_next("/crm/v3/owners", next_cursor, count=10 * _api.MAX_PAGES)
    with pytest.raises(SourceError, match=r"kept paging owners past 1,000 pages .*never ends"):
        sync(fake, tmp_path)
    assert len([r for r in fake.requests if r.path.startswith("/crm/v3/owners")]) == _api.MAX_PAGES


def test_a_search_cursor_that_does_not_move_on_stops(fake: FakeHubSpot, tmp_path: Path) -> None:
    def empty_page(body: dict, query: dict) -> dict:
        return {"total": 5, "results": [], "paging": {"next": {"after": "200"}}}

    fake.alter_next("/crm/v3/objects/contacts/search", empty_page, count=10_000)
    with pytest.raises(SourceError, match=r"search of contacts gave the paging cursor '200' with an empty page"):
        sync(fake, tmp_path)


# --- odd answers: a clean error, or a repair that is said ----------------------------------------------------


@pytest.mark.parametrize("path", ["/crm/v3/owners", "/crm/v3/objects/contacts/search", "/crm/v3/pipelines",
                                  "/automation/v4/flows"])
def test_a_truncated_answer_is_a_clean_error_naming_the_call(fake: FakeHubSpot, tmp_path: Path, path: str) -> None:
    fake.alter_next(path, lambda body, query: json.dumps(body).encode()[:-2])
    with pytest.raises(SourceError, match=r"HubSpot's answer to .* is not the JSON its API documents"):
        sync(fake, tmp_path)
    assert not (tmp_path / "leads.csv").exists()


def test_a_stage_probability_that_is_no_number_names_the_stage(fake: FakeHubSpot, tmp_path: Path) -> None:
    def odd_probability(body: dict, query: dict) -> dict:
        stage = body["results"][0]["stages"][-1]
        stage["metadata"].update(probability="abc", isClosed="true")
        return body

    fake.alter_next("/crm/v3/pipelines", odd_probability)
    with pytest.raises(SourceError, match=r"pipeline 'Sales Pipeline' has a closed stage 'Closed Lost' whose "
                                          r"probability is 'abc', not a number from 0 to 1"):
        sync(fake, tmp_path)


def test_an_interval_without_its_start_is_a_clean_error(tmp_path: Path) -> None:
    from tests.fakes.hubspot_api import MarketingEmail

    portal = synthetic_portal(5, deals=1, start=START)
    portal.emails.append(MarketingEmail("160001", "新春セミナー案内", stats={"2026-01": {"sent": 10, "delivered": 9}}))
    with FakeHubSpot(portal, tokens={TOKEN: set(ALL_SCOPES)}, search_per_second=50, per_ten_seconds=5000) as hub:
        def no_interval(body: dict, query: dict) -> dict:
            for result in body["results"]:
                result.pop("interval")
            return body

        hub.alter_next("/marketing/v3/emails/statistics/histogram", no_interval)
        with pytest.raises(SourceError, match=r"statistics of the marketing e-mail 160001 \('新春セミナー案内'\) hold "
                                              r"an interval without a start time"):
            sync(hub, tmp_path)


def test_a_lone_surrogate_is_replaced_and_said(fake: FakeHubSpot, tmp_path: Path) -> None:
    record = fake.portal.contacts["101"]
    record.properties["company"] = "株式会社\ud800テスト"
    report = sync(fake, tmp_path)
    leads = _snapshot.read_table(tmp_path, "leads").set_index("lead_id")
    assert leads.loc["101", "company"] == "株式会社\ufffdテスト"
    assert report.notes == ("HubSpot's answer to search contacts held broken text (a lone UTF-16 surrogate) in "
                            "'company' of record 101; it is written with U+FFFD in its place: correct the value in "
                            "HubSpot.",)


def test_a_cp932_content_calendar_people_keep_syncs_beside_the_blog_posts(fake: FakeHubSpot, tmp_path: Path) -> None:
    """The demo's own content_calendar.csv is CP932, as Excel in Japanese saves it."""
    planned = "content_id,title,type,planned_date\nplan-1,秋のウェビナー,webinar,2026-11-12\n"
    (tmp_path / "content_calendar.csv").write_bytes(planned.encode("cp932"))
    sync(fake, tmp_path)
    calendar = _snapshot.read_table(tmp_path, "content_calendar")
    assert calendar.loc[calendar["content_id"] == "plan-1", "title"].tolist() == ["秋のウェビナー"]


def test_a_content_calendar_in_no_known_encoding_is_a_clean_error(fake: FakeHubSpot, tmp_path: Path) -> None:
    (tmp_path / "content_calendar.csv").write_bytes(b"content_id,title\nx,\x81\x7f\xff\n")
    with pytest.raises(SourceError, match=r"content_calendar\.csv' is neither UTF-8 nor CP932"):
        sync(fake, tmp_path)


# --- the token -------------------------------------------------------------------------------------------------


def test_an_error_that_echoes_the_authorization_header_does_not_show_the_token(fake: FakeHubSpot,
                                                                              tmp_path: Path) -> None:
    fake.echo_authorization_next("/crm/v3/owners")
    with pytest.raises(SourceError) as caught:
        sync(fake, tmp_path)
    assert "Authorization: Bearer [token removed]" in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN[8:] not in str(caught.value)


def test_retropack_sync_on_odd_answers_prints_one_error_paragraph_without_the_token(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("program: {name: x, start_month: 2026-01}\ndata: {path: d}\n", encoding="utf-8")
    portal = synthetic_portal(5, deals=1, start=START)
    with FakeHubSpot(portal, tokens={TOKEN: set(ALL_SCOPES)}) as hub:
        (tmp_path / "c.yaml").write_text(
            "program: {name: x, start_month: 2026-01}\ndata: {path: d}\n"
            f"source: {{kind: hubspot, base_url: '{hub.url}'}}\n", encoding="utf-8")
        hub.echo_authorization_next("/crm/v3/owners", status=500, count=10)
        done = subprocess.run([str(Path(sys.executable).with_name("retropack")), "sync", "--config",
                               str(tmp_path / "c.yaml")], env={**os.environ, "RETROPACK_HUBSPOT_TOKEN": TOKEN},
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: HubSpot answered 500 VALIDATION_ERROR when reading owners")
    assert "Traceback" not in done.stderr and TOKEN not in done.stdout + done.stderr


@pytest.mark.parametrize(("url", "says"), [
    ("http://api.hubapi.com", "plain http: the access token would cross the network unencrypted"),
    ("http://10.0.0.5:8080", "plain http"),
    ("https://169.254.169.254", "link-local address"),
    ("http://169.254.169.254/latest", "link-local address"),
    ("https://[fe80::1]", "link-local address"),
    ("https://[::ffff:169.254.169.254]", "link-local address"),
    ("ftp://api.hubapi.com", "not an https URL"),
])
def test_a_base_url_that_would_leak_the_token_is_refused(url: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        SourceSettings(kind="hubspot", base_url=url)


@pytest.mark.parametrize("url", ["https://api.hubapi.com", "http://localhost:8080", "http://127.0.0.1:9",
                                 "http://[::1]:9"])
def test_https_and_the_loopback_are_taken(url: str) -> None:
    assert SourceSettings(kind="hubspot", base_url=url).base_url == url


def test_the_snapshot_reads_a_utf8_table_as_before(tmp_path: Path) -> None:
    (tmp_path / "leads.csv").write_text("lead_id,company\n1,株式会社A\n", encoding="utf-8")
    assert _snapshot.read_table(tmp_path, "leads").equals(pd.DataFrame({"lead_id": ["1"], "company": ["株式会社A"]}))
