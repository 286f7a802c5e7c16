"""The steps of one run as plain functions; the Prefect flow (``monthly_retrospective``) orders them as tasks.

Keeping the steps free of Prefect lets the benchmark time each one and lets tests call them directly.
"""

from __future__ import annotations

import errno
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from retropack.config import Config, Settings, load_config
from retropack.errors import DataError, RenderError
from retropack.gather._snapshot import read_state
from retropack.gather.hubspot import SyncReport, sync_hubspot
from retropack.insights.analysis import Analysis, analyse
from retropack.load import Dataset, Finding, load_dataset, require_rows
from retropack.months import Month
from retropack.present.view import PackView, build_view
from retropack.publish import write_json
from retropack.publish.actions_json import actions_document
from retropack.publish.diagnosis_json import diagnosis_document
from retropack.publish.folder import PackFiles, discard, pack_names, promote, staging_folder
from retropack.publish.kpis_json import kpis_document
from retropack.publish.manifest import manifest, versions
from retropack.publish.rejects import write_rejects
from retropack.publish.sends_csv import write_sends
from retropack.render.deck import render_pptx
from retropack.render.pdf import render_pdf

__all__ = ["RenderedPack", "build_pack_view", "compute", "forget_loaded", "load", "new_run_id", "now_in",
           "render_and_publish", "sync", "view"]


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def now_in(settings: Settings) -> datetime:
    return datetime.now(ZoneInfo(settings.program.timezone))


def sync(settings: Settings, *, full: bool = False, progress: Callable[[str], None] = lambda message: None,
         ) -> SyncReport:
    """Pull the client's HubSpot account into its dataset folder (a ``hubspot`` source only)."""
    return sync_hubspot(settings.source, settings.data.path, start=settings.program.start.start("UTC").date(),
                        full=full, progress=progress)


# The last dataset read, under what it was read from: a backfill reads a program's tables once, not once a month.
_loaded: dict[tuple[object, ...], Dataset] = {}


def load(settings: Settings) -> Dataset:
    """The client's validated dataset; read again only when a file of its folder or a setting that shapes it
    changed since the last read.

    One dataset is kept (a backfill runs one client's months one after another), keyed by the data settings,
    the timezone, ``data_quality`` and every file of the dataset folder (name, size, modification time).
    Nothing downstream changes a dataset (tests/flow/test_load_cache.py), and each caller gets its own dicts
    and findings list, so a caller adding to them leaves the kept one as it was.
    """
    key = _load_key(settings)
    dataset = _loaded.get(key)
    if dataset is None:
        dataset = load_dataset(
            settings.data.path,
            timezone=settings.program.timezone,
            max_reject_share=settings.data_quality.max_reject_share,
            export=settings.data.mapping(),
            max_amount=settings.data_quality.max_amount,
        )
        _loaded.clear()
        _loaded[key] = dataset
    require_rows(dataset)  # a header-only export is no quiet month: no pack of zeros is built from it
    findings = list(dataset.findings)
    if settings.source.kind == "hubspot":  # parts the last sync could not read are said in the pack
        for part in read_state(settings.data.path).get("skipped", []):
            findings.append(Finding("source_skipped", part["table"], 0,
                                    {"scopes": ", ".join(part.get("scopes") or [])}))
    return replace(dataset, tables=dict(dataset.tables), columns=dict(dataset.columns), quality=dict(dataset.quality),
                   findings=findings, files=list(dataset.files))


def forget_loaded() -> None:
    """Drop the kept dataset, so the next ``load`` reads the files (the benchmark times a first read)."""
    _loaded.clear()


