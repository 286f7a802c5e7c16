"""The plain view model both documents lay out: every number formatted, every word translated.

Templates and slide code only place these values; no decision is taken after this point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from retropack.analysis import Analysis
from retropack.config import Settings
from retropack.content_plan import ContentPlan
from retropack.dataset import Dataset
from retropack.drivers import UNSET
from retropack.formatting import NO_VALUE, format_change, format_value
from retropack.highlights import Highlight
from retropack.kpis.catalog import CATALOG
from retropack.kpis.evaluation import STATUSES, KpiResult
from retropack.messages import Translator
from retropack.phases import phase_of

SYMBOLS = {"achieved": "◎", "near": "△", "missed": "×", "no_target": "－", "no_data": "？"}
TOP = 3
SLA_ROWS_SHOWN = 12


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


@dataclass(frozen=True)
class HighlightView:
    kpi_id: str
    name: str
    status: str
    symbol: str
    label: str
    summary: str
    drivers: tuple[str, ...]


@dataclass(frozen=True)
class TrendSeries:
    kpi_id: str
    title: str
    unit: str
    months: tuple[str, ...]
    values: tuple[float | None, ...]
    target: float | None


@dataclass(frozen=True)
class ActionView:
    title: str
    kpi: str
    owner: str
    why: str
    seed: str


@dataclass(frozen=True)
class Table:
    """A small table: header cells and rows of already formatted cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class QualityRow:
    table: str
    file: str
    encoding: str
    read: str
    rejected: str
    share: str
    reasons: str


@dataclass
class PackView:
    locale: str
    title: str
    client: str
    program_name: str
    month: str
    month_label: str
    phase_id: str
    phase_label: str
    month_index: int
    next_phase: str
    next_month_label: str
    generated_at: str
    status_counts: list[tuple[str, str, str, int]]  # status, label, symbol, count
    focus: list[KpiRow]
    top_wins: list[HighlightView]
    top_misses: list[HighlightView]
    kpis: list[KpiRow]
    trends: list[TrendSeries]
    funnel: list[tuple[str, int]]
    funnel_rates: list[str]  # conversion from the stage before ("" for the first)
    wins: list[HighlightView]
    misses: list[HighlightView]
    sla: Table
    sla_total: int
    sla_title: str
    sla_empty: str
    actions: list[ActionView]
    cadence: Table
    last_month_content: Table
    upcoming: Table
    scenarios: Table
    content_shortfall: int
    has_calendar: bool
    quality: list[QualityRow]
    findings: list[str]
    definitions: Table
    run_info: Table
    charts: dict[str, str] = field(default_factory=dict)  # chart id -> PNG file URI, set by the chart step
    extra_sections: dict[str, object] = field(default_factory=dict)


def month_label(month: str, locale: str) -> str:
    year, mon = month.split("-")
    if locale == "ja":
        return f"{year}年{int(mon)}月"
    return datetime(int(year), int(mon), 1).strftime("%B %Y")


def _kpi_row(r: KpiResult, tr: Translator, currency: str) -> KpiRow:
    unit, loc = r.kpi.unit, tr.locale
    return KpiRow(
        id=r.kpi.id,
        name=r.kpi.name(loc),
        owner=tr(f"owner.{r.kpi.owner}"),
        better=tr(f"better.{r.kpi.better}"),
        unit=unit,
        target=(tr("target.at_most" if r.kpi.better == "lower" else "target.at_least",
                   value=format_value(r.target, unit, loc, currency)) if r.target is not None else NO_VALUE),
        actual=format_value(r.actual, unit, loc, currency),
        previous=format_value(r.previous, unit, loc, currency),
        change=format_change(r.change, unit, loc, currency),
        status=r.status,
        status_label=tr(f"status.{r.status}"),
        symbol=SYMBOLS[r.status],
        focus=r.focus,
    )


def _driver_line(highlight: Highlight, index: int, tr: Translator, currency: str) -> str:
    d = highlight.drivers[index]
    now = format_value(d.current, d.unit, tr.locale, currency)
    before = format_value(d.previous, d.unit, tr.locale, currency)
    group = tr("driver.unset") if d.group == UNSET else d.group
    line = tr(f"driver.{d.kind}_line", dimension=tr(f"dimension.{d.dimension}"), group=group, now=now,
              before=before, effect=format_change(d.effect, d.unit, tr.locale, currency))
    return tr("driver.basis", basis=tr(f"basis.{d.basis}"), line=line) if d.basis else line


def _highlight(h: Highlight, tr: Translator, currency: str) -> HighlightView:
    row = _kpi_row(h.result, tr, currency)
    summary = tr(f"highlight.{h.reason}", name=row.name, actual=row.actual, target=row.target,
                 previous=row.previous, change=row.change)
    drivers = tuple(_driver_line(h, i, tr, currency) for i in range(len(h.drivers)))
    return HighlightView(row.id, row.name, h.result.status, row.symbol, tr(f"reason.{h.reason}"), summary, drivers)


def _trend(r: KpiResult, tr: Translator) -> TrendSeries:
    return TrendSeries(r.kpi.id, r.kpi.name(tr.locale), r.kpi.unit,
                       tuple(str(m) for m, _ in r.history), tuple(v for _, v in r.history), r.target)


def _funnel_rates(stages: list[int]) -> list[str]:
    rates = [""]
    for before, now in zip(stages, stages[1:]):
        rates.append(format_value(now / before if before else None, "rate", "ja"))
    return rates


