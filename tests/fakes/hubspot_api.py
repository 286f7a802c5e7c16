"""A local fake of the HubSpot APIs the retropack sync reads, answering as HubSpot documents them.

It exists so the sync (written with ``hubspot-api-client``) is tested against real HTTP: status codes, error bodies,
paging tokens, the search cap and the rate limits, not against a mocked client.

Sources, cited in comments as:
- [research §N]: /work/research/hubspot.md, section N (HubSpot's OpenAPI specs in HubSpot/HubSpot-public-api-spec-collection,
  the docs pages it quotes, and calls of hubspot-api-client 12.0.0 against a local server);
- [spec <file>]: HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/…/<file>, snapshot 99893791383;
- [fake]: where the docs are silent; the choice is written next to it.

Usage::

    with FakeHubSpot(portal) as hub:
        client = HubSpot(access_token="test-token", host=hub.url, base_url=hub.url)
        ...
        assert hub.requests[-1].status == 200
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "ALL_SCOPES",
    "BlogPost",
    "FakeHubSpot",
    "Flow",
    "MarketingEmail",
    "Owner",
    "Pipeline",
    "Portal",
    "Record",
    "Recorded",
    "Stage",
    "default_sales_pipeline",
    "iso_ms",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------------------------------
# Time formats
# ---------------------------------------------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"datetime {moment!r} has no time zone; the fake only takes aware datetimes")
    return moment


def iso_ms(moment: datetime) -> str:
    """HubSpot's date-time form: UTC with milliseconds and ``Z``, e.g. ``2020-02-29T03:30:17.000Z`` [research §7]."""
    utc = _aware(moment).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _iso_seconds(moment: datetime) -> str:
    """The histogram's interval form, ``2020-05-01T04:00:00Z`` (docs example, [research §5])."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(moment: datetime) -> int:
    return (_aware(moment) - EPOCH) // timedelta(milliseconds=1)


def parse_instant(text: str) -> datetime:
    """A request's time: epoch milliseconds or ISO-8601 (a date alone is midnight UTC), as HubSpot accepts both.

    Docs FAQ "How should timestamps be formatted" [research §1, §7]; an ISO time without an offset is taken as UTC,
    which is what HubSpot's docs say to send.
    """
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return EPOCH + timedelta(milliseconds=int(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------------------------------------
# What the portal holds
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Record:
    """One contact or deal. ``createdate``, the modified-date property and ``hs_object_id`` come from the fields.

    The portal's mutators replace a record rather than edit it, so cached typed values never go stale.
    """

    id: str
    properties: dict[str, str | None]
    created_at: datetime
    modified_at: datetime
    archived: bool = False
    archived_at: datetime | None = None
    typed: dict[str, object] = field(default_factory=dict, repr=False)


@dataclass
class Owner:
    """A CRM owner; ``hubspot_owner_id`` holds ``id`` (not ``userId``) [research §3]."""

    id: str
    email: str
    first_name: str | None
    last_name: str | None
    user_id: int
    created_at: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    updated_at: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    archived: bool = False


@dataclass
class Stage:
    id: str
    label: str
    probability: float
    is_closed: bool
    display_order: int


@dataclass
class Pipeline:
    id: str
    label: str
    stages: list[Stage]
    display_order: int = 0
    created_at: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    updated_at: datetime = datetime(2024, 1, 1, tzinfo=UTC)


def default_sales_pipeline() -> Pipeline:
    """HubSpot's default deal pipeline: id ``default``, these stage ids [research §3] and default probabilities.

    Probabilities: HubSpot's default stages (Appointment Scheduled 20 % … Contract Sent 90 %, Closed Won 100 %,
    Closed Lost 0 %), as listed e.g. by https://hublead.io/blog/hubspot-deal-stages; closed won = closed and 1.0,
    closed lost = closed and 0.0 (docs, [research §3]).
    """
    rows = [
        ("appointmentscheduled", "Appointment Scheduled", 0.2, False),
        ("qualifiedtobuy", "Qualified To Buy", 0.4, False),
        ("presentationscheduled", "Presentation Scheduled", 0.6, False),
        ("decisionmakerboughtin", "Decision Maker Bought-In", 0.8, False),
        ("contractsent", "Contract Sent", 0.9, False),
        ("closedwon", "Closed Won", 1.0, True),
        ("closedlost", "Closed Lost", 0.0, True),
    ]
    stages = [Stage(id_, label, p, closed, order) for order, (id_, label, p, closed) in enumerate(rows)]
    return Pipeline("default", "Sales Pipeline", stages)


@dataclass
class MarketingEmail:
    """A marketing e-mail and its statistics per month of the portal's time zone: ``{"2025-06": {"sent": 10, …}}``.

    Counter names are HubSpot's (``sent, delivered, open, click, unsubscribed, bounce``, … [research §5]).
    """

    id: str
    name: str
    workflow_names: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    subject: str | None = None
    created_at: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    updated_at: datetime | None = None
    publish_date: datetime | None = None
    archived: bool = False

    @property
    def type(self) -> str:
        return "AUTOMATED_EMAIL" if self.workflow_names else "BATCH_EMAIL"

    @property
    def state(self) -> str:
        return "AUTOMATED" if self.workflow_names else "PUBLISHED"


@dataclass
class Flow:
    """A workflow as ``GET /automation/v4/flows`` lists it (ApiFlowListing [research §6])."""

    id: str
    name: str
    is_enabled: bool
    created_at: datetime
    updated_at: datetime | None = None
    flow_type: str = "WORKFLOW"
    object_type_id: str = "0-1"
    revision_id: str = "1"


@dataclass
class BlogPost:
    """A blog post; note HubSpot's ``created``/``updated`` (not ``createdAt``) on posts [research §6]."""

    id: str
    name: str
    state: str  # PUBLISHED, SCHEDULED, DRAFT
    publish_date: datetime | None
    created: datetime
    updated: datetime
    archived: bool = False

    @property
    def currently_published(self) -> bool:
        return self.state == "PUBLISHED"


