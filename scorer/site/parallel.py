"""Using the machine's second core for the unit pages and data files, in three ways.

A writing helper, forked before the Results are read (so it holds no copy of them), writes
the pages the build's process renders: creating a file and its folder is slow on many file
systems, and a nationwide site has two pages per unit. Only page bytes travel to it, through
a pipe.

A second renderer, forked once the Results are read, renders and writes a share of the unit
and history pages itself while the build's process makes the other pages,
and sends back only what it wrote. It shares the Results with the build's process only until
either touches them: reference counting writes to every object read, so in the end the two
hold about twice what the build's process held at the fork. It is used only when that stays
within MEMORY_BUDGET_MB; results read from the cache keep their criteria on disk (see
model.LazyCriteria), so even a nationwide year fits.

A third forked process makes the data files (JSON, CSV, XLSX) meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import resource
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .output import write_page

MEMORY_BUDGET_MB = 900
# Below this many pages a build is quick enough to need no progress bar.
MANY = 200
PIPE_BYTES = 1 << 20  # room for about twenty pages in flight
_STOP = b""


def helper_wanted(setting: int | None) -> bool:
    """A writing helper and a second renderer unless CQDT_JOBS is 1, the machine has one core,
    or fork is unavailable."""
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


def _serve(pages, report, output: Path, parents_ends: tuple) -> None:
    for end in parents_ends:  # so that the pipe ends (EOF) when the build's process goes away
        end.close()
    written: list[tuple[str, int, int]] = []
    try:
        while (message := pages.recv_bytes()) != _STOP:
            name, _, payload = message.partition(b"\0")
            name = name.decode("utf-8")
            written.append((name, *write_page(output / name, payload)))
        report.send((True, written))
    except BaseException:  # the build's process reports it
        report.send((False, traceback.format_exc()))
    finally:
        report.close()


class PageWriterProcess:
    """The helper: write(name, bytes) hands a page over; finish() waits for all of them and
    returns each page's (name, size, mtime_ns)."""

    def __init__(self, output: Path) -> None:
        context = multiprocessing.get_context("fork")
        their_pages, self._pages = context.Pipe(duplex=False)
        self._report, their_report = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(their_pages, their_report, output, (self._pages, self._report)), daemon=True)
        self._process.start()
        their_pages.close()
        their_report.close()
        with contextlib.suppress(OSError):  # a smaller pipe only means less overlap
            fcntl.fcntl(self._pages.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)

    def write(self, name: str, payload: bytes) -> None:
        self._pages.send_bytes(name.encode("utf-8") + b"\0" + payload)

    def finish(self) -> list[tuple[str, int, int]]:
        self._pages.send_bytes(_STOP)
        try:
            ok, payload = self._report.recv()
        except EOFError:
            ok, payload = False, "tiến trình ghi trang dừng giữa chừng"
        self.close()
        if not ok:
            raise RuntimeError("Tiến trình ghi trang gặp lỗi:\n" + payload)
        return payload

    def close(self) -> None:
        """Stop the helper (also when the build failed before finishing)."""
        self._pages.close()
        self._report.close()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


def forks_fit(count: int) -> bool:
    """Whether `count` forked processes, each of which may end up copying this process's memory,
    stay within budget alongside it."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return (count + 1) * peak_kb / 1024 < MEMORY_BUDGET_MB


def _render(tasks: list[Callable[[], Any]], prepare: Callable[[], None], report) -> None:
    try:
        prepare()
        report.send((True, [task() for task in tasks]))
    except BaseException:  # the build's process reports it
        report.send((False, traceback.format_exc()))
    finally:
        report.close()


class ForkedTasks:
    """A forked process running some of the build's tasks (after `prepare()` there: a second
    renderer writes its pages itself) while the build's process does the rest of the build."""

    def __init__(self, tasks: list[Callable[[], Any]], prepare: Callable[[], None]) -> None:
        context = multiprocessing.get_context("fork")
        self.count = len(tasks)
        self._report, theirs = context.Pipe(duplex=False)
        self._process = context.Process(target=_render, args=(tasks, prepare, theirs), daemon=True)
        self._process.start()
        theirs.close()

    def results(self) -> list:
        """Every task's result, in order, once the renderer finished them."""
        try:
            ok, payload = self._report.recv()
        except EOFError:
            ok, payload = False, "tiến trình dựng trang dừng giữa chừng"
        self._report.close()
        self._process.join()
        if not ok:
            raise RuntimeError("Tiến trình dựng trang gặp lỗi:\n" + payload)
        return payload

    def close(self) -> None:
        """Stop the renderer (also when the build failed before asking for its results)."""
        self._report.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
