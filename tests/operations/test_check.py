"""``retropack check`` against a real SMTP server (aiosmtpd) on 127.0.0.1: what would stop a run is named before it
runs, and nothing is mailed or posted."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from retropack.cli import main
from tests.flow.conftest import mailbox  # noqa: F401  (the SMTP server fixture)
from tests.flow.test_delivery_flow import free_port
from tests.operations.clients import client_folder


def _delivery(port: int) -> str:
    return (f"delivery:\n  from: reports@example.com\n  to: [manager@example.com]\n"
            f"  smtp: {{host: 127.0.0.1, port: {port}, security: none, timeout_seconds: 5}}\n"
            "alerts:\n  webhook_url_env: RETROPACK_CHECK_WEBHOOK\n")


def test_check_names_a_missing_webhook_variable_and_an_smtp_server_that_is_down(
        mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    box, port = mailbox
    monkeypatch.delenv("RETROPACK_CHECK_WEBHOOK", raising=False)
    folder = client_folder(tmp_path, {"up": _delivery(port), "down": _delivery(free_port())})
    result = CliRunner().invoke(main, ["check", "--config", str(folder)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "ok   configs: 2 read, one per client id" in lines
    assert f"ok   up: SMTP 127.0.0.1:{port}: reached (no login configured)" in lines
    assert any(line.startswith("FAIL down: SMTP 127.0.0.1:") and "ConnectionRefusedError" in line for line in lines)
    assert any(line.startswith("FAIL up: alerts webhook: ") and "RETROPACK_CHECK_WEBHOOK" in line for line in lines)
    assert box.messages == []

    monkeypatch.setenv("RETROPACK_CHECK_WEBHOOK", "https://hooks.example.com/services/T0/B0/secret")
    (folder / "down.yaml").unlink()
    fine = CliRunner().invoke(main, ["check", "--config", str(folder)])
    assert "ok   up: alerts webhook: 'RETROPACK_CHECK_WEBHOOK' names a webhook at hooks.example.com" in fine.output
    assert "secret" not in fine.output
    pdf = [line for line in fine.output.splitlines() if "PDF" in line]
    assert len(pdf) == 1 and (fine.exit_code == 0) == pdf[0].startswith("ok")


def test_check_refuses_two_configs_with_one_client_id(tmp_path: Path) -> None:
    folder = client_folder(tmp_path, {"acme": "", "other": ""})
    other = folder / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("client: other", "client: acme"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--config", str(folder)])
    assert result.exit_code == 1 and "FAIL configs: Config files" in result.output and "other.yaml" in result.output
