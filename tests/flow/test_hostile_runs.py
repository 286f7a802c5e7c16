"""Runs a careless or hostile user starts, through the command line and the real flow (issue 12): a Japanese client
id reaches the manager's inbox, a month out of range and an unforeseen error end in one paragraph or one line, what
killed runs leave behind is cleared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from retropack.cli import main
from tests.flow.test_delivery_flow import MANAGER, OPS, free_port, program

MONTH = "2026-10"
CLIENT = "株式会社ABC"


def run(config: Path, *extra: str, month: str = MONTH):
    return CliRunner().invoke(main, ["run", "--config", str(config), "--month", month,
                                     "--out", str(config.parent / "reports"), *extra])


def last_paragraph(output: str) -> str:
    """What the command said last: the lines after Prefect's own progress lines (which carry a time)."""
    lines = [line for line in output.splitlines() if not re.match(r"^\d\d:\d\d:\d\d\.\d+ \| ", line)]
    return "\n".join(lines)


def test_a_japanese_client_id_gets_its_pack_written_and_mailed(prefect_server, mailbox, tmp_path: Path) -> None:
    """Prefect refused the artifact key retropack-株式会社abc-2026-10-kpis: the run failed after writing the pack and
    the manager never got the mail. A line break in the program's name (from a YAML block) must not reach a
    header either: the subject stays one line and no one else is mailed."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    box, port = mailbox
    config = program(tmp_path, port)
    text = config.read_text(encoding="utf-8").replace("client: demo", f"client: {CLIENT}")
    config.write_text(text.replace("  name: デモMAプログラム", '  name: "デモMA\\r\\nBcc: intruder@example.com"'),
                      encoding="utf-8")

    result = run(config)

    assert result.exit_code == 0, result.output
    assert "e-mail: send" in result.output
    folder = tmp_path / "reports" / CLIENT / MONTH
    assert (folder / f"retrospective-{CLIENT}-{MONTH}.pdf").is_file()
    [mail] = box.to(MANAGER)
    assert "\n" not in mail["Subject"] and mail["Bcc"] is None
    assert [m for m in box.messages if "intruder" in str(m)] == [mail] and box.to(OPS) == []
    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="retropack-abc-")))}
    assert {key.rsplit("-", 1)[-1] for key in keys} >= {"kpis", "pack", "delivery"}


def test_a_month_no_pack_can_report_is_one_paragraph(prefect_server, tmp_path: Path) -> None:
    config = program(tmp_path, free_port())
    result = run(config, "--no-deliver", month="9999-12")
    assert result.exit_code == 1
    assert last_paragraph(result.output) == ("Error: Parameter month '9999-12' is outside the months a pack can "
                                             "report (1900-01 to 2200-12): give the month the data is about, e.g. "
                                             "2026-10.")


def test_an_unforeseen_error_is_one_line_naming_the_log_that_holds_its_traceback(
        prefect_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault inside a library the run uses (WeasyPrint here): a bug, not the user's doing."""
    import weasyprint

    def broken(self, *args, **kwargs):
        raise RuntimeError("layout engine gave up")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    config = program(tmp_path, free_port())
    result = run(config, "--no-deliver")

    log = tmp_path / "reports" / "demo" / "logs" / f"{MONTH}.log"
    assert result.exit_code == 1
    assert last_paragraph(result.output) == (
        f"Error: unexpected RuntimeError: layout engine gave up. This is a bug in retropack, not a problem with "
        f"your data or settings: its traceback is in {log}; please report it with that.")
    assert "Traceback" not in result.output
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")


def test_the_next_run_clears_what_killed_runs_left_and_puts_a_moved_pack_back(prefect_server, tmp_path: Path) -> None:
    """A run killed while it built October left its staging folder; one killed between its two renames left
    September's pack moved aside and no September folder. The next run of the client clears both."""
    config = program(tmp_path, free_port())
    client = tmp_path / "reports" / "demo"
    (client / f".{MONTH}.staging-0123456789ab" / "rejects").mkdir(parents=True)
    (client / ".2026-09.retired-0123456789ab").mkdir(parents=True)
    (client / ".2026-09.retired-0123456789ab" / "kpis.json").write_text("{}", encoding="utf-8")

    result = run(config, "--no-deliver")

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in client.iterdir()) == ["2026-09", MONTH, "logs"]
    assert (client / "2026-09" / "kpis.json").read_text(encoding="utf-8") == "{}"
    log = (client / "logs" / f"{MONTH}.log").read_text(encoding="utf-8")
    assert f"removed .{MONTH}.staging-0123456789ab, left by a run that was stopped" in log
    assert not list(Path("/tmp").glob("retropack-charts-*"))  # charts are drawn inside the staging folder
