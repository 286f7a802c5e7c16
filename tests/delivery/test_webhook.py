"""The alert webhook against a real HTTP server on 127.0.0.1: the POST, and each way it can fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from retropack.config import Alerts
from retropack.delivery import TransientDeliveryError, post_alert
from retropack.errors import DeliveryError
from tests.delivery.webhook_sink import TOKEN_PATH, WebhookSink

ALERTS = Alerts(webhook_url_env="RETROPACK_ALERT_WEBHOOK", timeout_seconds=5)


@pytest.fixture()
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as running:
        yield running


def test_the_alert_is_posted_as_json_text(sink: WebhookSink) -> None:
    post_alert("【retropack 失敗】demo 2026-10: SMTP down", ALERTS, env={"RETROPACK_ALERT_WEBHOOK": sink.url})
    [post] = sink.posts
    assert post["path"] == TOKEN_PATH and post["content_type"] == "application/json"
    assert post["body"] == {"text": "【retropack 失敗】demo 2026-10: SMTP down"}


@pytest.mark.parametrize(("status", "error", "match"), [
    (404, DeliveryError, "refused the alert \\(404\\)"),
    (410, DeliveryError, "revoked webhook"),
    (429, TransientDeliveryError, "answered 429"),
    (503, TransientDeliveryError, "answered 503"),
])
def test_a_refusal_is_permanent_unless_it_may_pass(sink: WebhookSink, status: int, error: type[Exception],
                                                   match: str) -> None:
    sink.status = status
    with pytest.raises(error, match=match) as raised:
        post_alert("x", ALERTS, env={"RETROPACK_ALERT_WEBHOOK": sink.url})
    assert "127.0.0.1" in str(raised.value) and "s3cretToken" not in str(raised.value)
    assert (error is DeliveryError) == (not isinstance(raised.value, TransientDeliveryError))


def test_an_unreachable_webhook_is_transient_and_keeps_the_url_secret() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}{TOKEN_PATH}"
    with pytest.raises(TransientDeliveryError, match="cannot be reached") as raised:
        post_alert("x", ALERTS, env={"RETROPACK_ALERT_WEBHOOK": url})
    assert "s3cretToken" not in str(raised.value)


@pytest.mark.parametrize(("env", "match"), [
    ({}, "Environment variable 'RETROPACK_ALERT_WEBHOOK' named by alerts.webhook_url_env is not set"),
    ({"RETROPACK_ALERT_WEBHOOK": "hooks.slack.com/s3cretToken"}, "is not an http\\(s\\) URL"),
    ({"RETROPACK_ALERT_WEBHOOK": "ftp://hooks.example.com/s3cretToken"}, "is not an http\\(s\\) URL"),
])
def test_a_missing_or_malformed_url_is_named_not_quoted(env: dict[str, str], match: str) -> None:
    with pytest.raises(DeliveryError, match=match) as raised:
        post_alert("x", ALERTS, env=env)
    assert "s3cretToken" not in str(raised.value)
