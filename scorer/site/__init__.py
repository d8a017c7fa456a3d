"""The cqdt Pelican plugin: data pages from the scorer's Results.

Settings it reads: CQDT_DATA_ROOT (the data root, also read by other plugins),
CQDT_YEARS (optional subset), CQDT_PROGRESS (progress bars), CQDT_JOBS (worker
processes), CQDT_PUBLIC_URL
(absolute URLs in sitemap.xml), REPOSITORY_URL and REPOSITORY_BRANCH (source links).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import signals

from ..cache import cache_dir
from . import sitemap
from .filters import FILTERS
from .generator import ResultsGenerator
from .output import ChangedOnlyWriter, write_if_changed
from .sitemap import page_url, sitemap_xml


def configure(pelican) -> None:
    """Add the Vietnamese filters and force autoescaping for every template. Templates do not
    change during a build: no file check each time a page extends or imports one."""
    settings = pelican.settings
    settings["JINJA_FILTERS"] = {**FILTERS, **settings.get("JINJA_FILTERS", {})}
    settings["JINJA_ENVIRONMENT"] = {**settings.get("JINJA_ENVIRONMENT", {}), "autoescape": True,
                                     "auto_reload": False, "bytecode_cache": bytecode_cache()}
    sitemap.PAGES.clear()


def bytecode_cache() -> FileSystemBytecodeCache:
    """Compiled templates in cqdt's cache folder (keyed by each template's source), so a build
    does not compile every template again."""
    folder = cache_dir() / "jinja"
    with contextlib.suppress(OSError):  # unwritable: Jinja then compiles as usual
        folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def get_generators(pelican) -> type[ResultsGenerator]:
    return ResultsGenerator


def get_writer(pelican) -> type[ChangedOnlyWriter]:
    return ChangedOnlyWriter


def remember_page(path, context) -> None:
    """Note each HTML page written, by its URL."""
    url = page_url(Path(context["OUTPUT_PATH"]), Path(path))
    if url is not None:
        sitemap.PAGES.add(url)


def write_sitemap(pelican) -> None:
    write_if_changed(Path(pelican.output_path) / "sitemap.xml",
                     sitemap_xml(pelican.settings.get("CQDT_PUBLIC_URL", ""), sitemap.PAGES))


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)
    signals.content_written.connect(remember_page)
    signals.finalized.connect(write_sitemap)
