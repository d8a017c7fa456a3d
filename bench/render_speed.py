"""Measure the CPU time of rendering unit pages, history pages and ranking rows, as
`cqdt build` renders them, on a data root's Results (no page is written to disk).

    python bench/render_speed.py ROOT [--limit N] [--repeat R] [--save FILE] [--against FILE]

The Results come from `evaluate` (cqdt's cache: set CQDT_CACHE_DIR to a folder of your own).
The pages go through the same PageWriter, Jinja environment and settings as a build, into
memory; the script prints CPU milliseconds per page and a digest of every byte rendered.
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
import tempfile
import time
from functools import partial
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))


def generator_for(root: Path, output: Path):
    """The build's DataPages, with its settings and Jinja environment, the Results read."""
    from pelican.settings import read_settings

    from scorer.cli.site import site_config
    from scorer.reading.paths import DataRoot
    from scorer.site.generator import DataPages

    settings = read_settings(str(site_config(DataRoot(root))), override={
        "CQDT_DATA_ROOT": str(root.resolve()), "OUTPUT_PATH": str(output), "CQDT_JOBS": 1})
    generator = DataPages(settings)
    generator.read()
    return generator


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
    """Figures of unit pages, history pages and ranking rows of every year of the data root."""
    from scorer.site import pages as pages_module
    from scorer.site.fragments import ranking_rows
    from scorer.site.manifest import Manifest
    from scorer.site.pages import PageWriter, year_states
    from scorer.site.splice import joined
    from scorer.site.templates import relative_root

    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder)
        generator = generator_for(root, output)
        years = generator.years
        digests = {v.year: year_states(v.results) for v in years}
        rendered = {"unit": Rendered(), "history": Rendered(), "ranking": Rendered()}
        kind = ["unit"]

        def hand_over(path: Path, payload: bytes) -> tuple[int, int]:
            rendered[kind[0]].add(path.relative_to(output).as_posix().encode() + b"\0" + payload)
            return len(payload), 0

        # Pages are handed over, not written; a manifest that never records: every round renders every page again.
        pages_module.write_page = hand_over
        pages = PageWriter(generator.env, generator.pages.context, years, output, Manifest(output, "bench"), digests)
        units = [(view, r) for view in years for r in view.results.units][:limit]
        unit_ids = list(dict.fromkeys(r.unit.id for _, r in units))

        def ranking(view, tier) -> None:
            name = f"{view.year}/xep-hang/{tier.tier}/index.html"
            rendered["ranking"].add(joined(*ranking_rows(view.ranked(tier.tier), view, tier, relative_root(name))))

        gc.freeze()  # as the build does: the Results are not walked again by the collector
        figures = {"unit": timed("unit pages", [partial(pages.unit, v, r) for v, r in units], rendered["unit"],
                                 repeat)}
        kind[0] = "history"
        figures["history"] = timed("history pages", [partial(pages.history, u) for u in unit_ids],
                                   rendered["history"], repeat)
        figures["ranking"] = timed("ranking rows", [partial(ranking, v, t) for v in years for t in v.tiers()],
                                   rendered["ranking"], repeat)
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
