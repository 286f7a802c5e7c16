"""The second alert channel: a failure posted as ``{"text": …}`` to an incoming webhook (Slack, Teams, …).

It does not go through the mail server, so a failure is heard of when SMTP is down. The URL is a
secret (a Slack webhook's path is its token): it is read from the variable ``alerts.webhook_url_env``
names (or a Prefect Secret block) and never written to an error or a log; errors name its host only.
Retries are declared by the caller, on a Prefect task with ``retry_on_transient``, as for the mail.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from retropack._secrets import read_secret
from retropack.config import Alerts
from retropack.delivery.smtp import TransientDeliveryError
from retropack.errors import DeliveryError

__all__ = ["post_alert"]


def post_alert(text: str, alerts: Alerts, *, env: Mapping[str, str] = os.environ) -> None:
    """POST ``{"text": text}`` to the webhook; a 429, a 5xx or no answer may pass, any other refusal will not."""
    url = read_secret(alerts.webhook_url_env, "alerts.webhook_url_env", DeliveryError, env)
    try:
        host = httpx.URL(url).host
    except httpx.InvalidURL:
        host = ""
    if not host or not url.startswith(("https://", "http://")):
        raise DeliveryError(f"The value of '{alerts.webhook_url_env}' named by alerts.webhook_url_env is not an "
                            "http(s) URL: set it to the incoming webhook's address.")
    where = f"The alert webhook at {host} (alerts.webhook_url_env)"
    try:
        response = httpx.post(url, json={"text": text}, timeout=alerts.timeout_seconds)
    except httpx.TransportError as exc:
        raise TransientDeliveryError(f"{where} cannot be reached ({type(exc).__name__}): check the URL in "
                                     f"'{alerts.webhook_url_env}' and that the service is up.") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientDeliveryError(f"{where} answered {response.status_code}: a later attempt may succeed.")
    if response.status_code >= 400:
        raise DeliveryError(f"{where} refused the alert ({response.status_code}): check the URL in "
                            f"'{alerts.webhook_url_env}' (a revoked webhook answers 403, 404 or 410).")
