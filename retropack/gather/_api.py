"""HubSpot's API through its official Python client, kept within HubSpot's documented limits.

The client (``hubspot-api-client``) makes the requests, pointed at ``source.base_url``; urllib3's
``Retry`` retries server errors. On top of it this module paces requests (the search API's requests a
second, the other endpoints' requests per ten seconds), waits out a 429 as its ``policyName`` says
(``SECONDLY`` a second, ``TEN_SECONDLY_ROLLING`` ten), stops on ``DAILY``, and words 401 and 403 as
what to fix. The token is handed to the client only: it is never logged nor put in an error.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from retropack.errors import SourceError
from retropack.gather.settings import Limits

__all__ = ["HubSpotApi", "MissingScope", "Pacer"]

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_RATE_LIMIT_WAITS = 6
SERVER_ERROR_RETRIES = 4
SCOPES_HELP = "HubSpot: Settings → Integrations → Private apps → your app → Scopes"


class MissingScope(SourceError):
    """The token lacks a scope: a part the sync can do without is skipped and said so."""

    def __init__(self, message: str, scopes: list[str]) -> None:
        super().__init__(message)
        self.scopes = scopes


class Pacer:
    """At most ``count`` requests in any ``window`` seconds: a caller waits for its turn instead of being refused."""

    def __init__(self, count: int, window: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.count, self.window, self.clock, self.sleep = count, window, clock, sleep
        self.sent: deque[float] = deque()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            while True:
                now = self.clock()
                while self.sent and now - self.sent[0] >= self.window:
                    self.sent.popleft()
                if len(self.sent) < self.count:
                    self.sent.append(now)
                    return
                self.sleep(self.window - (now - self.sent[0]) + 0.001)

    def hold(self, seconds: float) -> None:
        """HubSpot said to wait (a 429): nothing goes out for ``seconds``."""
        self.sleep(seconds)


def _client_classes() -> tuple[Any, Any]:
    """HubSpot's client and urllib3's ``Retry``: an optional dependency (``retropack[hubspot]``), needed only by
    a client whose ``source.kind`` is ``hubspot``."""
    try:
        hubspot = importlib.import_module("hubspot")
        retry = importlib.import_module("urllib3.util.retry")
    except ImportError:
        raise SourceError("source.kind is hubspot, but HubSpot's client is not installed: install retropack with "
                          "its 'hubspot' extra (pip install 'retropack[hubspot]').") from None
    return hubspot.HubSpot, retry.Retry


class HubSpotApi:
    """The calls the sync makes, each paced and with HubSpot's errors worded for the operator."""

    def __init__(self, token: str, base_url: str, limits: Limits, *, token_setting: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        HubSpot, Retry = _client_classes()
        retry = Retry(total=SERVER_ERROR_RETRIES, status_forcelist=(500, 502, 503, 504), backoff_factor=0.5,
                      allowed_methods=None, raise_on_status=False)  # searches are POSTs, and only read
        self.client = HubSpot(access_token=token, host=base_url, base_url=base_url, retry=retry)
        self.token_setting = token_setting
        # the search API allows 5 requests a second; pace a little under it, as HubSpot's own SDKs do
        per_second = max(int(limits.search_per_second), 1)
        self.search_pacer = Pacer(per_second, 1.05, sleep=sleep)
        self.pacer = Pacer(limits.per_ten_seconds, 10.0, sleep=sleep)
        self.requests = 0

    # --- the endpoints ------------------------------------------------------------------------------------

    def search(self, object_type: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /crm/v3/objects/{object_type}/search`` with ``body`` as HubSpot documents it."""
        api = {"contacts": self.client.crm.contacts, "deals": self.client.crm.deals}[object_type]
        page = self._call(f"search {object_type}", self.search_pacer,  # the body goes out as documented
                          lambda: api.search_api.do_search(public_object_search_request=body))
        return page.to_dict()

    def owners(self) -> list[dict[str, Any]]:
        return self._pages("owners", lambda after: self.client.crm.owners.owners_api.get_page(limit=100, after=after))

    def deal_pipelines(self) -> list[dict[str, Any]]:
        page = self._call("deal pipelines", self.pacer,
                          lambda: self.client.crm.pipelines.pipelines_api.get_all(object_type="deals"))
        return [pipeline.to_dict() for pipeline in page.results]

    def deal_contacts(self, deal_ids: list[str]) -> dict[str, list[str]]:
        """Deal id → associated contact ids, 1,000 deals a request (HubSpot's batch limit)."""
        from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest

        batch = self.client.crm.associations.v4.batch_api
        found: dict[str, list[str]] = {}
        for start in range(0, len(deal_ids), 1000):
            inputs = [{"id": deal_id} for deal_id in deal_ids[start:start + 1000]]
            request = BatchInputPublicFetchAssociationsBatchRequest(inputs=inputs)
            page = self._call("deal associations", self.search_pacer, lambda request=request: batch.get_page(
                from_object_type="deals", to_object_type="contacts",
                batch_input_public_fetch_associations_batch_request=request))
            for result in page.results:
                found[str(result._from.id)] = [str(item.to_object_id) for item in result.to]
        return found

    def marketing_emails(self) -> list[dict[str, Any]]:
        api = self.client.marketing.emails.marketing_emails_api
        return self._pages("marketing e-mails", lambda after: api.get_page(limit=100, after=after, workflow_names=True))

    def email_months(self, email_id: str, start: str, end: str) -> list[dict[str, Any]]:
        """One e-mail's statistics per calendar month from ``start`` to ``end`` (ISO timestamps)."""
        api = self.client.marketing.emails.statistics_api
        page = self._call("e-mail statistics", self.pacer, lambda: api.get_histogram(
            interval="MONTH", start_timestamp=start, end_timestamp=end, email_ids=[int(email_id)]))
        return [interval.to_dict() for interval in page.results or []]

    def workflows(self) -> list[dict[str, Any]]:
        """``GET /automation/v4/flows``, which the Python client does not wrap: its generic request, paced
        and checked here like the others."""
        flows, after = [], None
        while True:
            query = {"limit": 100, **({"after": after} if after else {})}
            response = self._call("workflows", self.pacer, lambda query=query: self._raw("/automation/v4/flows",
                                                                                         query))
            flows += response.get("results", [])
            after = (response.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return flows

    def blog_posts(self) -> list[dict[str, Any]]:
        api = self.client.cms.blogs.blog_posts.basic_api
        return self._pages("blog posts", lambda after: api.get_page(limit=100, after=after))

    # --- pacing, retries and errors --------------------------------------------------------------------

    def _pages(self, what: str, page: Callable[[str | None], Any]) -> list[dict[str, Any]]:
        items, after = [], None
        while True:
            result = self._call(what, self.pacer, lambda after=after: page(after))
            items += [item.to_dict() for item in result.results]
            after = result.paging.next.after if getattr(result, "paging", None) and result.paging.next else None
            if not after:
                return items

    def _raw(self, path: str, query: dict[str, Any]) -> dict[str, Any]:
        response = self.client.api_request({"method": "GET", "path": path, "qs": query, "timeout": 60})
        if response.status_code >= 400:
            raise _RawError(response.status_code, response.text, dict(response.headers))
        return response.json()

    def _call(self, what: str, pacer: Pacer, request: Callable[[], T]) -> T:
        for attempt in range(MAX_RATE_LIMIT_WAITS + 1):
            pacer.wait()
            self.requests += 1
            try:
                return request()
            except Exception as exc:  # each client package has its own ApiException class: read what they share
                status = getattr(exc, "status", None)
                if status is None:
                    raise SourceError(f"HubSpot could not be reached for {what} at {self.client.config['base_url']} "
                                      f"({type(exc).__name__}): check source.base_url and the network.") from None
                body = _json(getattr(exc, "body", None))
                if status == 429 and attempt < MAX_RATE_LIMIT_WAITS:
                    policy = body.get("policyName", "")
                    if policy == "DAILY":
                        raise SourceError(
                            f"HubSpot's daily API limit for this account is used up ({what}: 429 DAILY); it resets at "
                            "midnight in the account's time zone. Sync again after that, or build the month from the "
                            "last snapshot with --no-sync.") from None
                    wait = 10.0 if policy == "TEN_SECONDLY_ROLLING" else 1.0
                    log.info("HubSpot asked to slow down (%s %s): waiting %.0f s", status, policy or "rate limit", wait)
                    pacer.hold(wait)
                    continue
                raise self._error(what, status, body) from None
        raise SourceError(f"HubSpot kept answering 429 for {what} after {MAX_RATE_LIMIT_WAITS} waits: another app may "
                          "be using this account's API limit; sync again later.")

    def _error(self, what: str, status: int, body: dict[str, Any]) -> SourceError:
        category = body.get("category", "")
        if status == 401:
            return SourceError(f"HubSpot refused the token named by {self.token_setting} ({status} {category}) when "
                               f"reading {what}: check that it holds the private app's current access token.")
        if status == 403:
            scopes = _scopes(body)
            needed = f"the scope {', '.join(scopes)}" if scopes else "a scope"
            return MissingScope(f"The private app's token named by {self.token_setting} lacks {needed}, needed to "
                                f"read {what} (403 {category}): add it ({SCOPES_HELP}), then put the app's new token "
                                f"in {self.token_setting}.", scopes)
        message = str(body.get("message", "")).strip()
        return SourceError(f"HubSpot answered {status} {category} when reading {what}"
                           f"{': ' + message if message else ''}. If it persists, check HubSpot's status page; the "
                           "previous snapshot is kept.")


class _RawError(Exception):
    """A failed generic request, shaped like the client's ApiException (status, body, headers)."""

    def __init__(self, status: int, body: str, headers: dict[str, str]) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers


def _json(body: object) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if isinstance(body, (str, bytes)) else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _scopes(body: dict[str, Any]) -> list[str]:
    """The missing scopes a 403 names: ``errors[].context.requiredGranularScopes`` (or the older ``requiredScopes``,
    or the top-level ``context.missingScopes``)."""
    found: list[str] = []
    for error in body.get("errors") or []:
        context = error.get("context") or {}
        found += context.get("requiredGranularScopes") or context.get("requiredScopes") or []
    found += (body.get("context") or {}).get("missingScopes") or []
    return list(dict.fromkeys(found))
