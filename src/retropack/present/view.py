"""The view model both documents lay out: every number formatted, every word in the view's language.

``build_view`` is the last place a decision is taken; templates and slide code only place these
values, in the view's locale (``words``) and the program's currency (chart axes carry theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from retropack.config import Config
from retropack.insights.analysis import Analysis, Funnel
from retropack.insights.highlights import Highlight
from retropack.kpis.catalog import CATALOG
from retropack.kpis.evaluation import STATUSES, KpiResult
from retropack.kpis.phases import phase_of
from retropack.load import Dataset
from retropack.present.actions import ActionView, Decisions, action_views, closing_tables, previous_table
from retropack.present.cells import Table
from retropack.present.channels import channel_tables
from retropack.present.clean import data_text
from retropack.present.diagnosis.view import DiagnosisView, build_diagnosis_view
from retropack.present.feedback import FeedbackView, feedback_view
from retropack.present.findings import finding_line, finding_names, funnel_note
from retropack.present.formatting import AxisFormat, axis_format, format_value, month_label
from retropack.present.highlights import HighlightView, highlight_view
from retropack.present.insights import insight_line
from retropack.present.meeting import meeting_basis, meeting_day
from retropack.present.messages import Translator
from retropack.present.open_deals import open_deals_table
from retropack.present.rows import SYMBOLS, KpiRow, caution_line, kpi_row
from retropack.present.sends import SendsView, sends_view
from retropack.present.story import story_line
from retropack.present.tables import content_tables, quality_tables, sla_table
from retropack.present.waterfall import Waterfall, waterfall
from retropack.present.weekly import WeeklyView, weekly_view

__all__ = ["ActionView", "DecidePoint", "FunnelStage", "HighlightView", "KpiRow", "PackView", "SYMBOLS", "Table",
           "TrendSeries", "build_view"]

TOP = 3
AGENDA = ("summary", "kpis", "wins", "misses", "followup", "previous_short", "actions", "plan", "closing")
UPCOMING_SHOWN = 6
TREND_MONTHS = 12  # the trend charts show a year


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
class StatusCount:
    status: str
    label: str
    symbol: str
    count: int


@dataclass(frozen=True)
class DecidePoint:
    """A line of the summary's "to decide today": a committed action or a target to review."""

    text: str
    meta: str  # KPI, owner, due date ("" for a target review)


@dataclass(frozen=True)
class PackView:
    words: Translator  # the view's language: templates and slides take their labels from it
    locale: str
    deck_font: str  # the deck's typeface (render.deck_font); the PDF embeds its own
    title: str
    client: str
    program_name: str
    month: str
    month_label: str
    phase_id: str
    phase_label: str
    phase_line: str  # "成熟期(運用17ヶ月目)"
    meeting_day: str  # the cover's meeting date, "" when the analysis has none
    meeting_basis: str  # where it comes from: set for the meeting, or days after the (scheduled) pack date
    month_index: int
    next_phase: str
    next_month_label: str
    generated_at: str
    status_counts: tuple[StatusCount, ...]
    status_line: str  # the counts in one line, for speaker notes
    focus: tuple[KpiRow, ...]
    decide: tuple[DecidePoint, ...]  # the summary leads with what the meeting acts on
    stories: tuple[str, ...]  # one cause behind several KPIs, a paragraph each
    stories_better: tuple[str, ...]  # section 2: the stories whose every KPI improved
    stories_mixed: tuple[str, ...]  # section 3: the stories that worsened a KPI (never told under section 2)
    top_wins: tuple[HighlightView, ...]
    top_misses: tuple[HighlightView, ...]
    kpis: tuple[KpiRow, ...]
    trends: tuple[TrendSeries, ...]
    waterfalls: tuple[Waterfall, ...]  # the focus KPIs' change since last month, part by part
    funnel: tuple[FunnelStage, ...]
    funnel_title: str
    funnel_line: str  # the funnel in one line, for speaker notes
    funnel_note: str  # the finding beside a stage larger than the one before ("" when none is)
    count_axis: AxisFormat
    wins: tuple[HighlightView, ...]  # section 2: met or improved
    watch_better: tuple[HighlightView, ...]  # section 2 too: short of target but improving
    misses: tuple[HighlightView, ...]  # section 3: missed, narrowly missed, or worse without a target
    watch_worse: tuple[HighlightView, ...]  # section 3 too: near, on target but worsening or off pace, or unreliable
    info: tuple[HighlightView, ...]  # section 3's reference: no target, yet far below a commitment or worsening
    sla: Table
    sla_total: int
    sla_title: str
    sla_empty: str
    actions: tuple[ActionView, ...]
    previous_actions: tuple[ActionView, ...]  # last month's, worded as last month's pack worded them
    previous_title: str
    previous: Table  # last month's actions, a month on
    decisions: Table  # the closing page
    homework: Table
    cadence: Table
    cadence_note: str
    last_month_content: Table
    upcoming: Table
    upcoming_shown: Table  # the first UPCOMING_SHOWN titles for the main part; the appendix lists them all
    scenarios: Table
    content_shortfall: int
    has_calendar: bool
    quality: Table
    findings: tuple[str, ...]  # the data findings of the month (contract §10) first, then the load's observations
    data_findings: tuple[str, ...]  # the month's data findings (contract §10) alone, for the pages that judge
    definitions: Table
    diagnosis: DiagnosisView
    agenda: tuple[str, ...]  # the main part's items, as the covers list them
    quarterly: bool  # the quarterly review (diagnosis in full) follows the main part: a quarter's end or asked for
    diagnosis_line: str  # other months: the diagnosis' alerts in one line of the summary ("" when none or quarterly)
    weekly: WeeklyView  # section 1: leads, MQLs and SQLs week by week
    sends: SendsView  # section 1: the month's e-mails one by one
    feedback: FeedbackView  # section 3: sales' feedback on the month's MQLs
    channels: tuple[tuple[str, Table], ...] = ()  # the appendix' channel tables (title, table): month, 3 months
    open_deals: Table | None = None  # the MA-sourced deals open longest, for sales to act on (None: no open deal)

    @property
    def highlights(self) -> tuple[HighlightView, ...]:
        return (*self.wins, *self.watch_better, *self.misses, *self.watch_worse)


