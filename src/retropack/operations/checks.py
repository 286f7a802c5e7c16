"""``retropack check``: what would stop a month's run, found before its scheduled time.

Each check names what it looked at and, when it fails, how to fix it: the configs read (and no two naming one
client), the variables they name set in this environment, the SMTP server reached and the login taken (no mail is
sent), the webhook's address usable, and the PDF stack (WeasyPrint's Pango) with a font that has Japanese glyphs.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import ssl
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from retropack._secrets import read_secret
from retropack.config import Settings, Smtp
from retropack.errors import RetropackError

__all__ = ["Check", "run_checks"]


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    detail: str


def run_checks(configs: list[Path], *, env: Mapping[str, str] = os.environ) -> list[Check]:
    """Every check, each config's in turn, then the machine's."""
    from retropack.operations.deployments import one_config_per_client

    results: list[Check] = []
    try:
        clients = one_config_per_client(configs, None, require_id=False)
    except RetropackError as exc:
        return [Check("configs", False, str(exc))]
    results.append(Check("configs", True, f"{len(clients)} read, one per client id"))
    for _, settings in clients:
        results += list(_client_checks(settings, env))
    results.append(_pdf_stack())
    return results


def _client_checks(settings: Settings, env: Mapping[str, str]) -> Iterator[Check]:
    client = settings.client
    if settings.source.kind == "hubspot":
        yield _secret(client, settings.source.token_env, "source.token_env", env)
    if settings.delivery is not None:
        yield _smtp(client, settings.delivery.smtp, env)
    if settings.alerts is not None:
        yield _webhook(client, settings.alerts.webhook_url_env, env)


def _secret(client: str, name: str, key: str, env: Mapping[str, str]) -> Check:
    try:
        read_secret(name, key, RetropackError, env)
    except RetropackError as exc:
        return Check(f"{client}: {key}", False, str(exc))
    return Check(f"{client}: {key}", True, f"'{name}' is set")


def _smtp(client: str, smtp: Smtp, env: Mapping[str, str]) -> Check:
    """Connect, say EHLO, start TLS as configured and log in: everything a send does but the mail."""
    what = f"{client}: SMTP {smtp.host}:{smtp.port}"
    try:
        login = None
        if smtp.username_env and smtp.password_env:
            login = (read_secret(smtp.username_env, "delivery.smtp.username_env", RetropackError, env),
                     read_secret(smtp.password_env, "delivery.smtp.password_env", RetropackError, env))
        context = ssl.create_default_context()
        server = (smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
                  if smtp.security == "ssl" else smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds))
        with server:
            server.ehlo()
            if smtp.security == "starttls":
                server.starttls(context=context)
            if login:
                server.login(*login)
    except RetropackError as exc:
        return Check(what, False, str(exc))
    except smtplib.SMTPAuthenticationError as exc:
        return Check(what, False, f"login refused ({exc.smtp_code}): check '{smtp.username_env}' and "
                                  f"'{smtp.password_env}'")
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        return Check(what, False, f"{type(exc).__name__}: {exc}; check delivery.smtp (host, port, security)")
    return Check(what, True, "reached" + (", login accepted" if login else " (no login configured)"))


def _webhook(client: str, name: str, env: Mapping[str, str]) -> Check:
    """The webhook's variable is set to an http(s) address (nothing is posted: a chat channel would see it)."""
    what = f"{client}: alerts webhook"
    try:
        url = read_secret(name, "alerts.webhook_url_env", RetropackError, env)
        host = httpx.URL(url).host
    except (RetropackError, httpx.InvalidURL) as exc:
        return Check(what, False, str(exc))
    if not host or not url.startswith(("https://", "http://")):
        return Check(what, False, f"'{name}' does not hold an http(s) URL: set it to the incoming webhook's address")
    return Check(what, True, f"'{name}' names a webhook at {host}")


def _pdf_stack() -> Check:
    """WeasyPrint loads (it needs Pango) and fontconfig knows a font with Japanese glyphs."""
    try:
        import weasyprint
    except OSError as exc:
        return Check("PDF: WeasyPrint and Pango", False, f"{exc}: install Pango (Debian: libpango-1.0-0)")
    fc_list = shutil.which("fc-list")
    fonts = subprocess.run([fc_list, ":lang=ja", "family"], capture_output=True, text=True,
                           check=False).stdout.split("\n") if fc_list else []
    fonts = sorted({line.split(",")[0] for line in fonts if line.strip()})
    if not fonts:
        return Check("PDF: fonts", False, "no font with Japanese glyphs: install one (Debian: fonts-noto-cjk)")
    return Check("PDF: WeasyPrint, Pango and fonts", True,
                 f"WeasyPrint {weasyprint.__version__}; Japanese fonts: {', '.join(fonts[:3])}")
