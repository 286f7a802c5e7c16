"""The fake HubSpot answers as HubSpot documents: checked over plain HTTP, through hubspot-api-client, and on the
portal built from the demo dataset."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.contacts import PublicObjectSearchRequest

from retropack.load import load_dataset
from tests.fakes.hubspot_api import (
    BlogPost,
    FakeHubSpot,
    Flow,
    MarketingEmail,
    Owner,
    Portal,
    epoch_ms,
    iso_ms,
)
from tests.fakes.portal import COUNTERS, portal_from_tables, synthetic_portal

T0 = datetime(2025, 6, 1, tzinfo=UTC)
AUTH = {"Authorization": "Bearer test-token"}
CONTACTS_SEARCH = "/crm/v3/objects/contacts/search"
DEALS_SEARCH = "/crm/v3/objects/deals/search"
ASSOCIATIONS = "/crm/v4/associations/deals/contacts/batch/read"
HISTOGRAM = "/marketing/v3/emails/statistics/histogram"
RATE_HEADERS = ("X-HubSpot-RateLimit-Daily", "X-HubSpot-RateLimit-Daily-Remaining",
                "X-HubSpot-RateLimit-Interval-Milliseconds", "X-HubSpot-RateLimit-Max", "X-HubSpot-RateLimit-Remaining")


def modified(n: int) -> datetime:
    """Contact n's modification time: a minute apart in threes, so sorts meet ties."""
    return T0 + timedelta(minutes=n // 3)


def contact_id(n: int) -> str:
    """Ids shuffled against modification order (7 is prime to 25)."""
    return str(101 + (n * 7) % 25)


def small_portal() -> Portal:
    """25 contacts, 4 deals (2 with contacts), 3 owners + 1 archived, 3 e-mails, 2 workflows, 25 blog posts."""
    portal = Portal()
    for n in range(25):
        properties = {"email": f"c{n}@example.com", "hubspotscore": str(n), "industry": "smb" if n % 2 else None}
        portal.upsert_contact(contact_id(n), properties, modified(n), created_at=T0 - timedelta(days=n))
    for n, stage in enumerate(["closedwon", "closedlost", "appointmentscheduled", "closedwon"]):
        properties = {"dealname": f"D{n}", "amount": str(1000 * (n + 1)), "dealstage": stage, "pipeline": "default"}
        portal.upsert_deal(str(201 + n), properties, T0 + timedelta(hours=n))
    portal.set_association("201", ["101"])
    portal.set_association("202", ["102", "103"])
    portal.owners = [Owner(str(70001 + n), f"o{n}@example.com", "Aoi", f"Sato{n}", 1 + n, archived=n == 3) for n in range(4)]
    portal.emails = [
        MarketingEmail("1001", "Newsletter June", [], {"2025-06": {"sent": 100, "delivered": 90, "open": 30, "click": 5},
                                                       "2025-07": {"sent": 50, "delivered": 45, "open": 10}}),
        MarketingEmail("1002", "Nurture step1", ["Nurture"], {"2025-06": {"sent": 10, "delivered": 10, "open": 4, "bounce": 0}}),
        MarketingEmail("1003", "Other", [], {"2025-06": {"sent": 7, "delivered": 7}}),
    ]
    portal.flows = [Flow("501", "Nurture", True, T0), Flow("502", "Old", False, T0)]
    portal.blog_posts = [BlogPost(str(801 + n), f"Post {n}", "PUBLISHED", T0 + timedelta(days=n), T0 + timedelta(days=n),
                                  T0 + timedelta(days=n)) for n in range(25)]
    return portal


@pytest.fixture()
def hub() -> Iterator[FakeHubSpot]:
    with FakeHubSpot(small_portal()) as fake:
        yield fake


@pytest.fixture()
def http(hub: FakeHubSpot) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, headers=AUTH) as client:
        yield client


def search(http: httpx.Client, path: str = CONTACTS_SEARCH, **body: object) -> httpx.Response:
    return http.post(path, json=body)


def window(operator_value: list[tuple[str, str]], prop: str = "lastmodifieddate") -> list[dict]:
    return [{"filters": [{"propertyName": prop, "operator": op, "value": value} for op, value in operator_value]}]


