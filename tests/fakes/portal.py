"""Portals for the fake HubSpot: the account a retropack program's dataset describes, or a large synthetic one.

``portal_from_tables`` runs the sync backwards: from the validated tables of contract §1 it builds what a HubSpot
account holding that program would serve, with HubSpot's property names and value formats (contract §7.2,
/work/research/hubspot.md §7), so a sync of the fake should give the tables back.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pandas as pd

from tests.fakes.hubspot_api import BlogPost, Flow, MarketingEmail, Owner, Portal, Record, iso_ms

__all__ = ["COUNTERS", "STAGE_IDS", "portal_from_tables", "synthetic_portal"]

# First ids of each kind: numeric strings like HubSpot's, in separate ranges so a mixed-up id is easy to spot.
CONTACT_IDS, DEAL_IDS, OWNER_IDS, EMAIL_IDS, FLOW_IDS, POST_IDS = 101, 90_001, 70_001, 160_001, 50_001, 180_001
USER_IDS = 9_000_001
FORECAST_DAYS = 30  # an open deal's close date: HubSpot keeps a forecast there, which the sync must ignore
FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)  # a scenario without a launch date was created then

STAGE_IDS = {"won": "closedwon", "lost": "closedlost", "open": "appointmentscheduled"}  # default pipeline's ids
# email_sends column -> HubSpot's histogram counter [research §5; contract §7.2]
COUNTERS = {"sent": "sent", "delivered": "delivered", "unique_opens": "open", "unique_clicks": "click",
            "unsubscribes": "unsubscribed", "bounces": "bounce"}


def portal_from_tables(tables: dict[str, pd.DataFrame], *, timezone: str = "Asia/Tokyo", modified_at: datetime) -> Portal:
    """The portal of the program in ``tables`` (``load_dataset(folder).tables``), every record last modified at
    ``modified_at`` (or at its creation, when later). The ``*_ids`` maps of the result lead from dataset ids to
    HubSpot's."""
    if modified_at.tzinfo is None:
        raise ValueError("modified_at must be timezone-aware")
    portal = Portal(timezone=timezone)
    _add_owners(portal, [tables[name]["owner"] for name in ("leads", "deals") if "owner" in tables[name]])
    _add_contacts(portal, tables["leads"], modified_at)
    _add_deals(portal, tables["deals"], modified_at)
    scenario_names = _scenario_names(tables.get("scenarios"))
    _add_emails(portal, tables["email_sends"], scenario_names, timezone)
    if "scenarios" in tables:
        _add_flows(portal, tables["scenarios"])
    if "content_calendar" in tables:
        _add_blog_posts(portal, tables["content_calendar"])
    return portal


# -- values as HubSpot writes them --------------------------------------------------------------------------------------


def _present(value: object) -> bool:
    """Not None, NaN, NA or NaT."""
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return True


def _text(value: object) -> str | None:
    return (str(value).strip() or None) if _present(value) else None


