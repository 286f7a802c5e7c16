"""The per-send table worded: a row per blast and per scenario (added up for the month), the month's
total, each rate marked where it is on the wrong side of the month's target. The page and the slide show the
largest sends (by delivered, in date order) and say that the whole list is in the CSV beside the pack."""

from __future__ import annotations

from dataclasses import dataclass

from retropack.insights.sends import RATES, SendLine, SendReport
from retropack.present.cells import Table
from retropack.present.formatting import format_value
from retropack.present.messages import Translator
from retropack.present.weekly import span_label

__all__ = ["RATE_COLUMNS", "SLIDE_ROWS", "SendsView", "sends_view"]

SLIDE_ROWS = 12  # sends on the slide (the month's total comes under them)
PAGE_ROWS = 25  # sends on the PDF's page: a month of a thousand sends must not fill thirty pages
COLUMNS = ("date", "name", "kind", "sends", "delivered", *RATES)
RATE_COLUMNS = frozenset(range(COLUMNS.index("delivered") + 1, len(COLUMNS)))


@dataclass(frozen=True)
class SendsView:
    title: str
    table: Table  # the largest PAGE_ROWS sends, then the month's total; its note names the CSV when some are left out
    off: frozenset[tuple[int, int]]  # (row, column) of the rates on the wrong side of their target
    slide: Table  # the largest SLIDE_ROWS sends, then the total; its note says how many more there are
    slide_off: frozenset[tuple[int, int]]
    legend: str  # what the marks mean, with the month's targets
    note: str  # how scenario sends are added up
    empty: str  # said instead of the table when nothing was sent


def _row(line: SendLine, tr: Translator) -> tuple[tuple[str, ...], set[int]]:
    marks = {kpi: tr("sends.mark.below" if kpi != "unsubscribe_rate" else "sends.mark.above") for kpi in RATES}
    rates = tuple(format_value(line.rates[kpi], "rate", tr.locale) + (f" {marks[kpi]}" if kpi in line.off_target
                                                                       else "") for kpi in RATES)
    name = line.name if line.kind != "total" else tr("sends.total")
    kind = "" if line.kind == "total" else tr(f"sends.kind.{line.kind}")
    cells = (span_label(line.first, line.last, tr), name, kind, f"{line.sends:,}",
             format_value(line.delivered, "count", tr.locale), *rates)
    return cells, {COLUMNS.index(kpi) for kpi in line.off_target}


def _table(lines: tuple[SendLine, ...], tr: Translator, note: str = "") -> tuple[Table, frozenset[tuple[int, int]]]:
    rows, off = [], set()
    for i, line in enumerate(lines):
        cells, flagged = _row(line, tr)
        rows.append(cells)
        off |= {(i, column) for column in flagged}
    return Table(tuple(tr(f"sends.col.{c}") for c in COLUMNS), tuple(rows), note), frozenset(off)


def _legend(report: SendReport, tr: Translator) -> str:
    def target(kpi: str) -> str:
        key = "target.at_least" if report.better.get(kpi) == "higher" else "target.at_most"
        return tr("sends.target", kpi=tr.kpi_name(kpi), target=tr(key, value=format_value(report.targets[kpi], "rate",
                                                                                       tr.locale)))

    below = [target(k) for k in RATES if k in report.targets and report.better.get(k) == "higher"]
    above = [target(k) for k in RATES if k in report.targets and report.better.get(k) == "lower"]
    parts = ([tr("sends.legend.below", targets=tr("list.sep").join(below))] if below else []) + (
        [tr("sends.legend.above", targets=tr("list.sep").join(above))] if above else [])
    return " ".join(parts) if parts else tr("sends.legend.none")


def _largest(lines: tuple[SendLine, ...], count: int) -> tuple[SendLine, ...]:
    """The ``count`` sends that reached the most people, in their date order."""
    kept = set(sorted(range(len(lines)), key=lambda i: -lines[i].delivered)[:count])
    return tuple(line for i, line in enumerate(lines) if i in kept)


def _more(report: SendReport, shown: int, tr: Translator) -> str:
    hidden = len(report.lines) - shown
    return tr("sends.more", count=f"{hidden:,}", total=f"{len(report.lines):,}") if hidden > 0 else ""


def sends_view(report: SendReport, month_label: str, tr: Translator) -> SendsView:
    title = tr("sends.title", month=month_label)
    if report.total is None:
        empty = Table((), ())
        return SendsView(title, empty, frozenset(), empty, frozenset(), "", "", tr("sends.none"))
    table, off = _table((*_largest(report.lines, PAGE_ROWS), report.total), tr, _more(report, PAGE_ROWS, tr))
    slide, slide_off = _table((*_largest(report.lines, SLIDE_ROWS), report.total), tr, _more(report, SLIDE_ROWS, tr))
    scenarios = any(line.kind == "scenario" for line in report.lines)
    return SendsView(title, table, off, slide, slide_off, _legend(report, tr),
                     tr("sends.note_scenarios") if scenarios else "", "")