def assert_error_shape(body: dict, category: str) -> None:
    assert body["status"] == "error" and body["category"] == category and body["message"]
    uuid.UUID(body["correlationId"])


# -- authentication and scopes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "test-token"}])
def test_a_missing_or_unknown_token_gets_the_documented_401(hub: FakeHubSpot, headers: dict) -> None:
    response = httpx.get(f"{hub.url}/crm/v3/owners", headers=headers)
    assert response.status_code == 401
    assert_error_shape(response.json(), "INVALID_AUTHENTICATION")
    assert response.headers["x-hubspot-auth-failure"] == "401 Unauthorized"


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("POST", CONTACTS_SEARCH, "crm.objects.contacts.read"),
        ("POST", DEALS_SEARCH, "crm.objects.deals.read"),
        ("GET", "/crm/v3/owners/", "crm.objects.owners.read"),
        ("GET", "/crm/v3/pipelines/deals", "crm.objects.deals.read"),
        ("POST", ASSOCIATIONS, "crm.objects.deals.read"),
        ("GET", "/marketing/v3/emails/", "marketing.email.read"),
        ("GET", HISTOGRAM, "marketing.email.read"),
        ("GET", "/automation/v4/flows", "automation"),
        ("GET", "/cms/v3/blogs/posts", "content"),
    ],
)
def test_a_token_without_the_scope_gets_403_naming_it(method: str, path: str, scope: str) -> None:
    with FakeHubSpot(small_portal(), tokens={"weak": {"crm.objects.companies.read"}}) as hub:
        response = httpx.request(method, hub.url + path, headers={"Authorization": "Bearer weak"}, json={} if method == "POST" else None)
    assert response.status_code == 403
    body = response.json()
    assert_error_shape(body, "MISSING_SCOPES")
    assert body["errors"][0]["context"]["requiredGranularScopes"][0] == scope


def test_any_one_of_the_alternative_scopes_is_enough() -> None:
    with FakeHubSpot(small_portal(), tokens={"cms": {"content"}}) as hub, httpx.Client(base_url=hub.url, headers={"Authorization": "Bearer cms"}) as http:
        assert http.get("/marketing/v3/emails").status_code == 200
        assert http.get("/cms/v3/blogs/posts").status_code == 200
        assert http.get("/automation/v4/flows").status_code == 403


# -- CRM search ---------------------------------------------------------------------------------------------------------


def test_search_pages_with_after_to_the_end_and_the_last_page_has_no_paging(http: httpx.Client) -> None:
    ids, afters, after = [], [], None
    while True:
        page = search(http, limit=10, **({"after": after} if after else {})).json()
        assert page["total"] == 25
        ids += [r["id"] for r in page["results"]]
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
        afters.append(after)
    assert afters == ["10", "20"]
    assert sorted(ids) == sorted(contact_id(n) for n in range(25))


def test_search_returns_10_by_default_and_refuses_a_limit_over_200(http: httpx.Client) -> None:
    assert len(search(http).json()["results"]) == 10
    assert search(http, limit=200).status_code == 200
    response = search(http, limit=201)
    assert response.status_code == 400
    assert_error_shape(response.json(), "VALIDATION_ERROR")


def test_search_refuses_to_page_past_the_result_cap() -> None:
    with FakeHubSpot(small_portal(), search_cap=20) as hub, httpx.Client(base_url=hub.url, headers=AUTH) as http:
        page = search(http, limit=10, after="10").json()
        assert page["total"] == 25 and page["paging"]["next"]["after"] == "20"
        for after in ("20", "15"):  # at the cap, or a page reaching past it
            response = search(http, limit=10, after=after)
            assert response.status_code == 400
            assert_error_shape(response.json(), "VALIDATION_ERROR")
        few = window([("LT", str(epoch_ms(modified(15))))])  # 15 results: all within the cap
        assert [len(search(http, limit=10, after=a, filterGroups=few).json()["results"]) for a in ("0", "10")] == [10, 5]


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (str(epoch_ms(modified(3))), str(epoch_ms(modified(9)))),  # epoch ms, as the client README sends them
        (iso_ms(modified(3)), iso_ms(modified(9))),
        ("2025-06-01T00:01:00Z", "2025-06-01T00:03:00+00:00"),
    ],
)
def test_search_filters_modified_dates_given_as_epoch_ms_or_iso(http: httpx.Client, low: str, high: str) -> None:
    page = search(http, limit=100, filterGroups=window([("GTE", low), ("LT", high)])).json()
    assert sorted(r["id"] for r in page["results"]) == sorted(contact_id(n) for n in range(3, 9))


