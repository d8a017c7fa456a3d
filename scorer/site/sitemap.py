"""sitemap.xml from the HTML pages this build wrote."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

PAGES: set[str] = set()
"""URLs of the pages written by the current build (emptied when a build starts)."""


def page_url(output: Path, written: Path) -> str | None:
    """The directory-style URL of a written page (None for pages not to list, like 404)."""
    relative = written.resolve().relative_to(output.resolve()).as_posix()
    if relative == "index.html":
        return ""
    if relative.endswith("/index.html"):
        return relative.removesuffix("index.html")
    return None


def sitemap_xml(public_url: str, urls: set[str]) -> str:
    """A sitemap listing every URL once, sorted; absolute when the public URL is known."""
    base = public_url.rstrip("/") + "/" if public_url else "/"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines.extend(f"<url><loc>{escape(base + url)}</loc></url>" for url in sorted(urls))
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
