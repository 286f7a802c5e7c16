"""Section 4 worded: each commitment's title, evidence and expected effect in the view's language, with the
month's numbers and the data's own subjects (the companies never followed up, the piece to replace); last
month's commitments a month on; the closing page's decisions and homework.

A rule's wording lives in the rules file (``text.ja`` / ``text.en``) and may quote the fields listed there;
this module fills them in, formatted as the rest of the pack formats them.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from retropack.insights.actions import ActionContext, Commitment, PastAction
from retropack.insights.aim import FACTOR, Driver, KpiEffect
from retropack.insights.subjects import Subjects
from retropack.insights.targets import RAISE_MONTHS, TargetRaise, TargetReview
from retropack.insights.verdict import Verdict
from retropack.kpis.evaluation import KpiResult
from retropack.present.cells import Table
from retropack.present.clean import data_text
from retropack.present.formatting import format_amount, format_change, format_day, format_value, month_label
from retropack.present.messages import Translator
from retropack.present.why import FACTOR_UNITS, group_who
from retropack.rules import ActionRule

__all__ = ["BLANK_ROWS", "CLOSING_ROWS", "COMPANIES_NAMED", "ActionView", "Decisions", "action_views", "closing_tables",
           "previous_table"]

COMPANIES_NAMED = 2  # a title names this many companies, then "ほか N社"
BLANK_ROWS = 2  # empty rows of each closing table, to fill in the meeting ...
CLOSING_ROWS = 14  # ... as long as both tables, blank rows included, still fit the one closing page or slide


@dataclass(frozen=True)
class ActionView:
    number: int
    rule_id: str  # for actions.json and the health check's links; never printed
    title: str
    kpi_id: str
    kpi: str
    owner_id: str  # marketing | sales | joint
    owner: str  # the team, worded
    assignee: str | None
    who: str  # the assignee with the team, or the team with "person to be named"
    due: str  # ISO date, for actions.json
    due_label: str  # 11/9(月)
    expected: str
    evidence: str
    seed: str
    driver: Driver | None = None  # for actions.json: the part of the KPI's change it works on
    kpi_effect: KpiEffect | None = None
    basis: str = ""  # how kpi_effect.to follows from the data, worded
    repeat: int = 1
    escalated: bool = False
    due_note: str | None = None  # the client's own date or forum (action_log), shown instead of the due date


class _Blank(dict):  # leaves unknown {fields} visible instead of failing on a typo in the rules file
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _signal_text(name: str, value: float) -> str:
    if name == "reject_share":
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _companies(subjects: Subjects, tr: Translator) -> str:
    names = [tr("actions.company", name=data_text(ref.company or ref.lead_id)) for ref in subjects.never_followed]
    shown = tr("list.sep").join(names[:COMPANIES_NAMED])
    more = len(names) - COMPANIES_NAMED
    return tr("actions.companies_more", names=shown, count=more) if more > 0 else shown


def _subject_fields(subjects: Subjects, tr: Translator, currency: str) -> dict[str, str]:
    loc = tr.locale
    fields = {"mqls": f"{subjects.mqls:,}", "never_followed_companies": _companies(subjects, tr)}
    if subjects.stale is not None:
        stale = subjects.stale
        fields |= {"stale_title": data_text(stale.title), "stale_metric": tr(stale.metric),
                   "stale_before": format_value(stale.before, "rate", loc),
                   "stale_now": format_value(stale.now, "rate", loc), "stale_months": str(stale.months)}
    if subjects.stalled is not None:
        fields |= {"stalled_amount": format_amount(subjects.stalled.amount, loc, currency),
                   "cycle_days": tr("unit.days", value=f"{subjects.stalled.cycle_days:,.0f}")}
    if subjects.best_segment is not None:
        best = subjects.best_segment
        fields |= {"best_segment": tr.group("segment", best.segment),
                   "best_segment_rate": format_value(best.rate, "rate", loc),
                   "overall_rate": format_value(best.overall, "rate", loc)}
    return fields


def _driver_who(driver: Driver, tr: Translator) -> str:
    return tr(f"factor.{driver.group}") if driver.dimension == FACTOR else group_who(driver.dimension, driver.group, tr)


def _basis(action: Commitment, result: KpiResult, tr: Translator, currency: str) -> str:
    """How the expected figure follows from the data; or why there is none."""
    driver, effect, loc = action.driver, action.effect, tr.locale
    if effect is None or driver is None:
        if not action.rule.moves_kpi:
            return tr("actions.effect.closed", name=result.kpi.name(loc))
        return tr("actions.effect.none")
    who = tr.mid_sentence(_driver_who(driver, tr))
    if effect.basis == "factor_back":
        assert driver.factor is not None
        unit = FACTOR_UNITS[driver.factor.name]
        before = tr("unit.days", value=f"{driver.factor.before:,.1f}") if unit == "days" \
            else format_value(driver.factor.before, unit, loc, currency)
        return tr("actions.effect.factor_back", who=who, before=before)
    assert driver.part is not None
    if effect.basis == "rate_back":
        return tr("actions.effect.rate_back", who=who, metric=tr.mid_sentence(result.kpi.name(loc)),
                  before=format_value(driver.part.before.rate, "rate", loc))
    unit = "count" if result.kpi.unit == "rate" else result.kpi.unit
    return tr("actions.effect.level_back", who=who, before=format_value(driver.part.before.numerator, unit, loc,
                                                                           currency))


def _kpi_fields(result: KpiResult, action: Commitment, tr: Translator, currency: str) -> dict[str, str]:
    unit, loc = result.kpi.unit, tr.locale
    known = [v for _, v in result.history[-12:] if v is not None]
    driver, effect = action.driver, action.effect
    basis = _basis(action, result, tr, currency)
    return {
        "name": result.kpi.name(loc),
        "actual": format_value(result.actual, unit, loc, currency),
        "target": format_value(result.target, unit, loc, currency),
        "previous": format_value(result.previous, unit, loc, currency),
        "change": format_change(result.change, unit, loc, currency),
        "driver": tr("driver.adverse", who=tr.mid_sentence(_driver_who(driver, tr)),
                     effect=format_change(driver.effect, unit, loc, currency)) if driver else tr("driver.none"),
        "driver_group": _driver_who(driver, tr) if driver else tr("actions.driver_all"),
        "kpi_effect": tr("actions.effect.figure", name=result.kpi.name(loc),
                         start=format_value(effect.start, unit, loc, currency),
                         to=format_value(effect.to, unit, loc, currency), basis=basis) if effect else basis,
        "basis": basis,
        "median_12m": format_value(statistics.median(known) if known else None, unit, loc, currency),
    }


def _word(rule: ActionRule, values: Mapping[str, str], locale: str) -> tuple[str, str, str]:
    wording = rule.text[locale]  # type: ignore[index]
    filled = _Blank(values)
    return wording.title.format_map(filled), wording.evidence.format_map(filled), wording.expected.format_map(filled)


def _who(assignee: str | None, team: str, tr: Translator) -> str:
    return tr("actions.who", person=assignee, team=team) if assignee else tr("actions.who_open", team=team)


def action_views(context: ActionContext, sla_days: float, tr: Translator, currency: str) -> list[ActionView]:
    """A month's commitments worded with that month's numbers and subjects."""
    by_id = {r.kpi.id: r for r in context.results}
    common = {"month": month_label(str(context.month), tr.locale), "sla_days": f"{sla_days:g}",
              **{name: _signal_text(name, value) for name, value in context.signals.items()},
              **_subject_fields(context.subjects, tr, currency)}
    views = []
    for number, action in enumerate(context.commitments, start=1):
        rule, result = action.rule, by_id.get(action.kpi_id)
        values = {**common, **(_kpi_fields(result, action, tr, currency) if result else {})}
        title, evidence, expected = _word(rule, values, tr.locale)
        if action.escalated:
            evidence = tr("actions.escalated", evidence=evidence, months=action.repeat)
        team = tr(f"owner.{action.owner}")
        views.append(ActionView(number, rule.id, title, action.kpi_id, tr.kpi_name(action.kpi_id), action.owner, team,
                                action.assignee, _who(action.assignee, team, tr), action.due.isoformat(),
                                action.due_note or format_day(action.due, tr.locale), expected, evidence,
                                tr("actions.seed", seed=rule.seed[tr.locale]) if tr.locale in rule.seed else "",
                                action.driver, action.effect, values.get("basis", ""), action.repeat,
                                action.escalated, action.due_note))
    return views


def previous_table(past: Sequence[PastAction], previous: Sequence[ActionView], tr: Translator, currency: str,
                   verdicts: Mapping[str, Verdict]) -> Table:
    """Last month's commitments: the action, its KPI last month → now (better or worse, as its verdict says), and its
    status. ``previous`` are those commitments worded as last month's pack worded them."""
    header = tuple(tr(f"previous.col.{c}") for c in ("action", "owner", "kpi", "change", "status"))
    rows = []
    for item, view in zip(past, previous, strict=True):
        result = item.result
        change = "—"
        if result is not None and result.previous is not None and result.actual is not None:
            unit, loc = result.kpi.unit, tr.locale
            verdict = verdicts.get(result.kpi.id)
            direction = (verdict.direction if verdict is not None else None) or "steady"
            change = tr("previous.change", before=format_value(result.previous, unit, loc, currency),
                        now=format_value(result.actual, unit, loc, currency), trend=tr(f"trend.{direction}"))
        status = tr(f"previous.status.{item.status or 'none'}")
        if item.note:
            status = tr("previous.status_note", status=status, note=item.note)
        rows.append((view.title, view.assignee or view.owner, view.kpi, change, status))
    note = "" if rows else tr("previous.none")
    return Table(header, tuple(rows), note)


