"""The PDF pack: Jinja2 lays out the view model, WeasyPrint prints it with the font embedded."""

from __future__ import annotations

from pathlib import Path

import jinja2
import matplotlib_fontja
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from retropack.errors import RenderError
from retropack.messages import Translator
from retropack.view import PackView

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FONT = Path(matplotlib_fontja.__file__).resolve().parent / "fonts" / "ipaexg.ttf"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class LocalOnlyFetcher(URLFetcher):
    """Reads local files under the pack's own folders and refuses everything else (no remote URLs)."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self._roots = [folder.resolve() for folder in allowed]

    def fetch(self, url: str, headers=None):  # type: ignore[no-untyped-def]
        path = Path(url.removeprefix("file://").split("?")[0]).resolve()
        if url.startswith("file://") and not any(path.is_relative_to(root) for root in self._roots):
            raise ValueError(f"refusing to read {path}: outside the pack's folders")
        return super().fetch(url, headers)


def render_html(view: PackView) -> str:
    template = _environment().get_template("pack.html.j2")
    return template.render(
        v=view,
        t=Translator(view.locale),
        css=(TEMPLATES / "pack.css").read_text(encoding="utf-8"),
        font_url=FONT.as_uri(),
        extra_sections=view.extra_sections.get("pdf", []),
    )


def render_pdf(view: PackView, path: Path) -> None:
    """Write the pack as an A4-landscape PDF at ``path``; chart paths in the view must exist."""
    chart_dirs = {Path(uri.removeprefix("file://")).parent for uri in view.charts.values()}
    fetcher = LocalOnlyFetcher([TEMPLATES, FONT.parent, *chart_dirs])
    try:
        HTML(string=render_html(view), base_url=str(TEMPLATES), url_fetcher=fetcher).write_pdf(path)
    except (OSError, jinja2.TemplateError) as exc:
        raise RenderError(f"The PDF could not be written to '{path}': {exc}.") from exc