def test_search_sorts_by_one_property_either_way_with_ties_by_id_ascending(http: httpx.Client) -> None:
    def order(prop: str, direction: str) -> list[str]:
        page = search(http, limit=100, sorts=[{"propertyName": prop, "direction": direction}]).json()
        return [r["id"] for r in page["results"]]

    assert order("lastmodifieddate", "ASCENDING") == [contact_id(n) for n in sorted(range(25), key=lambda n: (modified(n), int(contact_id(n))))]
    assert order("lastmodifieddate", "DESCENDING") == [contact_id(n) for n in sorted(range(25), key=lambda n: (-(n // 3), int(contact_id(n))))]
    assert order("createdate", "DESCENDING") == [contact_id(n) for n in range(25)]  # contact n was created n days before T0
    assert order("hs_object_id", "ASCENDING") == sorted((contact_id(n) for n in range(25)), key=int)


def test_search_returns_the_asked_properties_plus_id_and_dates_all_strings(http: httpx.Client) -> None:
    result = search(http, properties=["email", "company"]).json()["results"][0]
    assert set(result["properties"]) == {"email", "company", "hs_object_id", "createdate", "lastmodifieddate"}
    assert result["properties"]["company"] is None and result["properties"]["hs_object_id"] == result["id"]
    assert result["archived"] is False and result["createdAt"].endswith("Z") and len(result["updatedAt"]) == 24
    contact = search(http).json()["results"][0]["properties"]
    assert set(contact) == {"firstname", "lastname", "email", "lastmodifieddate", "hs_object_id", "createdate"}
    deal = search(http, DEALS_SEARCH).json()["results"][0]["properties"]
    assert set(deal) == {"dealname", "amount", "closedate", "pipeline", "dealstage", "createdate", "hs_lastmodifieddate",
                         "hs_object_id"}
    assert deal["amount"] == "1000"


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([{"filters": [{"propertyName": "hubspotscore", "operator": "EQ", "value": "4"}]}], [4]),
        ([{"filters": [{"propertyName": "hubspotscore", "operator": "BETWEEN", "value": "3", "highValue": "5"}]}], [3, 4, 5]),
        ([{"filters": [{"propertyName": "hubspotscore", "operator": "IN", "values": ["1", "24"]}]}], [1, 24]),
        ([{"filters": [{"propertyName": "hubspotscore", "operator": "GT", "value": "22"}]}], [23, 24]),
        ([{"filters": [{"propertyName": "hubspotscore", "operator": "LTE", "value": "1"}]}], [0, 1]),
        ([{"filters": [{"propertyName": "email", "operator": "EQ", "value": "C7@EXAMPLE.COM"}]}], [7]),
        ([{"filters": [{"propertyName": "industry", "operator": "HAS_PROPERTY"},
                       {"propertyName": "hubspotscore", "operator": "LT", "value": "6"}]}], [1, 3, 5]),
        ([{"filters": [{"propertyName": "industry", "operator": "NOT_HAS_PROPERTY"},
                       {"propertyName": "hubspotscore", "operator": "LT", "value": "5"}]}], [0, 2, 4]),
        ([{"filters": [{"propertyName": "industry", "operator": "NEQ", "value": "smb"},
                       {"propertyName": "hubspotscore", "operator": "LT", "value": "3"}]}], [0, 2]),
        ([{"filters": [{"propertyName": "hubspotscore", "operator": "EQ", "value": "2"}]},  # OR across groups
          {"filters": [{"propertyName": "hubspotscore", "operator": "EQ", "value": "9"}]}], [2, 9]),
        ([{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}]}], []),  # not a contact property
    ],
)
def test_search_operators_and_groups(http: httpx.Client, groups: list, expected: list[int]) -> None:
    page = search(http, limit=100, filterGroups=groups).json()
    assert sorted(r["id"] for r in page["results"]) == sorted(contact_id(n) for n in expected)


