"""E-mail delivery against a real SMTP server (aiosmtpd on 127.0.0.1): message, TLS, login, ledger."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email
import ipaddress
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from retropack.config import Delivery
from retropack.delivery import (
    Ledger,
    LedgerEntry,
    TransientDeliveryError,
    build_message,
    deliver,
    ledger_file,
    location,
    notify_failure,
    retry_on_transient,
    send,
)
from retropack.delivery.message import Revision
from retropack.errors import DeliveryError
from retropack.present.mail import FocusKpi, MailSummary, mail_summary

PASSWORD = "s3cret-Pa55"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 16 + b"\n%%EOF\n"


# --- a real SMTP server -------------------------------------------------------------------------


class Recorder:
    """aiosmtpd handler keeping every envelope; ``reply`` replaces the answer to DATA, ``unknown`` are refused."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.reply: str | None = None
        self.unknown: set[str] = set()
        # "rcpt": close at RCPT, before the message; "drop": close after the message, before DATA's final 250;
        # "hang": never give that 250
        self.cut: str | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str, options: Any) -> str:
        if self.cut == "rcpt":
            server.transport.close()
        if address in self.unknown:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.reply:
            return self.reply
        self.envelopes.append(envelope)
        if self.cut == "drop":
            server.transport.close()
        elif self.cut == "hang":
            await asyncio.get_running_loop().create_future()  # cancelled when the server stops
        return "250 OK"

    def message(self, index: int = -1) -> EmailMessage:
        return email.message_from_bytes(self.raw(index), policy=policy.default)

    def raw(self, index: int = -1) -> bytes:
        envelope = self.envelopes[index]
        return envelope.original_content or envelope.content


class Authenticator:
    """Accepts one user with ``PASSWORD``; remembers who logged in."""

    def __init__(self) -> None:
        self.logins: list[str] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode():
            self.logins.append(auth_data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, generated for the test run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "retropack test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
def start_server() -> Iterator[Callable[..., tuple[Recorder, int]]]:
    """Start aiosmtpd servers on free ports; each is stopped after the test."""
    controllers: list[Controller] = []

    def start(**options: Any) -> tuple[Recorder, int]:
        recorder, port = Recorder(), free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return recorder, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def plain_server(start_server: Callable[..., tuple[Recorder, int]]) -> tuple[Recorder, int]:
    return start_server()


# --- the pack to mail ---------------------------------------------------------------------------


def make_delivery(port: int, **changes: Any) -> Delivery:
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "timeout_seconds": 5, **changes.pop("smtp", {})}
    return Delivery.model_validate(
        {
            "from": "MAレポート <reports@example.com>",
            "to": ["manager@example.com"],
            "cc": ["sales-lead@example.com"],
            "failure_notice_to": ["ma-ops@example.com"],
            "smtp": smtp,
            **changes,
        }
    )


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "reports" / "default" / "2026-04" / "retrospective-default-2026-04.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(PDF)
    return path


def make_summary(pdf: Path, **changes: Any) -> MailSummary:
    values: dict[str, Any] = {
        "client": "default",
        "month": "2026-04",
        "program_name": "デモMAプログラム",
        "locale": "ja",
        "currency": "JPY",
        "phase_label": "成長期",
        "month_index": 11,
        "status_counts": {"achieved": 5, "near": 2, "missed": 3, "no_target": 1, "no_data": 0},
        "focus": [
            FocusKpi("新規リード数", "212件", "200件", "achieved", "達成"),
            FocusKpi("リード獲得コスト (CPL)", "¥5,400", "¥5,000", "near", "惜しい"),
        ],
        "wins": ["ウェビナー経由のリードが増加 <b>+30%</b>"],
        "misses": ["SQL転換率が目標に届かず"],
        "actions": [("未接触のMQLを再割り当てする", "営業")],
        "kpi_values": {"new_leads": 212.0, "cpl": 5400.0, "mqls": None},
        "pdf_path": pdf,
        "pack_hash": "hash-1",
    }
    return mail_summary(**{**values, **changes})


