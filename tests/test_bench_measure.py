"""The benchmark charges a step with its own memory, not with the benchmark's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from measure import run_measured


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_memory_is_the_steps_own_even_when_the_benchmark_holds_more():
    held = b"x" * (300 * 2**20)  # the benchmark holding two results documents
    step = run_measured([sys.executable, "-c", "import time; x = b'y' * (80 * 2**20); time.sleep(0.3)"])
    assert len(held) and step.exit_code == 0
    assert 80 <= step.peak_mb < 200


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_memory_counts_a_forked_worker_alongside_its_parent():
    # After the fork each holds 100 MB of its own: only the sum over the tree shows 200 MB.
    code = ("import os, time\n"
            "pid = os.fork()\n"
            "x = b'z' * (100 * 2**20)\n"
            "time.sleep(0.6)\n"
            "os._exit(0) if pid == 0 else os.waitpid(pid, 0)\n")
    step = run_measured([sys.executable, "-c", code])
    assert step.exit_code == 0
    assert 190 <= step.peak_mb < 320


def test_the_benchmark_finds_every_subcommand_and_option_of_the_real_cli():
    # The benchmark reads cqdt's --help to know which steps it can measure; when the
    # help was translated it silently found none and reported every row "not available".
    from run import command_options, cqdt_commands

    cqdt = [sys.executable, "-m", "scorer"]
    commands = cqdt_commands(cqdt)
    assert {"validate", "score", "check-pr", "pr-summary", "build"} <= commands
    assert {"--format", "--year"} <= command_options(cqdt, "score")
    assert "--output" in command_options(cqdt, "build")
