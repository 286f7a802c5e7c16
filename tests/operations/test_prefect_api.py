"""The command line's early Prefect API: it boots Prefect's own server app, and steps aside when
Prefect is configured with an API of its own."""

from __future__ import annotations

import httpx
import pytest

from retropack.operations.prefect_api import start_temporary_api, use_api


def test_an_api_url_in_the_environment_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_temporary_api() is None


def test_the_server_answers_prefects_health_check_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    api = start_temporary_api()
    assert api is not None
    try:
        assert api.ready(timeout=90)
        assert httpx.get(f"{api.url}/health").json() is True
        assert httpx.get(f"{api.url}/version").status_code == 200
    finally:
        api.stop()
    assert api.process.poll() is not None


def test_a_configured_api_wins_and_the_early_server_is_stopped(prefect_server,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import get_current_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    configured = get_current_settings().api.url  # the test harness's server
    api = start_temporary_api()
    assert api is not None

    use_api(api)

    assert api.process.poll() is not None
    assert get_current_settings().api.url == configured
