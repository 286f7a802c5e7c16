"""The PDF pack: Jinja2 lays out the view model, WeasyPrint prints it with the font embedded.

Templates and stylesheets ship inside the package (``retropack.templates``); the charts are drawn
next to the PDF being written, in a folder removed once the PDF is done.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
import matplotlib_fontja
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from retropack.errors import RenderError
from retropack.present.clean import strip_controls
from retropack.present.view import PackView
from retropack.render.charts import draw_charts

__all__ = ["render_html", "render_pdf"]

FONT = Path(matplotlib_fontja.__file__).resolve().parent / "fonts" / "ipaexg.ttf"


def templates_folder() -> Path:
    return Path(str(files("retropack.templates")))


@dataclass(frozen=True)
class _Page:
    """A diagnosis page: the template that lays it out, the part of the view it reads, its title."""

    template: str
    data: object
    title: str
    lead: str  # the part's name above the first page's title ("" on the pages after it)


def _diagnosis_pages(view: PackView) -> list[_Page]:
    """The quarterly review after the main part: in full at a quarter's end (or asked for), the scoring review
    alone when only that was asked for, nothing in other months."""
    diagnosis = view.diagnosis
    parts = [("sections/health.html.j2", diagnosis.health), ("sections/roadmap.html.j2", diagnosis)]
    if diagnosis.scoring is not None:
        parts.append(("sections/scoring.html.j2", diagnosis.scoring))
    pages = [_Page(template, data, title, "") for (template, data), title in zip(parts, diagnosis.titles, strict=True)]
    if not view.quarterly:
        pages = [page for page in pages if page.template == "sections/scoring.html.j2"]
    return [dataclasses.replace(page, lead=view.words("section.quarterly") if i == 0 else "")
            for i, page in enumerate(pages)]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_folder()),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_printable,
    )


def _printable(value: object) -> object:
    """Every value a template prints, without control characters (the view cleans data; this is the last net)."""
    if isinstance(value, Markup):  # the stylesheet, passed as safe: stays safe
        return Markup(strip_controls(value))
    return strip_controls(value) if isinstance(value, str) else value


class LocalOnlyFetcher(URLFetcher):
    """Reads local files under the pack's own folders and refuses everything else (no remote URLs)."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self._roots = [folder.resolve() for folder in allowed]

    def fetch(self, url: str, headers=None):  # type: ignore[no-untyped-def]
        path = Path(url2pathname(urlsplit(url).path)).resolve()  # file URIs quote spaces and non-ASCII names
        if url.startswith("file://") and not any(path.is_relative_to(root) for root in self._roots):
            raise ValueError(f"refusing to read {path}: outside the pack's folders")
        return super().fetch(url, headers)


def render_html(view: PackView, charts: dict[str, str]) -> str:
    """The pack as HTML; ``charts`` maps chart ids to the URIs of their images."""
    folder = templates_folder()
    return _environment().get_template("pack.html.j2").render(
        v=view,
        t=view.words,
        charts=charts,
        css=(folder / "pack.css").read_text(encoding="utf-8"),
        font_url=FONT.as_uri(),
        diagnosis_pages=_diagnosis_pages(view),
        agenda=view.agenda,
    )


def render_pdf(view: PackView, path: Path) -> None:
    """Write the pack as an A4-landscape PDF at ``path``, drawing its charts beside it first."""
    try:
        with tempfile.TemporaryDirectory(prefix=".charts-", dir=path.parent.resolve()) as scratch:
            charts = draw_charts(view, Path(scratch))
            fetcher = LocalOnlyFetcher([templates_folder(), FONT.parent, Path(scratch)])
            html = HTML(string=render_html(view, charts), base_url=str(templates_folder()), url_fetcher=fetcher)
            html.write_pdf(path)
    except (OSError, jinja2.TemplateError) as exc:
        raise RenderError(f"The PDF could not be written to '{path}': {exc}.") from exc