def mail(summary: MailSummary, delivery: Delivery) -> EmailMessage:
    """A first mail of the pack, attached when it fits."""
    return build_message(summary, delivery, revision=None, attach=True, link_text=None)


def text_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


# --- delivery end to end ------------------------------------------------------------------------


def test_first_delivery_arrives_with_japanese_subject_and_pdf(plain_server: tuple[Recorder, int], pdf: Path) -> None:
    recorder, port = plain_server
    ledger = ledger_file(pdf.parents[2], "default")
    result = deliver(make_summary(pdf), make_delivery(port), ledger, env={})

    assert (result.action, result.revision, result.attached) == ("send", 0, True)
    assert ledger == pdf.parents[1] / ".deliveries.json"
    (envelope,) = recorder.envelopes
    assert envelope.mail_from == "reports@example.com"
    assert envelope.rcpt_tos == ["manager@example.com", "sales-lead@example.com"]
    assert recorder.raw().isascii()  # every header encoded (RFC 2047/2231), bodies transfer-encoded
    received = recorder.message()
    assert received["Subject"] == "【MA月次振り返り】デモMAプログラム 2026年4月"
    assert received["Message-ID"] == result.message_id
    assert received["From"].addresses[0].display_name == "MAレポート"
    (attachment,) = received.iter_attachments()
    assert attachment.get_filename() == "MA月次振り返り_デモMAプログラム_2026-04.pdf"
    assert attachment.get_param("name") == "MA月次振り返り_デモMAプログラム_2026-04.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF
    text = text_body(received)
    assert text.startswith("デモMAプログラムの2026年4月の月次振り返り資料をお送りします。")
    assert "新規リード数: 実績 212件 / 目標 200件（達成）" in text
    assert "ウェビナー経由のリードが増加 <b>+30%</b>" in text
    html = html_body(received)
    assert "&lt;b&gt;+30%&lt;/b&gt;" in html and "<b>+30%</b>" not in html
    assert "¥5,400" in html

    entry = Ledger.load(ledger).last_for("2026-04")
    assert entry is not None
    assert (entry.pack_hash, entry.message_id, entry.revision) == ("hash-1", result.message_id, 0)
    assert entry.to == ["manager@example.com"] and entry.cc == ["sales-lead@example.com"]


def test_same_pack_is_skipped_and_resend_forces_it(plain_server: tuple[Recorder, int], pdf: Path) -> None:
    recorder, port = plain_server
    ledger = pdf.parents[1] / ".deliveries.json"
    first = deliver(make_summary(pdf), make_delivery(port), ledger, env={})

    assert Ledger.load(ledger).decide("2026-04", "hash-1", resend=False).action == "skip"
    again = deliver(make_summary(pdf), make_delivery(port), ledger, env={})
    assert (again.action, again.message_id) == ("skip", first.message_id)
    assert len(recorder.envelopes) == 1

    forced = deliver(make_summary(pdf), make_delivery(port), ledger, resend=True, env={})
    assert (forced.action, forced.revision) == ("resend", 0)
    assert len(recorder.envelopes) == 2
    assert recorder.message()["Subject"] == "【MA月次振り返り】デモMAプログラム 2026年4月"
    assert forced.message_id != first.message_id


def test_changed_pack_goes_out_as_revision_listing_changed_kpis(plain_server: tuple[Recorder, int], pdf: Path) -> None:
    recorder, port = plain_server
    ledger = pdf.parents[1] / ".deliveries.json"
    first = deliver(make_summary(pdf), make_delivery(port), ledger, env={})
    changed = make_summary(pdf, pack_hash="hash-2", kpi_values={"new_leads": 190.0, "cpl": 5400.0, "mqls": 48.0})

    result = deliver(changed, make_delivery(port), ledger, env={})

    assert (result.action, result.revision) == ("revision", 1)
    received = recorder.message()
    assert received["Subject"] == "【改訂版】【MA月次振り返り】デモMAプログラム 2026年4月"
    assert received["In-Reply-To"] == first.message_id
    text = text_body(received)
    assert "改訂 1" in text
    assert "新規リード数: 212 → 190" in text
    assert "MQL数: — → 48" in text
    assert "CPL" not in text.split("値が変わった KPI:")[1].split("フェーズ")[0]
    assert [entry.revision for entry in Ledger.load(ledger).entries] == [0, 1]
    assert deliver(changed, make_delivery(port), ledger, env={}).action == "skip"


