"""Hand one message to the SMTP server, and say whether a failure is worth retrying.

``send`` tries once: retrying is declared by the Prefect task that wraps it. Failures that may pass
(no connection, timeout, SMTP 4xx) raise ``TransientDeliveryError``; the rest raise ``DeliveryError``.
Once the message itself has gone to the server (after DATA), a lost reply is no reason to send again: the server
may have delivered it, and a retry would mail it twice. ``send`` then returns the mail as sent, unconfirmed.
Credentials come only from the environment or a Prefect Secret block and appear in no message,
log line or exception text.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from retropack._secrets import read_secret
from retropack.config import Smtp
from retropack.errors import DeliveryError

__all__ = ["retry_on_transient", "send", "SentMail", "TransientDeliveryError"]
log = logging.getLogger(__name__)


class TransientDeliveryError(DeliveryError):
    """The server could not take the mail now; the same send may succeed on a retry."""


@dataclass(frozen=True)
class SentMail:
    """A mail the server took: its Message-ID, and the recipients it refused (address → SMTP reply).

    Refusals of some recipients do not fail the send: the others have the mail, and a retry would
    mail them twice. They are reported instead, so someone can correct the address.
    """

    message_id: str
    refused: dict[str, str] = field(default_factory=dict)
    unconfirmed: str = ""  # why the server's reply to the message never came ("" when it accepted it)

    @property
    def confirmed(self) -> bool:
        return not self.unconfirmed


def send(
    message: EmailMessage,
    smtp: Smtp,
    *,
    env: Mapping[str, str] = os.environ,
    ssl_context: ssl.SSLContext | None = None,
) -> SentMail:
    """Send ``message`` through ``smtp``; its Message-ID is added if it has none.

    ``ssl_context`` defaults to the system's trusted certificates with host-name checking.
    """
    if message["Message-ID"] is None:
        message["Message-ID"] = make_msgid()
    login = _credentials(smtp, env)
    where = f"SMTP server '{smtp.host}:{smtp.port}' (delivery.smtp)"
    if login and smtp.security == "none":
        raise DeliveryError(
            f"{where} has security 'none' but a login is configured, which would send the password "
            "unencrypted: set delivery.smtp.security to starttls or ssl."
        )
    context = ssl_context or ssl.create_default_context()
    needs = ("STARTTLS", "set delivery.smtp.security to match the port (starttls: usually 587, ssl: 465)")
    server = _Smtp(timeout=smtp.timeout_seconds) if smtp.security != "ssl" else \
        _SmtpSsl(timeout=smtp.timeout_seconds, context=context)
    try:
        with server.deadline(smtp.deadline_seconds), server:  # QUIT too keeps to the deadline
            server.connect(smtp.host, smtp.port)
            if smtp.security == "starttls":
                server.starttls(context=context)
            needs = ("AUTH", "remove username_env and password_env for a relay without login, or use its login port")
            if login:
                server.login(*login)
            needs = ("SMTPUTF8", "use ASCII-only addresses in delivery.from, to and cc")
            refused = server.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientDeliveryError(
                f"{where} cannot check the login now ({exc.smtp_code}): a later attempt may succeed."
            ) from None
        raise DeliveryError(
            f"{where} refused the login ({exc.smtp_code}): check the user name and password in "
            f"'{smtp.username_env}' and '{smtp.password_env}' named by delivery.smtp."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"{where} does not offer {needs[0]}: {needs[1]}.") from None
    except smtplib.SMTPRecipientsRefused as exc:
        _raise_for_codes(
            [code for code, _ in exc.recipients.values()],
            f"{where} refused the recipients {_refusals(exc.recipients)}",
            "check delivery.to and delivery.cc",
        )
    except smtplib.SMTPResponseException as exc:
        reply = _text(exc.smtp_error)
        fix = "check the server's log"
        if exc.smtp_code == 552 or reply.startswith("5.3.4"):  # the message is bigger than the server takes
            fix = (f"the mail ({_megabytes(message)}) is too big for the server: set delivery.max_attachment_mb below "
                   "the server's limit, so a larger PDF is announced with its link (or path) instead of attached")
        _raise_for_codes([exc.smtp_code], f"{where} answered {exc.smtp_code} {reply}", fix)
    except smtplib.SMTPServerDisconnected as exc:
        if server.handed_over:
            return _unconfirmed(message, where, exc)
        if server.cut_off:
            raise _overran(where, smtp) from None
        raise TransientDeliveryError(
            f"{where} closed the connection ({exc}): a later attempt may succeed."
        ) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{where} could not take the mail ({exc}): check delivery.smtp.") from None
    except OSError as exc:  # after the SMTP errors, which are OSErrors too: no connection, a timeout, TLS
        if server.handed_over:
            return _unconfirmed(message, where, exc)
        if server.cut_off:
            raise _overran(where, smtp) from None
        raise _unreachable(where, exc) from None
    message_id = str(message["Message-ID"])
    log.info("Sent %s via %s:%s", message_id, smtp.host, smtp.port)
    if refused:
        log.warning("%s refused some recipients of %s: %s; check delivery.to and delivery.cc", where,
                    message_id, _refusals(refused))
    return SentMail(message_id, {address: f"{code} {_text(reply)}" for address, (code, reply) in refused.items()})


def _overran(where: str, smtp: Smtp) -> DeliveryError:
    """A server that keeps the exchange going past the deadline (a trickle of ``220-`` lines) is not a passing
    failure: trying again would hold the month's run as long again."""
    return DeliveryError(
        f"{where} did not finish the exchange within {smtp.deadline_seconds:g} s (delivery.smtp.deadline_seconds), "
        "though it kept answering; nothing was sent: check that host and port name an SMTP server that works, or "
        "raise delivery.smtp.deadline_seconds for a slow one."
    )


