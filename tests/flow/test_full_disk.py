"""A full disk while the pack is written: one error naming the folder and the space to free, no flood of logging
tracebacks, no 'this is a bug'."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from retropack.config import load_config
from retropack.errors import RenderError
from retropack.flow import steps
from retropack.flow.monthly_retrospective import _written_to
from retropack.months import Month
from tests.conftest import DEMO_CONFIG

DEV_FULL = Path("/dev/full")  # Linux: every write fails with ENOSPC, as on a full disk


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs Linux's /dev/full")
def test_a_run_log_on_a_full_disk_stops_quietly(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """logging printed '--- Logging error ---' and a traceback for each line it could not write: 8,355 lines."""
    log = tmp_path / "logs" / "2026-10.log"
    log.parent.mkdir()
    log.symlink_to(DEV_FULL)
    logger = logging.getLogger("retropack.test-full-disk")
    logger.setLevel(logging.INFO)
    with _written_to(log):
        for line in range(50):
            logger.info("line %d of a run", line)
    captured = capfd.readouterr()
    assert "Logging error" not in captured.err and "Traceback" not in captured.err


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB file system of its own, filled but for 100 KB: the demo pack (about 0.9 MB) cannot fit."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        (mount / "filler").write_bytes(b"\0" * (1024 * 1024 - 100_000))
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_one_error_naming_the_folder_and_the_space_to_free(full_disk: Path) -> None:
    config = load_config(DEMO_CONFIG)
    dataset = steps.load(config.settings)
    analysis = steps.compute(dataset, config, Month.parse("2026-10"))
    generated = steps.now_in(config.settings)
    view = steps.view(analysis, dataset, config, "test", generated)
    reports = full_disk / "reports"
    with pytest.raises(RenderError) as caught:
        steps.render_and_publish(view, analysis, dataset, config.settings, reports, "test", generated)
    message = str(caught.value)
    assert message.startswith(f"The pack for '{reports / 'demo' / '2026-10'}' could not be written: the disk holding "
                              f"'{reports / 'demo'}' is full (")
    assert "MB free); a pack of this client takes at least 2.0 MB, so free that much there" in message
    assert ".staging" not in message
    assert [p.name for p in (reports / "demo").iterdir()] == []  # the staging folder is gone
