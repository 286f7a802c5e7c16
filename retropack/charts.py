"""The PDF's charts, drawn with matplotlib in the embedded Japanese font (IPAexGothic)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib_fontja  # noqa: E402,F401  (registers IPAexGothic and makes it the default family)
from matplotlib.ticker import FuncFormatter  # noqa: E402

from retropack.messages import Translator  # noqa: E402
from retropack.palette import ACCENT, MUTED, TARGET  # noqa: E402
from retropack.view import PackView, TrendSeries  # noqa: E402

DPI = 150


def _axis_formatter(unit: str, locale: str) -> FuncFormatter:
    def fmt(value: float, _pos: int) -> str:
        if unit == "rate":
            return f"{value * 100:.0f}%"
        if unit in ("money", "money_per_day"):
            if locale == "ja":
                return f"¥{value / 10_000:,.0f}万"
            return f"¥{value / 1_000_000:,.1f}M"
        return f"{value:,.0f}"

    return FuncFormatter(fmt)


def _trend_axis(ax: plt.Axes, series: TrendSeries, tr: Translator) -> None:
    labels = [m[2:].replace("-", "/") for m in series.months]
    xs = range(len(labels))
    values = [float("nan") if v is None else v for v in series.values]
    ax.plot(xs, values, color=ACCENT, marker="o", markersize=3, linewidth=1.8, label=tr("chart.actual"))
    if series.target is not None:
        ax.axhline(series.target, color=TARGET, linestyle="--", linewidth=1.2, label=tr("chart.target"))
    ax.set_title(series.title, fontsize=10)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=6.5, rotation=45)
    ax.tick_params(axis="y", labelsize=7)
    ax.yaxis.set_major_formatter(_axis_formatter(series.unit, tr.locale))
    ax.grid(axis="y", color=MUTED, linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(bottom=min(0, *(v for v in values if v == v)) if any(v == v for v in values) else 0)
    ax.legend(fontsize=7, frameon=False, loc="best")


def trend_chart(view: PackView, path: Path) -> Path:
    """One small line chart per focus KPI: 12 months of actuals against the target line."""
    tr = Translator(view.locale)
    count = max(len(view.trends), 1)
    fig, axes = plt.subplots(1, count, figsize=(3.6 * count, 2.6), dpi=DPI, squeeze=False)
    for ax, series in zip(axes[0], view.trends):
        _trend_axis(ax, series, tr)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def funnel_chart(view: PackView, path: Path) -> Path:
    """The month's funnel lead → MQL → SQL → opportunity → won, widest stage on top."""
    labels = [label for label, _ in view.funnel][::-1]
    values = [value for _, value in view.funnel][::-1]
    texts = [f"{v:,}" + (f"  ({rate})" if rate else "") for v, rate in zip(values, view.funnel_rates[::-1])]
    fig, ax = plt.subplots(figsize=(4.6, 2.6), dpi=DPI)
    bars = ax.barh(labels, values, color=ACCENT, height=0.6)
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    ax.set_xlim(0, max(values + [1]) * 1.35)
    ax.tick_params(labelsize=8)
    ax.xaxis.set_visible(False)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def draw_charts(view: PackView, folder: Path) -> dict[str, str]:
    """Draw every chart of the PDF into ``folder``; returns chart id → file URI."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "trend": trend_chart(view, folder / "trend.png").as_uri(),
        "funnel": funnel_chart(view, folder / "funnel.png").as_uri(),
    }
