"""The view model both documents lay out: every number formatted, every word in the view's language.

``build_view`` is the last place a decision is taken; templates and slide code only place these
values, in the view's locale (``words``) and the program's currency (chart axes carry theirs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from retropack.config import Config
from retropack.insights.analysis import Analysis
from retropack.insights.content_plan import ContentPlan
from retropack.insights.highlights import Highlight
from retropack.kpis.catalog import CATALOG
from retropack.kpis.evaluation import STATUSES, KpiResult
from retropack.kpis.phases import phase_of
from retropack.load import Dataset
from retropack.present.actions import ActionView, action_views, worded_rules
from retropack.present.cells import Table, date_cell, text_cell
from retropack.present.diagnosis.view import DiagnosisView, build_diagnosis_view
from retropack.present.formatting import NO_VALUE, AxisFormat, axis_format, format_change, format_value, month_label
from retropack.present.insights import insight_line
from retropack.present.messages import Translator
from retropack.present.waterfall import Waterfall, waterfall
from retropack.present.why import cause_line, caveat_line, mostly_line

__all__ = ["ActionView", "FunnelStage", "HighlightView", "KpiRow", "PackView", "QualityRow", "SYMBOLS", "Table",
           "TrendSeries", "build_view"]

SYMBOLS = {"achieved": "◎", "near": "△", "missed": "×", "no_target": "－", "no_data": "？"}
TOP = 3
SLA_ROWS_SHOWN = 12
TREND_MONTHS = 12  # the trend charts show a year


@dataclass(frozen=True)
class KpiRow:
    id: str
    name: str
    owner: str
    better: str
    unit: str
    target: str
    actual: str
    previous: str
    change: str
    status: str
    status_label: str
    symbol: str
    focus: bool
    note: str  # "name: actual (target …, previous …) ◎ label", for speaker notes
    pace: str = ""  # how far the target is at the recent trend ("" when on target or unknown)


@dataclass(frozen=True)
class HighlightView:
    kpi_id: str
    name: str
    status: str
    symbol: str
    label: str
    summary: str
    causes: tuple[str, ...]  # what moved it, largest first, each saying whether the mix or the rate moved
    caveats: tuple[str, ...]  # large moves on small samples, named as such
    mostly: str  # rates: whether who we sent to or how they responded moved it ("" otherwise)
    notes: tuple[str, ...]  # its insights: concentration, an unusual change, a trend, the pace to target


@dataclass(frozen=True)
class TrendSeries:
    kpi_id: str
    title: str
    unit: str
    months: tuple[str, ...]  # categories of the deck's chart: 2025-11
    ticks: tuple[str, ...]  # x tick labels of the PDF's chart: 25/11
    values: tuple[float | None, ...]
    target: float | None
    axis: AxisFormat


@dataclass(frozen=True)
class FunnelStage:
    label: str
    count: int
    rate: str  # conversion from the stage before ("" for the first)
    text: str  # the count with its rate, as a bar label
    category: str  # the label with its rate, as a chart category


@dataclass(frozen=True)
class QualityRow:
    table: str
    file: str
    encoding: str
    read: str
    rejected: str
    share: str
    reasons: str


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    symbol: str
    count: int


@dataclass(frozen=True)
class PackView:
    words: Translator  # the view's language: templates and slides take their labels from it
    locale: str
    title: str
    client: str
    program_name: str
    month: str
    month_label: str
    phase_id: str
    phase_label: str
    phase_line: str  # "成熟期(運用17ヶ月目)"
    month_index: int
    next_phase: str
    next_month_label: str
    generated_at: str
    status_counts: tuple[StatusCount, ...]
    status_line: str  # the counts in one line, for speaker notes
    focus: tuple[KpiRow, ...]
    top_wins: tuple[HighlightView, ...]
    top_misses: tuple[HighlightView, ...]
    kpis: tuple[KpiRow, ...]
    trends: tuple[TrendSeries, ...]
    waterfalls: tuple[Waterfall, ...]  # the focus KPIs' change since last month, part by part
    funnel: tuple[FunnelStage, ...]
    funnel_line: str  # the funnel in one line, for speaker notes
    count_axis: AxisFormat
    wins: tuple[HighlightView, ...]
    misses: tuple[HighlightView, ...]
    sla: Table
    sla_total: int
    sla_title: str
    sla_empty: str
    actions: tuple[ActionView, ...]
    cadence: Table
    cadence_note: str
    last_month_content: Table
    upcoming: Table
    scenarios: Table
    content_shortfall: int
    has_calendar: bool
    quality: tuple[QualityRow, ...]
    findings: tuple[str, ...]
    definitions: Table
    run_info: Table
    diagnosis: DiagnosisView


def _kpi_row(r: KpiResult, tr: Translator, currency: str) -> KpiRow:
    unit, loc = r.kpi.unit, tr.locale
    target = (tr("target.at_most" if r.kpi.better == "lower" else "target.at_least",
                 value=format_value(r.target, unit, loc, currency)) if r.target is not None else NO_VALUE)
    actual, previous = format_value(r.actual, unit, loc, currency), format_value(r.previous, unit, loc, currency)
    status_label = tr(f"status.{r.status}")
    note = f"{actual} ({tr('kpi.col.target')} {target}, {tr('kpi.col.previous')} {previous}) " \
           f"{SYMBOLS[r.status]} {status_label}"
    return KpiRow(
        id=r.kpi.id,
        name=r.kpi.name(loc),
        owner=tr(f"owner.{r.kpi.owner}"),
        better=tr(f"better.{r.kpi.better}"),
        unit=unit,
        target=target,
        actual=actual,
        previous=previous,
        change=format_change(r.change, unit, loc, currency),
        status=r.status,
        status_label=status_label,
        symbol=SYMBOLS[r.status],
        focus=r.focus,
        note=tr("deck.pair", label=r.kpi.name(loc), value=note),
    )


def _totals(h: Highlight) -> tuple[float, float]:
    """A rate's denominators this month and last, for a group's share of them."""
    explanation = h.result.explanation
    if explanation is None or not explanation.by:
        return (0.0, 0.0)
    parts = explanation.by[0].parts
    return (sum(p.now.denominator or 0 for p in parts), sum(p.before.denominator or 0 for p in parts))


def _highlight(h: Highlight, tr: Translator, currency: str, notes: dict[str, tuple[str, ...]]) -> HighlightView:
    row = _kpi_row(h.result, tr, currency)
    kpi = h.result.kpi
    summary = tr(f"highlight.{h.reason}", name=row.name, actual=row.actual, target=row.target,
                 previous=row.previous, change=row.change)
    causes = tuple(cause_line(c, kpi, tr, currency, _totals(h)) for c in h.why.causes)
    if not causes and h.result.change:
        causes = (tr("why.none"),)
    caveats = tuple(caveat_line(c, kpi, tr, currency) for c in h.why.small)
    return HighlightView(row.id, row.name, h.result.status, row.symbol, tr(f"reason.{h.reason}"), summary, causes,
                         caveats, mostly_line(h.why, kpi, tr) if h.why.causes else "", notes.get(kpi.id, ()))


def _trend(r: KpiResult, tr: Translator, currency: str) -> TrendSeries:
    shown = r.history[-TREND_MONTHS:]
    months = tuple(str(m) for m, _ in shown)
    return TrendSeries(r.kpi.id, r.kpi.name(tr.locale), r.kpi.unit, months,
                       tuple(m[2:].replace("-", "/") for m in months), tuple(v for _, v in shown), r.target,
                       axis_format(r.kpi.unit, tr.locale, currency))


def _funnel(analysis: Analysis, tr: Translator) -> tuple[FunnelStage, ...]:
    f = analysis.funnel
    stages = (("leads", f.leads), ("mqls", f.mqls), ("sqls", f.sqls), ("opportunities", f.opportunities),
              ("won", f.won))
    shown = []
    for i, (key, count) in enumerate(stages):
        before = stages[i - 1][1] if i else None
        rate = "" if before is None else format_value(count / before if before else None, "rate", tr.locale)
        label = tr(f"funnel.{key}")
        shown.append(FunnelStage(label, count, rate, f"{count:,}" + (f"  ({rate})" if rate else ""),
                                 f"{label} ({rate})" if rate else label))
    return tuple(shown)


def _sla_table(analysis: Analysis, tr: Translator) -> Table:
    rows = []
    for rec in analysis.sla_breaches.head(SLA_ROWS_SHOWN).itertuples():
        waited = tr("sla.never") if pd.isna(rec.waited_days) else tr("sla.days", days=f"{rec.waited_days:.1f}")
        rows.append((str(rec.lead_id), text_cell(rec.company), text_cell(rec.owner), text_cell(rec.segment),
                     date_cell(rec.mql_at), waited))
    more = len(analysis.sla_breaches) - len(rows)
    return Table(tuple(tr(f"sla.col.{c}") for c in ("lead", "company", "owner", "segment", "mql_at", "waited")),
                 tuple(rows), tr("sla.more", count=more) if more > 0 else "")


def _content_tables(content: ContentPlan, tr: Translator) -> tuple[Table, Table, Table, Table]:
    cadence = Table(
        tuple(tr(f"content.col.{c}") for c in ("type", "planned", "target", "shortfall")),
        tuple((tr(f"content.type.{line.type}"), str(line.planned), str(line.target),
               str(line.shortfall) if line.shortfall else NO_VALUE) for line in content.cadence),
        "" if content.has_calendar else tr("content.no_calendar"),
    )
    last = Table(
        tuple(tr(f"content.col.{c}") for c in ("type", "planned", "published", "late", "missing")),
        tuple((tr(f"content.type.{p.type}"), str(p.planned), str(p.published), str(p.late), str(p.missing))
              for p in content.last_month),
        "" if content.last_month else tr("content.nothing_planned"),
    )
    upcoming = Table(
        tuple(tr(f"content.col.{c}") for c in ("date", "type", "title", "owner")),
        tuple((date_cell(r.planned_date), tr(f"content.type.{r.type}"), text_cell(r.title), text_cell(r.owner))
              for r in content.upcoming.itertuples()) if not content.upcoming.empty else (),
        "" if not content.upcoming.empty else tr("content.nothing_upcoming"),
    )
    scenarios = Table(
        tuple(tr(f"scenario.col.{c}") for c in ("name", "status", "launch", "owner")),
        tuple((text_cell(r.name), tr(f"scenario.status.{r.status}"), date_cell(r.launch_date), text_cell(r.owner))
              for r in content.scenarios.itertuples()) if not content.scenarios.empty else (),
        "" if not content.scenarios.empty else tr("scenario.none" if content.has_scenarios else "scenario.no_table"),
    )
    return cadence, last, upcoming, scenarios


def _quality(dataset: Dataset, tr: Translator) -> tuple[tuple[QualityRow, ...], tuple[str, ...]]:
    rows = []
    for q in dataset.quality.values():
        reasons = ", ".join(f"{tr.reason(code)} {n}" for code, n in q.reasons.most_common())
        rows.append(QualityRow(q.table, q.file.name if q.file else NO_VALUE, q.encoding or NO_VALUE,
                               f"{q.rows_read:,}", f"{q.rejected:,}", f"{q.reject_share * 100:.1f}%",
                               reasons or NO_VALUE))
    findings = tuple(tr(f"finding.{f.code}", table=f.table, count=f.count, **f.params) for f in dataset.findings)
    return tuple(rows), findings


def build_view(
    analysis: Analysis, dataset: Dataset, config: Config, *, run_id: str, generated_at: datetime,
    versions: dict[str, str], locale: str | None = None,
) -> PackView:
    """``locale`` overrides ``program.locale`` (the e-mail may be in another language than the pack)."""
    settings = config.settings
    tr = Translator(locale or settings.program.locale)
    currency = settings.program.currency
    notes: dict[str, tuple[str, ...]] = {}
    for insight in analysis.insights:
        notes[insight.kpi_id] = (*notes.get(insight.kpi_id, ()), insight_line(insight, tr, currency))
    paces = {i.kpi_id: insight_line(i, tr, currency) for i in analysis.insights if i.type == "pace"}
    rows = tuple(replace(_kpi_row(r, tr, currency), pace=paces.get(r.kpi.id, "")) for r in analysis.results)
    counts = tuple(StatusCount(s, tr(f"status.{s}"), SYMBOLS[s], sum(1 for r in analysis.results if r.status == s))
                   for s in STATUSES)
    cadence, last, upcoming, scenarios = _content_tables(analysis.content, tr)
    quality, findings = _quality(dataset, tr)
    actions = action_views(analysis.actions, analysis.results, analysis.misses, analysis.signals, tr, currency)
    rules = worded_rules(config.rules, analysis.results, analysis.misses, analysis.signals, tr, currency)
    month = str(analysis.month)
    nxt = analysis.month.shift(1)
    funnel = _funnel(analysis, tr)
    return PackView(
        words=tr,
        locale=tr.locale,
        title=tr("pack.title"),
        client=settings.client,
        program_name=settings.program.name,
        month=month,
        month_label=month_label(month, tr.locale),
        phase_id=analysis.phase.id,
        phase_label=tr(f"phase.{analysis.phase.id}"),
        phase_line=tr("pack.phase_value", phase=tr(f"phase.{analysis.phase.id}"), index=analysis.phase.month_index),
        month_index=analysis.phase.month_index,
        next_phase=tr(f"phase.{phase_of(nxt, settings.program.start).id}"),
        next_month_label=month_label(str(nxt), tr.locale),
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z"),
        status_counts=counts,
        status_line=" / ".join(f"{c.symbol} {c.label} {c.count}" for c in counts),
        focus=tuple(row for row in rows if row.focus),
        top_wins=tuple(_highlight(h, tr, currency, notes) for h in analysis.wins[:TOP]),
        top_misses=tuple(_highlight(h, tr, currency, notes) for h in analysis.misses[:TOP]),
        kpis=rows,
        trends=tuple(_trend(r, tr, currency) for r in analysis.results if r.focus),
        waterfalls=tuple(w for r in analysis.results if r.focus and (w := waterfall(r, tr, currency)) is not None),
        funnel=funnel,
        funnel_line=" → ".join(f"{s.label} {s.count:,}" + (f" ({s.rate})" if s.rate else "") for s in funnel),
        count_axis=axis_format("count", tr.locale, currency),
        wins=tuple(_highlight(h, tr, currency, notes) for h in analysis.wins),
        misses=tuple(_highlight(h, tr, currency, notes) for h in analysis.misses),
        sla=_sla_table(analysis, tr),
        sla_total=len(analysis.sla_breaches),
        sla_title=tr("sla.title", days=f"{settings.sla.followup_days:g}", count=len(analysis.sla_breaches)),
        sla_empty=tr("sla.none" if dataset.has_column("leads", "first_sales_touch_at") else "sla.no_column"),
        actions=tuple(actions),
        cadence=cadence,
        cadence_note=cadence.note or tr("content.shortfall_total", count=analysis.content.shortfall),
        last_month_content=last,
        upcoming=upcoming,
        scenarios=scenarios,
        content_shortfall=analysis.content.shortfall,
        has_calendar=analysis.content.has_calendar,
        quality=quality,
        findings=findings,
        definitions=Table(
            tuple(tr(f"definitions.col.{c}") for c in ("name", "owner", "better", "formula")),
            tuple((k.name(tr.locale), tr(f"owner.{k.owner}"), tr(f"better.{k.better}"), k.formula(tr.locale))
                  for k in CATALOG),
        ),
        run_info=Table(
            (tr("run.col.item"), tr("run.col.value")),
            ((tr("run.id"), run_id), (tr("run.generated_at"), generated_at.isoformat(timespec="seconds")),
             (tr("run.config"), str(settings.config_file) if settings.config_file else NO_VALUE),
             (tr("run.data"), str(settings.data.path)),
             (tr("run.versions"), ", ".join(f"{name} {version}" for name, version in versions.items()))),
        ),
        diagnosis=build_diagnosis_view(analysis.diagnosis, actions, rules, settings, analysis.month, tr),
    )