@dataclass(frozen=True)
class Decisions:
    """Every decision the pack asks for elsewhere, gathered for the closing page's decision table."""

    reviews: Sequence[TargetReview] = ()  # targets out of reach
    raises: Sequence[TargetRaise] = ()  # targets beaten 2× three months running
    needed: tuple[str, tuple[str, ...]] = ("", ())  # the next phase and its focus KPIs without a target
    patterns: Sequence[str] = ()  # the health check's raised patterns no action addresses ("decide today")


def _decision_rows(actions: Sequence[ActionView], asked: Decisions, results: Sequence[KpiResult], tr: Translator,
                   currency: str) -> list[str]:
    by_id = {r.kpi.id: r for r in results}
    loc = tr.locale
    rows = [tr("closing.confirm_actions", first=actions[0].number, last=actions[-1].number)] if actions else []
    rows += [tr("closing.escalated", number=a.number, kpi=a.kpi, months=a.repeat) for a in actions if a.escalated]
    for review in asked.reviews:
        kpi = by_id[review.kpi_id].kpi
        rows.append(tr("closing.target_review", name=kpi.name(loc),
                       target=format_value(review.target, kpi.unit, loc, currency)))
    for raise_ in asked.raises:
        kpi = by_id[raise_.kpi_id].kpi
        rows.append(tr("closing.target_raise", name=kpi.name(loc), months=RAISE_MONTHS,
                       target=format_value(raise_.target, kpi.unit, loc, currency), times=f"{raise_.lowest:.1f}"))
    phase, missing = asked.needed
    if missing:
        rows.append(tr("closing.target_needed", phase=tr(f"phase.{phase}"),
                       names=tr("list.sep").join(tr.kpi_name(k) for k in missing)))
    rows += [tr("closing.pattern", pattern=p) for p in asked.patterns]
    return rows


def closing_tables(actions: Sequence[ActionView], asked: Decisions, results: Sequence[KpiResult],
                   tr: Translator, currency: str) -> tuple[Table, Table]:
    """The closing page: what the meeting decides (owners and dates of the actions, escalated actions, targets to
    review, raise or set, the health check's open patterns, the next meeting) and the homework (each action with
    its owner and due date), with blank rows to fill in."""
    decisions = [(row, "", "", "") for row in _decision_rows(actions, asked, results, tr, currency)]
    decisions.append((tr("closing.next_meeting"), "", "", ""))
    homework = [(f"{a.number}. {a.title}", a.assignee or a.owner, a.due_label, "☐") for a in actions]
    blank = max(0, min(BLANK_ROWS, (CLOSING_ROWS - len(decisions) - len(homework)) // 2))
    return (Table(tuple(tr(f"closing.col.{c}") for c in ("topic", "decision", "owner", "due")),
                  tuple(decisions) + (("", "", "", ""),) * blank),
            Table(tuple(tr(f"closing.col.{c}") for c in ("item", "owner", "due", "check")),
                  tuple(homework) + (("", "", "", "☐"),) * blank, tr("closing.note")))