@pytest.mark.parametrize(
    "body",
    [
        {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "yesterday"}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "x", "operator": "LIKE", "value": "1"}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "x", "operator": "IN"}]}]},
        {"filterGroups": [{"filters": []}] * 6},
        {"after": "abc"},
    ],
)
def test_search_refuses_bad_bodies_with_400(http: httpx.Client, body: dict) -> None:
    response = http.post(CONTACTS_SEARCH, json=body)
    assert response.status_code == 400
    assert_error_shape(response.json(), "VALIDATION_ERROR")


def test_changes_between_syncs_show_and_archived_records_never_appear(hub: FakeHubSpot, http: httpx.Client) -> None:
    later = T0 + timedelta(days=1)
    hub.portal.upsert_contact(contact_id(0), {"email": "new@example.com"}, later)
    hub.portal.upsert_contact("999", {"email": "fresh@example.com", "createdate": "2025-05-20T00:00:00.000Z"}, later)
    hub.portal.archive_contact(contact_id(1), later)
    hub.portal.archive_deal("204", later)
    since = window([("GTE", str(epoch_ms(later)))])
    page = search(http, filterGroups=since, sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]).json()
    assert [(r["id"], r["properties"]["email"]) for r in page["results"]] == [(contact_id(0), "new@example.com"), ("999", "fresh@example.com")]
    assert page["results"][0]["properties"]["lastmodifieddate"] == "2025-06-02T00:00:00.000Z"
    assert page["results"][1]["properties"]["createdate"] == page["results"][1]["createdAt"] == "2025-05-20T00:00:00.000Z"
    assert search(http).json()["total"] == 25  # one archived, one added
    assert search(http, DEALS_SEARCH).json()["total"] == 3


# -- rate limits and injected failures ----------------------------------------------------------------------------------


def test_search_over_its_per_second_limit_gets_429_secondly_then_recovers() -> None:
    with FakeHubSpot(small_portal(), search_per_second=2, search_window=0.6) as hub, httpx.Client(base_url=hub.url, headers=AUTH) as http:
        statuses = [search(http).status_code for _ in range(2)]
        refused = search(http)
        assert statuses == [200, 200] and refused.status_code == 429
        assert set(refused.json()) == {"status", "message", "errorType", "correlationId", "policyName", "requestId"}
        assert refused.json()["policyName"] == "SECONDLY"
        assert refused.json()["message"] == "You have reached your secondly limit."
        assert refused.json()["errorType"] == "RATE_LIMIT"
        assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in refused.headers)
        assert http.get("/crm/v3/owners").status_code == 200  # other endpoints are not in the search bucket
        time.sleep(0.65)
        assert search(http).status_code == 200


