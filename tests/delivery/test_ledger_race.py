"""Two processes mailing the same pack at once, outside Prefect (issue 12, item 3): the ledger is held from reading
to writing, so the manager gets one mail and the ledger one entry; the second process finds it and skips."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from retropack.delivery import deliver, ledger_file
from tests.delivery.test_delivery import PDF, Recorder, free_port, make_delivery, make_summary


class SlowRelay(Recorder):
    """A relay that takes a moment to accept a mail, as a real one over the internet does: long enough for a
    second run to read the ledger while the first one's mail is still on its way."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


def deliver_when_released(start: Any, results: Any, pdf: Path, port: int, ledger: Path) -> None:
    """One run's delivery, started at the same moment as the other's."""
    summary, delivery = make_summary(pdf), make_delivery(port)
    start.wait()
    results.put(deliver(summary, delivery, ledger).action)


def test_two_processes_delivering_the_same_pack_at_once_mail_it_once(tmp_path: Path) -> None:
    pdf = tmp_path / "reports" / "default" / "2026-04" / "retrospective-default-2026-04.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(PDF)
    relay, port = SlowRelay(), free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    ledger = ledger_file(tmp_path / "reports", "default")
    runs = [context.Process(target=deliver_when_released, args=(start, results, pdf, port, ledger)) for _ in range(2)]
    try:
        for run in runs:
            run.start()
        actions = sorted(results.get(timeout=120) for _ in runs)
        for run in runs:
            run.join(timeout=30)
    finally:
        controller.stop()

    assert actions == ["send", "skip"]
    assert len(relay.envelopes) == 1
    entries = json.loads(ledger.read_text(encoding="utf-8"))["entries"]
    assert [(entry["month"], entry["revision"]) for entry in entries] == [("2026-04", 0)]
