"""The input tables of the data contract (§1), declared once: files, columns, types, keys and row rules.

Validation (``retropack.load.validation``) knows nothing about any particular table: it reads this
module. Adding an optional column, an enum value or a row rule is one entry here.

Reading a declaration:
- ``req(...)`` is a column the file must have (bold in the contract); every row must fill it
  unless ``may_be_empty=True``. ``opt(...)`` is a column the file may leave out or leave empty.
- ``key`` is the column whose repeated values are duplicates (first row kept, later rows rejected).
- ``rules`` check several columns of one row, on values already read as their types; each rule
  rejects the rows it flags with its ``code``, and ``sentence`` (filled with the row's values as
  read) explains why.
- ``references`` name another table a value must appear in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

__all__ = ["ACTION_LOG", "ACTION_STATUSES", "CONTENT_CALENDAR", "DEALS", "EMAIL_EVENTS", "EMAIL_SENDS",
           "EVENT_COUNTS", "EVENTS", "LEADS", "MQL_FEEDBACK", "SCENARIOS", "SPEND", "STAGES", "TABLES", "VERDICTS",
           "Column", "Kind", "opt", "Reference", "req", "RowRule", "Table"]


class Kind(StrEnum):
    """How a column's text is read; the reject code for an unreadable value is named after it."""

    ID = "id"  # an identifier: trimmed text, compared exactly
    TEXT = "text"  # free text, kept as written (trimmed)
    TIMESTAMP = "timestamp"  # ISO-8601 date or date-time, converted to the program timezone
    NUMBER = "number"  # any finite number (a lead score may be negative)
    AMOUNT = "amount"  # money: a number that cannot be negative; may carry ¥ $ 円 and 1,234 separators
    COUNT = "count"  # a whole number that cannot be negative
    BOOL = "bool"  # true/false, 1/0, yes/no
    ENUM = "enum"  # one of ``values``, matched case-insensitively, stored lower-case
    MONTH = "month"  # a calendar month written YYYY-MM


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False  # the file must have the column
    may_be_empty: bool = True  # a row may leave it empty
    values: tuple[str, ...] = ()  # the allowed values of an enum


def req(name: str, kind: Kind, *, may_be_empty: bool = False, values: tuple[str, ...] = ()) -> Column:
    """A column the file must have (bold in the contract)."""
    return Column(name, kind, required=True, may_be_empty=may_be_empty, values=values)


def opt(name: str, kind: Kind, *, values: tuple[str, ...] = ()) -> Column:
    """A column the file may leave out; a row may leave it empty."""
    return Column(name, kind, values=values)


@dataclass(frozen=True)
class RowRule:
    """A check across the columns of one row; ``broken`` flags the rows that fail it."""

    code: str
    columns: tuple[str, ...]  # the values quoted in ``sentence``
    broken: Callable[[pd.DataFrame], pd.Series]
    sentence: str  # str.format template over ``columns``, filled with the row's values as read


@dataclass(frozen=True)
class Reference:
    """``column`` must hold a key that the file of ``table`` has (rejected rows included)."""

    column: str
    table: str
    code: str


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    columns: tuple[Column, ...]
    key: str | None = None
    rules: tuple[RowRule, ...] = ()
    references: tuple[Reference, ...] = ()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _exceeds(column: str, limit: str, code: str) -> RowRule:
    """A count that cannot be larger than another of the same send (no one opens an undelivered mail)."""
    return RowRule(
        code,
        (column, limit),
        lambda t: t[column] > t[limit],
        f"{column} '{{{column}}}' is greater than {limit} '{{{limit}}}'",
    )


STAGES = ("open", "won", "lost")
EVENTS = ("sent", "delivered", "open", "click", "unsubscribe", "bounce")

# Each event of email_events, counted as distinct lead_id per send_id, gives one count of email_sends.
# When email_events is present these counts may be absent from email_sends, and the events win.
EVENT_COUNTS: dict[str, str] = {
    "delivered": "delivered",
    "open": "unique_opens",
    "click": "unique_clicks",
    "unsubscribe": "unsubscribes",
    "bounce": "bounces",
}

LEADS = Table(
    "leads",
    required=True,
    key="lead_id",
    columns=(
        req("lead_id", Kind.ID),
        req("created_at", Kind.TIMESTAMP),
        opt("source", Kind.TEXT),
        opt("segment", Kind.TEXT),
        opt("email", Kind.TEXT),
        opt("company", Kind.TEXT),
        opt("score", Kind.NUMBER),
        opt("mql_at", Kind.TIMESTAMP),
        opt("sql_at", Kind.TIMESTAMP),
        opt("first_sales_touch_at", Kind.TIMESTAMP),
        opt("last_activity_at", Kind.TIMESTAMP),  # extension
        opt("owner", Kind.TEXT),  # extension: the sales owner
    ),
)

