"""The public results site: data pages from the scorer's Results, as a Pelican plugin.

Settings it reads: CQDT_DATA_ROOT (the data root), CQDT_YEARS (optional subset),
CQDT_PROGRESS (progress bars), CQDT_JOBS (worker processes), CQDT_PUBLIC_URL (absolute
URLs in sitemap.xml), REPOSITORY_URL and REPOSITORY_BRANCH (source links).

Importing this package does not import Pelican: a quick rebuild (see quick) runs without it.
"""

from __future__ import annotations


def register() -> None:
    """Pelican's entry point for the plugin (see plugin)."""
    from . import plugin

    plugin.register()