def _trend(r: KpiResult, tr: Translator, currency: str) -> TrendSeries:
    shown = r.history[-TREND_MONTHS:]
    months = tuple(str(m) for m, _ in shown)
    return TrendSeries(r.kpi.id, r.kpi.name(tr.locale), r.kpi.unit, months,
                       tuple(m[2:].replace("-", "/") for m in months), tuple(v for _, v in shown), r.target,
                       axis_format(r.kpi.unit, tr.locale, currency))


def _funnel(f: Funnel, tr: Translator) -> tuple[FunnelStage, ...]:
    stages = (("leads", f.leads), ("mqls", f.mqls), ("sqls", f.sqls), ("opportunities", f.opportunities),
              ("won", f.won))
    shown = []
    for i, (key, count) in enumerate(stages):
        before = stages[i - 1][1] if i else None
        rate = "" if before is None else format_value(count / before if before else None, "rate", tr.locale)
        rate += " ※" if before and count > before else ""  # above 100 %: the finding is told beside the funnel
        label = tr(f"funnel.{key}")
        shown.append(FunnelStage(label, count, rate, f"{count:,}" + (f"  ({rate})" if rate else ""),
                                 f"{label} ({rate})" if rate else label))
    return tuple(shown)


def _improving(h: HighlightView) -> bool:
    """A watched KPI told under 「うまくいったこと」: just short of target and improving, on data that holds."""
    return h.status == "near" and h.direction == "better" and not h.caution


def _decide(analysis: Analysis, actions: list[ActionView], tr: Translator) -> tuple[DecidePoint, ...]:
    """The committed actions, then the targets to review that no action already takes up."""
    points = [DecidePoint(tr("summary.action", title=a.title),
                          tr("summary.action_meta", kpi=a.kpi, who=a.who, due=a.due_label)) for a in actions]
    served = {a.kpi_id for a in actions}
    points += [DecidePoint(tr("summary.review", name=tr.kpi_name(r.kpi_id), months=r.months_missed,
                              share=format_value(r.share_of_target, "rate", tr.locale)), "")
               for r in analysis.target_reviews if r.kpi_id not in served]
    return tuple(points)


def _first(table: Table, count: int, tr: Translator) -> Table:
    """The table's first ``count`` rows, its note saying how many more the appendix lists."""
    hidden = len(table.rows) - count
    if hidden <= 0:
        return table
    return Table(table.header, table.rows[:count], tr("appendix.more", count=hidden))