@dataclass
class Portal:
    """Everything one HubSpot account holds for the sync. Change it between syncs through the methods (thread-safe).

    The ``*_ids`` maps are filled by the builders (tests/fakes/portal.py) to find a dataset row's HubSpot id.
    """

    contacts: dict[str, Record] = field(default_factory=dict)
    deals: dict[str, Record] = field(default_factory=dict)
    owners: list[Owner] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=lambda: [default_sales_pipeline()])
    associations: dict[str, list[str]] = field(default_factory=dict)  # deal id -> contact ids
    emails: list[MarketingEmail] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    blog_posts: list[BlogPost] = field(default_factory=list)
    timezone: str = "Asia/Tokyo"
    contact_ids: dict[str, str] = field(default_factory=dict)  # lead_id -> contact id
    deal_ids: dict[str, str] = field(default_factory=dict)  # dataset deal_id -> deal id
    owner_ids: dict[str, str] = field(default_factory=dict)  # owner name -> owner id
    email_ids: dict[str, str] = field(default_factory=dict)  # campaign -> e-mail id
    flow_ids: dict[str, str] = field(default_factory=dict)  # scenario_id -> flow id
    version: int = 0  # bumped by every mutator; search caches its sort orders per version
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def upsert_contact(
        self, id: str, properties: dict[str, str | None], modified_at: datetime, *, created_at: datetime | None = None
    ) -> Record:
        """Create or update a contact (properties merge); ``modified_at`` becomes its ``lastmodifieddate``, a
        ``createdate`` property its creation time. Restores an archived one."""
        return self._upsert(self.contacts, id, properties, modified_at, created_at)

    def upsert_deal(
        self, id: str, properties: dict[str, str | None], modified_at: datetime, *, created_at: datetime | None = None
    ) -> Record:
        """Create or update a deal; ``modified_at`` becomes its ``hs_lastmodifieddate``. Restores an archived one."""
        return self._upsert(self.deals, id, properties, modified_at, created_at)

    def archive_contact(self, id: str, at: datetime) -> None:
        """Delete a contact: search never returns archived records (docs "Search", [research §1])."""
        self._archive(self.contacts, id, at)

    def archive_deal(self, id: str, at: datetime) -> None:
        self._archive(self.deals, id, at)

    def set_association(self, deal_id: str, contact_ids: Iterable[str]) -> None:
        """Replace a deal's associated contacts (an empty list removes them)."""
        with self.lock:
            ids = [str(c) for c in contact_ids]
            if ids:
                self.associations[str(deal_id)] = ids
            else:
                self.associations.pop(str(deal_id), None)
            self.version += 1

    def visible(self, store: dict[str, Record]) -> list[Record]:
        with self.lock:
            return [r for r in store.values() if not r.archived]

    def _upsert(
        self,
        store: dict[str, Record],
        id: str,
        properties: dict[str, str | None],
        modified_at: datetime,
        created_at: datetime | None,
    ) -> Record:
        """``createdate`` in ``properties`` sets the creation time (unless ``created_at`` is given); the id and the
        modified dates come from the record itself, so they are not stored as properties."""
        id, properties = str(id), dict(properties)
        written_created = properties.pop("createdate", None)
        for derived in ("hs_object_id", "lastmodifieddate", "hs_lastmodifieddate"):
            properties.pop(derived, None)
        with self.lock:
            old = store.get(id)
            merged = {**(old.properties if old else {}), **properties}
            if created_at is None and written_created:
                created_at = parse_instant(written_created)
            created = created_at or (old.created_at if old else modified_at)
            record = Record(id, merged, _aware(created), _aware(modified_at))
            store[id] = record
            self.version += 1
            return record

    def _archive(self, store: dict[str, Record], id: str, at: datetime) -> None:
        with self.lock:
            old = store[str(id)]
            store[old.id] = Record(old.id, old.properties, old.created_at, _aware(at), True, at)
            self.version += 1


# ---------------------------------------------------------------------------------------------------------------------
# Errors and replies
# ---------------------------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: dict | str | bytes | None  # bytes go out as they are, as application/json (a broken answer)
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # [fake] accept the request and never answer (until the fake stops)


class ApiError(Exception):
    """An error reply, raised anywhere below the dispatcher."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None):
        super().__init__(body.get("message"))
        self.reply = Reply(status, body, headers or {})


def error_body(message: str, category: str, **extra: object) -> dict:
    """HubSpot's error shape: ``status, message, correlationId, category`` (+ optional keys) [research §2]."""
    return {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category, **extra}


def validation_error(message: str) -> ApiError:
    """400 with category VALIDATION_ERROR, the generic category of HubSpot's 400s [research §1 "10,000 cap"]."""
    return ApiError(400, error_body(message, "VALIDATION_ERROR"))


def rate_limit_body(policy: str) -> dict:
    """A 429: ``errorType: RATE_LIMIT`` + ``policyName``, no ``category`` (docs usage guidelines, [research §2])."""
    message = f"You have reached your {'ten_secondly_rolling' if policy == 'TEN_SECONDLY_ROLLING' else policy.lower()} limit."
    return {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
    }


# 401 as seen in HubSpot/hubspot-api-python#15 and hubspot-api-ruby#181, with its header [research §2].
AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details "
    "at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
# 403 as in HubSpot/hubspot-api-nodejs#268, scopes under requiredGranularScopes as live portals answer [research §2].
SCOPES_MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: "
    "https://developers.hubspot.com/scopes."
)


def auth_error() -> ApiError:
    return ApiError(
        401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION"), {"x-hubspot-auth-failure": "401 Unauthorized"}
    )


def scope_error(scopes: tuple[str, ...]) -> ApiError:
    errors = [{"message": "One or more of the following scopes are required.", "context": {"requiredGranularScopes": list(scopes)}}]
    body = error_body(SCOPES_MESSAGE, "MISSING_SCOPES", errors=errors, links={"scopes": "https://developers.hubspot.com/scopes"})
    return ApiError(403, body)


# ---------------------------------------------------------------------------------------------------------------------
# Scopes: each tuple lists alternatives, any one suffices; the first is the one named first in a 403 [research §8].
# ---------------------------------------------------------------------------------------------------------------------

CONTACTS_READ = ("crm.objects.contacts.read",)
DEALS_READ = ("crm.objects.deals.read",)
OWNERS_READ = ("crm.objects.owners.read", "automation")
PIPELINES_READ = ("crm.objects.deals.read", "crm.schemas.deals.read", "automation")
ASSOCIATIONS_READ = ("crm.objects.deals.read", "crm.objects.contacts.read")
EMAILS_READ = ("marketing.email.read", "content", "marketing.email.write")
FLOWS_READ = ("automation",)
BLOG_READ = ("content",)
ALL_SCOPES = frozenset(
    CONTACTS_READ + DEALS_READ + OWNERS_READ + PIPELINES_READ + ASSOCIATIONS_READ + EMAILS_READ + FLOWS_READ + BLOG_READ
)

# ---------------------------------------------------------------------------------------------------------------------
# Rate limits [research §1 "Search rate limit", §2]
# ---------------------------------------------------------------------------------------------------------------------


class Bucket(Enum):
    """Which limits a route counts against."""

    SEARCH = "search"  # its own per-second limit; exempt from the 10-second one; no rate-limit headers
    EXEMPT = "exempt"  # spec x-hubspot-rate-limit-exemptions ["ten-secondly"] (associations batch read)
    STANDARD = "standard"  # the rolling 10-second limit


class RollingWindow:
    """At most ``limit`` requests in any ``seconds``-long window (HubSpot's limits are rolling)."""

    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self._hits: deque[float] = deque()

    def remaining(self, now: float) -> int:
        while self._hits and self._hits[0] <= now - self.seconds:
            self._hits.popleft()
        return max(0, self.limit - len(self._hits))

    def hit(self, now: float) -> None:
        self._hits.append(now)


class DailyQuota:
    """Requests per day; the day resets at midnight in the account's time zone (docs usage guidelines)."""

    def __init__(self, limit: int, timezone: ZoneInfo):
        self.limit, self._tz = limit, timezone
        self._day: date | None = None
        self._used = 0

    def remaining(self, wall: float) -> int:
        today = datetime.fromtimestamp(wall, self._tz).date()
        if today != self._day:
            self._day, self._used = today, 0
        return max(0, self.limit - self._used)

    def hit(self) -> None:
        self._used += 1


