"""Spreading many small, independent page writes over the machine's cores.

Workers are forked, so they inherit the generator with its Results and compiled
templates; only a task's index travels to a worker and only a count comes back.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

# Below this many tasks a build is quick enough to need neither workers nor a progress bar.
MANY = 200
CHUNK = 64

_run_task: Callable[[int], None] | None = None


def _run_chunk(bounds: tuple[int, int]) -> int:
    assert _run_task is not None
    for index in range(*bounds):
        _run_task(index)
    return bounds[1] - bounds[0]


def jobs_wanted(setting: int | None) -> int:
    """Workers to use: the setting, else one per core; 1 where fork is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, setting or os.cpu_count() or 1)


@contextmanager
def _progress(total: int, label: str, enabled: bool) -> Iterator:
    if not enabled or total < MANY:
        yield None
        return
    import click

    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar


def run_all(run_task: Callable[[int], None], total: int, label: str, jobs: int, show_progress: bool,
            heavy: int = 0) -> None:
    """Run run_task(0..total-1), on `jobs` forked workers when there are many, with a progress bar.
    The first `heavy` tasks are large ones and travel alone, so that they spread over the workers."""
    global _run_task
    _run_task = run_task
    try:
        chunks: Sequence[tuple[int, int]] = [(i, i + 1) for i in range(heavy)] + [
            (start, min(start + CHUNK, total)) for start in range(heavy, total, CHUNK)]
        with _progress(total, label, show_progress) as bar:
            if jobs > 1 and total >= MANY:
                with multiprocessing.get_context("fork").Pool(jobs) as pool:
                    for done in pool.imap_unordered(_run_chunk, chunks):
                        if bar is not None:
                            bar.update(done)
            else:
                for chunk in chunks:
                    done = _run_chunk(chunk)
                    if bar is not None:
                        bar.update(done)
    finally:
        _run_task = None
