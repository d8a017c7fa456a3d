"""Using the machine's second core for a build: forked processes share the Results.

Once the Results are read, one process makes the stale data files (JSON, CSV, XLSX; splitting
them over two processes measured slower on two cores). Once the pages to write are known, and
when they are many, a second renderer renders and writes every other one while the build's
process makes the rest and the other pages. Each sends back only what it wrote. They share the
Results with the build's process only until one touches them: reference counting writes to
every object read, so in the end each may hold a copy of what the build's process held at
the fork. They are used only when that stays within
MEMORY_BUDGET_MB; results read from the cache keep their criteria on disk (see
model.LazyCriteria), so even a nationwide year fits.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

MEMORY_BUDGET_MB = 900
# Below this many pages a build is quick enough to need no progress bar.
MANY = 200


def forks_wanted(setting: int | None) -> bool:
    """Forked processes unless CQDT_JOBS is 1, the machine has one core, or fork is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    return (setting or os.cpu_count() or 1) > 1


@contextmanager
def progress(total: int, label: str, enabled: bool) -> Iterator:
    """A progress bar on stderr for long runs, else None."""
    if not enabled or total < MANY:
        yield None
        return
    import click

    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar


def resident_mb() -> float:
    """This process's resident memory now, in MB.

    Not getrusage's ru_maxrss: on Linux that keeps the peak of whatever process forked and
    exec'd this one (a benchmark or CI runner holding gigabytes would forbid every fork)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, kilobytes elsewhere
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def forks_fit(count: int) -> bool:
    """Whether `count` forked processes, each of which may end up copying this process's memory,
    stay within budget alongside it."""
    return (count + 1) * resident_mb() < MEMORY_BUDGET_MB


def _render(tasks: list[Callable[[], Any]], then: list[Callable[[], Any]], report) -> None:
    try:
        report.send((True, [task() for task in tasks]))
        for task in then:
            task()
        report.send((True, None))
    except BaseException:  # the build's process reports it
        report.send((False, traceback.format_exc()))
    finally:
        report.close()


class ForkedTasks:
    """A forked process running some of the build's tasks while the build's process does the
    rest; then, after handing back their results, the tasks in `then` (bookkeeping the build's
    process need not wait for until it ends: see finish)."""

    def __init__(self, tasks: list[Callable[[], Any]], then: list[Callable[[], Any]] = ()) -> None:
        context = multiprocessing.get_context("fork")
        self.count = len(tasks)
        self._report, theirs = context.Pipe(duplex=False)
        self._process = context.Process(target=_render, args=(tasks, list(then), theirs), daemon=True)
        self._process.start()
        theirs.close()
        self._done = False

    def _receive(self) -> Any:
        try:
            ok, payload = self._report.recv()
        except EOFError:
            ok, payload = False, "tiến trình dựng trang dừng giữa chừng"
        if not ok:
            self.close()
            raise RuntimeError("Tiến trình dựng trang gặp lỗi:\n" + payload)
        return payload

    def results(self) -> list:
        """Every task's result, in order, once the renderer finished them."""
        return self._receive()

    def finish(self) -> None:
        """Wait for the tasks in `then` too."""
        if not self._done:
            self._receive()
            self._done = True
            self._report.close()

    def close(self) -> None:
        """End the process: stopped if its work is not done (see finish), else waited for. Once
        its work is done it ends on its own, tearing down its copy of the build's memory (0.1 s):
        close it at the end of the build, not as soon as its work is done."""
        self._report.close()
        if not self._done and self._process.is_alive():
            self._process.terminate()
        self._process.join()