def test_owners_over_the_ten_second_limit_get_429_ten_secondly_rolling() -> None:
    with FakeHubSpot(small_portal(), per_ten_seconds=3, ten_second_window=0.6) as hub, httpx.Client(base_url=hub.url, headers=AUTH) as http:
        responses = [http.get("/crm/v3/owners") for _ in range(3)]
        assert [r.headers["X-HubSpot-RateLimit-Remaining"] for r in responses] == ["2", "1", "0"]
        assert all(h in responses[0].headers for h in RATE_HEADERS)
        assert responses[0].headers["X-HubSpot-RateLimit-Max"] == "3"
        assert responses[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "600"
        refused = http.get("/crm/v3/owners")
        assert refused.status_code == 429 and "category" not in refused.json()
        assert refused.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        assert refused.json()["message"] == "You have reached your ten_secondly_rolling limit."
        assert search(http).status_code == 200  # search and association batch reads are exempt
        assert http.post(ASSOCIATIONS, json={"inputs": [{"id": "201"}]}).status_code == 200
        time.sleep(0.65)
        assert http.get("/crm/v3/owners").status_code == 200


def test_the_daily_limit_counts_every_endpoint_and_answers_429_daily() -> None:
    with FakeHubSpot(small_portal(), daily=3) as hub, httpx.Client(base_url=hub.url, headers=AUTH) as http:
        first = http.get("/crm/v3/pipelines/deals")
        assert first.headers["X-HubSpot-RateLimit-Daily"] == "3"
        assert first.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "2"
        assert search(http).status_code == 200
        assert http.post(ASSOCIATIONS, json={"inputs": []}).status_code == 200
        for refused in (search(http), http.get("/crm/v3/owners")):
            assert refused.status_code == 429
            assert refused.json()["policyName"] == "DAILY"
            assert refused.json()["message"] == "You have reached your daily limit."


def test_fail_next_injects_failures_then_lets_requests_through(hub: FakeHubSpot, http: httpx.Client) -> None:
    hub.fail_next("/crm/v3/owners", 502, count=2)
    hub.fail_next(CONTACTS_SEARCH, 504, body="<html>Gateway Timeout</html>")
    assert [http.get("/crm/v3/owners").status_code for _ in range(3)] == [502, 502, 200]
    timeout = search(http)
    assert timeout.status_code == 504 and timeout.text.startswith("<html>")
    assert search(http).status_code == 200
    assert [r.status for r in hub.requests] == [502, 502, 200, 504, 200]
    assert hub.requests[-1].body == {} and hub.requests[0].path == "/crm/v3/owners"


# -- other endpoints ----------------------------------------------------------------------------------------------------


def test_owners_page_with_an_opaque_after_and_archived_lists_only_archived(http: httpx.Client) -> None:
    first = http.get("/crm/v3/owners/", params={"limit": 2}).json()
    second = http.get("/crm/v3/owners", params={"limit": 2, "after": first["paging"]["next"]["after"]}).json()
    assert [o["id"] for o in first["results"] + second["results"]] == ["70001", "70002", "70003"]
    assert "paging" not in second and "total" not in first
    assert first["results"][0] | {"createdAt": None, "updatedAt": None} == {
        "id": "70001", "email": "o0@example.com", "firstName": "Aoi", "lastName": "Sato0", "userId": 1,
        "userIdIncludingInactive": 1, "type": "PERSON", "createdAt": None, "updatedAt": None, "archived": False, "teams": []}
    archived = http.get("/crm/v3/owners", params={"archived": "True"}).json()["results"]
    assert [o["id"] for o in archived] == ["70004"]
    assert http.get("/crm/v3/owners", params={"after": "not-a-cursor"}).status_code == 400


def test_deal_pipelines_have_string_metadata_and_no_paging(http: httpx.Client) -> None:
    body = http.get("/crm/v3/pipelines/deals").json()
    assert set(body) == {"results"}
    stages = {s["id"]: s["metadata"] for s in body["results"][0]["stages"]}
    assert body["results"][0]["id"] == "default"
    assert stages["closedwon"] == {"isClosed": "true", "probability": "1.0"}
    assert stages["closedlost"] == {"isClosed": "true", "probability": "0.0"}
    assert stages["appointmentscheduled"] == {"isClosed": "false", "probability": "0.2"}


def test_association_batch_read_answers_207_for_deals_without_contacts_and_refuses_1001_inputs(http: httpx.Client) -> None:
    whole = http.post(ASSOCIATIONS, json={"inputs": [{"id": "201"}, {"id": "202"}]})
    assert whole.status_code == 200 and whole.json()["status"] == "COMPLETE"
    to = {r["from"]["id"]: [t["toObjectId"] for t in r["to"]] for r in whole.json()["results"]}
    assert to == {"201": ["101"], "202": ["102", "103"]}
    assert whole.json()["results"][0]["to"][0]["associationTypes"] == [{"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}]
    partial = http.post(ASSOCIATIONS, json={"inputs": [{"id": "201"}, {"id": "203"}]})
    assert partial.status_code == 207 and [r["from"]["id"] for r in partial.json()["results"]] == ["201"]
    assert partial.json()["numErrors"] == 1
    assert partial.json()["errors"][0]["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    too_many = http.post(ASSOCIATIONS, json={"inputs": [{"id": str(n)} for n in range(1001)]})
    assert too_many.status_code == 400
    assert_error_shape(too_many.json(), "VALIDATION_ERROR")
    assert http.post(ASSOCIATIONS, json={"inputs": [{"id": str(n)} for n in range(1000)]}).status_code == 207


def test_marketing_emails_page_and_show_workflow_names_only_when_asked(http: httpx.Client) -> None:
    page = http.get("/marketing/v3/emails/", params={"limit": 2}).json()
    assert page["total"] == 3 and "after" in page["paging"]["next"]
    assert {"id", "name", "subject", "state", "type", "publishDate", "createdAt", "updatedAt", "archived"} <= set(page["results"][0])
    assert "workflowNames" not in page["results"][0]
    rest = http.get("/marketing/v3/emails", params={"limit": 2, "after": page["paging"]["next"]["after"], "workflowNames": "true"})
    assert [(e["id"], e["workflowNames"]) for e in rest.json()["results"]] == [("1003", [])]
    everything = http.get("/marketing/v3/emails", params={"workflowNames": "True", "includeStats": "True"}).json()
    assert [e["workflowNames"] for e in everything["results"]] == [[], ["Nurture"], []]
    assert everything["results"][0]["stats"]["counters"]["sent"] == 150
    assert "paging" not in everything  # 100 by default


def test_histogram_gives_month_intervals_of_the_portal_time_zone_summing_the_emails(http: httpx.Client) -> None:
    params = {"interval": "MONTH", "startTimestamp": "2025-05-31T15:00:00Z", "endTimestamp": "2025-07-31T15:00:00Z",
              "emailIds": ["1001", "1002"]}
    body = http.get(HISTOGRAM, params=params).json()
    assert body["total"] == 2
    assert [r["interval"] for r in body["results"]] == [
        {"start": "2025-05-31T15:00:00Z", "end": "2025-06-30T15:00:00Z"},  # June in Asia/Tokyo
        {"start": "2025-06-30T15:00:00Z", "end": "2025-07-31T15:00:00Z"},
    ]
    june, july = (r["aggregations"] for r in body["results"])
    assert (june["counters"]["sent"], june["counters"]["delivered"], june["counters"]["open"]) == (110, 100, 34)
    assert (july["counters"]["sent"], july["counters"]["click"]) == (50, 0)
    assert june["ratios"]["openratio"] == 34.0 and set(june) == {"counters", "ratios", "deviceBreakdown", "qualifierStats"}
    all_emails = http.get(HISTOGRAM, params={**params, "emailIds": []}).json()
    assert all_emails["results"][0]["aggregations"]["counters"]["sent"] == 117
    assert http.get(HISTOGRAM, params={**params, "interval": "DAY"}).status_code == 400
    utc_month = http.get(HISTOGRAM, params={**params, "startTimestamp": "2025-06-01T00:00:00Z"}).json()
    assert utc_month["results"][0]["aggregations"]["counters"]["sent"] == 0  # June's first instant is before the span


def test_flows_and_blog_posts_page_with_their_documented_defaults(http: httpx.Client) -> None:
    flows = http.get("/automation/v4/flows").json()
    assert [(f["id"], f["name"], f["isEnabled"]) for f in flows["results"]] == [("501", "Nurture", True), ("502", "Old", False)]
    assert {"createdAt", "flowType", "id", "isEnabled", "objectTypeId", "revisionId", "updatedAt"} <= set(flows["results"][0])
    posts = http.get("/cms/v3/blogs/posts").json()
    assert posts["total"] == 25 and len(posts["results"]) == 20 and "paging" in posts
    post = posts["results"][0]
    assert {"id", "name", "state", "publishDate", "created", "updated", "currentlyPublished"} <= set(post)
    rest = http.get("/cms/v3/blogs/posts", params={"after": posts["paging"]["next"]["after"]}).json()
    assert len(rest["results"]) == 5 and "paging" not in rest


def test_unknown_paths_are_404_and_every_request_is_recorded(hub: FakeHubSpot, http: httpx.Client) -> None:
    assert http.get("/crm/v3/objects/contacts").status_code == 404
    assert http.get(CONTACTS_SEARCH).status_code == 405
    http.get("/crm/v3/owners", params={"limit": "5"})
    recorded = hub.requests[-1]
    assert (recorded.method, recorded.path, recorded.query, recorded.status) == ("GET", "/crm/v3/owners", {"limit": ["5"]}, 200)


# -- through hubspot-api-client 12 --------------------------------------------------------------------------------------


@pytest.fixture()
def client(hub: FakeHubSpot) -> HubSpot:
    return HubSpot(access_token="test-token", host=hub.url, base_url=hub.url)


def test_client_contacts_search(client: HubSpot) -> None:
    request = PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(epoch_ms(T0))}]}],
        sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}], properties=["email"], limit=20)
    page = client.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert page.total == 25 and len(page.results) == 20 and page.paging.next.after == "20"
    assert page.results[0].properties["email"] == "c0@example.com"
    assert page.results[0].updated_at == T0


