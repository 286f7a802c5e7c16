"""``kpis.json``: the evaluated KPIs for machines (contract §4), each with the exact explanation of its
change (contract §8), and the month's insights. Numbers are written unrounded; counts as whole numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from retropack.insights.findings import Finding
from retropack.insights.patterns import Insight
from retropack.insights.verdict import Verdict
from retropack.kpis.evaluation import KpiResult
from retropack.kpis.explain import Breakdown, Explanation, Side
from retropack.kpis.phases import Phase

__all__ = ["kpis_document"]


def _number(value: float | None, unit: str) -> int | float | None:
    if value is None:
        return None
    return int(round(value)) if unit == "count" else float(value)


def _side(side: Side) -> dict[str, Any]:
    """A rate's side is its numerator and denominator; a count's or sum's also says how many rows it rests on."""
    if side.denominator is not None:
        return {"numerator": side.numerator, "denominator": side.denominator}
    return {"numerator": side.numerator, "denominator": None, "rows": side.rows}


def _breakdowns(by: tuple[Breakdown, ...]) -> list[dict[str, Any]]:
    return [{"dimension": b.dimension,
             "parts": [{"group": p.group, "effect": p.effect, "mix": p.mix, "rate": p.rate, "now": _side(p.now),
                        "before": _side(p.before), "significant": p.significant, "small": p.small}
                       for p in b.parts]} for b in by]


def _explanation(explanation: Explanation | None) -> dict[str, Any] | None:
    if explanation is None:
        return None
    factors = None if explanation.factors is None else [
        {"name": f.name, "exponent": f.exponent, "before": f.before, "now": f.now, "effect": f.effect,
         "by": _breakdowns(f.by)} for f in explanation.factors]
    return {"by": _breakdowns(explanation.by), "factors": factors}


def _verdict(verdict: Verdict | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    written: dict[str, Any] = {"bucket": verdict.bucket, "reasons": list(verdict.reasons),
                               "reliable": verdict.reliable}
    if verdict.few_events:
        written["trailing_3m"] = verdict.trailing
    if verdict.findings:
        written["findings"] = list(verdict.findings)
    return written


def _finding(finding: Finding) -> dict[str, Any]:
    return {"id": finding.id, "table": finding.table, "rows": finding.rows, "share": finding.share,
            "kpis": list(finding.kpis), "detail": finding.detail}


def kpis_document(client: str, month: str, phase: Phase, results: list[KpiResult],
                  insights: list[Insight] | None = None, verdicts: Mapping[str, Verdict] | None = None,
                  findings: Sequence[Finding] = ()) -> dict[str, Any]:
    """The contract's ``kpis.json`` with each KPI's ``verdict`` and the month's ``findings`` (§10); ``name``,
    ``unit`` and ``insights`` are additions for readers of the file."""
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
                "explanation": _explanation(r.explanation),
                "verdict": _verdict((verdicts or {}).get(r.kpi.id)),
            }
            for r in results
        ],
        "insights": [{"type": i.type, "kpi": i.kpi_id, "evidence": i.evidence, "rules": list(i.rules)}
                     for i in insights or []],
        "findings": [_finding(f) for f in findings],
    }