def _load_key(settings: Settings) -> tuple[object, ...]:
    folder = Path(settings.data.path)
    listing = folder.iterdir() if folder.is_dir() else ()
    files = tuple(sorted((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in listing
                         if path.is_file()))
    return settings.data.model_dump_json(), settings.program.timezone, settings.data_quality.model_dump_json(), files


def compute(dataset: Dataset, config: Config, month: Month, scoring_review: bool = False) -> Analysis:
    _require_data_for(month, dataset, config.settings)
    return analyse(dataset, config, month, scoring_review=scoring_review)


def _require_data_for(month: Month, dataset: Dataset, settings: Settings) -> None:
    """Stop on a month that begins after the data's newest date: its pack would be all zeros (a clock in the
    future, a mistyped --month, a backfill past the last export), and mailed as if it were a real month."""
    newest = dataset.newest_date()
    tz = settings.program.timezone
    if newest is None or month.start(tz) <= newest[0]:
        return
    moment, where = newest
    table = where.split(".", 1)[0]
    file = dataset.quality[table].file if table in dataset.quality else None
    raise DataError(
        f"Month {month} begins after the data's newest date, {moment.date().isoformat()} ({where}"
        f"{f' in {str(file)!r}' if file else ''}); there is nothing to report for it, so give a month up to "
        f"{Month.of(moment)} (--month), or put the newer exports into the dataset folder '{settings.data.path}' "
        f"(a run without --month reports the month before today: check the machine's clock)."
    )


def view(analysis: Analysis, dataset: Dataset, config: Config, run_id: str, generated_at: datetime,
         locale: str | None = None, quarterly: bool = False) -> PackView:
    return build_view(analysis, dataset, config, run_id=run_id, generated_at=generated_at, versions=versions(),
                      locale=locale, quarterly=quarterly)


@dataclass(frozen=True)
class RenderedPack:
    files: PackFiles
    pack_hash: str


def render_and_publish(pack: PackView, analysis: Analysis, dataset: Dataset, settings: Settings, reports_root: Path,
                       run_id: str, generated_at: datetime) -> RenderedPack:
    """Render every output into a staging folder and move it into place only when all succeeded."""
    month = str(analysis.month)
    final = reports_root / settings.client / month
    try:
        staging = staging_folder(reports_root, settings.client, month, run_id)
    except OSError as exc:
        raise _unwritable(final, exc) from None
    pdf_name, pptx_name = pack_names(settings.client, month)
    try:
        render_pdf(pack, staging / pdf_name)
        render_pptx(pack, staging / pptx_name)
        write_json(staging / "kpis.json", kpis_document(settings.client, month, analysis.phase, analysis.results,
                                                        analysis.insights, analysis.verdicts, analysis.findings))
        write_json(staging / "actions.json", actions_document(settings.client, month, pack.actions,
                                                              pack.previous_actions, analysis.previous_actions))
        write_json(staging / "diagnosis.json", diagnosis_document(settings.client, analysis.month, analysis.diagnosis,
                                                                  settings.program.currency))
        write_rejects(dataset, staging / "rejects")
        write_sends(analysis.cadence.sends, staging)
        asked = analysis.diagnosis.scoring is not None and analysis.diagnosis.scoring.reason == "asked"
        document = manifest(settings, dataset, analysis.month, run_id, generated_at, staging, asked)
        write_json(staging / "manifest.json", document)
        files = promote(staging, final)
    except (OSError, RenderError) as exc:
        written = _size_of(staging)
        discard(staging)
        cause = exc if isinstance(exc, OSError) else exc.__cause__
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            raise _disk_full(final, written) from None
        if isinstance(exc, RenderError):
            raise
        raise _unwritable(final, exc) from exc
    except BaseException:
        discard(staging)
        raise
    return RenderedPack(files, document["pack_hash"])


def _size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


_PACK_FLOOR = 2_000_000  # bytes: a pack with its PDF, deck and JSON, when the client has no earlier one to go by


def _disk_full(final: Path, written: int) -> RenderError:
    """A full disk, said once with the space to free: the size of the client's largest earlier pack, else at least
    what this run had written when the disk refused more (and no less than a small pack)."""
    client = final.parent
    earlier = [_size_of(folder) for folder in client.iterdir() if folder.is_dir() and folder.name[:1].isdigit()] \
        if client.is_dir() else []
    size = f"about {max(earlier) / 1e6:.1f} MB (its largest earlier pack)" if earlier else \
        f"at least {max(written, _PACK_FLOOR) / 1e6:.1f} MB"
    free = shutil.disk_usage(next(p for p in (final, *final.parents) if p.exists())).free
    return RenderError(
        f"The pack for '{final}' could not be written: the disk holding '{client}' is full ({free / 1e6:.1f} MB free); "
        f"a pack of this client takes {size}, so free that much there (or give --out a folder on another disk), "
        "then run again (the previous pack, if any, is unchanged)."
    )


def _unwritable(final: Path, exc: OSError) -> RenderError:
    """A file system's refusal (permissions, a full disk) while the pack was written, as the user can act on it."""
    where = f" ('{exc.filename}')" if exc.filename else ""
    return RenderError(f"The pack for '{final}' could not be written: {exc.strerror or exc}{where}; make the reports "
                       "folder (--out) writable, free space on its disk, then run again (the previous pack, if any, is "
                       "unchanged).")


def build_pack_view(config_file: Path | str, month: str, quarterly: bool = False) -> PackView:
    """The view model of one month straight from a config file: for looking at documents and tests."""
    config = load_config(config_file)
    dataset = load(config.settings)
    analysis = compute(dataset, config, Month.parse(month), quarterly)
    return view(analysis, dataset, config, new_run_id(), now_in(config.settings), quarterly=quarterly)