def _unreachable(where: str, exc: OSError) -> DeliveryError:
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(
            f"{where}: the TLS handshake failed ({exc.reason or exc}): check that delivery.smtp.security matches "
            "the port (starttls: 587, ssl: 465) and that the server's certificate is trusted."
        )
    return TransientDeliveryError(
        f"{where} cannot be reached ({type(exc).__name__}: {exc.strerror or exc}): check delivery.smtp.host "
        "and port and that the server is up."
    )


def _unconfirmed(message: EmailMessage, where: str, exc: BaseException) -> SentMail:
    """The message went to the server whole, then its reply was lost: sent, unconfirmed, never sent again."""
    message_id = str(message["Message-ID"])
    why = f"{where} took the message, then gave no reply ({type(exc).__name__}: {_text(str(exc)) or 'no reason'})"
    log.warning("Sent %s, unconfirmed: %s; it may have been delivered, so it is not sent again", message_id, why)
    return SentMail(message_id, unconfirmed=why)


class _HandOver:
    """An SMTP connection that knows whether the message itself has gone to the server (``data`` sends it after
    the server's 354, as the only bytes, rather than text, ending with the lone dot that closes it), and that a
    ``deadline`` cuts off however the server keeps it busy: the socket timeout bounds one read only."""

    handed_over = False
    cut_off = False
    _in_data = False
    sock: socket.socket | None

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Shut the connection down when the exchange inside lasts ``seconds``: a read under way then ends."""
        timer = threading.Timer(seconds, self._cut)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> tuple[int, bytes]:
        """Connect inside the deadline; smtplib keeps the host for checking its TLS certificate only when given
        to the constructor, which would connect outside it."""
        self._host = host
        return super().connect(host, port, source_address)  # type: ignore[misc]

    def _cut(self) -> None:
        self.cut_off = True
        if self.sock is not None:
            with contextlib.suppress(OSError):  # the plain socket's shutdown, under any TLS layer
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def data(self, msg: Any) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)  # type: ignore[misc]
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:
        super().send(s)  # type: ignore[misc]
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.handed_over = True


class _Smtp(_HandOver, smtplib.SMTP):
    pass


class _SmtpSsl(_HandOver, smtplib.SMTP_SSL):
    pass


def retry_on_transient(task: Any, task_run: Any, state: Any) -> bool:
    """A Prefect ``retry_condition_fn``: retry a send only when its failure may pass.

    ``@task(retries=3, retry_delay_seconds=[2, 5, 15], retry_condition_fn=retry_on_transient)``
    """
    try:
        state.result()
    except TransientDeliveryError:
        return True
    except Exception:
        return False
    return False


def _credentials(smtp: Smtp, env: Mapping[str, str]) -> tuple[str, str] | None:
    """The login, or None for a relay without one; both names must be set or neither."""
    if smtp.username_env is None and smtp.password_env is None:
        return None
    if smtp.username_env is None or smtp.password_env is None:
        missing = "username_env" if smtp.username_env is None else "password_env"
        raise DeliveryError(
            f"delivery.smtp.{missing} is not set while the other credential is: set both names or neither."
        )
    return _secret(smtp.username_env, "username_env", env), _secret(smtp.password_env, "password_env", env)


def _secret(name: str, key: str, env: Mapping[str, str]) -> str:
    value = read_secret(name, f"delivery.smtp.{key}", DeliveryError, env)
    if not value.isascii():
        raise DeliveryError(
            f"The value of '{name}' named by delivery.smtp.{key} has non-ASCII characters, which SMTP AUTH "
            "cannot carry: use an ASCII user name and password."
        )
    return value


def _raise_for_codes(codes: list[int], what: str, fix: str) -> None:
    """4xx codes alone mean "try later"; any other code will not change on a retry."""
    if codes and all(400 <= code < 500 for code in codes):
        raise TransientDeliveryError(f"{what}: the server asks to try again later.") from None
    raise DeliveryError(f"{what}: {fix}.") from None


def _megabytes(message: EmailMessage) -> str:
    return f"{len(message.as_bytes()) / 1024 / 1024:.1f} MB as sent, its attachment encoded"


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{address} ({code} {_text(reply)})" for address, (code, reply) in recipients.items())


def _text(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).strip()
