"""Where a reader finds a pack or a run's log: under ``delivery.links_base`` when it is set, else its path.

An address is only ever built from ``links_base``, which names where readers reach the reports root
(a file share or a web server), so a mail never carries a link that dies with the run (a temporary
API's random port) or that only the server itself can open (127.0.0.1).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["location"]


def location(path: Path, reports_root: Path, links_base: str | None) -> str:
    """``links_base`` joined with ``path``'s place under the reports root, or ``path`` itself without a base."""
    path = Path(path).resolve()
    if links_base is None:
        return str(path)
    parts = path.relative_to(Path(reports_root).resolve()).parts
    separator = "\\" if "\\" in links_base and "/" not in links_base else "/"  # a Windows share: \\server\share
    return separator.join([links_base, *parts])
