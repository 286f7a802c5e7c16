"""``retropack status`` reads the reports folder as the runs left it: the last pack, the last mail, the months
whose last run failed, the next scheduled run."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from retropack.cli import main
from tests.operations.clients import client_folder


def test_status_shows_last_pack_last_mail_failures_and_next_run(tmp_path: Path) -> None:
    folder = client_folder(tmp_path, {"acme": "schedule:\n  business_day: 3\n  time: '09:00'\n"})
    reports = tmp_path / "reports" / "acme"
    for month in ("2026-08", "2026-09"):
        (reports / month).mkdir(parents=True)
        (reports / month / "kpis.json").write_text("{}", encoding="utf-8")
    (reports / "2026-10").mkdir()  # a month folder without its pack is not a pack
    entry = {"month": "2026-09", "sent_at": "2026-10-05T00:00:12+00:00", "to": ["manager@example.com"],
             "cc": ["sales@example.com"], "pack_hash": "h", "message_id": "<m@x>", "revision": 0}
    (reports / ".deliveries.json").write_text(json.dumps({"entries": [entry]}), encoding="utf-8")
    (reports / "logs").mkdir()
    (reports / "logs" / "2026-10.log").write_text(
        "2026-11-05 09:00:01 INFO    acme 2026-10: started; scheduled for 2026-11-05T09:00+09:00\n"
        "2026-11-05 09:00:09 ERROR   acme 2026-10 failed: Table 'leads.csv' has no rows.\n", encoding="utf-8")
    (reports / "logs" / "2026-09.log").write_text(  # failed once, then built: no failure now
        "x acme 2026-09: started; scheduled for a\nx acme 2026-09 failed: SMTP down\n"
        "y acme 2026-09: started; scheduled for b\ny delivery send\n", encoding="utf-8")

    result = CliRunner().invoke(main, ["status", "--config", str(folder), "--out", str(tmp_path / "reports")])

    assert result.exit_code == 0, result.output
    [row] = [line for line in result.output.splitlines() if "acme" in line]
    assert "2026-09" in row and "manager@example.com, sales@example.com" in row and "2026-10-05T00:00:12" in row
    assert "2026-10: Table 'leads.csv' has no rows." in result.output and "SMTP down" not in result.output
    assert "T09:00+09:00" in row
