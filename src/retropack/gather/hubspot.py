"""Sync a HubSpot account into the dataset folder as the contract's tables (contract §7.2).

Contacts become ``leads`` and deals ``deals``, searched by their last modification since the previous
sync (the whole account with ``full``). HubSpot's search returns at most 10,000 results a query, so
a long search restarts its window at the last modification time it saw. Marketing e-mails become
``email_sends``, one row per e-mail and month from its statistics; workflows become ``scenarios`` and
blog posts rows of ``content_calendar`` when the token has their scopes (said in the notes when not).
What HubSpot does not hold (``spend``, planned content) stays in the folder as people keep it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from retropack._secrets import read_secret
from retropack.errors import SourceError
from retropack.gather import _snapshot
from retropack.gather._api import HubSpotApi, MissingScope
from retropack.gather.settings import SourceSettings

__all__ = ["SEARCH_WINDOW", "SyncReport", "sync_hubspot"]

SEARCH_WINDOW = 10_000  # HubSpot's search returns at most this many results for one query
PAGE = 200  # the search API's largest page
MODIFIED = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate"}
LEGACY_LIFECYCLE = {"hs_v2_date_entered_marketingqualifiedlead": "hs_lifecyclestage_marketingqualifiedlead_date",
                    "hs_v2_date_entered_salesqualifiedlead": "hs_lifecyclestage_salesqualifiedlead_date"}
BLOG_PREFIX = "hubspot-blog-"  # content_calendar rows the sync owns; people's rows are left as they are
LEADS = ["lead_id", "created_at", "source", "segment", "email", "company", "score", "mql_at", "sql_at",
         "first_sales_touch_at", "last_activity_at", "owner"]
DEALS = ["deal_id", "created_at", "amount", "stage", "closed_at", "lead_id", "ma_sourced", "owner"]
SENDS = ["send_id", "sent_at", "campaign", "scenario", "sent", "delivered", "unique_opens", "unique_clicks",
         "unsubscribes", "bounces"]
SCENARIOS = ["scenario_id", "name", "status", "launch_date"]
CALENDAR = ["content_id", "title", "type", "planned_date", "published_at", "scenario", "owner"]


@dataclass(frozen=True)
class SyncReport:
    rows: dict[str, int]  # table -> rows in the snapshot
    changed: dict[str, int]  # object -> records fetched this time
    requests: int
    seconds: float
    full: bool
    skipped: tuple[dict[str, Any], ...] = field(default=())  # {"table", "scopes", "message"}: parts left out
    notes: tuple[str, ...] = field(default=())  # what the sync repaired in HubSpot's answers, to say


def sync_hubspot(source: SourceSettings, folder: Path, *, start: date, full: bool = False,
                 progress: Callable[[str], None] = lambda message: None, sleep: Callable[[float], None] = time.sleep,
                 now: datetime | None = None) -> SyncReport:
    """Pull what changed since the last sync (everything with ``full``) into ``folder``, all or nothing."""
    began = time.monotonic()
    token = read_secret(source.token_env, "source.token_env", SourceError)
    api = HubSpotApi(token, source.base_url, source.limits, token_setting=f"source.token_env ({source.token_env})",
                     sleep=sleep, timeout_seconds=source.timeout_seconds,
                     deadline_seconds=source.deadline_minutes * 60)
    moment = now or datetime.now(UTC)
    with _snapshot.locked(folder):
        _snapshot.recover(folder)
        state = {} if full else _snapshot.read_state(folder)
        since = source.since or start
        owners = {str(o["id"]): _person(o) for o in api.owners()}
        progress(f"{len(owners)} owners")
        contacts = _search(api, "contacts", _properties(source, "leads"), _watermark(state, "contacts", full),
                           progress)
        deals = _search(api, "deals", [*_properties(source, "deals"), "dealstage", "pipeline"],
                        _watermark(state, "deals", full), progress)
        stages = _stage_outcomes(api.deal_pipelines())
        associations = api.deal_contacts([d["id"] for d in deals]) if deals else {}
        tables = {
            "leads": _merge(None if full else _snapshot.read_table(folder, "leads"),
                            _leads(contacts, source, owners), "lead_id"),
            "deals": _merge(None if full else _snapshot.read_table(folder, "deals"),
                            _deals(deals, source, owners, stages, associations), "deal_id"),
        }
        refresh_from = _refresh_month(state, since, full)
        tables["email_sends"] = _email_sends(api, folder if not full else None, refresh_from, moment, progress)
        skipped = []
        for name, fetch in (("scenarios", lambda: _scenarios(api)),
                            ("content_calendar", lambda: _calendar(api, _snapshot.read_table(folder,
                                                                                              "content_calendar")))):
            try:
                tables[name] = fetch()
            except MissingScope as exc:  # optional parts: the pack says what is missing instead
                skipped.append({"table": name, "scopes": exc.scopes, "message": str(exc)})
                progress(f"{name} skipped: the token lacks {', '.join(exc.scopes) or 'a scope'}")
        new_state = {
            "synced_at": moment.isoformat(timespec="seconds"),
            "full": full,
            "watermarks": {"contacts": _latest(contacts, "contacts", state), "deals": _latest(deals, "deals", state)},
            "email_months_from": refresh_from,
            "skipped": skipped,
            "rows": {name: len(frame) for name, frame in tables.items()},
        }
        _snapshot.commit(folder, tables, new_state)
    return SyncReport(rows=new_state["rows"], changed={"contacts": len(contacts), "deals": len(deals)},
                      requests=api.requests, seconds=time.monotonic() - began, full=full, skipped=tuple(skipped),
                      notes=tuple(dict.fromkeys(api.notes)))


# --- searching ----------------------------------------------------------------------------------------------


def _search(api: HubSpotApi, object_type: str, properties: list[str], since_ms: int | None,
            progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """Every record modified at or after ``since_ms`` (all without it), oldest change first. Before a query
    reaches HubSpot's 10,000-result window, a new query starts at the last modification time seen."""
    modified = MODIFIED[object_type]
    found: dict[str, dict[str, Any]] = {}
    window_start = since_ms
    while True:
        after, seen, last, cursors = None, 0, None, set()
        while True:
            filters = [] if window_start is None else [
                {"propertyName": modified, "operator": "GTE", "value": str(window_start)}]
            body = {"filterGroups": [{"filters": filters}] if filters else [],
                    "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
                    "properties": sorted({*properties, modified}), "limit": PAGE, **({"after": after} if after else {})}
            page = api.search(object_type, body)
            for record in page["results"]:
                found[str(record["id"])] = record
                last = record["properties"].get(modified) or last
            seen += len(page["results"])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                progress(f"{object_type}: {len(found):,} changed")
                return list(found.values())
            if after in cursors or not page["results"]:
                raise SourceError(f"HubSpot's search of {object_type} gave the paging cursor '{str(after)[:40]}' "
                                  f"{'again' if after in cursors else 'with an empty page'} after {seen:,} results: "
                                  "its paging does not move on, so the sync stopped; the previous snapshot is kept. "
                                  "Sync again later; if it persists, report it to HubSpot's support.")
            cursors.add(after)
            if seen + PAGE > SEARCH_WINDOW:
                break
        restart = _ms(last)
        if restart is None or (window_start is not None and restart <= window_start):
            raise SourceError(f"More than {SEARCH_WINDOW:,} HubSpot {object_type} share the modification time {last}: "
                              "the search cannot page past them. Sync with --full at a quieter time.")
        window_start = restart
        progress(f"{object_type}: {len(found):,} so far, next window from {last}")


