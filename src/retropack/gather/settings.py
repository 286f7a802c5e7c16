"""The config's ``source`` block: where the program's data comes from (contract §7).

``files`` (the default) reads the dataset folder as it is; ``hubspot`` pulls it from a HubSpot
account first, with a private app's token named by an environment variable.
"""

from __future__ import annotations

import ipaddress
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from retropack._strict import StrictModel, did_you_mean

__all__ = ["DEFAULT_PROPERTIES", "Limits", "SourceSettings", "SYNCED_COLUMNS"]

# The HubSpot property behind each column (contract §7.2's defaults); a config may name others.
DEFAULT_PROPERTIES: dict[str, dict[str, str]] = {
    "leads": {"created_at": "createdate", "source": "hs_analytics_source", "segment": "industry", "email": "email",
              "company": "company", "score": "hubspotscore", "owner": "hubspot_owner_id",
              "mql_at": "hs_v2_date_entered_marketingqualifiedlead",
              "sql_at": "hs_v2_date_entered_salesqualifiedlead",
              "first_sales_touch_at": "hs_sa_first_engagement_date"},
    "deals": {"created_at": "createdate", "amount": "amount", "closed_at": "closedate", "owner": "hubspot_owner_id"},
}
# The columns a property may feed: the contract's columns the sync writes from object properties.
SYNCED_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("created_at", "source", "segment", "email", "company", "score", "owner", "mql_at", "sql_at",
              "first_sales_touch_at", "last_activity_at"),
    "deals": ("created_at", "amount", "closed_at", "owner", "ma_sourced"),
}


class Limits(StrictModel):
    """HubSpot's documented request limits, kept to rather than hit (Free/Starter accounts: 100 per 10 s;
    Professional and Enterprise: 190)."""

    search_per_second: float = Field(5, gt=0)
    per_ten_seconds: int = Field(100, gt=0)


class SourceSettings(StrictModel):
    kind: Literal["files", "hubspot"] = "files"
    token_env: str = "RETROPACK_HUBSPOT_TOKEN"
    base_url: str = "https://api.hubapi.com"
    since: date | None = None  # how far back the first sync reaches (default: the program's start month)
    properties: dict[str, dict[str, str]] = Field(default_factory=dict)
    limits: Limits = Field(default_factory=Limits)
    timeout_seconds: float = Field(60, gt=0, le=3600)  # how long one request may wait for HubSpot's answer
    deadline_minutes: float = Field(120, gt=0, le=24 * 60)  # how long a whole sync may take

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        """The token goes to this address: https only (plain http on this machine's loopback, for a local test
        server), and never a link-local address (169.254.x.x, fe80::), where cloud metadata services listen."""
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"'{value}' is not an https URL such as https://api.hubapi.com")
        host = (urlsplit(value).hostname or "").lower()
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address is not None and address.is_link_local:
            raise ValueError(f"'{value}' is a link-local address, where a cloud server's metadata service listens, "
                             "not HubSpot: the access token would be sent there; use https://api.hubapi.com")
        loopback = host == "localhost" or (address is not None and address.is_loopback)
        if value.startswith("http://") and not loopback:
            raise ValueError(f"'{value}' is plain http: the access token would cross the network unencrypted; use "
                             "https (plain http is taken only for localhost, 127.0.0.1 or ::1)")
        return value.rstrip("/")

    @field_validator("properties")
    @classmethod
    def _columns(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for table, columns in value.items():
            if table not in SYNCED_COLUMNS:
                raise ValueError(f"unknown table '{table}'{did_you_mean(table, SYNCED_COLUMNS)}; properties can be "
                                 f"set for {', '.join(SYNCED_COLUMNS)}")
            for column in columns:
                if column not in SYNCED_COLUMNS[table]:
                    raise ValueError(f"{table}: '{column}' is not a column the sync fills"
                                     f"{did_you_mean(column, SYNCED_COLUMNS[table])}; it fills "
                                     f"{', '.join(SYNCED_COLUMNS[table])}")
        return value

    @model_validator(mode="after")
    def _token_is_a_name(self) -> SourceSettings:
        if self.token_env.startswith(("pat-", "Bearer ")):
            raise ValueError("token_env must name an environment variable (or prefect-secret:<block>) holding the "
                             "token, not the token itself: the config must not hold secrets")
        return self

    def property_of(self, table: str, column: str) -> str | None:
        return {**DEFAULT_PROPERTIES.get(table, {}), **self.properties.get(table, {})}.get(column)

    def columns_of(self, table: str) -> dict[str, str]:
        """Column → HubSpot property, defaults overlaid with the config's."""
        return {**DEFAULT_PROPERTIES.get(table, {}), **self.properties.get(table, {})}
