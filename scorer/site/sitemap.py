"""sitemap.xml: every HTML page of the site but 404, by its folder URL."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape


def urls(names: Iterable[str]) -> set[str]:
    """The directory-style URL of every page among the names of files in the output folder
    (pages are written as <folder>/index.html; others, like 404.html, are not listed)."""
    found = set()
    for name in names:
        if name == "index.html":
            found.add("")
        elif name.endswith("/index.html"):
            found.add(name[:-10])
    return found


def sitemap_xml(public_url: str, urls: set[str]) -> str:
    """A sitemap listing every URL once, sorted, absolute: from the public URL (the sitemaps
    protocol takes only absolute addresses)."""
    base = public_url.rstrip("/") + "/"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines.extend(f"<url><loc>{escape(base + url, quote=False)}</loc></url>" for url in sorted(urls))
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
