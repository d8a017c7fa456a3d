"""The site build's decision to fork sees this process's own memory, not its parent's."""

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
def test_forked_tasks_hand_back_results_before_their_bookkeeping_and_finish_waits_for_it(tmp_path):
    import time

    done = tmp_path / "ghi-so-sach"

    def bookkeeping() -> None:
        time.sleep(0.3)
        done.write_text("xong", encoding="utf-8")

    forked = parallel.ForkedTasks([lambda: 1, lambda: 2], then=[bookkeeping])
    assert forked.results() == [1, 2]
    assert not done.exists()  # handed back before the bookkeeping ran
    forked.finish()
    assert done.read_text(encoding="utf-8") == "xong"
    forked.close()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_failure_after_the_results_is_reported_by_finish():
    def broken() -> None:
        raise OSError("đĩa đầy")

    forked = parallel.ForkedTasks([lambda: "trang"], then=[broken])
    assert forked.results() == ["trang"]
    with pytest.raises(RuntimeError, match="đĩa đầy"):
        forked.finish()
