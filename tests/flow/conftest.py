"""Fixtures of the flow tests: an SMTP server (aiosmtpd) on a free port that keeps what it accepts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.flow.test_delivery_flow import Mailbox, free_port


@pytest.fixture()
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()
