"""The cqdt Pelican plugin: Pelican's side of a full build.

Pelican reads the settings and writes the hand-written pages and the theme's static files;
the data pages come from the plugin's generator (see generator.DataPages), which needs
nothing of Pelican but the settings. After the build, the plugin notes what Pelican itself
wrote (see quick), so that a rebuild whose only changes are in the data need not start Pelican.
"""

from __future__ import annotations

from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.writers import Writer

from . import quick, sitemap
from .generator import DataPages, keep
from .output import ChangedOnlyMixin
from .sitemap import page_url
from .templates import bytecode_cache, jinja_options

_build: dict = {}  # the current build's DataPages, for the end of the build


def configure(pelican) -> None:
    """Add the Vietnamese filters and force autoescaping for every template (the hand-written
    pages' too), with compiled templates cached."""
    from .filters import FILTERS

    settings = pelican.settings
    settings["JINJA_FILTERS"] = {**FILTERS, **settings.get("JINJA_FILTERS", {})}
    settings["JINJA_ENVIRONMENT"] = {**jinja_options(settings), "bytecode_cache": bytecode_cache()}
    sitemap.PAGES.clear()
    _build.clear()


class ResultsGenerator(Generator):
    """Pelican's handle on the data pages: they are read with the other content and written
    with the other pages; the hand-written pages see what they share (years, data files)."""

    def generate_context(self) -> None:
        pages = _build["pages"] = DataPages(self.settings)
        pages.read()
        pages.start()
        self.context.update(pages.shared())

    def generate_output(self, writer) -> None:
        _build["pages"].write()


class ChangedOnlyWriter(ChangedOnlyMixin, Writer):
    """Pelican's writer, keeping its overwrite rules, but leaving unchanged files alone."""


def get_generators(pelican) -> type[ResultsGenerator]:
    return ResultsGenerator


def get_writer(pelican) -> type[ChangedOnlyWriter]:
    return ChangedOnlyWriter


def remember_page(path, context) -> None:
    """Note each HTML page Pelican writes, by its URL."""
    url = page_url(Path(context["OUTPUT_PATH"]), Path(path))
    if url is not None:
        sitemap.PAGES.add(url)


def finish(pelican) -> None:
    """Write the sitemap, and note what Pelican wrote for the next quick rebuild."""
    sitemap.write(Path(pelican.output_path), pelican.settings.get("CQDT_PUBLIC_URL", ""))
    pages = _build.pop("pages", None)
    if pages is not None:
        quick.remember(pelican.settings, pages, sitemap.PAGES)
        keep(pages)


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)
    signals.content_written.connect(remember_page)
    signals.finalized.connect(finish)