def test_client_owners_pipelines_and_associations(client: HubSpot) -> None:
    owners = client.crm.owners.owners_api.get_page(limit=2)
    assert [o.id for o in owners.results] == ["70001", "70002"] and owners.paging.next.after
    assert len(client.crm.owners.get_all()) == 3
    pipelines = client.crm.pipelines.pipelines_api.get_all(object_type="deals")
    assert pipelines.results[0].stages[5].metadata == {"isClosed": "true", "probability": "1.0"}
    batch = client.crm.associations.v4.batch_api.get_page(
        from_object_type="deals", to_object_type="contacts",
        batch_input_public_fetch_associations_batch_request=BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": "202"}, {"id": "204"}]))
    assert [t.to_object_id for t in batch.results[0].to] == ["102", "103"] and batch.num_errors == 1


def test_client_marketing_emails_and_histogram(client: HubSpot) -> None:
    emails = client.marketing.emails.marketing_emails_api.get_page(limit=100, workflow_names=True)
    assert [(e.name, e.workflow_names) for e in emails.results][1] == ("Nurture step1", ["Nurture"])
    histogram = client.marketing.emails.statistics_api.get_histogram(
        interval="MONTH", start_timestamp="2025-05-31T15:00:00Z", end_timestamp="2025-06-30T15:00:00Z", email_ids=[1001, 1003])
    assert histogram.total == 1 and histogram.results[0].aggregations.counters["sent"] == 107
    assert histogram.results[0].interval.start == datetime(2025, 5, 31, 15, tzinfo=UTC)


def test_client_api_request_for_flows_and_429_as_api_exception(hub: FakeHubSpot, client: HubSpot) -> None:
    flows = client.api_request({"path": "/automation/v4/flows", "qs": {"limit": 100}})
    assert flows.status_code == 200 and flows.json()["results"][0]["name"] == "Nurture"
    hub.fail_next(CONTACTS_SEARCH, 429)
    with pytest.raises(Exception) as raised:  # each hubspot sub-package has its own ApiException class
        client.crm.contacts.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(limit=10))
    assert raised.value.status == 429 and '"policyName": "TEN_SECONDLY_ROLLING"' in raised.value.body


