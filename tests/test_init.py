"""`retropack init`: a new client's config names every key the settings have and loads as written; its data folder
holds each table's header; `init --demo` writes the repository's demo config and data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from retropack.cli import main
from retropack.config import Settings, load_settings
from retropack.load.tables import TABLES
from retropack.operations.new_client import SCHEMA_FILE, write_new_client
from retropack.operations.settings_reference import sections
from tests.conftest import ROOT


def test_the_new_config_names_every_key_and_loads_with_the_defaults(tmp_path: Path) -> None:
    write_new_client("acme", tmp_path, today=date(2026, 12, 3))
    text = (tmp_path / "acme.yaml").read_text(encoding="utf-8")
    written = {m.group(1) for m in re.finditer(r"^(?:# )?\s*([\w-]+):", text, re.M)}
    every = {key.name for section in sections() for key in section.keys}
    assert every - written == set()
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert (tmp_path / SCHEMA_FILE).is_file()
    loaded = load_settings(tmp_path / "acme.yaml")
    assert (loaded.client, loaded.program.name, loaded.program.start_month) == ("acme", "acme", "2026-11")
    assert loaded.data.path == (tmp_path / "acme-data").resolve()
    minimal = tmp_path / "minimal.yaml"  # only what must be said: everything else is the models' default
    minimal.write_text("client: acme\nprogram: {name: acme, start_month: 2026-11}\ndata: {path: acme-data}\n",
                       encoding="utf-8")
    assert loaded.model_dump(exclude={"config_file"}) == load_settings(minimal).model_dump(exclude={"config_file"})
    assert (loaded.team, loaded.schedule, loaded.delivery, loaded.alerts) == (None, None, None, None)


def test_an_optional_block_uncommented_and_filled_in_loads(tmp_path: Path) -> None:
    """The commented blocks are valid YAML of the right shape: remove '# ', fill the <fill in> values, and it loads."""
    write_new_client("acme", tmp_path)
    lines = (tmp_path / "acme.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index(next(line for line in lines if line.startswith("# delivery:")))
    block = [line[2:] for line in lines[start:] if line.startswith("# ")]
    block = block[:next(i for i, line in enumerate(block[1:], 1) if not line.startswith(" "))]
    filled = "\n".join(block).replace("from: <fill in>", "from: reports@example.com").replace(
        "to: <fill in>", "to: [manager@example.com]").replace("host: <fill in>", "host: smtp.example.com")
    raw = yaml.safe_load((tmp_path / "acme.yaml").read_text(encoding="utf-8"))
    raw.update(yaml.safe_load(filled))
    settings = Settings.model_validate(raw)
    assert settings.delivery is not None and settings.delivery.smtp.port == 587


def test_the_data_folder_holds_each_tables_header(tmp_path: Path) -> None:
    write_new_client("acme", tmp_path)
    for table in TABLES.values():
        path = tmp_path / "acme-data" / ("" if table.required else "optional") / f"{table.name}.csv"
        assert path.read_text(encoding="utf-8") == ",".join(c.name for c in table.columns) + "\n"


@pytest.mark.parametrize("name", ["", "../acme", ".acme", "a b", "x" * 65])
def test_a_name_that_cannot_name_files_is_refused(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["init", name, "--dir", str(tmp_path)])
    assert result.exit_code == 1 and result.output.startswith("Error: '")
    assert list(tmp_path.iterdir()) == []


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "acme", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert (tmp_path / "acme.yaml").read_text(encoding="utf-8") == "mine\n"
    assert CliRunner().invoke(main, ["init", "--dir", str(tmp_path)]).exit_code == 2  # neither NAME nor --demo


def test_init_demo_writes_the_repositorys_demo(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", "--demo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for table in (ROOT / "data" / "demo").iterdir():
        assert (tmp_path / "demo-data" / table.name).read_bytes() == table.read_bytes(), table.name
    ours, repository = load_settings(tmp_path / "demo.yaml"), load_settings(ROOT / "config" / "demo.yaml")
    assert ours.data.path == (tmp_path / "demo-data").resolve()
    skip = {"data", "config_file", "advice"}
    assert ours.model_dump(exclude=skip) == repository.model_dump(exclude=skip)
    assert CliRunner().invoke(main, ["init", "--demo", "--dir", str(tmp_path)]).exit_code == 1  # no overwrite


def test_retropack_demo_regenerates_the_dataset(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path), "--months", "3", "--scale", "0.2"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {f"{t}.csv" for t in TABLES if t != "email_events"}
