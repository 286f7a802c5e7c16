"""A client id names the client's folders and files as written, and reaches Prefect only as a slug (issue 12,
item 1): Prefect takes any id's slug; two ids never share one; an id no folder can have is refused when the
config is read, naming the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from prefect.types.names import ArtifactKey, Name
from pydantic import TypeAdapter

from retropack.cli import main
from retropack.config import load_settings, slug
from retropack.errors import ConfigError

IDS = ["demo", "demo-en", "株式会社ABC", "株式会社ＡＢＣ", "株式会社", "Acme_Corp", "acme-corp", "acme corp", "Acme Corp",
       "acme.corp", "ACME", "acme", "営業部\u3000東京", "naïve", "a--b", "-x-", "x" * 100]


def config(tmp_path: Path, client: str) -> Path:
    path = tmp_path / "client.yaml"
    path.write_text(f"client: {client}\nprogram:\n  name: Acme\n  start_month: 2025-06\ndata:\n  path: data\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("client", IDS)
def test_any_ids_slug_is_a_valid_prefect_artifact_key_and_deployment_name(client: str) -> None:
    key = f"retropack-{slug(client)}-2026-10-kpis"
    assert TypeAdapter(ArtifactKey).validate_python(key) == key
    name = f"monthly-retrospective-{slug(client)}"
    assert TypeAdapter(Name).validate_python(name) == name


def test_two_ids_never_share_a_slug_and_a_plain_id_keeps_its_own() -> None:
    assert len({slug(client) for client in IDS}) == len(IDS)
    assert slug("demo") == "demo" and slug("demo-en") == "demo-en"  # existing deployments keep their names
    assert slug("株式会社ABC") == slug("株式会社ABC") and slug("株式会社ABC").startswith("abc-")  # stable


@pytest.mark.parametrize("client", ["株式会社ABC", "acme corp", "Acme_Corp.jp", "x" * 100, "あ" * 66])
def test_ids_a_folder_can_have_are_kept_as_written(tmp_path: Path, client: str) -> None:
    assert load_settings(config(tmp_path, f'"{client}"')).client == client


@pytest.mark.parametrize(("client", "why"), [
    ('"' + "x" * 101 + '"', r"101 characters \(101 bytes in UTF-8\) long.*at most 100 characters and 200 bytes"),
    ('"' + "あ" * 67 + '"', r"67 characters \(201 bytes in UTF-8\)"),
    ('"acme\\0corp"', r"control character U\+0000"),
    ('"acme\\ncorp"', r"control character U\+000A"),
    ('"acme\\tcorp"', r"control character U\+0009"),
    ("a/b", r"holds '/' or '\\'"),
    ('"a\\\\b"', r"holds '/' or '\\'"),
    (".hidden", r"starts with '\.'"),
    ('".."', r"starts with '\.'"),
    ('" "', r"is empty"),
])
def test_an_id_no_folder_can_have_is_refused_with_the_key_and_the_fix(tmp_path: Path, client: str, why: str) -> None:
    with pytest.raises(ConfigError, match=rf"key 'client': the client id .*{why}.*Fix the key in the file"):
        load_settings(config(tmp_path, client))


def test_the_command_refuses_it_in_one_paragraph_before_writing_anything(prefect_server, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--config", str(config(tmp_path, '"' + "x" * 300 + '"')), "--month",
                                       "2026-10", "--no-deliver", "--out", str(tmp_path / "reports")])
    assert result.exit_code == 1
    *before, last = result.output.splitlines()  # (Prefect's own "Beginning flow run" line may come first)
    assert last.startswith("Error: Config file") and "key 'client'" in last, result.output
    assert "Traceback" not in result.output and not [line for line in before if "client" in line]
    assert not (tmp_path / "reports").exists()