def _date(value: object) -> str:
    return NO_VALUE if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _text(value: object) -> str:
    return NO_VALUE if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def _sla_table(analysis: Analysis, tr: Translator) -> Table:
    rows = []
    for rec in analysis.sla_breaches.head(SLA_ROWS_SHOWN).itertuples():
        waited = tr("sla.never") if pd.isna(rec.waited_days) else tr("sla.days", days=f"{rec.waited_days:.1f}")
        rows.append((str(rec.lead_id), _text(rec.company), _text(rec.owner), _text(rec.segment),
                     _date(rec.mql_at), waited))
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
        tuple((_date(r.planned_date), tr(f"content.type.{r.type}"), _text(r.title), _text(r.owner))
              for r in content.upcoming.itertuples()) if not content.upcoming.empty else (),
        "" if not content.upcoming.empty else tr("content.nothing_upcoming"),
    )
    scenarios = Table(
        tuple(tr(f"scenario.col.{c}") for c in ("name", "status", "launch", "owner")),
        tuple((_text(r.name), tr(f"scenario.status.{r.status}"), _date(r.launch_date), _text(r.owner))
              for r in content.scenarios.itertuples()) if not content.scenarios.empty else (),
        "" if not content.scenarios.empty else tr("scenario.none" if content.has_scenarios else "scenario.no_table"),
    )
    return cadence, last, upcoming, scenarios


def _quality(dataset: Dataset, tr: Translator) -> tuple[list[QualityRow], list[str]]:
    rows = []
    for q in dataset.quality.values():
        reasons = ", ".join(f"{tr.reason(code)} {n}" for code, n in q.reasons.most_common())
        rows.append(QualityRow(q.table, q.file.name if q.file else NO_VALUE, q.encoding or NO_VALUE,
                               f"{q.rows_read:,}", f"{q.rejected:,}", f"{q.reject_share * 100:.1f}%",
                               reasons or NO_VALUE))
    findings = [tr(f"finding.{f.code}", table=f.table, count=f.count, **f.params) for f in dataset.findings]
    return rows, findings


def _diagnosis_sections(analysis: Analysis, settings: Settings, tr: Translator) -> dict[str, object]:
    """The seed's diagnosis: its view for the deck (``"diagnosis"``), its pages for the PDF (``"pdf"``)
    and their titles for the covers' agenda (``"agenda"``)."""
    from retropack.diagnosis.view import build_diagnosis_view, pdf_sections  # here: it uses this module's Table

    diagnosis = build_diagnosis_view(analysis.diagnosis, analysis.actions, analysis.rule_actions, settings,
                                     analysis.month, tr)
    pages = pdf_sections(diagnosis)
    return {"diagnosis": diagnosis, "pdf": pages, "agenda": [tr(page.title_key) for page in pages]}


def build_view(
    analysis: Analysis, dataset: Dataset, settings: Settings, *, run_id: str, generated_at: datetime,
    versions: dict[str, str], locale: str | None = None,
) -> PackView:
    """``locale`` overrides ``program.locale`` (the e-mail may be in another language than the pack)."""
    tr = Translator(locale or settings.program.locale)
    currency = settings.program.currency
    rows = [_kpi_row(r, tr, currency) for r in analysis.results]
    counts = {s: sum(1 for r in analysis.results if r.status == s) for s in STATUSES}
    cadence, last, upcoming, scenarios = _content_tables(analysis.content, tr)
    quality, findings = _quality(dataset, tr)
    month = str(analysis.month)
    nxt = analysis.month.shift(1)
    next_phase = phase_of(nxt, settings.program.start)
    f = analysis.funnel
    return PackView(
        locale=tr.locale,
        title=tr("pack.title"),
        client=settings.client,
        program_name=settings.program.name,
        month=month,
        month_label=month_label(month, tr.locale),
        phase_id=analysis.phase.id,
        phase_label=tr(f"phase.{analysis.phase.id}"),
        month_index=analysis.phase.month_index,
        next_phase=tr(f"phase.{next_phase.id}"),
        next_month_label=month_label(str(nxt), tr.locale),
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z"),
        status_counts=[(s, tr(f"status.{s}"), SYMBOLS[s], counts[s]) for s in STATUSES],
        focus=[row for row in rows if row.focus],
        top_wins=[_highlight(h, tr, currency) for h in analysis.wins[:TOP]],
        top_misses=[_highlight(h, tr, currency) for h in analysis.misses[:TOP]],
        kpis=rows,
        trends=[_trend(r, tr) for r in analysis.results if r.focus],
        funnel=[(tr("funnel.leads"), f.leads), (tr("funnel.mqls"), f.mqls), (tr("funnel.sqls"), f.sqls),
                (tr("funnel.opportunities"), f.opportunities), (tr("funnel.won"), f.won)],
        funnel_rates=_funnel_rates([f.leads, f.mqls, f.sqls, f.opportunities, f.won]),
        wins=[_highlight(h, tr, currency) for h in analysis.wins],
        misses=[_highlight(h, tr, currency) for h in analysis.misses],
        sla=_sla_table(analysis, tr),
        sla_total=len(analysis.sla_breaches),
        sla_title=tr("sla.title", days=f"{settings.sla.followup_days:g}", count=len(analysis.sla_breaches)),
        sla_empty=tr("sla.none" if dataset.has_column("leads", "first_sales_touch_at") else "sla.no_column"),
        actions=[ActionView(a.title, tr.kpi_name(a.kpi_id), tr(f"owner.{a.owner}"), a.why, a.seed)
                 for a in analysis.actions],
        cadence=cadence,
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
             (tr("run.config"), str(settings.source) if settings.source else NO_VALUE),
             (tr("run.data"), str(settings.data.path)),
             (tr("run.versions"), ", ".join(f"{name} {version}" for name, version in versions.items()))),
        ),
        extra_sections=_diagnosis_sections(analysis, settings, tr),
    )
