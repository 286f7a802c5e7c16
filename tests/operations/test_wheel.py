"""The built wheel runs without the checkout: templates, message catalogue and rules travel inside it,
no top-level ``flows`` package is installed, and ``retropack run`` from another folder writes a whole pack.

The wheel goes into a fresh virtual environment. Its dependencies are taken from the project's own
environment (a path appended by a ``.pth`` file, whose own ``.pth`` files — the editable install's
finder among them — are not processed), so the test needs no download and still runs only the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with only the built wheel installed into it; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", work / "dist", ROOT)
    wheel = next((work / "dist").glob("retropack-*.whl"))
    venv.EnvBuilder(with_pip=False).create(work / "env")
    bin_dir = work / "env" / "bin"
    site = Path(run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--no-deps", "--quiet", wheel)
    return bin_dir


def test_the_wheel_carries_its_data_and_no_flows_package(installed: Path) -> None:
    code = ("import importlib.util, retropack, retropack.rules as r;"
            "from importlib.resources import files;"
            "print(retropack.__file__);"
            "print(files('retropack.templates').joinpath('pack.html.j2').is_file(),"
            " files('retropack.present').joinpath('messages.yaml').is_file(), r.bundled_rules_file().is_file(),"
            " importlib.util.find_spec('flows') is None)")
    where, found = run(installed / "python", "-c", code, cwd=installed).splitlines()
    assert where.startswith(str(installed.parent)), where  # the wheel's copy, not the checkout
    assert found == "True True True True"
    run(installed / "python", "-m", "pip", "check")  # the wheel's requirements are met


def test_retropack_run_from_another_folder_writes_a_whole_pack(installed: Path, tmp_path: Path) -> None:
    config = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8")
    (tmp_path / "demo.yaml").write_text(config.replace("../data/demo", str(ROOT / "data" / "demo")), encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / ".prefect"), "PYTHONPATH": ""}
    env.pop("PREFECT_API_URL", None)
    run(installed / "retropack", "run", "--config", "demo.yaml", "--month", "2026-10", "--no-deliver", cwd=tmp_path,
        env=env)
    folder = tmp_path / "reports" / "demo" / "2026-10"
    assert {p.name for p in folder.iterdir()} == {"retrospective-demo-2026-10.pdf", "retrospective-demo-2026-10.pptx",
                                                 "kpis.json", "actions.json", "diagnosis.json", "manifest.json",
                                                 "rejects"}
    assert json.loads((folder / "kpis.json").read_text(encoding="utf-8")) == json.loads(
        (ROOT / "tests" / "data" / "demo-2026-10-kpis.json").read_text(encoding="utf-8"))
