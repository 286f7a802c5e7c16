"""Client folders for the operations tests: copies of the demo program under names of their own, so tests
sharing one Prefect server never share a deployment."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT


def client_folder(root: Path, clients: dict[str, str]) -> Path:
    """``root/clients/<name>.yaml`` for each client (the demo's config, renamed, with the YAML in ``clients``
    appended) beside one copy of the demo's data in ``root/data``."""
    if not (root / "data").exists():
        shutil.copytree(ROOT / "data" / "demo", root / "data")
    folder = root / "clients"
    folder.mkdir(exist_ok=True)
    demo = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo", "../data")
    for name, extra in clients.items():
        (folder / f"{name}.yaml").write_text(demo.replace("client: demo", f"client: {name}") + extra, encoding="utf-8")
    return folder
