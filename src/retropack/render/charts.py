"""The PDF's charts, drawn with matplotlib in the embedded Japanese font (IPAexGothic).

Charts draw what the view says: values, tick labels and axis formats come from ``retropack.present``.
"""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib_fontja  # noqa: F401  (registers IPAexGothic and makes it the default family)
from matplotlib.ticker import Formatter, PercentFormatter

from retropack.present.diagnosis.scoring_view import ScoreChart
from retropack.present.formatting import AxisFormat
from retropack.present.palette import ACCENT, MUTED, STATUS_COLOURS, TARGET
from retropack.present.view import PackView, TrendSeries
from retropack.present.waterfall import Waterfall
from retropack.present.weekly import WeeklyView

__all__ = ["draw_charts"]

DPI = 150
MARKER_COLOURS = (STATUS_COLOURS["no_target"], TARGET)  # threshold in use, suggested threshold
PLOT_WIDTH_PT = 216  # a waterfall's plot width (3.7 in figure less its axis), for wrapping the names under bars
HALF_WIDTH_PT = 3.6  # a half-width character at 6.5 pt; a Japanese (wide) character takes two


class AxisTicks(Formatter):
    """The view's tick labels for a value axis, read as a whole so that no label repeats."""

    def __init__(self, axis: AxisFormat) -> None:
        self.format = axis

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.format.label(x)

    def format_ticks(self, values: list[float]) -> list[str]:
        return self.format.labels(values)