def test_big_pdf_is_announced_with_its_path(plain_server: tuple[Recorder, int], pdf: Path) -> None:
    recorder, port = plain_server
    result = deliver(
        make_summary(pdf), make_delivery(port, max_attachment_mb=0.001), pdf.parents[1] / ".deliveries.json", env={}
    )

    assert result.attached is False
    received = recorder.message()
    assert list(received.iter_attachments()) == []
    assert "添付の上限 0.001 MB を超える" in text_body(received)
    assert f"資料の場所: {pdf}" in text_body(received)


def test_english_mail(pdf: Path) -> None:
    summary = make_summary(pdf, locale="en", program_name="Demo: MA/Program", phase_label="Growth")
    message = build_message(summary, make_delivery(25), revision=None, attach=True, link_text="https://share/x")
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)

    assert parsed["Subject"] == "[MA retrospective] Demo: MA/Program April 2026"
    assert next(parsed.iter_attachments()).get_filename() == "MA-retrospective_Demo_ MA_Program_2026-04.pdf"
    text = text_body(parsed)
    assert "Phase: Growth (program month 11)" in text
    assert "The pack is at: https://share/x" in text


def test_english_revision_subject(pdf: Path) -> None:
    summary = make_summary(pdf, locale="en", program_name="Demo")
    message = build_message(summary, make_delivery(25), revision=Revision("<a@example.com>", 1, []), attach=False,
                            link_text=None)
    assert str(message["Subject"]) == "[Revised] [MA retrospective] Demo April 2026"
    assert "No KPI value changed" in text_body(message)


def test_greeting_and_signature_frame_the_mail_which_names_no_tool(pdf: Path) -> None:
    summary = make_summary(pdf, greeting="営業部・マーケティング部 各位", signature="マーケティング部\n山田 太郎\n")
    message = mail(summary, make_delivery(25))
    text = text_body(message).replace("\r\n", "\n")
    assert text.startswith("営業部・マーケティング部 各位\n\nデモMAプログラムの2026年4月の月次振り返り資料をお送りします。\n")
    assert text.endswith("\n-- \nマーケティング部\n山田 太郎\nこのメールは自動で送信しています。\n")
    html = html_body(message)
    assert "<p>営業部・マーケティング部 各位</p>" in html and "マーケティング部<br>山田 太郎" in html
    plain = mail(make_summary(pdf), make_delivery(25))
    assert text_body(plain).startswith("デモMAプログラムの2026年4月")
    assert text_body(plain).replace("\r\n", "\n").endswith("\n-- \nこのメールは自動で送信しています。\n")
    for sent in (message, plain):
        assert "retropack" not in sent.as_string().lower()


@pytest.mark.parametrize(("base", "expected"), [
    (None, "{reports}/default/2026-04/retrospective-default-2026-04.pdf"),
    ("https://files.example.com/ma", "https://files.example.com/ma/default/2026-04/retrospective-default-2026-04.pdf"),
    ("\\\\files\\ma", "\\\\files\\ma\\default\\2026-04\\retrospective-default-2026-04.pdf"),
])
def test_a_location_is_under_links_base_or_the_local_path(pdf: Path, base: str | None, expected: str) -> None:
    reports = pdf.parents[2]
    assert location(pdf, reports, base) == expected.format(reports=reports.resolve())


def test_missing_pdf_is_a_delivery_error(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="cannot be read for mailing"):
        mail(make_summary(tmp_path / "gone.pdf"), make_delivery(25))


# --- SMTP security, login and failures ----------------------------------------------------------


