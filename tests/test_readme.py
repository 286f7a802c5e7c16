"""The README's "Where things are" table points at files that exist: a newcomer's map must not lie."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_every_path_in_where_things_are_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    paths = [p for p in re.findall(r"`([^`]+)`", table) if "/" in p.rstrip("/")]
    assert len(paths) > 30
    missing = [p for p in paths if not p.startswith("reports/") and not (ROOT / p).exists()]
    assert missing == []


def test_every_package_folder_is_in_the_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    folders = sorted(p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "retropack").rglob("__init__.py"))
    unlisted = [f for f in folders if f"`{f}/" not in table and f != "retropack"]
    assert unlisted == []