class RateLimiter:
    """Admits a request or raises the documented 429; only admitted requests use up the limits [fake]."""

    def __init__(self, *, search_per_second: int, per_ten_seconds: int, daily: int, search_window: float,
                 ten_second_window: float, timezone: ZoneInfo):
        self._lock = threading.Lock()
        self._secondly = RollingWindow(search_per_second, search_window)
        self._ten_secondly = RollingWindow(per_ten_seconds, ten_second_window)
        self._daily = DailyQuota(daily, timezone)

    def admit(self, bucket: Bucket) -> dict[str, str]:
        """The rate-limit headers to send back, or ApiError(429) naming the policy that refused."""
        with self._lock:
            now, wall = time.monotonic(), time.time()
            if self._daily.remaining(wall) == 0:
                raise ApiError(429, rate_limit_body("DAILY"), self._headers(bucket, now, wall))
            window = self._secondly if bucket is Bucket.SEARCH else self._ten_secondly
            if bucket is not Bucket.EXEMPT and window.remaining(now) == 0:
                policy = "SECONDLY" if bucket is Bucket.SEARCH else "TEN_SECONDLY_ROLLING"
                raise ApiError(429, rate_limit_body(policy), self._headers(bucket, now, wall))
            self._daily.hit()
            if bucket is not Bucket.EXEMPT:
                window.hit(now)
            return self._headers(bucket, now, wall)

    def _headers(self, bucket: Bucket, now: float, wall: float) -> dict[str, str]:
        """X-HubSpot-RateLimit-* (docs usage guidelines table); none on search (community report, [research §1])."""
        if bucket is Bucket.SEARCH:
            return {}
        headers = {
            "X-HubSpot-RateLimit-Daily": str(self._daily.limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(self._daily.remaining(wall)),
        }
        if bucket is Bucket.STANDARD:
            headers |= {
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(round(self._ten_secondly.seconds * 1000)),
                "X-HubSpot-RateLimit-Max": str(self._ten_secondly.limit),
                "X-HubSpot-RateLimit-Remaining": str(self._ten_secondly.remaining(now)),
            }
        return headers


# ---------------------------------------------------------------------------------------------------------------------
# CRM search [research §1]
# ---------------------------------------------------------------------------------------------------------------------

MAX_PAGE = 200  # "The maximum results to return, up to 200 objects" [spec contacts.json]
DEFAULT_PAGE = 10
# Changelog "Expanded Filtering Capabilities …" (2024-08-26): 5 groups, 10 filters a group, 25 in all [research §1].
MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 10, 25


@dataclass(frozen=True)
class ObjectType:
    name: str
    singular: str
    modified_property: str
    default_properties: tuple[str, ...]
    text_properties: tuple[str, ...]  # what ``query`` searches [fake: a few of HubSpot's default searchable ones]


# Default properties from docs "Search"; contacts' modified date is lastmodifieddate, deals' hs_lastmodifieddate
# [research §1]. A contact has no hs_lastmodifieddate here: filtering contacts on it "silently fails to return
# objects" (amp-labs/connectors#45, citing community.hubspot.com).
CONTACTS = ObjectType(
    "contacts", "contact", "lastmodifieddate",
    ("firstname", "lastname", "email", "lastmodifieddate", "hs_object_id", "createdate"),
    ("firstname", "lastname", "email", "company"),
)
DEALS = ObjectType(
    "deals", "deal", "hs_lastmodifieddate",
    ("dealname", "amount", "closedate", "pipeline", "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id"),
    ("dealname",),
)

_DATETIME_PROPERTIES = frozenset({"createdate", "lastmodifieddate", "hs_lastmodifieddate", "closedate",
                                  "hs_sa_first_engagement_date", "notes_last_updated"})
_DATETIME_PREFIXES = ("hs_v2_date_entered_", "hs_v2_date_exited_", "hs_date_entered_", "hs_date_exited_")
_NUMBER_PROPERTIES = frozenset({"amount", "hubspotscore", "hs_object_id", "hs_deal_stage_probability"})


def property_kind(name: str) -> str:
    """How a property compares and sorts: ``datetime`` (as epoch ms), ``number`` or ``string`` (case-insensitive)."""
    if name in _DATETIME_PROPERTIES or name.startswith(_DATETIME_PREFIXES) or re.fullmatch(r"hs_lifecyclestage_\w+_date", name):
        return "datetime"
    return "number" if name in _NUMBER_PROPERTIES else "string"


def _typed(kind: str, raw: str) -> object:
    """A raw value as it compares; raises ValueError when it cannot be read as its kind."""
    if kind == "datetime":
        return epoch_ms(parse_instant(raw))
    if kind == "number":
        return float(raw)
    return raw.casefold()


def raw_property(record: Record, name: str, kind: ObjectType) -> str | None:
    if name == "hs_object_id":
        return record.id
    if name == "createdate":
        return iso_ms(record.created_at)
    if name == kind.modified_property:
        return iso_ms(record.modified_at)
    return record.properties.get(name)


def property_value(record: Record, name: str, kind: ObjectType) -> object:
    """The record's value of ``name`` as it compares (None when unset or empty); cached on the record."""
    if name not in record.typed:
        raw = raw_property(record, name, kind)
        try:
            record.typed[name] = None if raw in (None, "") else _typed(property_kind(name), raw)
        except ValueError:
            record.typed[name] = None
        return record.typed[name]
    return record.typed[name]


@dataclass(frozen=True)
class Filter:
    property: str
    operator: str
    value: object = None
    high: object = None
    values: frozenset | None = None

    @classmethod
    def parse(cls, raw: object) -> Filter:
        if not isinstance(raw, dict) or not raw.get("propertyName") or not raw.get("operator"):
            raise validation_error(f"A filter needs propertyName and operator; got {json.dumps(raw)}.")
        name, op = str(raw["propertyName"]), str(raw["operator"])
        if op not in OPERATORS:
            raise validation_error(f"Unknown filter operator '{op}'; expected one of {', '.join(sorted(OPERATORS))}.")
        kind = property_kind(name)

        def read(value: object) -> object:
            if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
                return str(value).casefold()
            try:
                return _typed(kind, str(value))
            except ValueError:
                raise validation_error(f"Filter value '{value}' is not a valid {kind} for property '{name}'.") from None

        if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            return cls(name, op)
        if op in ("IN", "NOT_IN"):
            values = raw.get("values")
            if not isinstance(values, list) or not values:
                raise validation_error(f"Operator {op} on '{name}' needs a non-empty 'values' list.")
            return cls(name, op, values=frozenset(read(v) for v in values))
        if raw.get("value") is None:
            raise validation_error(f"Operator {op} on '{name}' needs a 'value'.")
        if op == "BETWEEN":
            if raw.get("highValue") is None:
                raise validation_error(f"Operator BETWEEN on '{name}' needs a 'highValue'.")
            return cls(name, op, read(raw["value"]), read(raw["highValue"]))
        return cls(name, op, read(raw["value"]))

    def mask(self, column: list[object]) -> list[bool]:
        """Which values match. An unset value matches only NEQ, NOT_IN, NOT_HAS_PROPERTY and NOT_CONTAINS_TOKEN
        [fake: as an Elasticsearch must_not, which HubSpot's search is built on]."""
        unset, test = self.operator in _MATCH_UNSET, _COMPARE[self.operator]
        return [unset if value is None else test(value, self) for value in column]


_MATCH_UNSET = frozenset({"NEQ", "NOT_IN", "NOT_HAS_PROPERTY", "NOT_CONTAINS_TOKEN"})
_COMPARE: dict[str, Callable[[object, Filter], bool]] = {
    "EQ": lambda v, f: v == f.value,
    "NEQ": lambda v, f: v != f.value,
    "LT": lambda v, f: v < f.value,
    "LTE": lambda v, f: v <= f.value,
    "GT": lambda v, f: v > f.value,
    "GTE": lambda v, f: v >= f.value,
    "BETWEEN": lambda v, f: f.value <= v <= f.high,
    "IN": lambda v, f: v in f.values,
    "NOT_IN": lambda v, f: v not in f.values,
    "HAS_PROPERTY": lambda v, f: True,
    "NOT_HAS_PROPERTY": lambda v, f: False,
    "CONTAINS_TOKEN": lambda v, f: _has_token(str(v), str(f.value)),
    "NOT_CONTAINS_TOKEN": lambda v, f: not _has_token(str(v), str(f.value)),
}
OPERATORS = frozenset(_COMPARE)  # the spec's Filter.operator enum [research §1]


def _has_token(text: str, pattern: str) -> bool:
    """CONTAINS_TOKEN: a whole word of the value, ``*`` as a wildcard (docs "Search", e.g. ``*@hubspot.com``)."""
    regex = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
    return any(regex.fullmatch(token) for token in [text, *re.split(r"\s+", text)])


@dataclass(frozen=True)
class Sort:
    property: str
    descending: bool = False

    @classmethod
    def parse(cls, raw: object) -> Sort:
        """``{"propertyName", "direction"}`` (documented) or a string, ``-name`` descending (the spec types sorts as
        string[] [research §1])."""
        if isinstance(raw, str):
            return cls(raw.lstrip("-"), raw.startswith("-"))
        if isinstance(raw, dict) and raw.get("propertyName"):
            direction = str(raw.get("direction", "ASCENDING")).upper()
            if direction not in ("ASCENDING", "DESCENDING"):
                raise validation_error(f"Sort direction '{direction}' is neither ASCENDING nor DESCENDING.")
            return cls(str(raw["propertyName"]), direction == "DESCENDING")
        raise validation_error(f"A sort needs a propertyName; got {json.dumps(raw)}.")


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search body (PublicObjectSearchRequest [spec contacts.json])."""

    groups: tuple[tuple[Filter, ...], ...]
    sort: Sort | None
    properties: tuple[str, ...] | None
    limit: int
    after: int
    text: str | None

    @classmethod
    def parse(cls, body: object) -> SearchQuery:
        if not isinstance(body, dict):
            raise validation_error("The search body must be a JSON object.")
        groups = tuple(tuple(Filter.parse(f) for f in _filters_of(g)) for g in _list(body, "filterGroups"))
        if len(groups) > MAX_GROUPS or any(len(g) > MAX_FILTERS_PER_GROUP for g in groups):
            raise validation_error(f"At most {MAX_GROUPS} filterGroups of at most {MAX_FILTERS_PER_GROUP} filters each.")
        if sum(len(g) for g in groups) > MAX_FILTERS:
            raise validation_error(f"At most {MAX_FILTERS} filters in all filterGroups together.")
        sorts = [Sort.parse(s) for s in _list(body, "sorts")]
        properties = body.get("properties")
        if properties is not None and not isinstance(properties, list):
            raise validation_error("'properties' must be a list of property names.")
        limit = _integer(body.get("limit"), "limit", DEFAULT_PAGE)
        if not 1 <= limit <= MAX_PAGE:
            raise validation_error(f"limit must be between 1 and {MAX_PAGE}; got {limit}.")
        after = _integer(body.get("after"), "after", 0)
        if after < 0:
            raise validation_error(f"after must not be negative; got {after}.")
        text = body.get("query")
        sort = sorts[0] if sorts else None  # one sort rule applies per search (docs "Search", [research §1])
        names = tuple(map(str, properties)) if properties is not None else None
        return cls(groups, sort, names, limit, after, str(text) if text else None)

    def select(self, ordering: Ordering) -> list[Record]:
        """The matching records, in order: AND within a filter group, OR across groups (docs "Search")."""
        records = ordering.records
        keep = [not self.groups] * len(records)
        for group in self.groups:
            mine = [True] * len(records)
            for f in group:
                mine = [a and b for a, b in zip(mine, f.mask(ordering.column(f.property)), strict=True)]
            keep = [a or b for a, b in zip(keep, mine, strict=True)]
        if self.text:
            needle, names = self.text.casefold(), ordering.kind.text_properties
            keep = [k and any(needle in (r.properties.get(p) or "").casefold() for p in names)
                    for k, r in zip(keep, records, strict=True)]
        return [r for r, k in zip(records, keep, strict=True) if k]


def _list(body: dict, key: str) -> list:
    value = body.get(key) or []
    if not isinstance(value, list):
        raise validation_error(f"'{key}' must be a list.")
    return value


def _filters_of(group: object) -> list:
    if not isinstance(group, dict):
        raise validation_error(f"A filter group must be an object with 'filters'; got {json.dumps(group)}.")
    return _list(group, "filters")


def _integer(value: object, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", str(value)):
        raise validation_error(f"'{name}' must be a whole number; got {json.dumps(value)}.")
    return int(value)


def _id_key(id: str) -> tuple[int, int, str]:
    """Ids sort as numbers (HubSpot's are numeric strings of any length)."""
    return (0, int(id), "") if id.isdigit() else (1, 0, id)


class Ordering:
    """The visible records of one object type in one sort order, with their typed values per property (cached)."""

    def __init__(self, records: list[Record], kind: ObjectType):
        self.records, self.kind = records, kind
        self._columns: dict[str, list[object]] = {}

    def column(self, name: str) -> list[object]:
        if name not in self._columns:
            self._columns[name] = [property_value(r, name, self.kind) for r in self.records]
        return self._columns[name]


class SearchEngine:
    """Runs searches over the portal, with HubSpot's 10,000-result cap."""

    def __init__(self, portal: Portal, cap: int):
        self._portal, self._cap = portal, cap
        self._lock = threading.Lock()
        self._orders: dict[tuple, tuple[int, Ordering]] = {}

    def run(self, kind: ObjectType, query: SearchQuery) -> dict:
        matches = query.select(self._ordered(kind, query.sort))
        total, end = len(matches), query.after + query.limit
        # "limited to 10,000 total results for any given query. Attempting to page beyond 10,000 will result in a 400
        # error" (docs "Search" limitations, [research §1]); an `after` of 10,000 fails (hubspot-api-nodejs#132).
        # [fake] Refused: after >= cap, or a page that would hold results past the cap when there are some.
        if query.after >= self._cap or (end > self._cap and total > self._cap):
            raise validation_error(
                f"The search endpoints are limited to {self._cap} total results for any given query; "
                f"after={query.after} with limit={query.limit} pages beyond that."
            )
        results = [self._render(r, kind, query.properties) for r in matches[query.after:end]]
        body: dict = {"total": total, "results": results}
        if end < total:  # paging is absent on the last page [spec CollectionResponseWithTotal…ForwardPaging]
            body["paging"] = {"next": {"after": str(end), "link": f"?after={end}"}}
        return body

    def _ordered(self, kind: ObjectType, sort: Sort | None) -> Ordering:
        """Visible records in sort order, ties by id ascending, unset values last [fake: Elasticsearch's default].

        No sort: by id ascending [fake: the docs give no default order]. Cached per portal version.
        """
        key = (kind.name, sort)
        with self._portal.lock:
            version = self._portal.version
            with self._lock:
                cached = self._orders.get(key)
            if cached and cached[0] == version:
                return cached[1]
            records = self._portal.visible(getattr(self._portal, kind.name))
        ordered = sorted(records, key=lambda r: _id_key(r.id))
        if sort:
            valued = [r for r in ordered if property_value(r, sort.property, kind) is not None]
            unset = [r for r in ordered if property_value(r, sort.property, kind) is None]
            valued.sort(key=lambda r: property_value(r, sort.property, kind), reverse=sort.descending)  # stable
            ordered = valued + unset
        ordering = Ordering(ordered, kind)
        with self._lock:
            self._orders[key] = (version, ordering)
        return ordering

    @staticmethod
    def _render(record: Record, kind: ObjectType, requested: tuple[str, ...] | None) -> dict:
        """SimplePublicObject: the requested (or default) properties, always hs_object_id, createdate and the
        modified date; a requested property without a value is null [research §1]."""
        names = set(kind.default_properties if requested is None else requested)
        names |= {"hs_object_id", "createdate", kind.modified_property}
        return {
            "id": record.id,
            "properties": {name: raw_property(record, name, kind) for name in sorted(names)},
            "createdAt": iso_ms(record.created_at),
            "updatedAt": iso_ms(record.modified_at),
            "archived": False,
        }


# ---------------------------------------------------------------------------------------------------------------------
# Requests, routes and the endpoints
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRequest:
    path: str
    query: dict[str, list[str]]
    body: object
    base_url: str

    def text(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def integer(self, name: str, default: int) -> int:
        value = _integer(self.text(name), name, default)
        if value < 1:
            raise validation_error(f"'{name}' must be at least 1; got {value}.")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        """Booleans arrive as ``true``/``false`` or, from hubspot-api-client, ``True``/``False`` [research §9]."""
        value = self.text(name)
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            raise validation_error(f"'{name}' must be true or false; got '{value}'.")
        return value.lower() == "true"

    def instant(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return parse_instant(value)
        except ValueError:
            raise validation_error(f"'{name}' must be an ISO-8601 date-time; got '{value}'.") from None


@dataclass(frozen=True)
class Route:
    method: str
    paths: tuple[str, ...]
    scopes: tuple[str, ...]
    bucket: Bucket
    handler: Callable[[ApiRequest], tuple[int, dict]]


def _encode_cursor(offset: int) -> str:
    """An opaque ``after`` for the GET lists, like the spec's ``NTI1Cg==`` (base64 of "525\\n") [research §1]."""
    return base64.b64encode(f"{offset}\n".encode()).decode()


def _decode_cursor(after: str | None) -> int:
    if not after:
        return 0
    try:
        return int(base64.b64decode(unquote(after), validate=True).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise validation_error(f"'after' is not a paging cursor this endpoint gave out: '{after}'.") from None


def _page(items: list[dict], request: ApiRequest, default_limit: int, *, with_total: bool) -> dict:
    """A cursor-paged GET list: ``results``, ``total`` where the spec has it, ``paging.next`` unless last."""
    limit = request.integer("limit", default_limit)
    offset = _decode_cursor(request.text("after"))
    body: dict = {"total": len(items)} if with_total else {}
    body["results"] = items[offset:offset + limit]
    if offset + limit < len(items):
        after = _encode_cursor(offset + limit)
        link = f"{request.base_url}{request.path}?{urlencode({'limit': limit, 'after': after})}"
        body["paging"] = {"next": {"after": after, "link": link}}
    return body


def _window(items: Iterable, request: ApiRequest, field_of: Callable[[object, str], datetime | None]) -> list:
    """The ``createdAfter``/``createdBefore``/``updatedAfter``/``updatedBefore`` filters of the CMS/e-mail lists."""
    bounds = {name: request.instant(name) for name in ("createdAfter", "createdBefore", "updatedAfter", "updatedBefore")}
    kept = []
    for item in items:
        ok = True
        for name, bound in bounds.items():
            if bound is None:
                continue
            value = field_of(item, "created" if name.startswith("created") else "updated")
            ok &= value is not None and (value > bound if name.endswith("After") else value < bound)
        if ok:
            kept.append(item)
    return kept


def _sorted_by(items: list, request: ApiRequest, keys: dict[str, Callable[[object], object]]) -> list:
    """The ``sort`` parameter of the CMS/e-mail lists (``createdAt`` by default, ``-name`` descending)."""
    spec = request.text("sort") or "createdAt"
    name = spec.lstrip("-")
    if name not in keys:
        raise validation_error(f"Cannot sort by '{name}'; use one of {', '.join(keys)}.")
    return sorted(items, key=keys[name], reverse=spec.startswith("-"))


COUNTERS = ("sent", "delivered", "open", "click", "unsubscribed", "bounce", "dropped", "selected", "spamreport",
            "suppressed", "hardbounced", "softbounced", "pending", "contactslost", "notsent")


def _statistics(counters: dict[str, int]) -> dict:
    """EmailStatisticsData: ``counters`` (all of HubSpot's keys, 0 when unknown), ``ratios`` in percent as in the docs
    example (openratio = open/delivered …), ``deviceBreakdown`` and ``qualifierStats`` empty [fake]."""
    c = {key: int(counters.get(key, 0)) for key in COUNTERS}

    def pct(part: int, whole: int) -> float:
        return round(100 * part / whole, 3) if whole else 0.0

    ratios = {
        "bounceratio": pct(c["bounce"], c["sent"]),
        "clickratio": pct(c["click"], c["delivered"]),
        "clickthroughratio": pct(c["click"], c["open"]),
        "contactslostratio": pct(c["contactslost"], c["sent"]),
        "deliveredratio": pct(c["delivered"], c["sent"]),
        "hardbounceratio": pct(c["hardbounced"], c["sent"]),
        "notsentratio": pct(c["notsent"], c["selected"]),
        "openratio": pct(c["open"], c["delivered"]),
        "pendingratio": pct(c["pending"], c["sent"]),
        "softbounceratio": pct(c["softbounced"], c["sent"]),
        "spamreportratio": pct(c["spamreport"], c["delivered"]),
        "unsubscribedratio": pct(c["unsubscribed"], c["delivered"]),
    }
    return {"counters": c, "ratios": ratios, "deviceBreakdown": {}, "qualifierStats": {}}


def _add(total: dict[str, int], counters: dict[str, int]) -> None:
    for key, value in counters.items():
        total[key] = total.get(key, 0) + int(value)


_INTERVAL_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
_INTERVALS = frozenset({"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "QUARTER_HOUR", "MINUTE", "SECOND"})


def _month_start(year: int, month: int, tz: ZoneInfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=tz)


class CrmEndpoints:
    """Contacts and deals search, owners, deal pipelines and deal-contact associations."""

    def __init__(self, portal: Portal, search: SearchEngine):
        self.portal, self.search = portal, search

    def routes(self) -> list[Route]:
        return [
            Route("POST", ("/crm/v3/objects/contacts/search", "/crm/v3/objects/0-1/search"), CONTACTS_READ,
                  Bucket.SEARCH, lambda r: self.search_objects(CONTACTS, r)),
            Route("POST", ("/crm/v3/objects/deals/search", "/crm/v3/objects/0-3/search"), DEALS_READ,
                  Bucket.SEARCH, lambda r: self.search_objects(DEALS, r)),
            Route("GET", ("/crm/v3/owners",), OWNERS_READ, Bucket.STANDARD, self.owners),
            Route("GET", ("/crm/v3/pipelines/deals", "/crm/v3/pipelines/0-3"), PIPELINES_READ, Bucket.STANDARD,
                  self.pipelines),
            Route("POST", ("/crm/v4/associations/deals/contacts/batch/read",), ASSOCIATIONS_READ, Bucket.EXEMPT,
                  lambda r: self.associations(DEALS, CONTACTS, r)),
            Route("POST", ("/crm/v4/associations/contacts/deals/batch/read",), ASSOCIATIONS_READ, Bucket.EXEMPT,
                  lambda r: self.associations(CONTACTS, DEALS, r)),
        ]

    def search_objects(self, kind: ObjectType, request: ApiRequest) -> tuple[int, dict]:
        return 200, self.search.run(kind, SearchQuery.parse(request.body if request.body is not None else {}))

    def owners(self, request: ApiRequest) -> tuple[int, dict]:
        """``GET /crm/v3/owners``: limit (default 100), after, email, archived (only archived when true) [research §3]."""
        archived, email = request.flag("archived"), request.text("email")
        with self.portal.lock:
            owners = [o for o in self.portal.owners if o.archived == archived and (email is None or o.email == email)]
        items = [
            {"id": o.id, "email": o.email, "firstName": o.first_name, "lastName": o.last_name, "userId": o.user_id,
             "userIdIncludingInactive": o.user_id, "type": "PERSON", "createdAt": iso_ms(o.created_at),
             "updatedAt": iso_ms(o.updated_at), "archived": o.archived, "teams": []}
            for o in owners
        ]
        return 200, _page(items, request, 100, with_total=False)

    def pipelines(self, request: ApiRequest) -> tuple[int, dict]:
        """No paging; stage metadata values are strings, no isWon [research §3]."""
        with self.portal.lock:
            pipelines = list(self.portal.pipelines)
        results = [
            {"id": p.id, "label": p.label, "displayOrder": p.display_order, "archived": False,
             "createdAt": iso_ms(p.created_at), "updatedAt": iso_ms(p.updated_at),
             "stages": [
                 {"id": s.id, "label": s.label, "displayOrder": s.display_order, "archived": False,
                  "metadata": {"isClosed": "true" if s.is_closed else "false", "probability": str(float(s.probability))},
                  "createdAt": iso_ms(p.created_at), "updatedAt": iso_ms(p.updated_at), "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}
                 for s in p.stages
             ]}
            for p in pipelines
        ]
        return 200, {"results": results}

    def associations(self, source: ObjectType, target: ObjectType, request: ApiRequest) -> tuple[int, dict]:
        """v4 batch read: ≤ 1,000 inputs (changelog, effective 2025-02-10) [research §4].

        Inputs with associations are in ``results`` (typeId 3 deal→contact, 4 contact→deal, HUBSPOT_DEFINED,
        ``toObjectId`` a string as in the v4 spec); the others are left out and, as live portals answer, listed
        in ``errors`` as NO_ASSOCIATIONS_FOUND with HTTP 207 [research §4]. [fake] No per-object paging.
        """
        body = request.body if isinstance(request.body, dict) else {}
        inputs = body.get("inputs")
        if not isinstance(inputs, list):
            raise validation_error("The body needs 'inputs', a list of {\"id\": …}.")
        if len(inputs) > 1000:
            raise validation_error(f"Batch read requests may not exceed 1000 IDs per request body; got {len(inputs)}.")
        ids = list(dict.fromkeys(str(i.get("id")) if isinstance(i, dict) else str(i) for i in inputs))
        links = self._links(source)
        requested_at = datetime.now(UTC)
        results, errors = [], []
        for from_id in ids:
            to_ids = links.get(from_id, [])
            if to_ids:
                type_id = 3 if source is DEALS else 4
                results.append({"from": {"id": from_id}, "to": [
                    {"toObjectId": to_id, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]}
                    for to_id in to_ids
                ]})
            else:
                errors.append(error_body(
                    f"No {target.singular} is associated with {source.singular} {from_id}.", "OBJECT_NOT_FOUND",
                    subCategory="crm.associations.NO_ASSOCIATIONS_FOUND",
                    context={"fromObjectId": [from_id], "fromObjectType": [source.singular], "toObjectType": [target.singular]},
                ))
        answer: dict = {"status": "COMPLETE", "results": results}
        if errors:
            answer |= {"numErrors": len(errors), "errors": errors}
        now = iso_ms(datetime.now(UTC))
        answer |= {"requestedAt": iso_ms(requested_at), "startedAt": iso_ms(requested_at), "completedAt": now}
        return (207 if errors else 200), answer

    def _links(self, source: ObjectType) -> dict[str, list[str]]:
        """Associations between visible records, from ``source``'s side."""
        with self.portal.lock:
            live_deals = {r.id for r in self.portal.visible(self.portal.deals)}
            live_contacts = {r.id for r in self.portal.visible(self.portal.contacts)}
            pairs = [(d, c) for d, cs in self.portal.associations.items() for c in cs
                     if d in live_deals and c in live_contacts]
        links: dict[str, list[str]] = {}
        for deal_id, contact_id in pairs:
            a, b = (deal_id, contact_id) if source is DEALS else (contact_id, deal_id)
            links.setdefault(a, []).append(b)
        return links


class EmailEndpoints:
    """Marketing e-mails and their statistics."""

    def __init__(self, portal: Portal, timezone: ZoneInfo, partial_months: bool = False):
        self.portal, self.tz, self.partial_months = portal, timezone, partial_months

    def routes(self) -> list[Route]:
        return [
            Route("GET", ("/marketing/v3/emails",), EMAILS_READ, Bucket.STANDARD, self.emails),
            Route("GET", ("/marketing/v3/emails/statistics/histogram",), EMAILS_READ, Bucket.STANDARD, self.histogram),
            Route("GET", ("/marketing/v3/emails/statistics/list",), EMAILS_READ, Bucket.STANDARD, self.statistics_list),
        ]

    def emails(self, request: ApiRequest) -> tuple[int, dict]:
        """``GET /marketing/v3/emails``: limit (default 100; the spec gives no maximum, so none here), after,
        archived, type, created/updated After/Before, sort, includeStats, workflowNames [research §5].

        [fake] ``workflowNames`` (a boolean query parameter in the spec; PublicEmail has ``workflowNames: list[str]``)
        adds the list only when true, as ``includeStats`` does for ``stats``.
        """
        archived, kind = request.flag("archived"), request.text("type")
        with self.portal.lock:
            emails = [e for e in self.portal.emails if e.archived == archived and (kind is None or e.type == kind)]
        emails = _window(emails, request, lambda e, f: e.created_at if f == "created" else (e.updated_at or e.created_at))
        emails = _sorted_by(emails, request, {"createdAt": lambda e: (e.created_at, int(e.id)),
                                              "updatedAt": lambda e: (e.updated_at or e.created_at, int(e.id)),
                                              "name": lambda e: (e.name, int(e.id))})
        with_workflows, with_stats = request.flag("workflowNames"), request.flag("includeStats")
        items = [self._email(e, with_workflows, with_stats) for e in emails]
        return 200, _page(items, request, 100, with_total=True)

    @staticmethod
    def _email(email: MarketingEmail, with_workflows: bool, with_stats: bool) -> dict:
        item = {
            "id": email.id, "name": email.name, "subject": email.subject or email.name, "state": email.state,
            "type": email.type, "isAb": False, "isPublished": email.publish_date is not None,
            "publishDate": iso_ms(email.publish_date) if email.publish_date else None,
            "publishedAt": iso_ms(email.publish_date) if email.publish_date else None,
            "createdAt": iso_ms(email.created_at), "updatedAt": iso_ms(email.updated_at or email.created_at),
            "archived": email.archived,
        }
        if with_workflows:
            item["workflowNames"] = list(email.workflow_names)
        if with_stats:
            total: dict[str, int] = {}
            for counters in email.stats.values():
                _add(total, counters)
            item["stats"] = _statistics(total)
        return item

    def histogram(self, request: ApiRequest) -> tuple[int, dict]:
        """Statistics per interval of the given e-mails, summed [research §5].

        Intervals are calendar periods of the portal's time zone (the docs example's ``2020-05-01T04:00:00Z`` is a
        New York midnight), written in UTC. [fake] Only MONTH, QUARTER and YEAR are served (others: 400); stats are
        kept per month and count in the interval holding the month's first instant, when that instant is inside
        [startTimestamp, endTimestamp). Every interval of the span is listed, empty ones with zero counters.
        [fake] With ``partial_months``, a month counts in its interval when any part of it is inside the span, as
        HubSpot counts the events of a span that cuts a month: the interval holding the start reports part of it.
        """
        interval = (request.text("interval") or "").upper()
        if interval not in _INTERVALS:
            raise validation_error(f"'interval' must be one of {', '.join(sorted(_INTERVALS))}; got '{interval}'.")
        if interval not in _INTERVAL_MONTHS:
            raise validation_error(f"This fake serves interval MONTH, QUARTER or YEAR only; got '{interval}'.")
        start, end, emails = self._span(request)
        step = _INTERVAL_MONTHS[interval]
        local = start.astimezone(self.tz)
        cursor = _month_start(local.year, (local.month - 1) // step * step + 1, self.tz)
        results = []
        while cursor < end:
            following = _month_start(cursor.year, cursor.month + step, self.tz)
            counters: dict[str, int] = {}
            for email in emails:
                for month, values in email.stats.items():
                    first = _month_start(int(month[:4]), int(month[5:7]), self.tz)
                    inside = first < end and _month_start(first.year, first.month + 1, self.tz) > start \
                        if self.partial_months else max(cursor, start) <= first
                    if inside and cursor <= first < min(following, end):
                        _add(counters, values)
            results.append({"interval": {"start": _iso_seconds(cursor), "end": _iso_seconds(following)},
                            "aggregations": _statistics(counters)})
            cursor = following
        return 200, {"total": len(results), "results": results}

    def statistics_list(self, request: ApiRequest) -> tuple[int, dict]:
        """``/statistics/list``: the aggregate over the span and the ids of e-mails with stats in it [research §5]."""
        start, end, emails = self._span(request)
        total: dict[str, int] = {}
        sent: list[int] = []
        for email in emails:
            for month, values in email.stats.items():
                if start <= _month_start(int(month[:4]), int(month[5:7]), self.tz) < end:
                    _add(total, values)
                    if int(email.id) not in sent:
                        sent.append(int(email.id))
        return 200, {"emails": sent, "aggregate": _statistics(total), "campaignAggregations": {}}

    def _span(self, request: ApiRequest) -> tuple[datetime, datetime, list[MarketingEmail]]:
        """startTimestamp, endTimestamp and the e-mails named by the repeated ``emailIds`` (all when none)."""
        start, end = request.instant("startTimestamp"), request.instant("endTimestamp")
        if start is None or end is None or start >= end:
            raise validation_error("startTimestamp and endTimestamp (ISO-8601) are needed, start before end.")
        wanted = set()
        for value in request.query.get("emailIds", []):
            if not re.fullmatch(r"\d+", value):
                raise validation_error(f"emailIds must be whole numbers; got '{value}'.")
            wanted.add(str(int(value)))
        with self.portal.lock:
            emails = [e for e in self.portal.emails if not wanted or e.id in wanted]
        return start, end, emails


class ContentEndpoints:
    """Workflows and blog posts."""

    def __init__(self, portal: Portal):
        self.portal = portal

    def routes(self) -> list[Route]:
        return [
            Route("GET", ("/automation/v4/flows",), FLOWS_READ, Bucket.STANDARD, self.flows),
            Route("GET", ("/cms/v3/blogs/posts",), BLOG_READ, Bucket.STANDARD, self.blog_posts),
        ]

    def flows(self, request: ApiRequest) -> tuple[int, dict]:
        """ApiFlowListing, limit (default 100) and after; no total in this collection [research §6]."""
        with self.portal.lock:
            flows = list(self.portal.flows)
        items = [
            {"id": f.id, "name": f.name, "isEnabled": f.is_enabled, "flowType": f.flow_type,
             "objectTypeId": f.object_type_id, "revisionId": f.revision_id, "uuid": str(uuid.uuid5(uuid.NAMESPACE_OID, f.id)),
             "createdAt": iso_ms(f.created_at), "updatedAt": iso_ms(f.updated_at or f.created_at)}
            for f in flows
        ]
        return 200, _page(items, request, 100, with_total=False)

    def blog_posts(self, request: ApiRequest) -> tuple[int, dict]:
        """BlogPost subset, limit (default 20), after, archived, created/updated After/Before, sort [research §6]."""
        archived = request.flag("archived")
        with self.portal.lock:
            posts = [p for p in self.portal.blog_posts if p.archived == archived]
        posts = _window(posts, request, lambda p, f: p.created if f == "created" else p.updated)
        posts = _sorted_by(posts, request, {"createdAt": lambda p: (p.created, int(p.id)),
                                            "updatedAt": lambda p: (p.updated, int(p.id)),
                                            "name": lambda p: (p.name, int(p.id))})
        items = [
            {"id": p.id, "name": p.name, "slug": f"blog/{p.id}", "state": p.state, "currentState": p.state,
             "publishDate": iso_ms(p.publish_date) if p.publish_date else None, "created": iso_ms(p.created),
             "updated": iso_ms(p.updated), "currentlyPublished": p.currently_published, "archivedAt": 0,
             "contentGroupId": "1"}
            for p in posts
        ]
        return 200, _page(items, request, 20, with_total=True)


# ---------------------------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it; ``at`` is ``time.monotonic()`` when it arrived."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: dict | None
    status: int
    at: float


@dataclass
class _Injection:
    prefix: str
    status: int
    body: dict | str | None
    headers: dict[str, str]
    remaining: int
    echo_authorization: bool = False


@dataclass
class _Alteration:
    """[fake] A hostile server: the real answer of the next ``remaining`` matching requests, changed by ``change``
    (given the answer's body and the request's query), or no answer at all (``hang``)."""

    prefix: str
    change: Callable[[dict, dict[str, list[str]]], dict | bytes] | None
    remaining: int
    hang: bool = False


_INJECTED_CATEGORIES = {400: "VALIDATION_ERROR", 401: "INVALID_AUTHENTICATION", 403: "MISSING_SCOPES",
                        404: "OBJECT_NOT_FOUND", 409: "CONFLICT", 423: "LOCKED"}


def _injected_body(status: int) -> dict:
    """[fake] The default body of an injected failure: the 429 of the 10-second limit, else the error shape."""
    if status == 429:
        return rate_limit_body("TEN_SECONDLY_ROLLING")
    return error_body(f"Injected failure with HTTP {status}.", _INJECTED_CATEGORIES.get(status, "INTERNAL_ERROR"))


class FakeHubSpot:
    """HubSpot's API for the sync on 127.0.0.1 (a random free port), in a daemon thread; use as a context manager.

    ``tokens`` maps each valid bearer token to its scopes (default: ``test-token`` with every scope). Limits are the
    documented ones for a Free/Starter account [research §2]; lower them, and the windows, to test the sync's handling
    without waiting. ``timezone`` is the account's (default: the portal's), used for e-mail statistics intervals
    and the daily limit's reset; ``partial_months`` makes the histogram report a month the span cuts (see
    ``EmailEndpoints.histogram``).
    """

    def __init__(
        self,
        portal: Portal | None = None,
        *,
        tokens: dict[str, set[str]] | None = None,
        search_cap: int = 10_000,
        search_per_second: int = 5,
        per_ten_seconds: int = 100,
        daily: int = 250_000,
        search_window: float = 1.0,
        ten_second_window: float = 10.0,
        timezone: str | None = None,
        partial_months: bool = False,
    ):
        self.portal = portal if portal is not None else Portal()
        self.tokens = {token: frozenset(scopes) for token, scopes in (tokens or {"test-token": set(ALL_SCOPES)}).items()}
        tz = ZoneInfo(timezone or self.portal.timezone)
        self.limits = RateLimiter(search_per_second=search_per_second, per_ten_seconds=per_ten_seconds, daily=daily,
                                  search_window=search_window, ten_second_window=ten_second_window, timezone=tz)
        self._routes = [
            *CrmEndpoints(self.portal, SearchEngine(self.portal, search_cap)).routes(),
            *EmailEndpoints(self.portal, tz, partial_months).routes(),
            *ContentEndpoints(self.portal).routes(),
        ]
        self._lock = threading.Lock()
        self._requests: list[Recorded] = []
        self._injections: list[_Injection] = []
        self._alterations: list[_Alteration] = []
        self.stopping = threading.Event()  # releases the requests held by hang_next
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------------------------------

    def start(self) -> FakeHubSpot:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        # A short poll so stop() (which waits for the loop to notice) takes milliseconds, not the default 0.5 s.
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,), name="fake-hubspot", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeHubSpot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeHubSpot is not started; use it as a context manager or call start().")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- what tests use -----------------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[Recorded]:
        """A snapshot of every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def fail_next(self, path_prefix: str, status: int, body: dict | str | None = None, count: int = 1,
                  headers: dict[str, str] | None = None) -> None:
        """Answer the next ``count`` requests whose path starts with ``path_prefix`` with ``status`` (before auth and
        limits), e.g. ``fail_next("/crm/v3/objects/contacts/search", 502)``. A str body is sent as text/html."""
        with self._lock:
            self._injections.append(_Injection(path_prefix, status, body, dict(headers or {}), count))

    def echo_authorization_next(self, path_prefix: str, status: int = 400, count: int = 1) -> None:
        """[fake] A careless server (or proxy) that quotes the request's ``Authorization`` header in its error."""
        with self._lock:
            self._injections.append(_Injection(path_prefix, status, None, {}, count, echo_authorization=True))

    def alter_next(self, path_prefix: str, change: Callable[[dict, dict[str, list[str]]], dict | bytes],
                   count: int = 1) -> None:
        """[fake] Change the real answer of the next ``count`` requests whose path starts with ``path_prefix``:
        ``change(body, query)`` returns the body to send, or bytes sent as they are (e.g. truncated JSON)."""
        with self._lock:
            self._alterations.append(_Alteration(path_prefix, change, count))

    def hang_next(self, path_prefix: str, count: int = 1) -> None:
        """[fake] Accept the next ``count`` matching requests and never answer them (until the fake stops)."""
        with self._lock:
            self._alterations.append(_Alteration(path_prefix, None, count, hang=True))

    # -- dispatch -----------------------------------------------------------------------------------------------------

    def dispatch(self, method: str, target: str, authorization: str | None, raw_body: bytes) -> Reply:
        """Answer one HTTP request: injected failure, 401, 404/405, 403, 429, then the endpoint."""
        split = urlsplit(target)
        path, query = split.path, parse_qs(split.query, keep_blank_values=True)
        body = _json(raw_body)
        try:
            reply = self._answer(method, path, query, body, authorization, raw_body)
        except ApiError as error:
            reply = error.reply
        except Exception as error:  # a bug in the fake: answer it rather than drop the connection
            reply = Reply(500, error_body(f"The fake failed: {error!r}", "INTERNAL_ERROR"))
        reply = self._alter(path, query, reply)
        correlation = reply.body.get("correlationId") if isinstance(reply.body, dict) else None
        reply.headers.setdefault("X-HubSpot-Correlation-Id", correlation or str(uuid.uuid4()))
        with self._lock:
            self._requests.append(Recorded(method, path, query, body if isinstance(body, dict) else None,
                                           reply.status, time.monotonic()))
        return reply

    def _answer(self, method: str, path: str, query: dict[str, list[str]], body: object,
                authorization: str | None, raw_body: bytes) -> Reply:
        injected = self._take_injection(path, authorization)
        if injected:
            return injected
        scopes = self._scopes(authorization)
        route = self._route(method, path)
        if not any(scope in scopes for scope in route.scopes):
            raise scope_error(route.scopes)
        headers = self.limits.admit(route.bucket)
        if method == "POST" and raw_body and body is None:
            raise ApiError(400, error_body("Invalid input JSON: the body is not a JSON document.", "VALIDATION_ERROR"), headers)
        try:
            status, answer = route.handler(ApiRequest(path, query, body, self.url))
        except ApiError as error:
            error.reply.headers |= headers
            raise
        return Reply(status, answer, headers)

    def _take_injection(self, path: str, authorization: str | None = None) -> Reply | None:
        with self._lock:
            for injection in self._injections:
                if path.startswith(injection.prefix) and injection.remaining > 0:
                    injection.remaining -= 1
                    body = injection.body if injection.body is not None else _injected_body(injection.status)
                    if injection.echo_authorization:
                        body = error_body(f"Bad request; received headers: Authorization: {authorization}",
                                          "VALIDATION_ERROR")
                    return Reply(injection.status, body, dict(injection.headers))
        return None

    def _alter(self, path: str, query: dict[str, list[str]], reply: Reply) -> Reply:
        with self._lock:
            found = next((a for a in self._alterations if path.startswith(a.prefix) and a.remaining > 0), None)
            if found is None:
                return reply
            found.remaining -= 1
        if found.hang:
            return Reply(reply.status, reply.body, reply.headers, hang=True)
        assert found.change is not None and isinstance(reply.body, dict)
        return Reply(reply.status, found.change(reply.body, query), reply.headers)

    def _scopes(self, authorization: str | None) -> frozenset[str]:
        """``Authorization: Bearer <token>``; anything else is the documented 401 [research §2]."""
        match = re.fullmatch(r"Bearer\s+(\S+)", (authorization or "").strip())
        if not match or match.group(1) not in self.tokens:
            raise auth_error()
        return self.tokens[match.group(1)]

    def _route(self, method: str, path: str) -> Route:
        """Exact paths, with or without the trailing slash hubspot-api-client adds to some [research §9]."""
        bare = path.rstrip("/") or "/"
        known = [route for route in self._routes if bare in route.paths]
        if not known:
            raise ApiError(404, error_body(f"Unable to find a route for {method} {path}.", "OBJECT_NOT_FOUND"))
        for route in known:
            if route.method == method:
                return route
        raise ApiError(405, error_body(f"{method} is not allowed on {path}.", "VALIDATION_ERROR"))


def _json(raw: bytes) -> object:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, lets FakeHubSpot answer it, writes the reply (HTTP/1.1, keep-alive)."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """No Nagle: headers and body leave as separate writes, which would otherwise wait on delayed ACKs (~40 ms)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        fake = self.server.fake  # type: ignore[attr-defined]
        reply = fake.dispatch(self.command, self.path, self.headers.get("Authorization"), raw)
        if reply.hang:
            fake.stopping.wait()
            self.close_connection = True
            return
        if isinstance(reply.body, bytes):
            payload, content_type = reply.body, "application/json;charset=utf-8"
        elif isinstance(reply.body, str):
            payload, content_type = reply.body.encode(), "text/html;charset=utf-8"
        else:
            try:
                payload = json.dumps(reply.body, ensure_ascii=False).encode()
            except UnicodeEncodeError:  # a lone surrogate: JSON escapes it (\ud800), as a JSON writer in Java does
                payload = json.dumps(reply.body).encode()
            content_type = "application/json;charset=utf-8"
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the fake records requests in FakeHubSpot.requests instead."""
