"""Measure the CPU time of rendering unit pages, history pages and ranking pages, as
`cqdt build` renders them, on a data root's Results (no page is written to disk).

    python bench/render_speed.py ROOT [--limit N] [--repeat R] [--save FILE] [--against FILE]

The Results come from `evaluate` (cqdt's memo: set CQDT_CACHE_DIR to a folder of your own).
The pages are those a build lists (scorer.site.plugin.read_site), rendered with the theme's
templates and the build's settings into memory; the script prints CPU milliseconds per page
and a digest of every byte rendered (the criteria of each unit are read from the memo as a
build reads them).
--save stores the figures and digests; --against prints them next to a saved run and says
whether the bytes are the same (the check that a speed-up changed no output).

To compare two versions of the site code, run the script from a copy of the tree holding the
other version (it imports `scorer` from the tree it lies in), alternating the two a few times:
other processes on the machine move a single run's figures by a tenth or more.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import sys
import time
from functools import partial
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))


def site_for(root: Path):
    """The site's data pages as a build lists them (scorer.site.plugin.read_site), with a Jinja
    environment made as Pelican makes it from the settings, and the Results read."""
    from jinja2 import Environment, FileSystemLoader
    from pelican.settings import read_settings

    from scorer.reading.paths import DataRoot
    from scorer.shell.memo import Memo
    from scorer.site.build import site_config
    from scorer.site.filters import filters
    from scorer.site.plugin import read_site

    settings = read_settings(str(site_config(DataRoot(root))), override={"CQDT_DATA_ROOT": str(root.resolve())})
    settings["JINJA_FILTERS"] = filters()
    settings["JINJA_ENVIRONMENT"] = {**settings["JINJA_ENVIRONMENT"], "autoescape": True, "auto_reload": False}
    folders = [*settings["THEME_TEMPLATES_OVERRIDES"], str(Path(settings["THEME"]) / "templates")]
    env = Environment(loader=FileSystemLoader(folders), **settings["JINJA_ENVIRONMENT"])
    env.filters.update(settings["JINJA_FILTERS"])
    return read_site(settings, Memo(), env), env


class Rendered:
    """A digest of what the first round of a measurement rendered (later rounds render the same)."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.feeding = True

    def add(self, data: bytes) -> None:
        if self.feeding:
            self.sha.update(data)


def timed(label: str, tasks: list, rendered: Rendered, repeat: int) -> dict:
    """Run the tasks `repeat` times; CPU ms per task of the fastest round (other processes on the
    machine slow some rounds down)."""
    seconds = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        for task in tasks:
            task()
        seconds = min(seconds, time.process_time() - start)
        rendered.feeding = False
    count = len(tasks)
    figure = {"count": count, "ms": 1000 * seconds / count if count else 0.0, "digest": rendered.sha.hexdigest()}
    print(f"{label:<16}{count:7d} × {figure['ms']:8.3f} ms = {seconds:7.2f} s CPU   {figure['digest'][:16]}",
          flush=True)
    return figure


def measure(root: Path, limit: int | None, repeat: int) -> dict:
    """Figures of unit pages, history pages and ranking pages of every year of the data root."""
    from pelican.utils import get_relative_path

    site, env = site_for(root)
    kinds = {"unit": [], "history": [], "ranking": []}
    for page in site.pages():
        kind = {"unit": "unit", "unit_history": "history", "ranking": "ranking"}.get(page.template)
        if kind is not None:
            kinds[kind].append(page)
    kinds["unit"] = kinds["unit"][:limit]
    rendered = {kind: Rendered() for kind in kinds}

    def render(page, kind: str) -> None:
        context = {**site.site, "SITEURL": get_relative_path(page.path), **page.values()}
        payload = env.get_template(f"{page.template}.html").render(context).encode("utf-8")
        rendered[kind].add(page.path.encode() + b"\0" + payload)

    for page in kinds["unit"][:1]:  # templates compiled and per-tier pieces made before timing
        render(page, "unit")
    rendered["unit"] = Rendered()
    gc.freeze()  # as the build does: the Results are not walked again by the collector
    figures = {kind: timed(f"{kind} pages", [partial(render, page, kind) for page in pages], rendered[kind], repeat)
               for kind, pages in kinds.items()}
    gc.unfreeze()
    return figures


def compare(figures: dict, before: dict) -> None:
    print(f"\n{'':<16}{'before ms':>12}{'after ms':>12}{'speed-up':>10}  bytes")
    for name, after in figures.items():
        old = before.get(name)
        if old is None:
            continue
        same = "same" if (old["digest"], old["count"]) == (after["digest"], after["count"]) else "DIFFERENT"
        ratio = old["ms"] / after["ms"] if after["ms"] else float("inf")
        print(f"{name:<16}{old['ms']:12.3f}{after['ms']:12.3f}{ratio:9.2f}×  {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="render only the first N unit pages")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the fastest counts")
    parser.add_argument("--save", type=Path, help="store the figures as JSON")
    parser.add_argument("--against", type=Path, help="compare with figures stored by --save")
    options = parser.parse_args()
    os.environ.setdefault("CQDT_REPOSITORY_URL", "https://example.org/cqdt")  # evidence paths become links
    figures = measure(options.root, options.limit, options.repeat)
    if options.save:
        options.save.write_text(json.dumps(figures, indent=1, sort_keys=True), encoding="utf-8")
    if options.against:
        compare(figures, json.loads(options.against.read_text(encoding="utf-8")))


if __name__ == "__main__":
    main()
