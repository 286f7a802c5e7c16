"""The steps of one run as plain functions; the Prefect flow (``flows/``) orders them as tasks.

Keeping the steps free of Prefect lets the benchmark time each one and lets tests call them directly.
"""

from __future__ import annotations

import hashlib
import platform
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

from retropack.actions import load_rules
from retropack.analysis import Analysis, analyse
from retropack.charts import draw_charts
from retropack.config import Settings, load_settings
from retropack.dataset import Dataset
from retropack.diagnosis.charts import draw_diagnosis_charts
from retropack.diagnosis.document import diagnosis_document
from retropack.months import Month
from retropack.publish import (
    PackFiles,
    discard,
    kpis_document,
    pack_names,
    promote,
    sha256_file,
    staging_folder,
    write_json,
    write_rejects,
)
from retropack.render_pdf import render_pdf
from retropack.render_pptx import render_pptx
from retropack.validation import load_dataset
from retropack.view import PackView, build_view

_VERSIONED = ("retropack", "prefect", "pandas", "weasyprint", "python-pptx", "matplotlib")


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), **{name: version(name) for name in _VERSIONED}}


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def load(settings: Settings) -> Dataset:
    return load_dataset(
        settings.data.path,
        timezone=settings.program.timezone,
        max_reject_share=settings.data_quality.max_reject_share,
    )


def compute(dataset: Dataset, settings: Settings, month: Month, scoring_review: bool = False) -> Analysis:
    return analyse(dataset, settings, month, load_rules(settings.advice.rules_file), scoring_review=scoring_review)


def view(analysis: Analysis, dataset: Dataset, settings: Settings, run_id: str, generated_at: datetime,
         locale: str | None = None) -> PackView:
    return build_view(analysis, dataset, settings, run_id=run_id, generated_at=generated_at, versions=versions(),
                      locale=locale)


def pack_hash(dataset: Dataset, settings: Settings, month: Month, scoring_review: bool = False) -> str:
    """Identity of a pack's content: its month, inputs, configuration, rules and code version, and
    whether a scoring review was asked for outside its quarter (it adds pages).

    Two runs with the same hash carry the same numbers and advice, so a delivery is not repeated.
    """
    asked = "|scoring-review" if scoring_review else ""
    digest = hashlib.sha256(f"{settings.client}|{month}|{version('retropack')}{asked}".encode())
    sources = [*sorted(dataset.files), settings.source, settings.advice.rules_file]
    for path in sources:
        if path is not None and Path(path).exists():
            digest.update(sha256_file(Path(path)).encode())
    return digest.hexdigest()


def _manifest(
    settings: Settings, dataset: Dataset, month: Month, run_id: str, generated_at: datetime, folder: Path,
    scoring_review: bool,
) -> dict:
    def described(path: Path, base: Path) -> dict[str, str | int]:
        return {"file": str(path.relative_to(base)) if path.is_relative_to(base) else str(path),
                "sha256": sha256_file(path), "bytes": path.stat().st_size}

    return {
        "run_id": run_id,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "client": settings.client,
        "month": str(month),
        "pack_hash": pack_hash(dataset, settings, month, scoring_review),
        "versions": versions(),
        "config": described(settings.source, settings.source.parent) if settings.source else None,
        "rules": described(settings.advice.rules_file, settings.advice.rules_file.parent),
        "data_folder": str(settings.data.path),
        "inputs": [described(path, settings.data.path) for path in sorted(dataset.files)],
        "rows": {q.table: {"read": q.rows_read, "rejected": q.rejected} for q in dataset.quality.values()},
        "outputs": [described(path, folder) for path in sorted(folder.rglob("*")) if path.is_file()],
    }


@dataclass(frozen=True)
class RenderedPack:
    files: PackFiles
    pack_hash: str


def render_and_publish(
    pack: PackView, analysis: Analysis, dataset: Dataset, settings: Settings, reports_root: Path,
    run_id: str, generated_at: datetime,
) -> RenderedPack:
    """Render every output into a staging folder and move it into place only when all succeeded."""
    month = str(analysis.month)
    staging = staging_folder(reports_root, settings.client, month, run_id)
    pdf_name, pptx_name = pack_names(settings.client, month)
    try:
        with tempfile.TemporaryDirectory(prefix="retropack-charts-") as charts:
            pack.charts = {**draw_charts(pack, Path(charts)), **draw_diagnosis_charts(pack, Path(charts))}
            render_pdf(pack, staging / pdf_name)
        render_pptx(pack, staging / pptx_name)
        write_json(staging / "kpis.json", kpis_document(settings.client, month, analysis.phase.id,
                                                        analysis.phase.month_index, analysis.results))
        write_json(staging / "diagnosis.json", diagnosis_document(settings.client, analysis.month, analysis.diagnosis,
                                                                  settings.program.currency))
        write_rejects(dataset, staging / "rejects")
        asked = analysis.diagnosis.scoring is not None and analysis.diagnosis.scoring.reason == "asked"
        manifest = _manifest(settings, dataset, analysis.month, run_id, generated_at, staging, asked)
        write_json(staging / "manifest.json", manifest)
        final = reports_root / settings.client / month
        promote(staging, final)
    except BaseException:
        discard(staging)
        raise
    files = PackFiles(final, final / pdf_name, final / pptx_name, final / "kpis.json", final / "manifest.json")
    return RenderedPack(files, manifest["pack_hash"])


def now_in(settings: Settings) -> datetime:
    return datetime.now(ZoneInfo(settings.program.timezone))


def build_pack_view(config: Path | str, month: str) -> PackView:
    """The view model of one month straight from a config file: for looking at documents and tests."""
    settings = load_settings(config)
    dataset = load(settings)
    analysis = compute(dataset, settings, Month.parse(month))
    return view(analysis, dataset, settings, new_run_id(), now_in(settings))
