"""The machine's other cores, behind one helper: fork_map.

Forked processes see the parent's memory as it was (the year read, the Results), so nothing
is sent to them; each sends back only its results. Every process, the parent included, takes
the next few items whenever it is ready for them.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Forks are made only while each, if it ended up copying this process's memory, would stay
# within this budget alongside it.
MEMORY_BUDGET_MB = 900
# Below this many items, work is quick enough to need no progress bar.
MANY = 200


def default_jobs() -> int:
    """CQDT_JOBS, else the CPUs this process may use."""
    if os.environ.get("CQDT_JOBS"):
        return max(1, int(os.environ["CQDT_JOBS"]))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def resident_mb() -> float:
    """This process's own resident memory now (not file pages it maps, like the memo's), in MB:
    what a forked process could end up copying.

    Not getrusage's ru_maxrss: on Linux that keeps the peak of whatever process forked and
    exec'd this one (a benchmark or CI runner holding gigabytes would forbid every fork)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            _, resident, shared = handle.read().split()[:3]
        return (int(resident) - int(shared)) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, kilobytes elsewhere
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def forks_fit(count: int) -> bool:
    """Whether `count` forked processes fit in the budget with this one."""
    return (count + 1) * resident_mb() < MEMORY_BUDGET_MB


def _share(work: Callable[[], list], report) -> None:
    try:
        report.send((True, work()))
    except BaseException:  # the parent reports it
        report.send((False, traceback.format_exc()))
    finally:
        report.close()


def fork_map(function: Callable[[T], R], items: Sequence[T], jobs: int | None = None, least: int = 64,
             done: Callable[[int], None] | None = None, chunk: int = 16) -> list[R]:
    """[function(item) for item in items], over `jobs` processes (default_jobs()) when there are
    at least `least` items, fork is available and the forks fit in memory; in order. Each
    process takes the next `chunk` items as it is ready for them, so none waits for another
    while there is work left. `done(n)`: told as items are done (a progress bar)."""
    jobs = min(jobs or default_jobs(), max(1, len(items) // max(1, least)))
    if (jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods() or not forks_fit(jobs - 1)):
        found = []
        for item in items:
            found.append(function(item))
            if done is not None:
                done(1)
        return found
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)  # how many items the processes took so far

    def work(told: Callable[[int], None] | None = None) -> list[tuple[int, R]]:
        found = []
        while True:
            with taken.get_lock():
                start = taken.value
                taken.value = start + chunk
            if start >= len(items):
                return found
            for index in range(start, min(start + chunk, len(items))):
                found.append((index, function(items[index])))
            if told is not None:
                told(min(chunk, len(items) - start))

    forks = []
    for _ in range(1, jobs):
        mine, theirs = context.Pipe(duplex=False)
        process = context.Process(target=_share, args=(work, theirs), daemon=True)
        process.start()
        theirs.close()
        forks.append((process, mine))
    finished = False
    try:
        shares = [work(done)]
        for _, mine in forks:
            try:
                ok, payload = mine.recv()
            except EOFError:
                ok, payload = False, "tiến trình con dừng giữa chừng"
            if not ok:
                raise RuntimeError("Tiến trình con gặp lỗi:\n" + payload)
            shares.append(payload)
            if done is not None:
                done(len(payload))
        finished = True
    finally:
        for process, mine in forks:
            mine.close()
            if not finished:
                process.terminate()
            process.join()
    found: list[Any] = [None] * len(items)
    for share in shares:
        for index, result in share:
            found[index] = result
    return found


@contextmanager
def progress(total: int, label: str, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long runs: yields done(n), to call as n more items are
    done; None when not enabled or short."""
    if not enabled or total < MANY:
        yield None
        return
    import click

    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
