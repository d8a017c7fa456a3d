"""Run one whole process and measure it: wall time, CPU time and peak memory.

Peak memory is the larger of two readings, both sampled from /proc while the
process runs: the largest sum of proportional set sizes (PSS) of the whole
process tree (every 100 ms), which also counts worker processes that run at the
same time; and the largest high-water mark of resident memory (VmHWM) of any one
process (every 10 ms), which catches a single process's peak between two samples. PSS splits a page shared by
forked workers among them, so shared memory is counted once, as the machine
holds it (a sum of resident sets would count it once per process).

Not the ru_maxrss that wait4 reports: on Linux it keeps, across exec, the peak
of the process that forked the command, so every step would be charged with
this benchmark's own memory (it holds whole results documents to compare them).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.01  # high-water marks: counters the kernel keeps, cheap to read
# Proportional set sizes only every 10th sample: summing them walks each process's page tables
# under its memory lock, which stalls the measured processes' page faults (at every sample, a
# nationwide rebuild measured 0.15 s slower: 1.55 s against 1.37 s).
PSS_EVERY = 10


@dataclass(frozen=True)
class Measurement:
    """What one measured process took."""

    seconds: float
    cpu_seconds: float
    peak_mb: float
    exit_code: int
    load_before: float  # 1-minute load average when it started: other work on the machine skews timings

    def as_dict(self) -> dict:
        return asdict(self)


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return found


def _field_kb(path: str, name: str) -> int:
    """A 'Name:  N kB' line of a /proc file; 0 if the process is gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    return _field_kb(f"/proc/{pid}/smaps_rollup", "Pss:")


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    return found


def tree_memory_kb(pid: int, pss: bool = True) -> tuple[int, int]:
    """Sum of proportional set sizes of a process and all its descendants (0 unless `pss`), and
    the largest resident high-water mark among them."""
    processes = tree(pid)
    total = sum(_pss_kb(current) for current in processes) if pss else 0
    return total, max(_field_kb(f"/proc/{current}/status", "VmHWM:") for current in processes)


def run_measured(command: list[str], cwd: Path | None = None, env: dict | None = None,
                 stdout: Path | None = None, stderr: Path | None = None) -> Measurement:
    """Run a command to its end; its output goes to files (or nowhere)."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115 - closed below
    err = open(stderr, "wb") if stderr else subprocess.DEVNULL  # noqa: SIM115 - closed below
    peak_kb = 0
    stop = threading.Event()
    # Write back what earlier steps left in the page cache first: a step that writes a gigabyte
    # (a nationwide site) would otherwise slow down whichever step comes next.
    os.sync()
    load = os.getloadavg()[0]
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)

        def sample() -> None:
            nonlocal peak_kb
            count = 0
            while not stop.is_set():
                peak_kb = max(peak_kb, *tree_memory_kb(process.pid, pss=count % PSS_EVERY == 0))
                count += 1
                stop.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for handle in (out, err):
            if handle is not subprocess.DEVNULL:
                handle.close()
    return Measurement(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=peak_kb / 1024,
        exit_code=process.returncode,
        load_before=load,
    )