def _number(value: object) -> str | None:
    """A number property: ``"42"``, ``"42.5"``, ``"1200000"`` (all property values are strings [research §1])."""
    if not _present(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else repr(number)


def _moment(value: object) -> datetime | None:
    return pd.Timestamp(value).to_pydatetime() if _present(value) else None  # type: ignore[arg-type]


def _iso(value: object) -> str | None:
    moment = _moment(value)
    return iso_ms(moment) if moment else None


# -- tables to portal ---------------------------------------------------------------------------------------------------


def _add_owners(portal: Portal, columns: Iterable[pd.Series]) -> None:
    """One owner per distinct name: firstName = the part before the first space, lastName = the rest."""
    names = sorted({name for column in columns for name in (_text(v) for v in column) if name})
    for number, name in enumerate(names):
        first, _, last = name.partition(" ")
        owner_id = str(OWNER_IDS + number)
        portal.owners.append(Owner(owner_id, f"owner{number + 1}@example.com", first, last.strip() or None, USER_IDS + number))
        portal.owner_ids[name] = owner_id


def _owner_id(portal: Portal, row: dict) -> str | None:
    name = _text(row.get("owner"))
    return portal.owner_ids.get(name) if name else None


def _add_contacts(portal: Portal, leads: pd.DataFrame, modified_at: datetime) -> None:
    """Leads as contacts, with the properties of contract §7.2's default mapping."""
    for number, row in enumerate(leads.to_dict("records")):
        contact_id = str(CONTACT_IDS + number)
        created = _moment(row["created_at"])
        properties = {
            "hs_analytics_source": _text(row.get("source")),
            "industry": _text(row.get("segment")),
            "email": _text(row.get("email")),
            "company": _text(row.get("company")),
            "hubspotscore": _number(row.get("score")),
            "hubspot_owner_id": _owner_id(portal, row),
            "hs_v2_date_entered_marketingqualifiedlead": _iso(row.get("mql_at")),
            "hs_v2_date_entered_salesqualifiedlead": _iso(row.get("sql_at")),
            "hs_sa_first_engagement_date": _iso(row.get("first_sales_touch_at")),
        }
        portal.contacts[contact_id] = Record(contact_id, properties, created, max(created, modified_at))
        portal.contact_ids[str(row["lead_id"])] = contact_id


def _add_deals(portal: Portal, deals: pd.DataFrame, modified_at: datetime) -> None:
    """Deals in the default pipeline; an open deal carries a forecast close date; associated with the lead's contact."""
    for number, row in enumerate(deals.to_dict("records")):
        deal_id = str(DEAL_IDS + number)
        created = _moment(row["created_at"])
        stage = str(row["stage"])
        closed = _moment(row.get("closed_at")) if stage != "open" else created + timedelta(days=FORECAST_DAYS)
        flag = row.get("ma_sourced")
        properties = {
            "dealname": str(row["deal_id"]),
            "amount": _number(row.get("amount")),
            "dealstage": STAGE_IDS[stage],
            "pipeline": "default",
            "closedate": iso_ms(closed) if closed else None,
            "hubspot_owner_id": _owner_id(portal, row),
            "ma_sourced": ("true" if bool(flag) else "false") if _present(flag) else None,
        }
        portal.deals[deal_id] = Record(deal_id, properties, created, max(created, modified_at))
        portal.deal_ids[str(row["deal_id"])] = deal_id
        contact_id = portal.contact_ids.get(_text(row.get("lead_id")) or "")
        if contact_id:
            portal.associations[deal_id] = [contact_id]


def _scenario_names(scenarios: pd.DataFrame | None) -> dict[str, str]:
    if scenarios is None:
        return {}
    return {str(row["scenario_id"]): str(row["name"]) for row in scenarios.to_dict("records")}


def _add_emails(portal: Portal, sends: pd.DataFrame, scenario_names: dict[str, str], timezone: str) -> None:
    """One marketing e-mail per campaign (a send without one is its own e-mail), in order of first send; its stats
    are the sends' sums per month of ``sent_at`` in the portal's time zone."""
    frame = sends.assign(
        _email=[_text(c) or str(s) for c, s in zip(sends.get("campaign", [None] * len(sends)), sends["send_id"], strict=True)],
        _month=sends["sent_at"].dt.tz_convert(timezone).dt.strftime("%Y-%m"),
    )
    columns = [c for c in COUNTERS if c in frame]
    totals = frame.groupby(["_email", "_month"])[columns].sum(min_count=0).fillna(0)
    spans = frame.groupby("_email")["sent_at"].agg(["min", "max"]).sort_values("min", kind="stable")
    for number, (name, span) in enumerate(spans.iterrows()):
        email_id = str(EMAIL_IDS + number)
        mine = frame[frame["_email"] == name]
        scenarios = sorted({scenario_names.get(s, s) for s in (_text(v) for v in mine.get("scenario", [])) if s})
        stats = {month: {COUNTERS[c]: int(values[c]) for c in columns} for month, values in totals.loc[name].iterrows()}
        first, last = span["min"].to_pydatetime(), span["max"].to_pydatetime()
        portal.emails.append(MarketingEmail(email_id, str(name), scenarios, stats, created_at=first - timedelta(days=1),
                                            updated_at=last, publish_date=first))
        portal.email_ids[str(name)] = email_id


def _add_flows(portal: Portal, scenarios: pd.DataFrame) -> None:
    """Scenarios as workflows: enabled when live, created at launch."""
    for number, row in enumerate(scenarios.to_dict("records")):
        flow_id = str(FLOW_IDS + number)
        created = _moment(row.get("launch_date")) or FIXED_DATE
        portal.flows.append(Flow(flow_id, str(row["name"]), str(row["status"]) == "live", created))
        portal.flow_ids[str(row["scenario_id"])] = flow_id


def _add_blog_posts(portal: Portal, calendar: pd.DataFrame) -> None:
    """Blog rows of the content calendar: published when ``published_at`` is set, else scheduled for the plan."""
    blogs = calendar[calendar["type"] == "blog"]
    for number, row in enumerate(blogs.to_dict("records")):
        published, planned = _moment(row.get("published_at")), _moment(row["planned_date"])
        publish = published or planned
        created = min(d for d in (published, planned) if d) - timedelta(days=14)
        state = "PUBLISHED" if published else "SCHEDULED"
        portal.blog_posts.append(BlogPost(str(POST_IDS + number), str(row["title"]), state, publish, created,
                                          published or created))


# -- a large synthetic portal -------------------------------------------------------------------------------------------

SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "DIRECT_TRAFFIC", "REFERRALS", "EMAIL_MARKETING", "OFFLINE")
INDUSTRIES = ("smb", "mid_market", "enterprise")


