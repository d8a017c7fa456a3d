"""Spreading many small, independent page writes over the machine's cores.

Workers are forked, so they inherit the generator with its Results and compiled
templates; the build's own process works too, so `jobs` processes run in all. They
take chunks of tasks in turn from a shared counter; only the counter travels between
processes, and each worker's results come back once, at its end.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

# Below this many tasks a build is quick enough to need neither workers nor a progress bar.
MANY = 200
CHUNK = 64


def jobs_wanted(setting: int | None) -> int:
    """Processes to use: the setting, else one per core; 1 where fork is unavailable."""
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


class _Chunks:
    """Chunks of task indices, handed out one at a time to whichever process asks first."""

    def __init__(self, total: int, heavy: int, counter: Any | None) -> None:
        self.bounds: Sequence[tuple[int, int]] = [(i, i + 1) for i in range(heavy)] + [
            (start, min(start + CHUNK, total)) for start in range(heavy, total, CHUNK)]
        self.counter = counter
        self._next = 0

    def take(self) -> int:
        if self.counter is None:
            taken, self._next = self._next, self._next + 1
            return taken
        with self.counter.get_lock():
            taken = self.counter.value
            self.counter.value = taken + 1
        return taken

    def started(self) -> int:
        """Tasks handed out so far (chunks are handed out in order)."""
        taken = min(self.counter.value if self.counter is not None else self._next, len(self.bounds))
        return self.bounds[taken - 1][1] if taken else 0

    def run(self, run_task: Callable[[int], Any], bar=None) -> list:
        results = []
        shown = 0
        while (index := self.take()) < len(self.bounds):
            results.extend(run_task(task) for task in range(*self.bounds[index]))
            if bar is not None:
                done = self.started()
                bar.update(done - shown)
                shown = done
        if bar is not None:
            bar.update(self.started() - shown)
        return results


def _worker(chunks: _Chunks, run_task: Callable[[int], Any], sender) -> None:
    try:
        sender.send((True, chunks.run(run_task)))
    except BaseException:  # the build's process raises it
        sender.send((False, traceback.format_exc()))
    finally:
        sender.close()


def run_all(run_task: Callable[[int], Any], total: int, label: str, jobs: int, show_progress: bool,
            heavy: int = 0) -> list:
    """run_task(i) for i in 0..total-1 on `jobs` processes when there are many, with a progress
    bar; returns the results in no particular order. The first `heavy` tasks are large ones and
    are handed out alone, so that they spread over the processes."""
    # Objects alive now are never garbage: the collector need not walk them again while pages are
    # rendered, and forked workers do not copy their memory by touching them.
    gc.freeze()
    try:
        with _progress(total, label, show_progress) as bar:
            if jobs <= 1 or total < MANY:
                return _Chunks(total, heavy, None).run(run_task, bar)
            context = multiprocessing.get_context("fork")
            chunks = _Chunks(total, heavy, context.Value("q", 0))
            workers = []
            for _ in range(jobs - 1):
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(chunks, run_task, sender), daemon=True)
                process.start()
                sender.close()
                workers.append((process, receiver))
            results = chunks.run(run_task, bar)
            failures = []
            for process, receiver in workers:
                try:
                    ok, payload = receiver.recv()
                except EOFError:
                    ok, payload = False, f"tiến trình {process.pid} dừng giữa chừng"
                process.join()
                if ok:
                    results.extend(payload)
                else:
                    failures.append(payload)
            if failures:
                raise RuntimeError("Một tiến trình dựng trang gặp lỗi:\n" + "\n".join(failures))
            return results
    finally:
        gc.unfreeze()