def test_implicit_tls(start_server: Callable[..., tuple[Recorder, int]], server_tls: ssl.SSLContext,
                      client_tls: ssl.SSLContext, pdf: Path) -> None:
    recorder, port = start_server(ssl_context=server_tls)
    delivery = make_delivery(port, smtp={"security": "ssl"})
    message = mail(make_summary(pdf), delivery)

    message_id = send(message, delivery.smtp, env={}, ssl_context=client_tls).message_id

    assert recorder.message()["Message-ID"] == message_id


def test_starttls_with_login_keeps_the_password_out_of_mail_and_logs(
    start_server: Callable[..., tuple[Recorder, int]],
    server_tls: ssl.SSLContext,
    client_tls: ssl.SSLContext,
    pdf: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    authenticator = Authenticator()
    recorder, port = start_server(tls_context=server_tls, authenticator=authenticator, auth_require_tls=True)
    smtp = {"security": "starttls", "username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD"}
    delivery = make_delivery(port, smtp=smtp)
    env = {"SMTP_USER": "retro", "SMTP_PASSWORD": PASSWORD}
    caplog.set_level(logging.DEBUG)

    result = deliver(make_summary(pdf), delivery, pdf.parents[1] / ".deliveries.json", env=env,
                     sender=partial(send, ssl_context=client_tls))

    assert authenticator.logins == ["retro"]
    assert recorder.message()["Message-ID"] == result.message_id
    raw, logged = recorder.raw(), caplog.text
    assert f"Sent {result.message_id}" in logged
    plain = PASSWORD.encode()
    for secret in (plain, base64.b64encode(plain), base64.b64encode(b"\0retro\0" + plain)):
        assert secret not in raw
        assert secret.decode() not in logged
    assert PASSWORD not in (pdf.parents[1] / ".deliveries.json").read_text(encoding="utf-8")


def test_wrong_password_is_permanent_and_not_echoed(
    start_server: Callable[..., tuple[Recorder, int]], server_tls: ssl.SSLContext, client_tls: ssl.SSLContext, pdf: Path
) -> None:
    _, port = start_server(tls_context=server_tls, authenticator=Authenticator(), auth_require_tls=True)
    smtp = make_delivery(port, smtp={"security": "starttls", "username_env": "U", "password_env": "P"}).smtp
    message = mail(make_summary(pdf), make_delivery(port))

    with pytest.raises(DeliveryError, match="refused the login") as caught:
        send(message, smtp, env={"U": "retro", "P": "wrong-Pa55"}, ssl_context=client_tls)

    assert not isinstance(caught.value, TransientDeliveryError)
    assert "wrong-Pa55" not in str(caught.value)


def test_password_from_a_prefect_secret_block(
    start_server: Callable[..., tuple[Recorder, int]],
    server_tls: ssl.SSLContext,
    client_tls: ssl.SSLContext,
    pdf: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.blocks.system import Secret

    class Stored:
        def get(self) -> str:
            return PASSWORD

    loaded: list[str] = []
    monkeypatch.setattr(Secret, "load", classmethod(lambda cls, name: loaded.append(name) or Stored()))
    authenticator = Authenticator()
    _, port = start_server(tls_context=server_tls, authenticator=authenticator, auth_require_tls=True)
    smtp = {"security": "starttls", "username_env": "U", "password_env": "prefect-secret:smtp-password"}
    delivery = make_delivery(port, smtp=smtp)
    message = mail(make_summary(pdf), delivery)

    send(message, delivery.smtp, env={"U": "retro"}, ssl_context=client_tls)

    assert loaded == ["smtp-password"] and authenticator.logins == ["retro"]


@pytest.mark.parametrize(
    ("smtp", "env", "match"),
    [
        (
            {"security": "starttls", "username_env": "RETROPACK_SMTP_USERNAME",
             "password_env": "RETROPACK_SMTP_PASSWORD"},
            {"RETROPACK_SMTP_USERNAME": "retro"},
            r"Environment variable 'RETROPACK_SMTP_PASSWORD' named by delivery.smtp.password_env is not set: "
            r"export it before the run\.",
        ),
        ({"username_env": "U"}, {"U": "retro"}, r"delivery.smtp.password_env is not set while the other"),
        ({"username_env": "U", "password_env": "P"}, {"U": "u", "P": "p"}, r"security 'none' but a login"),
        (
            {"username_env": "U", "password_env": "P", "security": "starttls"},
            {"U": "u", "P": "パスワード"},
            r"The value of 'P' named by delivery.smtp.password_env has non-ASCII characters",
        ),
    ],
)
def test_credential_configuration_errors(pdf: Path, smtp: dict[str, str], env: dict[str, str], match: str) -> None:
    delivery = make_delivery(free_port(), smtp=smtp)
    message = mail(make_summary(pdf), delivery)
    with pytest.raises(DeliveryError, match=match) as caught:
        send(message, delivery.smtp, env=env)
    assert not isinstance(caught.value, TransientDeliveryError)


def test_server_down_is_transient_and_records_nothing(pdf: Path) -> None:
    ledger = pdf.parents[1] / ".deliveries.json"
    with pytest.raises(TransientDeliveryError, match="cannot be reached"):
        deliver(make_summary(pdf), make_delivery(free_port()), ledger, env={})
    assert not ledger.exists()


def test_silent_server_times_out_as_transient(pdf: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        delivery = make_delivery(silent.getsockname()[1], smtp={"timeout_seconds": 0.3})
        message = mail(make_summary(pdf), delivery)
        with pytest.raises(TransientDeliveryError, match="timed out"):
            send(message, delivery.smtp, env={})


@pytest.mark.parametrize(("after_data", "why"), [("drop", "SMTPServerDisconnected"), ("hang", "timed out")])
def test_a_mail_taken_whole_whose_reply_is_lost_is_sent_unconfirmed_and_not_sent_again(
        plain_server: tuple[Recorder, int], pdf: Path, tmp_path: Path, after_data: str, why: str) -> None:
    """After DATA the message is the server's: a lost 250 is no reason to send it again (it may have arrived)."""
    recorder, port = plain_server
    recorder.cut = after_data
    delivery = make_delivery(port, smtp={"timeout_seconds": 0.5})
    ledger = tmp_path / ".deliveries.json"

    result = deliver(make_summary(pdf), delivery, ledger, env={})

    assert len(recorder.envelopes) == 1
    assert result.action == "send" and why in result.unconfirmed
    assert result.unconfirmed.startswith(f"SMTP server '127.0.0.1:{port}' (delivery.smtp) took the message, then "
                                         "gave no reply")
    (entry,) = json.loads(ledger.read_text(encoding="utf-8"))["entries"]
    assert (entry["confirmed"], entry["message_id"]) == (False, result.message_id)
    again = deliver(make_summary(pdf), delivery, ledger, env={})
    assert (again.action, again.message_id, len(recorder.envelopes)) == ("skip", result.message_id, 1)
    assert again.unconfirmed == entry["note"]


class Trickle:
    """A server that answers a connection with ``220-`` lines, one every few milliseconds, and never ends its
    greeting: each read gets a line within the socket timeout, so only a deadline on the whole exchange stops it."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.lines = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection:
            while not self.stop.wait(0.01):
                try:
                    connection.sendall(b"220-still greeting you\r\n")
                except OSError:  # the client cut the connection off
                    return
                self.lines += 1

    def __enter__(self) -> Trickle:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(5)


def test_a_server_trickling_its_greeting_is_cut_off_at_the_deadline(pdf: Path, tmp_path: Path) -> None:
    """``timeout_seconds`` bounds one reply; a server that keeps sending ``220-`` lines held the month's lock for
    ever. The whole exchange has ``deadline_seconds``, then fails for good (a retry would only wait as long again)."""
    with Trickle() as trickle:
        delivery = make_delivery(trickle.port, smtp={"timeout_seconds": 0.5, "deadline_seconds": 1})
        ledger = tmp_path / ".deliveries.json"
        with pytest.raises(DeliveryError, match=r"did not finish the exchange within 1 s "
                                                r"\(delivery.smtp.deadline_seconds\), though it kept answering") as caught:
            deliver(make_summary(pdf), delivery, ledger, env={})
    assert not isinstance(caught.value, TransientDeliveryError)
    assert trickle.lines > 10  # it did keep answering, each line well within the socket timeout
    assert not ledger.exists()


def test_a_server_closing_before_data_is_still_transient(plain_server: tuple[Recorder, int], pdf: Path) -> None:
    """Closed before the message went, the mail did not arrive: a retry is safe and wanted."""
    recorder, port = plain_server
    recorder.cut = "rcpt"
    delivery = make_delivery(port)
    with pytest.raises(TransientDeliveryError, match="closed the connection"):
        send(mail(make_summary(pdf), delivery), delivery.smtp, env={})
    assert recorder.envelopes == []


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("451 4.3.0 Temporary local problem", TransientDeliveryError),
        ("554 5.7.1 Message rejected as spam", DeliveryError),
    ],
)
def test_smtp_reply_codes_are_classified(
    plain_server: tuple[Recorder, int], pdf: Path, reply: str, error: type[DeliveryError]
) -> None:
    recorder, port = plain_server
    recorder.reply = reply
    delivery = make_delivery(port)
    message = mail(make_summary(pdf), delivery)

    with pytest.raises(error, match=reply.split()[0]) as caught:
        send(message, delivery.smtp, env={})

    assert (type(caught.value) is TransientDeliveryError) == (error is TransientDeliveryError)


@pytest.mark.parametrize("reply", ["552 5.3.4 Message size exceeds fixed limit", "554 5.3.4 Message too big"])
def test_a_size_refusal_suggests_max_attachment_mb(plain_server: tuple[Recorder, int], pdf: Path, reply: str) -> None:
    recorder, port = plain_server
    recorder.reply = reply
    delivery = make_delivery(port)
    with pytest.raises(DeliveryError, match=rf"answered {reply}: the mail \(0\.0 MB as sent, its attachment "
                                            r"encoded\) is too big for the server: set delivery.max_attachment_mb "
                                            r"below the server's limit") as caught:
        send(mail(make_summary(pdf), delivery), delivery.smtp, env={})
    assert not isinstance(caught.value, TransientDeliveryError)


def test_refused_recipients(plain_server: tuple[Recorder, int], pdf: Path, caplog: pytest.LogCaptureFixture) -> None:
    recorder, port = plain_server
    recorder.unknown = {"sales-lead@example.com"}
    delivery = make_delivery(port)

    sent = send(mail(make_summary(pdf), delivery), delivery.smtp, env={})  # one refused: the others still get it

    assert recorder.envelopes[0].rcpt_tos == ["manager@example.com"]
    assert list(sent.refused) == ["sales-lead@example.com"] and sent.refused["sales-lead@example.com"].startswith("550")
    assert "refused some recipients" in caplog.text and "sales-lead@example.com (550" in caplog.text
    recorder.unknown.add("manager@example.com")
    with pytest.raises(DeliveryError, match=r"refused the recipients manager@example.com \(550 .*check delivery.to"):
        send(mail(make_summary(pdf), delivery), delivery.smtp, env={})


def test_a_partly_refused_mail_is_recorded_with_its_refusals(plain_server: tuple[Recorder, int], pdf: Path,
                                                             tmp_path: Path) -> None:
    recorder, port = plain_server
    recorder.unknown = {"sales-lead@example.com"}
    ledger = tmp_path / ".deliveries.json"

    result = deliver(make_summary(pdf), make_delivery(port), ledger, env={})

    assert result.action == "send" and list(result.refused) == ["sales-lead@example.com"]
    (entry,) = json.loads(ledger.read_text(encoding="utf-8"))["entries"]
    assert entry["refused"]["sales-lead@example.com"].startswith("550")
    assert entry["message_id"] == result.message_id


def test_failure_notice_goes_to_ops_as_plain_text(plain_server: tuple[Recorder, int]) -> None:
    recorder, port = plain_server
    message_id = notify_failure(
        make_delivery(port), client="default", month="2026-04",
        error="Config file 'a.yaml': unknown key 'targets.grwoth'.", log="/srv/reports/default/logs/2026-04.log",
        run_url="http://prefect/runs/1", locale="ja", env={},
        rerun="retropack run --config /srv/config/default.yaml --month 2026-04 --out /srv/reports",
    )

    (envelope,) = recorder.envelopes
    assert envelope.rcpt_tos == ["ma-ops@example.com"]
    received = recorder.message()
    assert received["Message-ID"] == message_id
    assert received["Subject"] == "【retropack 失敗】default 2026-04"
    assert received.get_content_type() == "text/plain"
    body = received.get_content()
    assert "unknown key 'targets.grwoth'" in body and "実行の記録: http://prefect/runs/1" in body
    assert "ログ: /srv/reports/default/logs/2026-04.log" in body
    assert "retropack run --config /srv/config/default.yaml --month 2026-04 --out /srv/reports" in body


def test_failure_notice_without_recipients_sends_nothing() -> None:
    delivery = make_delivery(free_port(), failure_notice_to=[])
    assert notify_failure(delivery, client="default", month="2026-04", error="x", log="x.log", run_url=None,
                          rerun="retropack run", locale="ja", env={}) is None


def test_only_transient_failures_are_retried() -> None:
    from prefect.states import Completed, Failed

    assert retry_on_transient(None, None, Failed(data=TransientDeliveryError("451")))
    assert not retry_on_transient(None, None, Failed(data=DeliveryError("550")))
    assert not retry_on_transient(None, None, Completed(data="<id@x>"))


# --- the ledger ---------------------------------------------------------------------------------


def entry(month: str, pack_hash: str, revision: int = 0) -> LedgerEntry:
    return LedgerEntry(month, "2026-05-01T00:00:00+00:00", ["m@example.com"], [], pack_hash, f"<{pack_hash}@x>",
                       revision, {"new_leads": 1.0})


@pytest.mark.parametrize(
    ("month", "pack_hash", "resend", "action", "revision"),
    [
        ("2026-05", "a", False, "send", 0),
        ("2026-05", "a", True, "send", 0),
        ("2026-04", "b", False, "skip", 1),
        ("2026-04", "b", True, "resend", 1),
        ("2026-04", "a", False, "revision", 2),
        ("2026-04", "c", True, "revision", 2),
    ],
)
def test_decide(tmp_path: Path, month: str, pack_hash: str, resend: bool, action: str, revision: int) -> None:
    ledger = Ledger(tmp_path / ".deliveries.json", [entry("2026-04", "a"), entry("2026-04", "b", 1)])
    decision = ledger.decide(month, pack_hash, resend)
    assert (decision.action, decision.revision) == (action, revision)


def test_record_is_atomic_and_keeps_entries_written_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "acme" / ".deliveries.json"
    mine, theirs = Ledger.load(path), Ledger.load(path)
    theirs.record(entry("2026-03", "x"))
    mine.record(entry("2026-04", "y"))

    assert [item.month for item in Ledger.load(path).entries] == ["2026-03", "2026-04"]
    assert json.loads(path.read_text(encoding="utf-8"))["entries"][1]["pack_hash"] == "y"
    assert [p.name for p in path.parent.iterdir()] == [".deliveries.json"]


def test_unreadable_ledger_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / ".deliveries.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DeliveryError, match=r"Delivery ledger '.*' cannot be read .*: restore it"):
        Ledger.load(path)


def test_changes_since_the_last_mail(pdf: Path) -> None:
    old = {"new_leads": 212.0, "cpl": 5432.1, "email_ctr": 0.0312, "sqls": 10.0}
    new = {"new_leads": 212.0, "cpl": 5000.0, "email_ctr": 0.03125, "sqls": None, "mqls": 4.0}
    summary = make_summary(pdf, locale="en", kpi_values=new)
    assert summary.changes_since(old) == [
        "Cost per lead (CPL): ¥5,432 → ¥5,000",  # the CTR moved less than the pack shows (3.1% both)
        "SQLs: 10 → —",
        "MQLs: — → 4",
    ]
    assert make_summary(pdf, kpi_values=old).changes_since(old) == []
