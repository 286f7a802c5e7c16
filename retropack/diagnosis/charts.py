"""The diagnosis' PDF chart: the score distribution of the scoring review, in the pack's font and palette."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib_fontja  # noqa: E402,F401  (registers IPAexGothic and makes it the default family)
from matplotlib.ticker import PercentFormatter  # noqa: E402

from retropack.diagnosis.scoring_view import ScoreChart  # noqa: E402
from retropack.diagnosis.view import DiagnosisView  # noqa: E402
from retropack.palette import ACCENT, MUTED, STATUS_COLOURS, TARGET  # noqa: E402
from retropack.view import PackView  # noqa: E402

DPI = 150
MARKER_COLOURS = (STATUS_COLOURS["no_target"], TARGET)  # threshold in use, suggested threshold


def scoring_chart(chart: ScoreChart, path: Path) -> Path:
    """Side-by-side bars per score band: where the MQLs that became SQL sit against the others."""
    fig, ax = plt.subplots(figsize=(5.6, 3.4), dpi=DPI)
    xs = range(len(chart.categories))
    width = 0.4
    ax.bar([x - width / 2 for x in xs], chart.sql_shares, width, color=ACCENT, label=chart.sql_label)
    ax.bar([x + width / 2 for x in xs], chart.other_shares, width, color=MUTED, label=chart.other_label)
    for (label, score), colour in zip(chart.markers, MARKER_COLOURS):
        x = (score - chart.low) / chart.width - 0.5  # a score's place on the band axis
        ax.axvline(x, color=colour, linestyle="--", linewidth=1.3, label=f"{label} ({score:g})")
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


def draw_diagnosis_charts(view: PackView, folder: Path) -> dict[str, str]:
    """Chart id → file URI, for the diagnosis pages that have a chart."""
    diagnosis = view.extra_sections.get("diagnosis")
    if not isinstance(diagnosis, DiagnosisView) or diagnosis.scoring is None or diagnosis.scoring.chart is None:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    return {"scoring": scoring_chart(diagnosis.scoring.chart, folder / "scoring.png").as_uri()}
