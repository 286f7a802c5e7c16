"""The demo program: its generated dataset and its config, for `retropack init --demo` and `retropack demo`.

``generate`` writes the dataset (``data/demo/`` of the repository is its output with the defaults);
``write_demo`` writes a config and its data folder where a newcomer starts, so the demo pack can be
built from an installed retropack, without the repository.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from retropack.demo.generator import Program, generate
from retropack.errors import ConfigError

__all__ = ["DEMO_CONFIG", "Program", "generate", "write_demo"]

DEMO_CONFIG = "demo.yaml"  # the packaged config; its data.path is demo-data/ beside it


def write_demo(folder: Path) -> list[Path]:
    """Write ``<folder>/demo.yaml`` and ``<folder>/demo-data/``; nothing that exists is overwritten."""
    config, data = folder / DEMO_CONFIG, folder / "demo-data"
    taken = [str(p) for p in (config, data) if p.exists()]
    if taken:
        raise ConfigError(f"{' and '.join(taken)} exist{'s' if len(taken) == 1 else ''} already: retropack "
                          "init --demo writes the demo only where it is not yet: choose another --dir, or remove "
                          "them first.")
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(files(__package__).joinpath(DEMO_CONFIG).read_text(encoding="utf-8"), encoding="utf-8")
    generate(data)
    return [config, *sorted(data.iterdir())]