def synthetic_portal(
    contacts: int,
    *,
    seed: int = 0,
    start: datetime,
    span: timedelta = timedelta(days=120),
    deals: int = 20,
    clustered_share: float = 0.4,
    max_cluster: int = 450,
    timezone: str = "Asia/Tokyo",
) -> Portal:
    """``contacts`` contacts last modified across [start, start + span), ``clustered_share`` of them in runs sharing
    one millisecond (2 to ``max_cluster`` long, as bulk imports and workflows leave them) so a sync's window restarts
    meet ties at page and window edges; ids are not in modification order. Plus ``deals`` deals with contacts."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    rng = random.Random(seed)
    portal = Portal(timezone=timezone)
    for number, (first, last) in enumerate([("Aoi", "Sato"), ("Ren", "Suzuki"), ("Mio", "Takahashi")]):
        portal.owners.append(Owner(str(OWNER_IDS + number), f"owner{number + 1}@example.com", first, last, USER_IDS + number))
    owner_ids = [o.id for o in portal.owners]
    span_ms = int(span / timedelta(milliseconds=1))
    offsets: list[int] = []
    while len(offsets) < int(contacts * clustered_share):
        offsets += [rng.randrange(span_ms)] * rng.randint(2, max_cluster)
    offsets = offsets[: int(contacts * clustered_share)]
    offsets += [rng.randrange(span_ms) for _ in range(contacts - len(offsets))]
    rng.shuffle(offsets)
    for number, offset in enumerate(offsets):
        contact_id = str(CONTACT_IDS + number)
        modified = start + timedelta(milliseconds=offset)
        created = max(start - timedelta(days=365), modified - timedelta(milliseconds=rng.randrange(30 * 86_400_000)))
        properties = {
            "email": f"contact{number}@example.com",
            "company": f"Company {number % 997}",
            "hs_analytics_source": rng.choice(SOURCES),
            "industry": rng.choice(INDUSTRIES),
            "hubspotscore": str(rng.randint(0, 100)),
            "hubspot_owner_id": rng.choice(owner_ids),
        }
        portal.contacts[contact_id] = Record(contact_id, properties, created, modified)
    contact_ids = list(portal.contacts)
    for number in range(deals):
        deal_id = str(DEAL_IDS + number)
        created = start + timedelta(milliseconds=rng.randrange(span_ms))
        stage = rng.choice(list(STAGE_IDS))
        properties = {
            "dealname": f"Deal {number}",
            "amount": str(rng.randrange(1, 100) * 10_000),
            "dealstage": STAGE_IDS[stage],
            "pipeline": "default",
            "closedate": iso_ms(created + timedelta(days=rng.randint(1, 60))),
            "hubspot_owner_id": rng.choice(owner_ids),
        }
        portal.deals[deal_id] = Record(deal_id, properties, created, created + timedelta(days=rng.randint(0, 60)))
        if contact_ids:
            portal.associations[deal_id] = [rng.choice(contact_ids)]
    return portal
