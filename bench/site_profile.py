"""Measure `cqdt build` on a data root: a full build into an empty folder, then a rebuild after
one submission changed, each as a whole process (wall, CPU, peak memory of the process tree,
as bench/run.py measures them), and optionally where one build spends its time.

    python bench/site_profile.py ROOT [--work DIR] [--profile] [--jobs N]

ROOT is copied into the work folder first (its submissions get changed). cqdt's cache is
the work folder's own; it is filled by one `cqdt score` before the full build, so the
figures are about the site, not about scoring from cold.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from measure import run_measured  # noqa: E402
from run import change_one_submission  # noqa: E402

CQDT = [sys.executable, "-m", "scorer"]


def measured(label: str, args: list[str], root: Path, env: dict, units: int | None = None) -> None:
    m = run_measured([*CQDT, "--data", str(root), *args], cwd=BENCH.parent, env=env)
    rate = f"{units / m.seconds:8.0f} unit pages/s" if units else ""
    print(f"{label:<28}{m.seconds:8.2f} s wall{m.cpu_seconds:8.2f} s CPU{m.peak_mb:8.0f} MB"
          f"  load {m.load_before:4.1f}  exit {m.exit_code} {rate}", flush=True)


def profile(root: Path, output: Path, top: int) -> None:
    """One full build in this process under cProfile (CQDT_JOBS=1 makes it see all the work)."""
    from scorer.reading.paths import DataRoot
    from scorer.site.build import build_site

    shutil.rmtree(output, ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.runcall(build_site, DataRoot(root), output)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cqdt-site-profile"))
    parser.add_argument("--profile", action="store_true", help="also profile one build in-process")
    parser.add_argument("--jobs", type=int, default=None, help="CQDT_JOBS for the builds")
    parser.add_argument("--top", type=int, default=40)
    options = parser.parse_args()
    work = options.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    root, output = work / "root", work / "site"
    subprocess.run(["cp", "-a", str(options.root), str(root)], check=True)
    env = {**os.environ, "CQDT_CACHE_DIR": str(work / "cache")}
    if options.jobs:
        env["CQDT_JOBS"] = str(options.jobs)
    units = sum(1 for p in root.glob("submissions/*/*/*.yaml") if not p.name.endswith(".review.yaml"))
    measured("score (fills the cache)", ["score", "--format", "json"], root, env)
    measured("build (full)", ["build", "--output", str(output)], root, env, units)
    measured("build (nothing changed)", ["build", "--output", str(output)], root, env)
    change_one_submission(root, set())
    measured("build (one change)", ["build", "--output", str(output)], root, env)
    if options.profile:
        os.environ.update(env, CQDT_JOBS="1")
        profile(root, work / "profiled", options.top)


if __name__ == "__main__":
    main()
