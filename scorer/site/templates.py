"""The theme's Jinja environment and the page context of the data pages, made from the site
settings alone (no Pelican objects), so that a Pelican build and a rebuild without Pelican
(see quick) render the same bytes."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader
from markupsafe import Markup

from ..shell.cache import cache_dir
from .filters import FILTERS
from .output import write_if_changed

# The settings a data page's template may read (base.html included); a data page sees only
# these and its own values.
SITE_NAMES = ("SITENAME", "SITESUBTITLE", "REPOSITORY_URL", "REPOSITORY_BRANCH")


def relative_root(name: str) -> str:
    """SITEURL of the page written at `name` with relative URLs: "." at the top, else "../" per
    folder (what Pelican's writer gives)."""
    depth = name.count("/")
    return "/".join([".."] * depth) if depth else "."


def jinja_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The Jinja environment options of the site: the settings' own, with autoescaping forced.
    Templates do not change during a build: no file check each time a page extends one."""
    return {**(settings.get("JINJA_ENVIRONMENT") or {}), "autoescape": True, "auto_reload": False}


def bytecode_cache() -> FileSystemBytecodeCache:
    """Compiled templates in cqdt's cache folder (keyed by each template's source), so a build
    does not compile every template again."""
    folder = cache_dir() / "jinja"
    with contextlib.suppress(OSError):  # unwritable: Jinja then compiles as usual
        folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def template_folders(settings: Mapping[str, Any]) -> list[str]:
    """Where templates are looked up, first match wins (Pelican's order)."""
    return [*settings.get("THEME_TEMPLATES_OVERRIDES", ()), str(Path(settings["THEME"]) / "templates")]


def site_env(settings: Mapping[str, Any]) -> Environment:
    """The Jinja environment of the data pages: the theme's templates, cqdt's filters.
    `settings`: plain ones (generator.data_settings), without a compiled-template cache."""
    env = Environment(loader=FileSystemLoader(template_folders(settings)), bytecode_cache=bytecode_cache(),
                      **jinja_options(settings))
    env.filters.update(FILTERS)
    return env


class PageRenderer:
    """Renders a data page from the site settings, the values every data page shares and
    its own values, and writes it when its bytes changed; remembers every name written."""

    def __init__(self, env: Environment, settings: Mapping[str, Any], output: Path) -> None:
        self.env = env
        self.output = output
        self.context: dict[str, Any] = {name: settings.get(name) for name in SITE_NAMES}
        self.site_url = None if settings.get("RELATIVE_URLS") else settings.get("SITEURL", "")
        self.written: set[str] = set()

    def render(self, name: str, template: str, markers: Mapping[str, str], values: Mapping[str, Any]) -> bytes:
        """`template`.html rendered for the page at `name`, UTF-8, each value named in `markers`
        shown as its marker."""
        self.written.add(name)
        site_url = relative_root(name) if self.site_url is None else self.site_url
        context = {**self.context, "SITEURL": site_url, **values, **{k: Markup(m) for k, m in markers.items()}}
        return self.env.get_template(f"{template}.html").render(context).encode("utf-8")

    def write(self, name: str, template: str, pieces: Mapping[str, bytes] | None = None, **values) -> None:
        """Render `template`.html to `name` (relative to the output folder). Each of `pieces`
        (value name → UTF-8 HTML) goes into the page as it is: the template gets a marker in
        its place, and the encoded page the piece in place of the marker. An empty piece may
        be left out by the template (a ranking without rows)."""
        markers = {key: marker(key) for key in pieces or {}}
        page = self.render(name, template, markers, values)
        for key, shown in markers.items():
            before, after = split_at(page, shown, template, bool(pieces[key]))
            page = before + pieces[key] + after if after is not None else before
        write_if_changed(self.output / name, page)

    def frame(self, name: str, template: str, piece: str, empty: bool, **values) -> tuple[bytes, bytes]:
        """The page at `name` before and after where the template shows `piece` (see write; an
        `empty` one it may leave out): the head and the tail of a page made by splice."""
        page = self.render(name, template, {piece: marker(piece)}, values)
        before, after = split_at(page, marker(piece), template, not empty)
        return before, after or b""


def marker(piece: str) -> str:
    """What a template is given in place of a piece of the page (see PageRenderer.write)."""
    return f"\x00{piece}\x00"


def split_at(page: bytes, shown: str, template: str, required: bool = True) -> tuple[bytes, bytes | None]:
    """The page before and after the one marker `shown`; (page, None) if the template left it out
    (allowed only when not `required`)."""
    before, found, after = page.partition(shown.encode())
    if (not found and required) or shown.encode() in after:
        raise ValueError(f"{template}.html must show {shown.strip(chr(0))} once (or not at all when it is empty)")
    return (before, after) if found else (page, None)
