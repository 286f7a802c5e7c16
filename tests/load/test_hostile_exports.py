"""Hostile exports and footer patterns: nothing a file or a pattern holds makes a run hang, run out of memory, or
show what lies outside the dataset folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from retropack.config import load_config
from retropack.errors import ConfigError
from retropack.load._export import drop_footer
from retropack.load._reading import RawTable

SENDS_HEADER = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\n"


def client(folder: Path, data: dict) -> Path:
    config = {"client": "hostile", "program": {"name": "Hostile", "start_month": "2025-06", "timezone": "UTC"},
              "data": {"path": "exports", **data}}
    path = folder / "client.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


# --- footer patterns run in RE2 ---------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [r"(?=a)(a+)+$", r"^(?!Total).*$", r"(?<=x)y", r"(a)\1"])
def test_a_footer_pattern_that_needs_backtracking_is_refused_naming_the_key(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(ConfigError, match=r"data\.footer.*cannot be used .*footer patterns run in RE2, which never "
                                          r"backtracks"):
        load_config(client(tmp_path, {"footer": ["^Total", pattern]}))


def test_a_nested_quantifier_meets_a_hostile_cell_and_still_drops_the_footer() -> None:
    """``(a+)+$`` against 'aaa…!' takes exponential time in a backtracking engine; RE2 answers at once."""
    cells = pd.DataFrame({"lead_id": ["1", "2", "a" * 5000 + "!", "Total aaaa"], "created_at": ["x", "y", "z", ""]},
                         index=pd.RangeIndex(2, 6, name="row"))
    raw = RawTable("leads", Path("leads.csv"), "utf-8", cells, {"lead_id": "lead_id", "created_at": "created_at"})
    kept, [finding] = drop_footer(raw, [r"^Total (a+)+$"])
    assert kept.frame["lead_id"].tolist() == ["1", "2", "a" * 5000 + "!"] and finding.count == 1