def _diagnosis_line(diagnosis: DiagnosisView, analysis: Analysis, tr: Translator) -> str:
    """The raised failure patterns in one line, with the month of the next quarterly review."""
    raised = [p for p in diagnosis.health.patterns if p.findings]
    if not raised:
        return ""
    schedule = analysis.diagnosis.roadmap.scoring
    return tr("summary.diagnosis", items=tr("list.sep").join(f"{p.symbol} {p.title}" for p in raised),
              month=month_label(str(schedule.next_month), tr.locale))


def _channels(analysis: Analysis, tr: Translator, currency: str) -> tuple[tuple[str, Table], ...]:
    """The channel tables with their titles: the month, then the trailing three months."""
    if analysis.channels is None:
        return ()
    month, trailing = channel_tables(analysis.channels, tr, currency)
    first = month_label(str(analysis.month.shift(-2)), tr.locale)
    last = month_label(str(analysis.month), tr.locale)
    return ((f"{tr('channels.title')}: {last}", month),
            (f"{tr('channels.title')}: {tr('channels.trailing', first=first, last=last)}", trailing))


def build_view(
    analysis: Analysis, dataset: Dataset, config: Config, *, run_id: str, generated_at: datetime,
    versions: dict[str, str], locale: str | None = None, quarterly: bool = False,
) -> PackView:
    """``locale`` overrides ``program.locale`` (the e-mail may be in another language than the pack);
    ``run_id`` and ``versions`` stay in the manifest, not on the client's pages; ``quarterly`` shows the
    quarterly review outside a quarter's end."""
    del run_id, versions
    settings = config.settings
    tr = Translator(locale or settings.program.locale, settings.labels)
    currency = settings.program.currency
    notes: dict[str, tuple[str, ...]] = {}
    for insight in analysis.insights:
        notes[insight.kpi_id] = (*notes.get(insight.kpi_id, ()), insight_line(insight, tr, currency))
    paces = {i.kpi_id: insight_line(i, tr, currency) for i in analysis.insights if i.type == "pace"}
    verdicts = analysis.verdicts
    names = finding_names(analysis.findings, tr)
    cautions = {r.kpi.id: caution_line(r, verdicts[r.kpi.id], tr, currency, names) for r in analysis.results}
    data_findings = tuple(finding_line(f, analysis.month, tr) for f in analysis.findings)
    rows = tuple(kpi_row(r, tr, currency, paces.get(r.kpi.id, ""), verdicts[r.kpi.id],
                         caution_line(r, verdicts[r.kpi.id], tr, currency, names, short=True))
                 for r in analysis.results)
    counts = tuple(StatusCount(s, tr(f"status.{s}"), SYMBOLS[s], sum(1 for r in analysis.results if r.status == s))
                   for s in STATUSES)
    cadence, last, upcoming, scenarios = content_tables(analysis.content, tr)
    quality, findings = quality_tables(dataset, tr, analysis.non_finite)
    actions = action_views(analysis.actions, settings.sla.followup_days, tr, currency)
    previous = action_views(analysis.previous, settings.sla.followup_days, tr, currency) if analysis.previous else []
    reviews = {r.kpi_id: r for r in analysis.target_reviews}

    def cards(items: tuple[Highlight, ...]) -> tuple[HighlightView, ...]:
        return tuple(highlight_view(h, tr, currency, notes, reviews, actions, cautions[h.result.kpi.id])
                     for h in items)

    buckets = analysis.buckets
    watch = cards(buckets.watch)
    month = str(analysis.month)
    nxt = analysis.month.shift(1)
    funnel = _funnel(analysis.funnel, tr)
    open_patterns = [tr(f"health.pattern.{check.id}.name") for check in analysis.diagnosis.health
                     if check.raised and not any(a.rule_id in check.action_ids for a in actions)]
    asked = Decisions(analysis.target_reviews, analysis.target_raises, analysis.targets_needed, open_patterns)
    decisions, homework = closing_tables(actions, asked, analysis.results, tr, currency)
    label = month_label(month, tr.locale)
    diagnosis = build_diagnosis_view(analysis.diagnosis, actions, settings, analysis.month, tr)
    quarterly = quarterly or analysis.diagnosis.roadmap.scoring.due_now
    return PackView(
        words=tr,
        locale=tr.locale,
        deck_font=settings.render.deck_font,
        title=tr("pack.title"),
        client=data_text(settings.client),
        program_name=data_text(settings.program.name),
        month=month,
        month_label=label,
        phase_id=analysis.phase.id,
        phase_label=tr(f"phase.{analysis.phase.id}"),
        phase_line=tr("pack.phase_value", phase=tr(f"phase.{analysis.phase.id}"), index=analysis.phase.month_index),
        channels=_channels(analysis, tr, currency),
        open_deals=open_deals_table(analysis.open_deals, tr, currency) if analysis.open_deals else None,
        meeting_day=meeting_day(analysis.meeting.day, tr) if analysis.meeting else "",
        meeting_basis=meeting_basis(analysis.meeting, tr) if analysis.meeting else "",
        month_index=analysis.phase.month_index,
        next_phase=tr(f"phase.{phase_of(nxt, settings.program.start).id}"),
        next_month_label=month_label(str(nxt), tr.locale),
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z"),
        status_counts=counts,
        status_line=" / ".join(f"{c.symbol} {c.label} {c.count}" for c in counts),
        focus=tuple(row for row in rows if row.focus),
        decide=_decide(analysis, actions, tr),
        stories=tuple(story_line(s, tr, currency) for s in analysis.stories),
        stories_better=tuple(story_line(s, tr, currency) for s in analysis.stories if not s.worse),
        stories_mixed=tuple(story_line(s, tr, currency) for s in analysis.stories if s.worse),
        top_wins=tuple(h for h in cards(buckets.wins) if h.headline)[:TOP],
        top_misses=tuple(h for h in cards(buckets.misses) if h.headline)[:TOP],
        kpis=rows,
        trends=tuple(_trend(r, tr, currency) for r in analysis.results if r.focus),
        waterfalls=tuple(w for r in analysis.results if r.focus and (w := waterfall(r, tr, currency)) is not None),
        funnel=funnel,
        funnel_title=tr("chart.funnel", first=month_label(str(analysis.funnel.first), tr.locale), last=label,
                        count=f"{analysis.funnel.leads:,}"),
        funnel_line=" → ".join(f"{s.label} {s.count:,}" + (f" ({s.rate})" if s.rate else "") for s in funnel),
        funnel_note=funnel_note(analysis.findings, analysis.month, tr),
        count_axis=axis_format("count", tr.locale, currency),
        wins=cards(buckets.wins),
        watch_better=tuple(h for h in watch if _improving(h)),
        misses=cards(buckets.misses),
        watch_worse=tuple(h for h in watch if not _improving(h)),
        info=cards(tuple(h for h in buckets.info if h.direction == "worse" or "below_commitment" in h.verdict.reasons)),
        sla=sla_table(analysis.sla_breaches, tr),
        sla_total=len(analysis.sla_breaches),
        sla_title=tr("sla.title", days=f"{settings.sla.followup_days:g}", count=len(analysis.sla_breaches)),
        sla_empty=tr("sla.none" if dataset.has_column("leads", "first_sales_touch_at") else "sla.no_column"),
        actions=tuple(actions),
        previous_actions=tuple(previous),
        previous_title=tr("previous.title", month=month_label(str(analysis.month.shift(-1)), tr.locale)),
        previous=previous_table(analysis.previous_actions, previous, tr, currency, analysis.verdicts),
        decisions=decisions,
        homework=homework,
        cadence=cadence,
        cadence_note=cadence.note or tr("content.shortfall_total", count=analysis.content.shortfall),
        last_month_content=last,
        upcoming=upcoming,
        upcoming_shown=_first(upcoming, UPCOMING_SHOWN, tr),
        scenarios=scenarios,
        content_shortfall=analysis.content.shortfall,
        has_calendar=analysis.content.has_calendar,
        quality=quality,
        findings=(*data_findings, *findings),
        data_findings=data_findings,
        definitions=Table(
            tuple(tr(f"definitions.col.{c}") for c in ("name", "owner", "better", "formula")),
            tuple((k.name(tr.locale), tr(f"owner.{k.owner}"), tr(f"better.{k.better}"), k.formula(tr.locale))
                  for k in CATALOG),
        ),
        diagnosis=diagnosis,
        agenda=tuple(tr(f"section.{s}") for s in AGENDA),
        quarterly=quarterly,
        diagnosis_line="" if quarterly else _diagnosis_line(diagnosis, analysis, tr),
        weekly=weekly_view(analysis.cadence.weeks, analysis.results, tr),
        sends=sends_view(analysis.cadence.sends, label, tr),
        feedback=feedback_view(analysis.cadence.feedback, label, settings.labels, tr),
    )