def _watermark(state: dict[str, Any], object_type: str, full: bool) -> int | None:
    return None if full else _ms((state.get("watermarks") or {}).get(object_type))


def _latest(records: list[dict[str, Any]], object_type: str, state: dict[str, Any]) -> str | None:
    modified = MODIFIED[object_type]
    times = [r["properties"].get(modified) for r in records if r["properties"].get(modified)]
    previous = (state.get("watermarks") or {}).get(object_type)
    return max(times, key=_ms) if times else previous


def _ms(value: str | None) -> int | None:
    if not value:
        return None
    return int(pd.Timestamp(value).tz_convert(UTC).timestamp() * 1000) if pd.Timestamp(value).tzinfo \
        else int(pd.Timestamp(value, tz=UTC).timestamp() * 1000)


def _properties(source: SourceSettings, table: str) -> list[str]:
    wanted = list(source.columns_of(table).values())
    return [*wanted, *(LEGACY_LIFECYCLE[p] for p in wanted if p in LEGACY_LIFECYCLE)]


# --- HubSpot objects as the contract's tables ---------------------------------------------------------------


def _person(owner: dict[str, Any]) -> str:
    name = " ".join(part for part in (owner.get("first_name"), owner.get("last_name")) if part)
    return name or owner.get("email") or str(owner["id"])


