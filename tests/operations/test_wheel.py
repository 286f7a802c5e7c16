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

import retropack
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
    assert run(installed / "python", "-m", "retropack", "--version").split()[-1] == retropack.__version__


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / ".prefect"), "PYTHONPATH": ""}
    env.pop("PREFECT_API_URL", None)
    return env


def test_init_demo_then_run_writes_the_whole_demo_pack(installed: Path, tmp_path: Path) -> None:
    """A newcomer with only the wheel: `retropack init --demo` writes the demo's config and data, and `run` from
    another folder builds the pack whose numbers are the golden demo's."""
    run(installed / "retropack", "init", "--demo", cwd=tmp_path)
    assert sorted(p.name for p in (tmp_path / "demo-data").iterdir()) == sorted(
        p.name for p in (ROOT / "data" / "demo").iterdir())
    run(installed / "retropack", "run", "--config", "demo.yaml", "--month", "2026-10", "--no-deliver", cwd=tmp_path,
        env=_env(tmp_path))
    folder = tmp_path / "reports" / "demo" / "2026-10"
    assert {p.name for p in folder.iterdir()} == {"retrospective-demo-2026-10.pdf", "retrospective-demo-2026-10.pptx",
                                                 "kpis.json", "actions.json", "diagnosis.json", "manifest.json",
                                                 "rejects", "sends.csv"}
    assert json.loads((folder / "kpis.json").read_text(encoding="utf-8")) == json.loads(
        (ROOT / "tests" / "data" / "demo-2026-10-kpis.json").read_text(encoding="utf-8"))


def test_init_a_client_then_run_names_the_table_to_fill_in(installed: Path, tmp_path: Path) -> None:
    """`retropack init acme` writes a config that loads and header-only tables; a run on them stops with one
    Error: paragraph naming a table to fill in, and writes no pack."""
    run(installed / "retropack", "init", "acme", cwd=tmp_path)
    headers = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "acme-data").glob("*.csv")}
    assert set(headers) == {"leads.csv", "email_sends.csv", "deals.csv"}
    assert headers["deals.csv"].splitlines() == ["deal_id,created_at,amount,stage,closed_at,lead_id,ma_sourced,owner"]
    done = subprocess.run([str(installed / "retropack"), "run", "--config", "acme.yaml", "--no-deliver"],
                          cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert done.returncode != 0
    error = next(line for line in done.stderr.splitlines() if line.startswith("Error: "))
    assert "unexpected" not in error  # a user's problem worded as one, not a bug
    assert any(table in error for table in ("leads", "email_sends", "deals")), error
    assert not (tmp_path / "reports" / "acme").exists() or not any(
        p.is_dir() and p.name[:2] == "20" for p in (tmp_path / "reports" / "acme").iterdir())
