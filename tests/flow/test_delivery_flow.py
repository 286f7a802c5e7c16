"""Delivery through the real flow, a real SMTP server and a webhook on 127.0.0.1: once, resend, revision, failure,
alerts."""

from __future__ import annotations

import email
import json
import re
import shutil
import socket
from email import policy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from aiosmtpd.smtp import Envelope
from click.testing import CliRunner

from retropack.cli import main
from retropack.config import load_config
from tests.conftest import ROOT
from tests.delivery.webhook_sink import WebhookSink

MONTH = "2026-10"
MANAGER, OPS = "manager@example.com", "ma-ops@example.com"


class Mailbox:
    """Keeps every accepted message; answers ``refuse_with`` to mail for MANAGER (a flaky relay)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.attempts = 0
        self.refuse_with: str | None = None
        self.unknown: set[str] = set()  # addresses refused at RCPT, as a mistyped address would be
        self.drop_after_data = False  # take the message, then close the connection before the final 250

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if MANAGER in envelope.rcpt_tos:
            self.attempts += 1
            if self.refuse_with:
                return self.refuse_with
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                      policy=policy.default))
        if self.drop_after_data:
            server.transport.close()
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def webhook(monkeypatch: pytest.MonkeyPatch):
    with WebhookSink() as sink:
        monkeypatch.setenv("RETROPACK_ALERT_WEBHOOK", sink.url)
        yield sink


def program(tmp_path: Path, port: int) -> Path:
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data")
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "data")
    text += f"""
delivery:
  from: "MAレポート <reports@example.com>"
  to: [{MANAGER}]
  failure_notice_to: [{OPS}]
  smtp:
    host: 127.0.0.1
    port: {port}
    security: none
    timeout_seconds: 5
    retries: 2
    retry_delay_seconds: [0, 0]
alerts:
  webhook_url_env: RETROPACK_ALERT_WEBHOOK
