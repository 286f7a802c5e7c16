"""``kpis.json``: the evaluated KPIs for machines (contract §4)."""

from __future__ import annotations

from typing import Any

from retropack.kpis.evaluation import KpiResult
from retropack.kpis.phases import Phase

__all__ = ["kpis_document"]


def _number(value: float | None, unit: str) -> int | float | None:
    if value is None:
        return None
    return int(round(value)) if unit == "count" else round(float(value), 6)


def kpis_document(client: str, month: str, phase: Phase, results: list[KpiResult]) -> dict[str, Any]:
    """The contract's ``kpis.json``; ``name`` and ``unit`` are additions for readers of the file."""
    return {
        "client": client,
        "month": month,
        "phase": {"id": phase.id, "month_index": phase.month_index},
        "kpis": [
            {
                "id": r.kpi.id,
                "actual": _number(r.actual, r.kpi.unit),
                "target": _number(r.target, r.kpi.unit),
                "status": r.status,
                "better": r.kpi.better,
                "focus": r.focus,
                "owner": r.kpi.owner,
                "previous": _number(r.previous, r.kpi.unit),
                "change": _number(r.change, r.kpi.unit),
                "name": {"ja": r.kpi.name_ja, "en": r.kpi.name_en},
                "unit": r.kpi.unit,
            }
            for r in results
        ],
    }