# -- portals built from datasets ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    return load_dataset(Path(__file__).resolve().parents[2] / "data" / "demo", max_reject_share=0.05).tables


@pytest.fixture(scope="module")
def demo_portal(demo_tables: dict[str, pd.DataFrame]) -> Portal:
    return portal_from_tables(demo_tables, modified_at=datetime(2026, 11, 1, tzinfo=UTC))


def monthly_sends(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, int]]:
    sends = tables["email_sends"]
    month = sends["sent_at"].dt.tz_convert("Asia/Tokyo").dt.strftime("%Y-%m")
    sums = sends.groupby(month)[list(COUNTERS)].sum().rename(columns=COUNTERS)
    return {m: {k: int(v) for k, v in row.items()} for m, row in sums.iterrows()}


def test_the_demo_portal_holds_every_lead_deal_campaign_scenario_and_blog_post(demo_tables: dict, demo_portal: Portal) -> None:
    leads, deals = demo_tables["leads"], demo_tables["deals"]
    assert 4000 <= len(demo_portal.contacts) == len(leads) < 4100
    # One e-mail per campaign of the validated table (91: one campaign's only send is a rejected row).
    assert len(demo_portal.emails) == demo_tables["email_sends"]["campaign"].nunique() == 91
    assert len(demo_portal.deals) == len(deals) and len(demo_portal.flows) == len(demo_tables["scenarios"])
    assert len(demo_portal.blog_posts) == (demo_tables["content_calendar"]["type"] == "blog").sum()
    assert sorted(f"{o.first_name} {o.last_name}" for o in demo_portal.owners) == sorted(
        set(leads["owner"].dropna()) | set(deals["owner"].dropna()))
    assert sum(f.is_enabled for f in demo_portal.flows) == (demo_tables["scenarios"]["status"] == "live").sum()
    with_leads = deals["lead_id"].isin(set(leads["lead_id"])).sum()
    assert len(demo_portal.associations) == with_leads


