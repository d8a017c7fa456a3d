"""The public results site: data pages from the scorer's Results (pages: what they are and
their keys; tables: their repeated rows; views: what they show), built by Pelican with the
plugin (plugin) through build.build_site.
"""

from __future__ import annotations


def register() -> None:
    """Pelican's entry point for the plugin (see plugin)."""
    from . import plugin

    plugin.register()
