"""HubSpot's API through its official Python client, kept within HubSpot's documented limits.

The client (``hubspot-api-client``) makes the requests, pointed at ``source.base_url``; urllib3's
``Retry`` retries server errors. On top of it this module paces requests (the search API's requests a
second, the other endpoints' requests per ten seconds), waits out a 429 as its ``policyName`` says
(``SECONDLY`` a second, ``TEN_SECONDLY_ROLLING`` ten), stops on ``DAILY``, and words 401 and 403 as
what to fix. The token is handed to the client only: it is never logged nor put in an error, and text from an
answer is shown with the token taken out (a server may quote the request's ``Authorization`` header).

Every call has a deadline: each request waits at most ``source.timeout_seconds`` for an answer, the whole sync
stops after ``source.deadline_minutes``, and a list whose paging cursor repeats or never ends stops with an error
rather than paging forever. An answer that is not the JSON HubSpot documents is an error naming the call; text
with a lone UTF-16 surrogate (which no file can hold) gets U+FFFD in its place and a note saying where.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
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
MAX_PAGES = 1_000  # pages of one list (100 items each): owners, e-mails, workflows and blog posts stay far below
CONNECT_SECONDS = 10.0
_SURROGATE = re.compile("[\ud800-\udfff]")
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
                 sleep: Callable[[float], None] = time.sleep, timeout_seconds: float = 60.0,
                 deadline_seconds: float = 7200.0) -> None:
        HubSpot, Retry = _client_classes()
        # searches are POSTs, and only read; a request that timed out is not sent again (the deadline decides)
        retry = Retry(total=SERVER_ERROR_RETRIES, read=0, status_forcelist=(500, 502, 503, 504), backoff_factor=0.5,
                      allowed_methods=None, raise_on_status=False)
        self.client = HubSpot(access_token=token, host=base_url, base_url=base_url, retry=retry)
        self.urllib3 = importlib.import_module("urllib3")  # installed with HubSpot's client
        self.pool = self.urllib3.PoolManager(retries=retry)
        self.token_setting = token_setting
        self.secrets = [token] if token else []
        self.timeout_seconds = timeout_seconds
        self.deadline_seconds = deadline_seconds
        self.deadline = time.monotonic() + deadline_seconds
        self.notes: list[str] = []  # what the sync repaired, said once it is done
        # the search API allows 5 requests a second; pace a little under it, as HubSpot's own SDKs do
        per_second = max(int(limits.search_per_second), 1)
        self.search_pacer = Pacer(per_second, 1.05, sleep=sleep)
        self.pacer = Pacer(limits.per_ten_seconds, 10.0, sleep=sleep)
        self.requests = 0

    # --- the endpoints ------------------------------------------------------------------------------------

    def search(self, object_type: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /crm/v3/objects/{object_type}/search`` with ``body`` as HubSpot documents it."""
        api = {"contacts": self.client.crm.contacts, "deals": self.client.crm.deals}[object_type]
        what = f"search {object_type}"
        page = self._call(what, self.search_pacer,  # the body goes out as documented
                          lambda: api.search_api.do_search(public_object_search_request=body,
                                                           _request_timeout=self._timeout()))
        self._results(what, page)
        return self._clean(what, page.to_dict())

    def owners(self) -> list[dict[str, Any]]:
        api = self.client.crm.owners.owners_api
        return self._pages("owners", lambda after: api.get_page(limit=100, after=after,
                                                                _request_timeout=self._timeout()))

    def deal_pipelines(self) -> list[dict[str, Any]]:
        page = self._call("deal pipelines", self.pacer, lambda: self.client.crm.pipelines.pipelines_api.get_all(
            object_type="deals", _request_timeout=self._timeout()))
        return [self._clean("deal pipelines", p.to_dict()) for p in self._results("deal pipelines", page)]

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
                batch_input_public_fetch_associations_batch_request=request, _request_timeout=self._timeout()))
            for result in self._results("deal associations", page):
                found[str(result._from.id)] = [str(item.to_object_id) for item in result.to]
        return found

    def marketing_emails(self) -> list[dict[str, Any]]:
        api = self.client.marketing.emails.marketing_emails_api
        return self._pages("marketing e-mails", lambda after: api.get_page(limit=100, after=after, workflow_names=True,
                                                                           _request_timeout=self._timeout()))

    def email_months(self, email_id: str, start: str, end: str) -> list[dict[str, Any]]:
        """One e-mail's statistics per calendar month from ``start`` to ``end`` (ISO timestamps)."""
        api = self.client.marketing.emails.statistics_api
        page = self._call("e-mail statistics", self.pacer, lambda: api.get_histogram(
            interval="MONTH", start_timestamp=start, end_timestamp=end, email_ids=[int(email_id)],
            _request_timeout=self._timeout()))
        return [self._clean("e-mail statistics", i.to_dict()) for i in page.results or []]

    def workflows(self) -> list[dict[str, Any]]:
        """``GET /automation/v4/flows``, which the Python client does not wrap: its generic request, paced
        and checked here like the others."""
        def page(after: str | None) -> dict[str, Any]:
            query = {"limit": 100, **({"after": after} if after else {})}
            response = self._call("workflows", self.pacer, lambda: self._raw("/automation/v4/flows", query))
            if not isinstance(response, dict) or not isinstance(response.get("results", []), list):
                raise self._shape_error("workflows", "no list of results")
            return response

        flows, after, cursors = [], None, _Cursors("workflows")
        while True:
            response = page(after)
            flows += [self._clean("workflows", flow) for flow in response.get("results", [])]
            after = ((response.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return flows
            cursors.next(after, len(flows))

    def blog_posts(self) -> list[dict[str, Any]]:
        api = self.client.cms.blogs.blog_posts.basic_api
        return self._pages("blog posts", lambda after: api.get_page(limit=100, after=after,
                                                                    _request_timeout=self._timeout()))

    # --- pacing, retries and errors --------------------------------------------------------------------

    def _pages(self, what: str, page: Callable[[str | None], Any]) -> list[dict[str, Any]]:
        items, after, cursors = [], None, _Cursors(what)
        while True:
            result = self._call(what, self.pacer, lambda after=after: page(after))
            items += [self._clean(what, item.to_dict()) for item in self._results(what, result)]
            after = result.paging.next.after if getattr(result, "paging", None) and result.paging.next else None
            if not after:
                return items
            cursors.next(after, len(items))

    def _raw(self, path: str, query: dict[str, Any]) -> dict[str, Any]:
        """A GET the client does not wrap. Its generic ``api_request`` takes no timeout, so urllib3 sends it."""
        connect, read = self._timeout()
        response = self.pool.request("GET", f"{self.client.config['base_url']}{path}", fields=query,
                                     headers={"Authorization": f"Bearer {self.secrets[0] if self.secrets else ''}",
                                              "Accept": "application/json"},
                                     timeout=self.urllib3.Timeout(connect=connect, read=read))
        if response.status >= 400:
            raise _RawError(response.status, response.data.decode("utf-8", "replace"), dict(response.headers))
        return json.loads(response.data)

    def _timeout(self) -> tuple[float, float]:
        """(connect, read) seconds for the next request: ``source.timeout_seconds``, never past the deadline."""
        left = max(self.deadline - time.monotonic(), 0.001)
        return min(CONNECT_SECONDS, self.timeout_seconds, left), min(self.timeout_seconds, left)

    def _results(self, what: str, page: Any) -> list[Any]:
        """A page's ``results``; an answer without them (truncated or not HubSpot's JSON) is an error."""
        results = getattr(page, "results", None)
        if not isinstance(results, list):
            raise self._shape_error(what, "no list of results")
        return results

    def _shape_error(self, what: str, detail: str) -> SourceError:
        return SourceError(f"HubSpot's answer to {what} is not the JSON its API documents ({detail}: cut short or "
                           f"changed on the way); the previous snapshot is kept. Sync again; if it persists, check "
                           f"that source.base_url ({self.client.config['base_url']}) is HubSpot's API and no proxy "
                           "in between alters its answers.")

    def _clean(self, what: str, value: Any, record: object = None) -> Any:
        """``value`` with every lone UTF-16 surrogate (broken text no file can hold) replaced by U+FFFD, noted with
        the record and the property it was in."""
        if isinstance(value, str):
            return _SURROGATE.sub("\ufffd", value)
        if isinstance(value, list):
            return [self._clean(what, item, record) for item in value]
        if not isinstance(value, dict):
            return value
        record = value.get("id", record)
        for key, item in value.items():
            if isinstance(item, str) and _SURROGATE.search(item):
                where = f"'{key}' of record {record}" if record is not None else f"'{key}'"
                self.notes.append(f"HubSpot's answer to {what} held broken text (a lone UTF-16 surrogate) in {where}; "
                                  "it is written with U+FFFD in its place: correct the value in HubSpot.")
        return {key: self._clean(what, item, record) for key, item in value.items()}

    def _redacted(self, text: str) -> str:
        """Text from an answer, without the token (a server may quote the request's Authorization header)."""
        for secret in self.secrets:
            text = text.replace(secret, "[token removed]")
        return re.sub(r"(?i)(bearer)\s+(?!\[token removed\])[^\s\"',;]+", r"\1 [token removed]", text)

    def _call(self, what: str, pacer: Pacer, request: Callable[[], T]) -> T:
        for attempt in range(MAX_RATE_LIMIT_WAITS + 1):
            self._check_deadline(what)
            pacer.wait()
            self._check_deadline(what)
            self.requests += 1
            try:
                return request()
            except Exception as exc:  # each client package has its own ApiException class: read what they share
                status = getattr(exc, "status", None)
                if status is None:
                    raise self._unanswered(what, exc) from None
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

    def _check_deadline(self, what: str) -> None:
        if time.monotonic() >= self.deadline:
            raise SourceError(f"The HubSpot sync ran longer than source.deadline_minutes "
                              f"({self.deadline_seconds / 60:g} min) and stopped at {what}, after {self.requests:,} "
                              "requests; the previous snapshot is kept. Sync again at a quieter time, or raise "
                              "source.deadline_minutes for a very large account.")

    def _unanswered(self, what: str, exc: Exception) -> SourceError:
        """A request that got no HTTP answer: a timeout, a refused connection, or an answer that is not JSON."""
        base_url = self.client.config["base_url"]
        if isinstance(exc, ValueError):  # the body did not parse (json's errors are ValueErrors)
            return self._shape_error(what, "not JSON")
        if "timeout" in f"{type(exc).__name__} {exc}".lower():
            self._check_deadline(what)
            return SourceError(f"HubSpot did not answer {what} within source.timeout_seconds "
                               f"({self.timeout_seconds:g} s) at {base_url}: the server took the request and sent "
                               "nothing back; the previous snapshot is kept. Sync again later; if it persists, check "
                               "source.base_url, any proxy in between, and HubSpot's status page.")
        return SourceError(f"HubSpot could not be reached for {what} at {base_url} ({type(exc).__name__}): check "
                           "source.base_url and the network.")

    def _error(self, what: str, status: int, body: dict[str, Any]) -> SourceError:
        category = self._redacted(str(body.get("category", "")))
        if status == 401:
            return SourceError(f"HubSpot refused the token named by {self.token_setting} ({status} {category}) when "
                               f"reading {what}: check that it holds the private app's current access token.")
        if status == 403:
            scopes = _scopes(body)
            needed = f"the scope {', '.join(scopes)}" if scopes else "a scope"
            return MissingScope(f"The private app's token named by {self.token_setting} lacks {needed}, needed to "
                                f"read {what} (403 {category}): add it ({SCOPES_HELP}), then put the app's new token "
                                f"in {self.token_setting}.", scopes)
        message = self._redacted(str(body.get("message", "")).strip())
        category = self._redacted(str(category))
        return SourceError(f"HubSpot answered {status} {category} when reading {what}"
                           f"{': ' + message if message else ''}. If it persists, check HubSpot's status page; the "
                           "previous snapshot is kept.")


class _Cursors:
    """The paging cursors one list gave out: one given twice, or more than ``MAX_PAGES`` pages, is an endless list."""

    def __init__(self, what: str) -> None:
        self.what, self.seen = what, set[str]()

    def next(self, after: str, items: int) -> None:
        if after in self.seen:
            raise SourceError(f"HubSpot gave the paging cursor '{after[:40]}' twice when listing {self.what} (after "
                              f"{len(self.seen) + 1:,} pages, {items:,} items): its paging goes round in a circle, so "
                              "the sync stopped; the previous snapshot is kept. Sync again later; if it persists, "
                              "report it to HubSpot's support.")
        if len(self.seen) + 1 >= MAX_PAGES:
            raise SourceError(f"HubSpot kept paging {self.what} past {MAX_PAGES:,} pages ({items:,} items), far more "
                              "than an account holds: its paging never ends, so the sync stopped; the previous "
                              "snapshot is kept. Sync again later; if it persists, report it to HubSpot's support.")
        self.seen.add(after)


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
