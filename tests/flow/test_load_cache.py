"""A program's tables are read once while its files stay the same (a backfill reads them once, not once a month),
and nothing downstream of loading changes the dataset that is kept."""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from retropack.cli import main
from retropack.config import load_config
from retropack.flow import steps
from retropack.load import Dataset
from retropack.months import Month
from tests.conftest import DEMO_CONFIG, ROOT


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The folders ``load_dataset`` reads, from a fresh cache on."""
    steps.forget_loaded()
    folders: list[Path] = []
    original = steps.load_dataset

    def counted(folder: Path, **options: object) -> Dataset:
        folders.append(Path(folder))
        return original(folder, **options)

    monkeypatch.setattr(steps, "load_dataset", counted)
    yield folders
    steps.forget_loaded()


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data")
    return tmp_path / "data"


def test_a_second_load_reads_no_file_again(reads: list[Path], data: Path) -> None:
    settings = load_config(DEMO_CONFIG, data=data).settings
    first, second = steps.load(settings), steps.load(settings)
    assert reads == [data]
    assert second.tables["leads"] is first.tables["leads"]  # the same frames, handed out again
    assert second.tables is not first.tables and second.findings is not first.findings
    first.findings.append("a caller's own note")  # a caller adding to its copy leaves the kept dataset alone
    assert "a caller's own note" not in steps.load(settings).findings


def test_a_changed_file_a_new_file_or_another_setting_is_read_again(reads: list[Path], data: Path) -> None:
    settings = load_config(DEMO_CONFIG, data=data).settings
    before = len(steps.load(settings).tables["leads"])
    with (data / "leads.csv").open("a", encoding="utf-8") as leads:
        leads.write("L-NEW,2026-10-05T10:00:00+09:00,organic,smb,new@example.jp,New Co,10,,,,,\n")
    assert len(steps.load(settings).tables["leads"]) == before + 1
    (data / "spend.csv").rename(data / "spend.bak")
    assert not steps.load(settings).has_table("spend")
    (data / "spend.bak").rename(data / "spend.csv")
    os.utime(data / "spend.csv", ns=(0, 0))  # back, with another modification time
    assert steps.load(settings).has_table("spend")
    assert len(reads) == 4
    in_utc = load_config(DEMO_CONFIG, data=data).settings.model_copy(
        update={"program": settings.program.model_copy(update={"timezone": "UTC"})})
    assert str(steps.load(in_utc).tables["leads"]["created_at"].dt.tz) == "UTC"
    assert len(reads) == 5


def assert_unchanged(dataset: Dataset, before: Dataset) -> None:
    assert dataset.tables.keys() == before.tables.keys()
    for name, frame in dataset.tables.items():
        pd.testing.assert_frame_equal(frame, before.tables[name])
    for name, quality in dataset.quality.items():
        was = before.quality[name]
        assert (quality.rows_read, quality.reasons, quality.file, quality.encoding) == \
            (was.rows_read, was.reasons, was.file, was.encoding)
        if quality.rejects is not None:
            pd.testing.assert_frame_equal(quality.rejects, was.rejects)
    assert (dataset.columns, dataset.findings, dataset.files) == (before.columns, before.findings, before.files)


def test_nothing_downstream_changes_the_dataset(reads: list[Path], tmp_path: Path) -> None:
    """Every step after loading, in both languages and with the scoring review, leaves the kept dataset as read."""
    config = load_config(DEMO_CONFIG)
    dataset = steps.load(config.settings)
    before = copy.deepcopy(dataset)
    generated = steps.now_in(config.settings)
    for month, locale in (("2026-10", None), ("2026-03", "en")):
        analysis = steps.compute(dataset, config, Month.parse(month), scoring_review=True)
        view = steps.view(analysis, dataset, config, "test", generated, locale=locale)
        steps.render_and_publish(view, analysis, dataset, config.settings, tmp_path / month, "test", generated)
    assert_unchanged(dataset, before)
    assert_unchanged(steps.load(config.settings), before)
    assert len(reads) == 1


def test_a_backfill_reads_the_program_once(prefect_server, reads: list[Path], data: Path, tmp_path: Path) -> None:
    config = tmp_path / "demo.yaml"
    config.write_text(DEMO_CONFIG.read_text(encoding="utf-8").replace("path: ../data/demo", f"path: {data}"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["backfill", "--config", str(config), "--from", "2026-09", "--to", "2026-10",
                                       "--out", str(tmp_path / "reports")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "reports" / "demo").iterdir() if p.name.startswith("2026")) == \
        ["2026-09", "2026-10"]
    assert reads == [data]
