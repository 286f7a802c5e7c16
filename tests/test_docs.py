"""The generated pages of the docs (data format, configuration reference, JSON Schema) are what the code says
today: a column or key added to the code without `make docs` fails here."""

from __future__ import annotations

import json

import yaml

from docs.gen import DOCS, SCHEMA, pages
from retropack.config import Settings
from retropack.load.tables import TABLES
from tests.conftest import ROOT


def test_the_generated_pages_match_the_code() -> None:
    stale = [name for name, text in pages().items() if (DOCS / name).read_text(encoding="utf-8") != text]
    assert stale == [], "run `python docs/gen.py` (or `make docs`) and commit the pages"


def test_the_data_format_names_every_table_and_column() -> None:
    page = pages()["data-format.md"]
    for table in TABLES.values():
        assert f"## `{table.name}`" in page
        for column in table.columns:
            assert f"| `{column.name}` |" in page
    assert "| `deal_id` | id | required | no |" in page
    assert "`missing_closed_at`" in page  # a deals rule (closed_before_created is kept now: contract §1)


def test_the_configuration_reference_names_every_key_of_the_demo() -> None:
    """Each key the demo config sets, at any depth, has its row in the section of its block."""
    page = pages()["configuration.md"]
    demo = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))

    def blocks(raw: dict, path: str) -> list[tuple[str, str]]:
        found = []
        for key, value in raw.items():
            found.append((path, key))
            if isinstance(value, dict) and key not in {"default", "launch", "growth", "optimization", "maturity",
                                                         "cadence", "labels", "columns", "values", "roles"}:
                found += blocks(value, f"{path}.{key}" if path else key)
        return found

    for path, key in blocks(demo, ""):
        section = page.split(f"## `{path}`\n" if path else "## The top level\n", 1)[1].split("\n## ", 1)[0]
        assert f"| `{key}` |" in section, (path, key)


def test_the_schema_refuses_what_the_settings_refuse() -> None:
    schema = json.loads(pages()[SCHEMA])
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"program", "data"}
    assert "config_file" not in schema["properties"]  # set by the program, not a key of the file
    assert set(schema["properties"]) == {n for n, f in Settings.model_fields.items() if not f.exclude}
    smtp = schema["$defs"]["Smtp"]["properties"]
    assert smtp["security"]["enum"] == ["starttls", "ssl", "none"]
    assert schema["$defs"]["Delivery"]["properties"]["from"]  # the YAML key, not the Python name from_


def test_the_demo_configs_point_editors_at_the_schema() -> None:
    for name in ("demo.yaml", "demo-en.yaml"):
        first = (ROOT / "config" / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../docs/{SCHEMA}"
