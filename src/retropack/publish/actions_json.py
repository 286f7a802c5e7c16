"""``actions.json`` beside ``kpis.json`` (contract §9): the 3–5 actions the meeting commits to, in the pack's
language, and last month's with how their KPI moved since and the status the team recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from retropack.insights.actions import PastAction
from retropack.present.actions import ActionView

__all__ = ["actions_document"]


def _action(view: ActionView) -> dict[str, Any]:
    """Section 9's fields and section 10's: the driver it works on, the KPI it can bring and how, its repeats."""
    driver = None if view.driver is None else {"dimension": view.driver.dimension, "group": view.driver.group,
                                               "effect": view.driver.effect}
    effect = None if view.kpi_effect is None else {"from": view.kpi_effect.start, "to": view.kpi_effect.to,
                                                   "basis": view.basis}
    return {"id": view.rule_id, "title": view.title, "kpi": view.kpi_id, "owner": view.owner_id,
            "assignee": view.assignee, "due": view.due, "due_note": view.due_note, "expected": view.expected,
            "evidence": view.evidence, "driver": driver, "kpi_effect": effect, "repeat": view.repeat,
            "escalated": view.escalated}


def _previous(view: ActionView, past: PastAction) -> dict[str, Any]:
    result = past.result
    change = None if result is None else result.change
    return {"id": view.rule_id, "title": view.title, "kpi": view.kpi_id, "owner": view.owner_id,
            "assignee": view.assignee, "due": view.due, "kpi_change": change, "status": past.status,
            "note": past.note}


def actions_document(client: str, month: str, actions: Sequence[ActionView], previous: Sequence[ActionView],
                     past: Sequence[PastAction]) -> dict[str, Any]:
    """``previous`` are last month's actions worded as last month's pack worded them; ``past`` the same a month on."""
    return {"client": client, "month": month, "actions": [_action(a) for a in actions],
            "previous": [_previous(view, item) for view, item in zip(previous, past, strict=True)]}