def _value(record: dict[str, Any], source: SourceSettings, table: str, column: str) -> str:
    prop = source.property_of(table, column)
    if prop is None:
        return ""
    props = record["properties"]
    value = props.get(prop) or props.get(LEGACY_LIFECYCLE.get(prop, ""), "")
    return "" if value is None else str(value)


def _leads(contacts: list[dict[str, Any]], source: SourceSettings, owners: dict[str, str]) -> pd.DataFrame:
    rows = []
    for record in contacts:
        row = {column: _value(record, source, "leads", column) for column in LEADS if column != "lead_id"}
        row["lead_id"] = str(record["id"])
        row["owner"] = owners.get(row["owner"], row["owner"])
        rows.append(row)
    return pd.DataFrame(rows, columns=LEADS)


def _stage_outcomes(pipelines: list[dict[str, Any]]) -> dict[str, str]:
    """Stage id → won, lost or open, from each stage's metadata (any pipeline): closed with probability 1.0
    is won, closed otherwise lost."""
    outcomes = {}
    for pipeline in pipelines:
        for stage in pipeline.get("stages") or []:
            meta = stage.get("metadata") or {}
            closed = str(meta.get("isClosed", "false")).lower() == "true"
            won = closed and _probability(pipeline, stage, meta.get("probability")) >= 1.0
            outcomes[str(stage.get("id"))] = "won" if won else ("lost" if closed else "open")
    return outcomes


