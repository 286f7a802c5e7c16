"""The README and the architecture page tell the truth: a newcomer's map must not lie, and the README stays a
front page (pitch, the two commands, a quickstart, links) rather than a manual."""

from __future__ import annotations

import re
from pathlib import Path

import retropack
from tests.conftest import ROOT

README = ROOT / "README.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
PACKAGE = Path(retropack.__file__).resolve().parent


def _where(path: str) -> Path:
    """A path as the docs write it: from the repository's root (the package is ``src/retropack/``)."""
    return ROOT / path


def _map_table() -> str:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return text.split("| what | where |", 1)[1]


def test_every_path_on_the_architecture_page_exists() -> None:
    paths = [p for p in re.findall(r"`([^`]+)`", _map_table()) if "/" in p.rstrip("/")]
    assert len(paths) > 30
    missing = [p for p in paths if not p.startswith("reports/") and not _where(p).exists()]
    assert missing == []


def test_every_package_folder_is_on_the_architecture_page() -> None:
    table = _map_table()
    folders = sorted(p.parent.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("__init__.py"))
    unlisted = [f for f in folders if f"`{f}/" not in table and f != "src/retropack"]
    assert unlisted == []


def test_the_readme_is_a_front_page() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 10 * 1024
    first_block = text.split("```bash", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "demo"], ["make", "test"]]
    assert "## Quickstart" in text and "retropack init" in text
    assert "§" not in text  # the data contract is not in the repository: the docs say it instead


def test_every_link_and_picture_of_the_readme_exists() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)\)", text)
    assert {"docs/img/page.png", "docs/img/slide.png", "CHANGELOG.md", "docs/configuration.md"} <= set(targets)
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert missing == []
    for picture in ("docs/img/page.png", "docs/img/slide.png"):
        data = (ROOT / picture).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) < 150 * 1024  # small: the repository keeps every version


def test_every_make_target_the_readme_names_exists() -> None:
    targets = set(re.findall(r"`make ([a-z-]+)`", README.read_text(encoding="utf-8")))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    missing = [t for t in targets if not re.search(rf"^{t}:", makefile, re.M)]
    assert targets >= {"demo", "test", "docs", "test-fast"} and missing == []