"""
    (tmp_path / "demo.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "demo.yaml"


def run(config: Path, *extra: str):
    return CliRunner().invoke(main, ["run", "--config", str(config), "--month", MONTH,
                                     "--out", str(config.parent / "reports"), *extra])


def test_mail_goes_once_then_on_resend_then_as_revision_of_content_only(prefect_server, mailbox, webhook, tmp_path: Path) -> None:
    box, port = mailbox
    config = program(tmp_path, port)

    first = run(config)
    assert first.exit_code == 0, first.output
    assert "e-mail: send" in first.output
    [mail] = box.to(MANAGER)
    assert mail["Subject"] == "【MA月次振り返り】デモMAプログラム 2026年10月"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename().endswith(".pdf") and "デモMAプログラム" in attachment.get_filename()
    pdf = config.parent / "reports" / "demo" / MONTH / f"retrospective-demo-{MONTH}.pdf"
    assert attachment.get_content() == pdf.read_bytes()
    body = mail.get_body(("plain",)).get_content()
    assert "成熟期" in body and "LTV" in body and "パイプライン速度" in body  # the phase's focus KPIs

    text = config.read_text(encoding="utf-8")
    config.write_text(text + "# checked by ops on 2026-11-03\n", encoding="utf-8")  # the config file's bytes changed
    second = run(config)
    assert second.exit_code == 0 and "e-mail: skip" in second.output
    assert len(box.to(MANAGER)) == 1

    # the README's advice for a mistyped cc: correct it and rerun with --resend; the pack did not change, so
    # the managers get the same mail again, not a 【改訂版】
    config.write_text(text.replace(f"  to: [{MANAGER}]", f"  to: [{MANAGER}]\n  cc: [sales@example.com]"),
                      encoding="utf-8")
    again = run(config, "--resend")
    assert again.exit_code == 0 and "e-mail: resend" in again.output
    resent = box.to(MANAGER)[-1]
    assert len(box.to(MANAGER)) == 2 and resent["Subject"] == mail["Subject"] and "In-Reply-To" not in resent
    assert resent["Cc"] == "sales@example.com"

    leads = config.parent / "data" / "leads.csv"
    frame = pd.read_csv(leads, dtype=str, keep_default_na=False)
    frame = frame[~frame["created_at"].str.startswith("2026-10-1")]  # a corrected export: fewer October leads
    frame.to_csv(leads, index=False)
    feedback = config.parent / "data" / "mql_feedback.csv"  # sales' verdicts on the leads dropped go with them
    verdicts = pd.read_csv(feedback, dtype=str, keep_default_na=False)
    verdicts[verdicts["lead_id"].isin(frame["lead_id"])].to_csv(feedback, index=False)
    revised = run(config)
    assert revised.exit_code == 0 and "e-mail: revision" in revised.output
    latest = box.to(MANAGER)[-1]
    assert latest["Subject"].startswith("【改訂版】")
    assert "新規リード数" in latest.get_body(("plain",)).get_content()
    assert box.to(OPS) == [] and webhook.posts == []


def test_smtp_refusing_retries_then_notifies_and_fails_with_pack_written(prefect_server, mailbox, webhook,
                                                                         tmp_path: Path) -> None:
    from prefect.settings import PREFECT_UI_URL, temporary_settings

    box, port = mailbox
    box.refuse_with = "451 4.3.0 Mailbox temporarily unavailable"
    config = program(tmp_path, port)

    with temporary_settings(updates={PREFECT_UI_URL: "https://prefect.example.com"}):  # the UI readers can open
        result = run(config)  # (new settings set Prefect's logging up again: its log lines join the output)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("Error: ") and "451" in result.output
    assert box.attempts == 3  # the first try and two retries
    [notice] = box.to(OPS)
    assert "demo" in notice["Subject"] and "2026-10" in notice["Subject"]
    body = notice.get_body(("plain",)).get_content().replace("\r\n", "\n")
    log = config.parent / "reports" / "demo" / "logs" / f"{MONTH}.log"
    assert "451" in body and f"ログ: {log}" in body
    assert re.search(r"^実行の記録: https://prefect\.example\.com/runs/flow-run/[0-9a-f-]{36}$", body, re.MULTILINE)
    [alert] = webhook.texts
    assert alert.startswith("【retropack 失敗】demo 2026-10: ") and "451" in alert and f"ログ: {log}" in alert
    assert "実行の記録: https://prefect.example.com/runs/flow-run/" in alert
    assert "Mailbox temporarily unavailable" in log.read_text(encoding="utf-8")
    folder = config.parent / "reports" / "demo" / MONTH
    assert (folder / f"retrospective-demo-{MONTH}.pdf").exists()
    assert not (config.parent / "reports" / "demo" / ".deliveries.json").exists()


def test_smtp_down_fails_the_run_keeps_the_pack_and_the_webhook_hears_of_it(prefect_server, webhook,
                                                                            tmp_path: Path) -> None:
    config = program(tmp_path, free_port())  # nothing listens there: no mail, no failure notice either
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  to: [", "  links_base: https://files.example.com/ma\n  to: ["), encoding="utf-8")
    result = run(config)
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert (config.parent / "reports" / "demo" / MONTH / "kpis.json").exists()
    [alert] = webhook.texts
    headline, log_line, rerun = alert.splitlines()  # no PREFECT_UI_URL: no link to a run page
    assert headline.startswith("【retropack 失敗】demo 2026-10: ") and "cannot be reached" in headline
    assert log_line == f"ログ: https://files.example.com/ma/demo/logs/{MONTH}.log"
    out = (config.parent / "reports").resolve()
    assert rerun.endswith(f"retropack run --config {config.resolve()} --month {MONTH} --out {out}")
    log = config.parent / "reports" / "demo" / "logs" / f"{MONTH}.log"
    assert "s3cretToken" not in result.output + log.read_text(encoding="utf-8")  # the webhook's URL is a secret


def test_the_rerun_command_of_an_alert_writes_the_same_folder_and_mails_nobody_twice(
        prefect_server, mailbox, webhook, tmp_path: Path) -> None:
    """Issue 24: the command an alert and a failure mail print reproduces the run (config, data, out, month), so a
    rerun from another folder writes where the failed run wrote and reads the ledger later runs read."""
    import os
    import shlex
    import subprocess
    import sys

    from prefect.settings import get_current_settings

    box, port = mailbox
    box.refuse_with = "451 4.3.0 Mailbox temporarily unavailable"
    config = program(tmp_path, port)
    export = tmp_path / "export"
    (tmp_path / "data").rename(export)  # the data is passed with --data: the config's own data.path is empty
    out = tmp_path / "reports"
    failed = CliRunner().invoke(main, ["run", "--config", str(config), "--month", MONTH, "--data", str(export),
                                       "--out", str(out), "--resend"])
    assert failed.exit_code == 1 and "451" in failed.output
    [alert] = webhook.texts
    command = alert.splitlines()[-1].split(": ", 1)[1]
    [notice] = box.to(OPS)
    assert notice.get_body(("plain",)).get_content().replace("\r\n", "\n").count(command) == 1
    assert shlex.split(command) == ["retropack", "run", "--config", str(config.resolve()), "--month", MONTH,
                                    "--data", str(export.resolve()), "--out", str(out.resolve()), "--resend"]

    box.refuse_with = None  # the cause is fixed; the operator pastes the command in another folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {**os.environ, "PREFECT_API_URL": get_current_settings().api.url,
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    rerun = subprocess.run(command, shell=True, cwd=elsewhere, env=environment, capture_output=True, text=True,
                           timeout=900)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"Wrote {out.resolve() / 'demo' / MONTH}" in rerun.stdout and "e-mail: send" in rerun.stdout
    assert not (elsewhere / "reports").exists()
    assert len(box.to(MANAGER)) == 1

    scheduled = CliRunner().invoke(main, ["run", "--config", str(config), "--month", MONTH, "--data", str(export),
                                          "--out", str(out)])  # the month's scheduled run, same reports folder
    assert scheduled.exit_code == 0 and "e-mail: skip" in scheduled.output, scheduled.output
    assert len(box.to(MANAGER)) == 1
    ledger = json.loads((out / "demo" / ".deliveries.json").read_text(encoding="utf-8"))
    assert [entry["month"] for entry in ledger["entries"]] == [MONTH]


def test_no_deliver_sends_nothing_not_even_a_failure_alert(prefect_server, mailbox, webhook, tmp_path: Path) -> None:
    box, port = mailbox
    config = program(tmp_path, port)
    result = run(config, "--no-deliver")
    assert result.exit_code == 0 and "e-mail: off" in result.output
    sends = config.parent / "data" / "email_sends.csv"
    sends.write_text("campaign\n", encoding="utf-8")  # a broken export: the run fails
    failed = run(config, "--no-deliver")
    assert failed.exit_code == 1 and "email_sends.csv" in failed.output
    assert box.messages == [] and webhook.posts == []


def test_a_refused_cc_is_reported_and_recorded_while_the_manager_gets_the_mail(prefect_server, mailbox,
                                                                                tmp_path: Path) -> None:
    box, port = mailbox
    box.unknown = {"typo@example.com"}
    config = program(tmp_path, port)
    config.write_text(config.read_text(encoding="utf-8").replace(
        f"  to: [{MANAGER}]", f"  to: [{MANAGER}]\n  cc: [typo@example.com]"), encoding="utf-8")

    result = run(config)

    assert result.exit_code == 0, result.output
    assert len(box.to(MANAGER)) == 1
    assert "e-mail refused for typo@example.com: 550 5.1.1 No such user" in result.output
    ledger = json.loads((config.parent / "reports" / "demo" / ".deliveries.json").read_text(encoding="utf-8"))
    assert ledger["entries"][0]["refused"] == {"typo@example.com": "550 5.1.1 No such user"}


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def test_a_usd_program_mailed_in_english_shows_dollars_and_no_japanese_actions(prefect_server, mailbox,
                                                                               tmp_path: Path) -> None:
    """The Japanese demo with currency USD and an English mail: the mail's numbers, its revision lines and
    its action lines are in the mail's language and the program's currency (issue: one direction)."""
    box, port = mailbox
    config = program(tmp_path, port)
    text = config.read_text(encoding="utf-8").replace("currency: JPY", "currency: USD")
    config.write_text(text.replace("  to: [", "  locale: en\n  to: ["), encoding="utf-8")

    assert run(config).exit_code == 0
    deals = config.parent / "data" / "deals.csv"
    frame = pd.read_csv(deals, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.loc[frame["closed_at"].str.startswith("2026-10") & frame["stage"].eq("won"), "amount"] = "1"
    frame.to_csv(deals, index=False)
    revised = run(config)
    assert revised.exit_code == 0 and "e-mail: revision" in revised.output, revised.output

    first, revision = box.to(MANAGER)
    body = first.get_body(("plain",)).get_content()
    assert "$" in body and "¥" not in body
    section = body.split("■ This month's improvement actions")[1]
    actions = re.findall(r"^  \d+\. .*$", section, flags=re.MULTILINE)
    members = [name for role in load_config(config).settings.team.roles.values() for name in role.members]
    worded = [re.sub(r"'[^']*'", "", line) for line in actions]  # a quoted content title is the client's data
    worded = [re.sub("|".join(map(re.escape, members)), "", line) for line in worded]  # so are the team's names
    notes = load_dataset_notes(config)  # and a due date or forum the client wrote in its action_log (it stands)
    worded = [re.sub("|".join(map(re.escape, notes)), "", line) if notes else line for line in worded]
    assert actions and all(not JAPANESE.search(line) for line in worded), actions
    changed = revision.get_body(("plain",)).get_content().split("KPIs whose values changed:")[1].split("Phase:")[0]
    assert "MA-sourced won revenue: $" in changed and "¥" not in changed


def test_a_mail_whose_acceptance_is_lost_after_data_is_sent_once_and_recorded_unconfirmed(
        prefect_server, mailbox, webhook, tmp_path: Path) -> None:
    """A server that takes DATA and closes before its final 250: the message went whole, so a retry would mail it
    again (the managers got four). It goes once, the ledger says unconfirmed, the run says so, a rerun sends
    nothing, and --resend mails it again."""
    box, port = mailbox
    box.drop_after_data = True
    config = program(tmp_path, port)

    first = run(config)

    assert first.exit_code == 0, first.output
    [mail] = box.to(MANAGER)
    assert "e-mail: send, unconfirmed" in first.output
    assert f"the mail ({mail['Message-ID']}) is sent, unconfirmed: SMTP server '127.0.0.1:{port}' (delivery.smtp) " \
           "took the message, then gave no reply (SMTPServerDisconnected" in first.output
    assert "rerun with --resend if it did not" in first.output
    ledger = config.parent / "reports" / "demo" / ".deliveries.json"
    [entry] = json.loads(ledger.read_text(encoding="utf-8"))["entries"]
    assert (entry["confirmed"], entry["message_id"]) == (False, mail["Message-ID"])
    assert "took the message, then gave no reply" in entry["note"]
    log = config.parent / "reports" / "demo" / "logs" / f"{MONTH}.log"
    assert "is sent, unconfirmed" in log.read_text(encoding="utf-8")

    second = run(config)
    assert second.exit_code == 0, second.output
    assert "e-mail: skip, unconfirmed" in second.output and "the earlier mail of this pack" in second.output
    assert len(box.to(MANAGER)) == 1

    box.drop_after_data = False
    resent = run(config, "--resend")
    assert resent.exit_code == 0 and "e-mail: resend\n" in resent.output
    assert len(box.to(MANAGER)) == 2
    assert [e["confirmed"] for e in json.loads(ledger.read_text(encoding="utf-8"))["entries"]] == [False, True]
    assert box.to(OPS) == [] and webhook.posts == []


def test_preview_mail_writes_the_mail_it_would_send_and_sends_nothing(prefect_server, mailbox, tmp_path: Path) -> None:
    box, port = mailbox
    config = program(tmp_path, port)
    eml = tmp_path / "preview" / "october.eml"
    result = run(config, "--preview-mail", str(eml))
    assert result.exit_code == 0, result.output
    assert f"e-mail: preview written to {eml}" in result.output
    mail = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["Subject"] == "【MA月次振り返り】デモMAプログラム 2026年10月" and mail["To"] == MANAGER
    [attachment] = list(mail.iter_attachments())
    pdf = config.parent / "reports" / "demo" / MONTH / f"retrospective-demo-{MONTH}.pdf"
    assert attachment.get_content() == pdf.read_bytes()
    assert box.messages == [] and not (config.parent / "reports" / "demo" / ".deliveries.json").exists()


def load_dataset_notes(config: Path) -> list[str]:
    """The notes of the program's action_log, as the client wrote them."""
    log = config.parent / "data" / "action_log.csv"
    if not log.exists():
        return []
    frame = pd.read_csv(log, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return [note for note in frame.get("note", pd.Series(dtype=str)).tolist() if note]