def _probability(pipeline: dict[str, Any], stage: dict[str, Any], value: object) -> float:
    """A closed stage's win probability, 0 to 1: whether its deals are won or lost depends on it."""
    try:
        probability = float(value or 0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        probability = float("nan")
    if not 0 <= probability <= 1:
        raise SourceError(f"HubSpot's deal pipeline '{pipeline.get('label') or pipeline.get('id')}' has a closed stage "
                          f"'{stage.get('label') or stage.get('id')}' whose probability is '{str(value)[:40]}', not a "
                          "number from 0 to 1, so its deals cannot be told won or lost; the previous snapshot is "
                          "kept. Set the stage's probability in HubSpot (Settings → Objects → Deals → Pipelines), "
                          "then sync again.")
    return probability


def _deals(deals: list[dict[str, Any]], source: SourceSettings, owners: dict[str, str], stages: dict[str, str],
           associations: dict[str, list[str]]) -> pd.DataFrame:
    rows = []
    for record in deals:
        deal_id = str(record["id"])
        stage = stages.get(str(record["properties"].get("dealstage") or ""), "open")
        row = {column: _value(record, source, "deals", column) for column in DEALS}
        contacts = associations.get(deal_id, [])
        row.update(deal_id=deal_id, stage=stage, lead_id=contacts[0] if contacts else "",
                   owner=owners.get(row["owner"], row["owner"]))
        if stage == "open":
            row["closed_at"] = ""  # on an open deal HubSpot's close date is a forecast
        rows.append(row)
    return pd.DataFrame(rows, columns=DEALS)


def _merge(previous: pd.DataFrame | None, changed: pd.DataFrame, key: str) -> pd.DataFrame:
    """The previous snapshot with the changed records replacing theirs (an incremental sync)."""
    if previous is None or previous.empty:
        return changed.reset_index(drop=True)
    kept = previous[~previous[key].isin(changed[key])]
    return pd.concat([kept.reindex(columns=changed.columns, fill_value=""), changed], ignore_index=True)


def _refresh_month(state: dict[str, Any], since: date, full: bool) -> str:
    """The first month whose e-mail statistics are fetched again: HubSpot keeps counting opens and clicks
    after a send, so the month before the last sync is refreshed too."""
    first = pd.Period(since, freq="M")
    synced = state.get("synced_at")
    if full or not synced:
        return str(first)
    return str(max(first, pd.Period(pd.Timestamp(synced).tz_convert(None), freq="M") - 1))


def _email_sends(api: HubSpotApi, folder: Path | None, refresh_from: str, now: datetime,
                 progress: Callable[[str], None]) -> pd.DataFrame:
    emails = api.marketing_emails()
    start = pd.Period(refresh_from, freq="M").to_timestamp().tz_localize(UTC) - pd.Timedelta(days=1)
    rows = []
    for number, email in enumerate(emails, start=1):
        for interval in api.email_months(str(email["id"]), start.isoformat().replace("+00:00", "Z"),
                                         now.isoformat().replace("+00:00", "Z")):
            counters = (interval.get("aggregations") or {}).get("counters") or {}
            began = _interval_start(email, interval)
            if began < start:  # the month before the query's start, counted in part: the snapshot holds it whole
                continue
            if not counters.get("sent") and not counters.get("delivered"):
                continue
            rows.append({"send_id": f"{email['id']}-{began.tz_convert(UTC):%Y%m%d}", "sent_at": began.isoformat(),
                         "campaign": email.get("name") or "", "scenario": (email.get("workflow_names") or [""])[0],
                         "sent": counters.get("sent", 0), "delivered": counters.get("delivered", 0),
                         "unique_opens": counters.get("open", 0), "unique_clicks": counters.get("click", 0),
                         "unsubscribes": counters.get("unsubscribed", 0), "bounces": counters.get("bounce", 0)})
        if number % 25 == 0:
            progress(f"e-mail statistics: {number} of {len(emails)} e-mails")
    fresh = pd.DataFrame(rows, columns=SENDS).astype({c: str for c in SENDS})
    previous = _snapshot.read_table(folder, "email_sends") if folder is not None else None
    if previous is None or previous.empty:
        return fresh
    return _merge_sends(previous, fresh, start)


def _merge_sends(previous: pd.DataFrame, fresh: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """The snapshot's e-mail statistics with the refreshed ones laid over them by ``send_id``, the fresh row winning,
    whatever month boundaries the portal's buckets have: a row of the refreshed span that is no longer reported is
    dropped, an older one kept."""
    older = previous[pd.to_datetime(previous["sent_at"], utc=True, format="ISO8601") < start]
    older = older[~older["send_id"].isin(fresh["send_id"])]
    return pd.concat([older.reindex(columns=SENDS, fill_value=""), fresh], ignore_index=True)


def _interval_start(email: dict[str, Any], interval: dict[str, Any]) -> pd.Timestamp:
    """When one month of an e-mail's statistics starts; an interval HubSpot sent without it is an error (its
    counts would belong to no month)."""
    start = (interval.get("interval") or {}).get("start")
    try:
        began = pd.Timestamp(start)
    except (TypeError, ValueError):
        began = pd.NaT
    if began is pd.NaT or began.tzinfo is None:
        raise SourceError(f"HubSpot's statistics of the marketing e-mail {email.get('id')} "
                          f"('{str(email.get('name') or '')[:60]}') hold an interval without a start time "
                          f"(interval: {str(interval.get('interval'))[:80]}), so its counts belong to no month; the "
                          "previous snapshot is kept. Sync again; if it persists, report it to HubSpot's support.")
    return began


def _scenarios(api: HubSpotApi) -> pd.DataFrame:
    rows = [{"scenario_id": str(flow["id"]), "name": flow.get("name") or str(flow["id"]),
             "status": "live" if flow.get("isEnabled") else "paused", "launch_date": flow.get("createdAt") or ""}
            for flow in api.workflows()]
    return pd.DataFrame(rows, columns=SCENARIOS)


def _calendar(api: HubSpotApi, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Blog posts as ``blog`` rows of the content calendar, beside the rows people keep there."""
    posts = [{"content_id": f"{BLOG_PREFIX}{post['id']}", "title": post.get("name") or "", "type": "blog",
              "planned_date": _iso(post.get("publish_date")),
              "published_at": _iso(post.get("publish_date")) if str(post.get("state", "")).upper() == "PUBLISHED"
              else "", "scenario": "", "owner": post.get("author_name") or ""} for post in api.blog_posts()]
    ours = pd.DataFrame(posts, columns=CALENDAR)
    if previous is None:
        return ours
    if "content_id" not in previous:
        previous = previous.assign(content_id="")
    kept = previous[~previous["content_id"].str.startswith(BLOG_PREFIX)]
    columns = list(dict.fromkeys([*previous.columns, *CALENDAR]))
    return pd.concat([kept.reindex(columns=columns, fill_value=""), ours.reindex(columns=columns, fill_value="")],
                     ignore_index=True)


def _iso(value: object) -> str:
    if value is None or value == "":
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)