EMAIL_SENDS = Table(
    "email_sends",
    required=True,
    key="send_id",
    columns=(
        req("send_id", Kind.ID),
        req("sent_at", Kind.TIMESTAMP),
        opt("campaign", Kind.TEXT),
        opt("scenario", Kind.TEXT),
        opt("sent", Kind.COUNT),
        req("delivered", Kind.COUNT),
        req("unique_opens", Kind.COUNT),
        req("unique_clicks", Kind.COUNT),
        req("unsubscribes", Kind.COUNT),
        opt("bounces", Kind.COUNT),
        opt("content_id", Kind.TEXT),  # extension
    ),
    rules=(
        _exceeds("delivered", "sent", "delivered_exceeds_sent"),
        _exceeds("unique_opens", "delivered", "opens_exceed_delivered"),
        _exceeds("unique_clicks", "delivered", "clicks_exceed_delivered"),
        _exceeds("unsubscribes", "delivered", "unsubscribes_exceed_delivered"),
    ),
)

EMAIL_EVENTS = Table(
    "email_events",
    required=False,
    columns=(
        req("send_id", Kind.ID),
        req("lead_id", Kind.ID),
        req("event", Kind.ENUM, values=EVENTS),
        req("occurred_at", Kind.TIMESTAMP),
    ),
    references=(Reference("send_id", "email_sends", "unknown_send"),),
)

DEALS = Table(
    "deals",
    required=True,
    key="deal_id",
    columns=(
        req("deal_id", Kind.ID),
        req("created_at", Kind.TIMESTAMP),
        req("amount", Kind.AMOUNT, may_be_empty=True),  # empty: 0 in sums unless won (then left out of sums)
        req("stage", Kind.ENUM, values=STAGES),
        opt("closed_at", Kind.TIMESTAMP),
        opt("lead_id", Kind.ID),
        opt("ma_sourced", Kind.BOOL),
        opt("owner", Kind.TEXT),  # extension: the sales owner
    ),
    rules=(
        RowRule(
            "missing_closed_at",
            ("stage",),
            lambda t: t["stage"].isin(("won", "lost")) & t["closed_at"].isna(),
            "a deal at stage '{stage}' needs closed_at, but closed_at is empty",
        ),
    ),
)

SPEND = Table(
    "spend",
    required=False,
    columns=(
        req("month", Kind.MONTH),
        req("channel", Kind.TEXT),
        req("amount", Kind.AMOUNT),
    ),
)

CONTENT_CALENDAR = Table(
    "content_calendar",
    required=False,
    columns=(
        req("title", Kind.TEXT),
        req("type", Kind.ENUM, values=("blog", "whitepaper", "webinar", "newsletter", "case_study", "other")),
        req("planned_date", Kind.TIMESTAMP),
        opt("published_at", Kind.TIMESTAMP),
        opt("scenario", Kind.TEXT),
        opt("owner", Kind.TEXT),
    ),
)

SCENARIOS = Table(
    "scenarios",
    required=False,
    key="scenario_id",
    columns=(
        req("scenario_id", Kind.ID),
        req("name", Kind.TEXT),
        req("status", Kind.ENUM, values=("planned", "live", "paused", "retired")),
        opt("launch_date", Kind.TIMESTAMP),
        opt("owner", Kind.TEXT),
        opt("description", Kind.TEXT),
    ),
)

ACTION_STATUSES = ("done", "in_progress", "dropped")

# The meeting's record of the actions it committed to (contract §9): a later row of the same month and action wins.
ACTION_LOG = Table(
    "action_log",
    required=False,
    columns=(
        req("month", Kind.MONTH),
        req("action_id", Kind.ID),
        req("status", Kind.ENUM, values=ACTION_STATUSES),
        opt("note", Kind.TEXT),
    ),
)

VERDICTS = ("good", "bad")

# Sales' verdict on the month's MQLs (contract §9, the seed's 月次フィードバック); a lead_id that is not in
# leads is a rejected row. One verdict per lead and month: the first row is the one counted.
MQL_FEEDBACK = Table(
    "mql_feedback",
    required=False,
    columns=(
        req("month", Kind.MONTH),
        req("lead_id", Kind.ID),
        req("verdict", Kind.ENUM, values=VERDICTS),
        opt("reason", Kind.TEXT),
    ),
    references=(Reference("lead_id", "leads", "unknown_lead"),),
)

# In this order tables are read and validated: email_sends before email_events, whose send_id it checks, and
# leads before mql_feedback.
TABLES: dict[str, Table] = {
    t.name: t for t in (LEADS, EMAIL_SENDS, EMAIL_EVENTS, DEALS, SPEND, CONTENT_CALENDAR, SCENARIOS, ACTION_LOG,
                        MQL_FEEDBACK)
}
