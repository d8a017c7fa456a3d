"""Forked processes behind one helper: results in order, failures reported, and the decision
to fork sees this process's own memory, not its parent's."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import pytest

from scorer.shell import parallel

# Run after exec'ing from a process that held ~200 MB: ru_maxrss keeps that peak on Linux.
CHILD = ("import resource; from scorer.shell.parallel import resident_mb, forks_fit; "
         "print(resident_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, forks_fit(3))")
PARENT = f"""
import os, sys
held = b"x" * (200 * 2**20)
os.execv(sys.executable, [sys.executable, "-c", {CHILD!r}])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss across exec is Linux's")
def test_memory_held_by_the_process_that_started_the_build_does_not_forbid_forks():
    out = subprocess.run([sys.executable, "-c", PARENT], capture_output=True, text=True, check=True).stdout.split()
    resident, inherited_peak, fits = float(out[0]), float(out[1]), out[2]
    assert inherited_peak > 200  # the parent's peak, as the kernel reports it after exec
    assert resident < 100
    assert fits == "True"


def test_forks_fit_counts_every_fork_and_this_process(monkeypatch):
    monkeypatch.setattr(parallel, "resident_mb", lambda: 200.0)
    assert parallel.forks_fit(3)  # 4 × 200 = 800 MB
    monkeypatch.setattr(parallel, "MEMORY_BUDGET_MB", 799)
    assert not parallel.forks_fit(3)
    assert parallel.forks_fit(2)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_fork_map_gives_every_result_in_order_from_several_processes(monkeypatch):
    import os
    import time

    monkeypatch.setattr(parallel, "MEMORY_BUDGET_MB", 10**9)
    done: list[int] = []

    def slow_square(item: int) -> tuple[int, int]:
        time.sleep(0.02)  # long enough for every process to take some
        return item * item, os.getpid()

    found = parallel.fork_map(slow_square, list(range(30)), jobs=3, least=1, done=done.append, chunk=1)
    assert [square for square, _ in found] == [item * item for item in range(30)]
    assert len({pid for _, pid in found}) == 3 and sum(done) == 30


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_failure_in_a_forked_process_is_reported(monkeypatch):
    monkeypatch.setattr(parallel, "MEMORY_BUDGET_MB", 10**9)

    def broken(item: int) -> int:
        if item == 1:
            raise OSError("đĩa đầy")
        return item

    # Whichever process takes it: the forked one's is handed over, the parent's raised.
    with pytest.raises((RuntimeError, OSError), match="đĩa đầy"):
        parallel.fork_map(broken, [0, 1, 2, 3], jobs=2, least=1, chunk=1)
