"""HubSpot's client and DuckDB are optional extras: retropack runs without them, and a feature that needs one says
which extra to install instead of failing on an import."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from retropack.errors import DataError, SourceError
from retropack.gather import _api
from retropack.gather.settings import Limits
from retropack.load import _events
from tests.conftest import ROOT


def test_every_module_imports_without_the_extras() -> None:
    """No module of the package imports HubSpot's client, urllib3 or DuckDB when it is loaded."""
    code = ("import importlib, pkgutil, sys; sys.modules.update(hubspot=None, duckdb=None, urllib3=None); "
            "import retropack; "
            "names = [m.name for m in pkgutil.walk_packages(retropack.__path__, 'retropack.') "
            "         if m.name != 'retropack.__main__']; "
            "[importlib.import_module(name) for name in names]; print(len(names))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 100


def test_raw_events_without_duckdb_name_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)  # an import of it now raises ImportError
    events = tmp_path / "email_events.csv"
    events.write_text("send_id,lead_id,event,occurred_at\ns1,l1,open,2026-10-01\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"pip install 'retropack\[events\]'"):
        _events.EventFile(events, pd.Series(["s1"]))


def test_a_hubspot_sync_without_the_client_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hubspot", None)
    with pytest.raises(SourceError, match=r"pip install 'retropack\[hubspot\]'"):
        _api.HubSpotApi("pat-x", "http://127.0.0.1:9", Limits(), token_setting="source.token_env")