def test_the_demo_portal_email_stats_add_up_to_the_sends_per_month(demo_tables: dict, demo_portal: Portal) -> None:
    totals: dict[str, Counter] = {}
    for email in demo_portal.emails:
        for month, counters in email.stats.items():
            totals.setdefault(month, Counter()).update(counters)
    assert {m: dict(c) for m, c in totals.items()} == monthly_sends(demo_tables)


def test_the_demo_portal_writes_values_as_hubspot_does(demo_tables: dict, demo_portal: Portal) -> None:
    leads, deals = demo_tables["leads"], demo_tables["deals"]
    mql = leads[leads["mql_at"].notna() & leads["owner"].notna()].iloc[0]
    contact = demo_portal.contacts[demo_portal.contact_ids[mql["lead_id"]]]
    assert contact.properties["hs_v2_date_entered_marketingqualifiedlead"] == iso_ms(mql["mql_at"].to_pydatetime())
    assert contact.properties["hubspotscore"] == f"{mql['score']:g}"
    owner = next(o for o in demo_portal.owners if o.id == contact.properties["hubspot_owner_id"])
    assert f"{owner.first_name} {owner.last_name}" == mql["owner"]
    for row in deals.to_dict("records"):
        deal = demo_portal.deals[demo_portal.deal_ids[row["deal_id"]]].properties
        assert deal["dealstage"] == {"won": "closedwon", "lost": "closedlost", "open": "appointmentscheduled"}[row["stage"]]
        closes = row["created_at"] + pd.Timedelta(days=30) if row["stage"] == "open" else row["closed_at"]
        assert deal["closedate"] == iso_ms(closes.to_pydatetime())
        if pd.isna(row["amount"]):
            assert deal["amount"] is None
        else:
            assert re.fullmatch(r"\d+(\.\d+)?", deal["amount"]) and float(deal["amount"]) == row["amount"]
        assert deal["ma_sourced"] == (None if pd.isna(row["ma_sourced"]) else str(bool(row["ma_sourced"])).lower())


def test_the_demo_portal_served_gives_the_sends_back_through_the_histogram(demo_tables: dict, demo_portal: Portal) -> None:
    expected = monthly_sends(demo_tables)
    with FakeHubSpot(demo_portal) as hub, httpx.Client(base_url=hub.url, headers=AUTH) as http:
        assert search(http, limit=1).json()["total"] == len(demo_tables["leads"])
        body = http.get(HISTOGRAM, params={"interval": "MONTH", "startTimestamp": "2025-05-31T15:00:00Z",
                                           "endTimestamp": "2026-12-31T15:00:00Z"}).json()
    served = {r["interval"]["start"]: r["aggregations"]["counters"] for r in body["results"] if r["aggregations"]["counters"]["sent"]}
    assert len(served) == len(expected)
    for month, counters in expected.items():
        start = iso_ms(datetime.fromisoformat(f"{month}-01T00:00:00+09:00")).replace(".000Z", "Z")
        assert {k: served[start][k] for k in counters} == counters


def test_a_synthetic_portal_reads_whole_by_restarting_the_window_before_the_cap() -> None:
    """The documented workaround (sort by modified date, restart with GTE the last value seen, de-duplicate by id)
    reads 30,000 contacts, many sharing a millisecond, through the 10,000 cap."""
    portal = synthetic_portal(30_000, start=T0)
    runs = Counter(r.modified_at for r in portal.contacts.values())
    assert len(portal.contacts) == 30_000 and max(runs.values()) > 200
    seen: dict[str, str] = {}
    with FakeHubSpot(portal, search_per_second=10_000) as hub, httpx.Client(base_url=hub.url, headers=AUTH) as http:
        since, after = str(epoch_ms(T0)), 0
        assert search(http, limit=200, after="10000").status_code == 400
        while True:
            page = search(http, limit=200, after=str(after), properties=["email"], filterGroups=window([("GTE", since)]),
                          sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]).json()
            seen |= {r["id"]: r["properties"]["lastmodifieddate"] for r in page["results"]}
            if "paging" not in page:
                break
            after = int(page["paging"]["next"]["after"])
            if after + 200 > 10_000:
                since, after = page["results"][-1]["properties"]["lastmodifieddate"], 0
        assert all(r.status == 200 for r in hub.requests[1:])
    assert len(seen) == 30_000
