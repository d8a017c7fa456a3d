"""sitemap.xml from the HTML pages this build wrote."""

from __future__ import annotations

from html import escape
from pathlib import Path

from .output import write_if_changed

PAGES: set[str] = set()
"""URLs of the pages written by the current build (emptied when a build starts)."""


def name_url(name: str) -> str | None:
    """The directory-style URL of a page written at `name` in the output folder (None for
    pages not to list, like 404)."""
    if name == "index.html":
        return ""
    if name.endswith("/index.html"):
        return name.removesuffix("index.html")
    return None


def urls(names: set[str]) -> set[str]:
    """name_url of every page among the names (one pass for the 25,000 of a nationwide site)."""
    found = {name[:-10] for name in names if name.endswith("/index.html")}
    if "index.html" in names:
        found.add("")
    return found


def page_url(output: Path, written: Path) -> str | None:
    """name_url of a page written at path `written`."""
    return name_url(written.resolve().relative_to(output.resolve()).as_posix())


def sitemap_xml(public_url: str, urls: set[str]) -> str:
    """A sitemap listing every URL once, sorted; absolute when the public URL is known."""
    base = public_url.rstrip("/") + "/" if public_url else "/"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines.extend(f"<url><loc>{escape(base + url, quote=False)}</loc></url>" for url in sorted(urls))
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def write(output: Path, public_url: str) -> None:
    """Write sitemap.xml of PAGES into the output folder (when its bytes changed)."""
    write_if_changed(output / "sitemap.xml", sitemap_xml(public_url, PAGES))