def _trend_axis(ax: plt.Axes, series: TrendSeries, actual: str, target: str) -> None:
    xs = range(len(series.ticks))
    values = [float("nan") if v is None else v for v in series.values]
    ax.plot(xs, values, color=ACCENT, marker="o", markersize=3, linewidth=1.8, label=actual)
    if series.target is not None:
        ax.axhline(series.target, color=TARGET, linestyle="--", linewidth=1.2, label=target)
    ax.set_title(series.title, fontsize=10)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(series.ticks, fontsize=6.5, rotation=45)
    ax.tick_params(axis="y", labelsize=7)
    ax.yaxis.set_major_formatter(AxisTicks(series.axis))
    ax.grid(axis="y", color=MUTED, linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(bottom=min(0, *(v for v in values if v == v)) if any(v == v for v in values) else 0)
    ax.legend(fontsize=7, frameon=False, loc="best")


def trend_chart(view: PackView, path: Path) -> Path:
    """One small line chart per focus KPI: 12 months of actuals against the target line."""
    count = max(len(view.trends), 1)
    fig, axes = plt.subplots(1, count, figsize=(3.6 * count, 2.6), dpi=DPI, squeeze=False)
    for ax, series in zip(axes[0], view.trends, strict=False):  # no trend: one empty axis
        _trend_axis(ax, series, view.words("chart.actual"), view.words("chart.target"))
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def funnel_chart(view: PackView, path: Path) -> Path:
    """The month's funnel lead → MQL → SQL → opportunity → won, widest stage on top."""
    stages = view.funnel[::-1]
    values = [stage.count for stage in stages]
    fig, ax = plt.subplots(figsize=(4.6, 2.6), dpi=DPI)
    bars = ax.barh([stage.label for stage in stages], values, color=ACCENT, height=0.6)
    ax.bar_label(bars, labels=[stage.text for stage in stages], padding=3, fontsize=8)
    ax.set_xlim(0, max(values + [1]) * 1.35)
    ax.tick_params(labelsize=8)
    ax.xaxis.set_visible(False)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


STEP_COLOURS = {"total": ACCENT, "better": STATUS_COLOURS["achieved"], "worse": STATUS_COLOURS["missed"]}


def wrap_label(label: str, columns: int) -> str:
    """A name cut into lines of at most ``columns`` half-width columns: at spaces when it has them,
    else (Japanese) between characters, a wide character counting two."""
    if label.isascii():
        return textwrap.fill(label, columns, break_long_words=False)
    lines, line, used = [], "", 0
    for char in label:
        width = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + width > columns and line:
            lines.append(line)
            line, used = "", 0
        line, used = line + char, used + width
    return "\n".join([*lines, line])


def _waterfall_axis(ax: plt.Axes, chart: Waterfall) -> None:
    """Every bar carries its value (totals) or its change (steps); names run across, wrapped, under the bars.
    The axis starts at zero, as every bar chart's: a bar's length is its value."""
    steps = chart.steps
    bottoms = [min(step.start, step.end) for step in steps]
    heights = [abs(step.end - step.start) for step in steps]
    bars = ax.bar(range(len(steps)), heights, bottom=bottoms, color=[STEP_COLOURS[s.kind] for s in steps], width=0.6)
    for bar, step in zip(bars, steps, strict=True):  # a fall's change under its bar, a rise's over it: apart
        up = step.kind == "total" or step.end >= step.start
        ax.annotate(step.text, (bar.get_x() + bar.get_width() / 2, bar.get_y() + (bar.get_height() if up else 0)),
                    xytext=(0, 2 if up else -2), textcoords="offset points", ha="center",
                    va="bottom" if up else "top", fontsize=6)
    ax.axhline(0, color=MUTED, linewidth=0.8)
    ax.set_title(chart.title, fontsize=10)
    ax.set_xticks(range(len(steps)))
    columns = max(6, int(PLOT_WIDTH_PT / len(steps) / HALF_WIDTH_PT))
    ax.set_xticklabels([wrap_label(s.label, columns) for s in steps], fontsize=6.5)
    values = [v for s in steps for v in (s.start, s.end)]
    ax.set_ylim(min(0.0, *values), max(0.0, *values) * 1.12 or 1.0)
    ax.tick_params(axis="y", labelsize=7)
    ax.yaxis.set_major_formatter(AxisTicks(chart.axis))
    ax.grid(axis="y", color=MUTED, linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)


def waterfall_chart(view: PackView, path: Path) -> Path:
    """One waterfall per focus KPI: last month → its largest parts of change → this month."""
    count = max(len(view.waterfalls), 1)
    fig, axes = plt.subplots(1, count, figsize=(3.7 * count, 3.8), dpi=DPI, squeeze=False)
    for ax, chart in zip(axes[0], view.waterfalls, strict=False):  # no waterfall: one empty axis
        _waterfall_axis(ax, chart)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def scoring_chart(chart: ScoreChart, path: Path) -> Path:
    """Side-by-side bars per score band: where the MQLs that became SQL sit against the others."""
    fig, ax = plt.subplots(figsize=(5.6, 3.4), dpi=DPI)
    xs = range(len(chart.categories))
    width = 0.4
    ax.bar([x - width / 2 for x in xs], chart.sql_shares, width, color=ACCENT, label=chart.sql_label)
    ax.bar([x + width / 2 for x in xs], chart.other_shares, width, color=MUTED, label=chart.other_label)
    for marker, colour in zip(chart.markers, MARKER_COLOURS, strict=False):  # one or two markers
        x = (marker.score - chart.low) / chart.width - 0.5  # a score's place on the band axis
        ax.axvline(x, color=colour, linestyle="--", linewidth=1.3, label=marker.legend)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(chart.categories, fontsize=7, rotation=45)
    ax.set_xlabel(chart.axis, fontsize=8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", color=MUTED, linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(fontsize=7, frameon=False, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.14, 1, 1))  # room for the legend under the axis
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def weekly_chart(weekly: WeeklyView, path: Path) -> Path:
    """A small panel per KPI (leads, MQLs, SQLs): each week's count against the month's target pace.
    Panels, not one axis: the SQLs' weekly swings would vanish under the leads' scale."""
    fig, axes = plt.subplots(1, len(weekly.panels), figsize=(10.5, 2.7), dpi=DPI, squeeze=False)
    xs = list(range(len(weekly.weeks)))
    for ax, panel in zip(axes[0], weekly.panels, strict=True):
        bars = ax.bar(xs, panel.values, width=0.6, color=ACCENT, label=weekly.actual_label)
        ax.bar_label(bars, padding=2, fontsize=7)
        if panel.pace is not None:
            ax.hlines(panel.pace, [x - 0.4 for x in xs], [x + 0.4 for x in xs], colors=TARGET, linestyles="--",
                      linewidth=1.2, label=weekly.pace_label)
        ax.set_title(panel.title, fontsize=10)
        ax.set_xticks(xs)
        ax.set_xticklabels(weekly.weeks, fontsize=6.5, rotation=30, ha="right", rotation_mode="anchor")
        ax.tick_params(axis="y", labelsize=7)
        ax.yaxis.set_major_formatter(AxisTicks(weekly.axis))
        ax.set_ylim(0, max([*panel.values, *(panel.pace or ()), 1]) * 1.2)
        ax.grid(axis="y", color=MUTED, linewidth=0.5)
        ax.spines[["top", "right"]].set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()  # the pace's line comes first: put the bars first
    fig.legend(handles[::-1], labels[::-1], fontsize=7, frameon=False, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.07, 1, 1))  # room for the legend under the panels
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def draw_charts(view: PackView, folder: Path) -> dict[str, str]:
    """Draw every chart of the PDF into ``folder``; returns chart id → file URI."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = {
        "trend": trend_chart(view, folder / "trend.png").as_uri(),
        "funnel": funnel_chart(view, folder / "funnel.png").as_uri(),
        "weekly": weekly_chart(view.weekly, folder / "weekly.png").as_uri(),
    }
    if view.waterfalls:
        charts["waterfall"] = waterfall_chart(view, folder / "waterfall.png").as_uri()
    scoring = view.diagnosis.scoring
    if scoring is not None and scoring.chart is not None:
        charts["scoring"] = scoring_chart(scoring.chart, folder / "scoring.png").as_uri()
    return charts
